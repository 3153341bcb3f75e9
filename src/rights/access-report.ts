import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { chainPendingReads } from '../audit/service.ts';
import { consentValidUntil } from '../consent/gate.ts';
import type { ConnectedLookup } from '../sync/lookup.ts';
import { sourceNamer } from '../notices/facts.ts';
import { noticesOf } from '../notices/history.ts';
import { recipientsOf } from './recipients.ts';
import { consentHistory } from '../consent/ledger.ts';
import type { Tx } from '../db/tenant.ts';
import { activeSubprocessors } from '../governance/subprocessors.ts';
import { PROFILES, type Jurisdiction, type MarketingRule } from '../jurisdiction/profiles.ts';
import { subjectJurisdiction, type ResolvedJurisdiction } from '../jurisdiction/service.ts';
import { describePeriod } from './deadlines.ts';
import { workspaceInventory, type PersonalCustomField, type PersonalDataColumn } from '../inventory/inventory.ts';
import { disclosures, readsOf, recordContext, requestEmails, type Disclosure, type RecordContext } from './report-context.ts';
import { fieldOf, openValue, rowsOfSubject, type Subject } from './subject.ts';

export interface ReportField {
  object: string;
  table: string;
  column: string;
  /** The custom field's key, for custom fields flagged personal. */
  customField?: string;
  category: string;
  description: string;
  values: Array<{ recordId: string; value: unknown }>;
}

export interface AccessReport {
  generatedAt: string;
  controller: { name: string; dpo: Array<{ name: string; email: string }> };
  subject: { email: string; records: Array<{ type: string; id: string }> };
  data: ReportField[];
  provenance: Array<{ type: string; id: string; sourceType: string; sourceRef: string | null; source: string; collectedAt: string }>;
  purposes: Array<{
    key: string;
    name: string;
    description: string;
    legalBasis: string;
    retention: string;
    recipients: string[];
    state: string;
    since: string | null;
    validUntil: string | null;
  }>;
  consentHistory: Awaited<ReturnType<typeof consentHistory>>;
  recipients: string[];
  accessLog: Array<{ at: string; action: string; actorType: string; objectType: string | null; objectId: string | null }>;
  requests: Array<{
    id: string;
    type: string;
    status: string;
    receivedAt: string;
    dueAt: string;
    /** Art. 19, second sentence: the connected CRMs told of the request's erasure, rectification or objection. */
    recipientsInformed: Array<{
      recipient: string;
      operation: 'erasure' | 'rectification' | 'objection';
      state: 'done' | 'owed';
      at: string | null;
    }>;
  }>;
  requestEmails: Awaited<ReturnType<typeof requestEmails>>;
  context: RecordContext;
  disclosures: Disclosure[];
  jurisdiction: {
    key: Jurisdiction;
    name: string;
    law: string;
    source: ResolvedJurisdiction['source'];
    authority: string;
    responseDeadline: string;
    verification: string;
    marketing: MarketingRule;
    saleSharing: { regime: 'consent' | 'opt_out'; reference: string; optedOut: boolean; since: string | null };
  };
  rights: Array<{ right: string; title: string; article: string; text: string }>;
  /** Art. 14: the notices owed or sent to the person, one per source their data came from. */
  notices: Array<{ source: string; obtainedAt: string; state: 'sent' | 'owed' | 'exempt'; sentAt: string | null; sentVia: string | null }>;
  /** What each connected CRM held on the person when the request was carried out (empty in a live view). */
  connectedSystems: ConnectedLookup[];
}

/** The jurisdiction section of the report: which law, why, and what it gives the person. */
async function jurisdictionSection(tx: Tx, tenantId: string, subject: Subject): Promise<Pick<AccessReport, 'jurisdiction' | 'rights'>> {
  const resolved = await subjectJurisdiction(tx, tenantId, subject.people);
  const profile = PROFILES[resolved.jurisdiction];
  const ids = subject.people.map((person) => person.id);
  const choices = ids.length
    ? await tx
        .selectFrom('sale_sharing_states')
        .select(['opted_out', 'since'])
        .where('tenant_id', '=', tenantId)
        .where('person_id', 'in', ids)
        .orderBy('since', 'desc')
        .execute()
    : [];
  const optedOut = ids.length > 0 && choices.length === ids.length && choices.every((choice) => choice.opted_out);
  const { deadline } = profile;
  return {
    jurisdiction: {
      key: profile.key,
      name: profile.name,
      law: profile.law,
      source: resolved.source,
      authority: profile.authority,
      responseDeadline: `${describePeriod(deadline.response)}${deadline.extension ? `, extendable once by ${describePeriod(deadline.extension)}` : ', not extendable'} (${deadline.reference})`,
      verification: `${profile.verification.text} (${profile.verification.reference})`,
      marketing: profile.marketing,
      saleSharing: { ...profile.saleSharing, optedOut, since: optedOut ? new Date(choices[0]!.since).toISOString() : null },
    },
    rights: profile.rights.map((right) => ({ right: right.right, title: right.title, article: right.reference, text: right.text })),
  };
}

/** One inventory column's values for the subject, decrypted. */
async function valuesOf(app: AppContext, tx: Tx, tenantId: string, entry: PersonalDataColumn | PersonalCustomField, subject: Subject) {
  const rows = await sql<{ id: string; value: string | null }>`
    select ${sql.ref(`${entry.table}.${entry.rowId ?? 'id'}`)}::text as id, ${sql.ref(`${entry.table}.${entry.column}`)} as value
    from ${sql.table(entry.table)}
    where ${sql.ref(`${entry.table}.tenant_id`)} = ${tenantId} and ${rowsOfSubject(entry.table, entry.link!, subject)}
    order by 1`.execute(tx);
  const values: Array<{ recordId: string; value: unknown }> = [];
  for (const row of rows.rows) {
    let value = entry.encrypted ? await openValue(app, tx, tenantId, fieldOf(entry), row.value) : row.value;
    if ('customFieldKey' in entry)
      value = value && typeof value === 'object' ? ((value as Record<string, unknown>)[entry.customFieldKey] ?? null) : null;
    if (value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0)) values.push({ recordId: row.id, value });
  }
  return values;
}

/**
 * The access report (Art. 15), assembled from the data inventory: every personal-data column
 * of the workspace (custom fields flagged personal included) with the values held about the
 * subject, then why (purposes, legal bases, consents), from where (provenance), to whom
 * (recipients), for how long (retention), who looked (audit trail), and their rights.
 */
export async function accessReport(app: AppContext, tx: Tx, tenantId: string, subject: Subject): Promise<AccessReport> {
  const inventory = (await workspaceInventory(tx, tenantId)).filter((entry) => entry.subject === 'data_subject' && entry.link);
  const data: ReportField[] = [];
  await app.keys.preloadSubjectKeys(
    tx,
    tenantId,
    subject.people.map((person) => person.id),
  );
  for (const entry of inventory) {
    data.push({
      object: entry.object,
      table: entry.table,
      column: entry.column,
      ...('customFieldKey' in entry ? { customField: entry.customFieldKey } : {}),
      category: entry.category,
      description: entry.description,
      values: await valuesOf(app, tx, tenantId, entry, subject),
    });
  }

  const ids = subject.people.map((person) => person.id);
  const provenance = [];
  const nameSource = await sourceNamer(tx, tenantId);
  for (const table of ['contacts', 'leads'] as const) {
    const own = subject.people.filter((person) => `${person.type}s` === table).map((person) => person.id);
    if (own.length === 0) continue;
    const rows = await tx
      .selectFrom(table)
      .select(['id', 'source_type', 'source_ref', 'collected_at'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', own)
      .execute();
    for (const row of rows)
      provenance.push({
        type: table.slice(0, -1),
        id: row.id,
        sourceType: row.source_type,
        sourceRef: row.source_ref,
        source: nameSource(row.source_type, row.source_ref).label,
        collectedAt: new Date(row.collected_at).toISOString(),
      });
  }

  // Purposes, bases and recipients apply to someone we hold records of; after an erasure, none do.
  const purposes = ids.length
    ? await tx.selectFrom('purposes').selectAll().where('tenant_id', '=', tenantId).where('status', '!=', 'draft').orderBy('name').execute()
    : [];
  const states = ids.length
    ? await tx
        .selectFrom('consent_states')
        .select(['purpose_id', 'state', 'since'])
        .where('tenant_id', '=', tenantId)
        .where('person_id', 'in', ids)
        .orderBy('since', 'desc')
        .execute()
    : [];
  const history = [];
  for (const id of ids) history.push(...(await consentHistory(app, tx, tenantId, id)));
  history.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));

  if (ids.length) await chainPendingReads(tx, tenantId);
  const accessLog = ids.length
    ? await tx
        .selectFrom('audit_events')
        .select(['occurred_at', 'action', 'actor_type', 'object_type', 'object_id'])
        .where('tenant_id', '=', tenantId)
        .where('object_id', 'in', ids)
        .orderBy('seq')
        .execute()
    : [];
  const requests = await tx
    .selectFrom('dsr_requests')
    .select(['id', 'type', 'status', 'received_at', 'due_at'])
    .where('tenant_id', '=', tenantId)
    .where('requester_email_index', '=', subject.emailIndex)
    .orderBy('received_at')
    .execute();
  const disclosed = await disclosures(tx, tenantId, ids);
  const notices = await noticesOf(tx, tenantId, ids);
  const reads = await readsOf(tx, tenantId, ids);
  const tenant = await tx.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow();
  const dpo = await tx
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(['users.name', 'users.email'])
    .where('members.tenant_id', '=', tenantId)
    .where('members.is_dpo', '=', true)
    .where('members.status', '=', 'active')
    .execute();

  return {
    generatedAt: new Date().toISOString(),
    controller: { name: tenant.name, dpo: dpo.map((row) => ({ name: row.name, email: row.email })) },
    subject: { email: subject.email, records: subject.people.map((person) => ({ type: person.type, id: person.id })) },
    data,
    provenance,
    purposes: purposes.map((purpose) => {
      const state = states.find((row) => row.purpose_id === purpose.id);
      return {
        key: purpose.key,
        name: purpose.name,
        description: purpose.description,
        legalBasis: purpose.legal_basis,
        retention: purpose.retention,
        recipients: purpose.recipients,
        state: state?.state ?? (purpose.legal_basis === 'consent' ? 'none' : 'applies'),
        since: state ? new Date(state.since).toISOString() : null,
        validUntil: state?.state === 'granted' ? (consentValidUntil(purpose, state.since)?.toISOString() ?? null) : null,
      };
    }),
    consentHistory: history,
    recipients: [
      ...new Set([
        ...purposes.flatMap((purpose) => purpose.recipients),
        ...(ids.length ? await activeSubprocessors(tx, tenantId) : []).map(
          (processor) => `${processor.name} (${processor.service}; ${processor.country})`,
        ),
        ...disclosed.map((disclosure) => disclosure.recipient),
      ]),
    ].sort(),
    accessLog: [
      ...accessLog.map((row) => ({
        at: new Date(row.occurred_at).toISOString(),
        action: row.action,
        actorType: row.actor_type,
        objectType: row.object_type,
        objectId: row.object_id,
      })),
      ...reads,
    ].sort((a, b) => a.at.localeCompare(b.at)),
    requests: await Promise.all(
      requests.map(async (row) => ({
        id: row.id,
        type: row.type,
        status: row.status,
        receivedAt: new Date(row.received_at).toISOString(),
        dueAt: new Date(row.due_at).toISOString(),
        recipientsInformed: (await recipientsOf(tx, tenantId, row.id)).map((r) => ({
          recipient: r.label,
          operation: r.operation,
          state: r.state,
          at: r.at,
        })),
      })),
    ),
    requestEmails: await requestEmails(
      app,
      tx,
      tenantId,
      requests.map((row) => row.id),
    ),
    context: await recordContext(tx, tenantId, subject),
    disclosures: disclosed,
    ...(await jurisdictionSection(tx, tenantId, subject)),
    notices,
    connectedSystems: [],
  };
}
