import { sql } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { recordAudit, type AuditOrigin } from '../audit/service.ts';
import type { Caller } from '../auth/context.ts';
import { callerAllows } from '../auth/permissions.ts';
import { crmWork } from '../crm/context.ts';
import { Sealer } from '../crypto/sealer.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import { normaliseEmail } from '../shared/normalise.ts';
import { emailIndexesOf } from '../consent/gate-facts.ts';
import { currentState, recordConsentEvent } from '../consent/ledger.ts';
import type { PersonRef } from '../crm/people.ts';
import { verifyLink } from '../consent/links.ts';
import { loadPeople } from '../crm/people.ts';
import { findPurpose } from '../consent/purposes.ts';
import { applyPreferences, preferenceItems, type Preference, type PreferenceChanges } from '../consent/preferences.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { SuppressionReason } from '../db/types-consent.ts';
import { finishPage, pageBy, type pageQuery, type ResolvedSort } from '../http/pagination.ts';

const NEWEST_FIRST = (table: string): ResolvedSort => ({ expression: sql`${sql.ref(`${table}.created_at`)}`, direction: 'desc' });
import type { emailEventInput, suppressionInput, suppressionView } from './schema.ts';
import { emailTerm, hasAnyTerm } from '../crm/terms.ts';

export async function suppress(
  tx: Tx,
  tenantId: string,
  indexes: string[],
  reason: SuppressionReason,
  detail: string | null,
): Promise<void> {
  if (indexes.length === 0) return;
  await tx
    .insertInto('suppressions')
    .values(indexes.map((email_index) => ({ tenant_id: tenantId, email_index, reason, detail })))
    .onConflict((c) => c.columns(['tenant_id', 'email_index']).doNothing())
    .execute();
}

/** The suppression list, newest first, with the person each address belongs to when still held. */
export function listSuppressions(app: AppContext, caller: Caller, page: z.infer<typeof pageQuery>) {
  return crmWork(app, caller, async (work) => {
    const q = work.tx.selectFrom('suppressions').selectAll().select('email_index as id').where('tenant_id', '=', work.tenantId);
    const rows = await pageBy(q, 'suppressions.email_index', NEWEST_FIRST('suppressions'), page.cursor, page.limit).execute();
    const pageRows = rows.slice(0, page.limit);
    const indexes = pageRows.map((row) => row.email_index);
    const owners = new Map<string, PersonRef>();
    if (indexes.length > 0) {
      const contacts = await work.tx
        .selectFrom('contacts')
        .select(['id', 'email_index'])
        .where('tenant_id', '=', work.tenantId)
        .where(hasAnyTerm('contacts', work.tenantId, indexes.map(emailTerm)))
        .execute();
      for (const contact of contacts) for (const index of contact.email_index) owners.set(index, { type: 'contact', id: contact.id });
      const leads = await work.tx
        .selectFrom('leads')
        .select(['id', 'email_index'])
        .where('tenant_id', '=', work.tenantId)
        .where('email_index', 'in', indexes)
        .execute();
      for (const lead of leads)
        if (lead.email_index && !owners.has(lead.email_index)) owners.set(lead.email_index, { type: 'lead', id: lead.id });
    }
    const people = await loadPeople(app, work.tx, work.tenantId, [...owners.values()]);
    return finishPage(rows, page.limit, (row): z.infer<typeof suppressionView> => {
      const owner = owners.get(row.email_index);
      const person = owner ? people.get(owner.id) : undefined;
      return {
        emailIndex: row.email_index,
        reason: row.reason,
        detail: row.detail,
        person: owner ? { ...owner, name: [person?.firstName, person?.lastName].filter(Boolean).join(' ') || null } : null,
        createdAt: isoRequired(row.created_at),
      };
    });
  });
}

export function addSuppression(app: AppContext, caller: Caller, input: z.infer<typeof suppressionInput>) {
  return crmWork(app, caller, async (work) => {
    const index = await work.sealer.index('email', normaliseEmail(input.email));
    await suppress(work.tx, work.tenantId, [index], 'manual', input.detail);
    await work.audit({ action: 'suppression.add', objectType: 'suppression', objectId: index, fields: ['reason:manual'] });
    return { emailIndex: index };
  });
}

/** A bounce or complaint posted back by the mail provider: the address is suppressed. */
export function recordEmailEvent(app: AppContext, caller: Caller, input: z.infer<typeof emailEventInput>) {
  return crmWork(app, caller, async (work) => {
    const index = await work.sealer.index('email', normaliseEmail(input.email));
    const reason = input.type === 'bounce' ? 'bounced' : 'complained';
    await suppress(work.tx, work.tenantId, [index], reason, input.detail);
    await work.audit({ action: `email.${input.type}`, objectType: 'suppression', objectId: index, fields: [`reason:${reason}`] });
    return { emailIndex: index, reason };
  });
}

/** The outbox: every email sent to people, newest first, decrypted for the reader. */
export function listEmailMessages(app: AppContext, caller: Caller, page: z.infer<typeof pageQuery>) {
  return crmWork(app, caller, async (work) => {
    // Mail to a person about their rights request is theirs and the DPO's business: only readers of requests see it.
    // Not mail_enc: a queued message holds its attachments there, and the list never shows them.
    let q = work.tx
      .selectFrom('email_messages')
      .select([
        'id',
        'person_id',
        'kind',
        'campaign_id',
        'to_enc',
        'subject_enc',
        'text_enc',
        'transport',
        'created_at',
        'state',
        'sent_at',
        'attempts',
        'last_error',
      ])
      .where('tenant_id', '=', work.tenantId);
    if (!callerAllows(caller.auth, 'dsr.read')) q = q.where('kind', '!=', 'dsr');
    const rows = await pageBy(q, 'email_messages.id', NEWEST_FIRST('email_messages'), page.cursor, page.limit).execute();
    const pageRows = rows.slice(0, page.limit);
    const sealer = new Sealer(app, work.tx, work.tenantId);
    await sealer.preload(pageRows.map((row) => row.person_id));
    const open = async (field: string, value: string) => {
      try {
        return await app.keys.decryptField(work.tx, work.tenantId, `email_messages.${field}`, value);
      } catch {
        return null; // the person was erased: the copy is unreadable, as intended
      }
    };
    const opened = new Map<string, { to: string | null; subject: string | null; text: string | null }>();
    for (const row of pageRows) {
      opened.set(row.id, {
        to: await open('to', row.to_enc),
        subject: await open('subject', row.subject_enc),
        text: await open('text', row.text_enc),
      });
    }
    await work.audit({ action: 'email_message.list', objectType: 'email_message', objectId: null, fields: ['to', 'subject', 'text'] });
    return finishPage(rows, page.limit, (row) => ({
      id: row.id,
      personId: row.person_id,
      kind: row.kind,
      campaignId: row.campaign_id,
      ...opened.get(row.id)!,
      transport: row.transport,
      createdAt: isoRequired(row.created_at),
      state: row.state,
      sentAt: iso(row.sent_at),
      attempts: row.attempts,
      lastError: row.last_error,
    }));
  });
}

export interface LinkVisitor {
  ip: string;
  userAgent: string | null;
  requestId: string;
}

function subjectOrigin(person: PersonRef, visitor: LinkVisitor): AuditOrigin {
  return { actorType: 'data_subject', actorId: person.id, ip: visitor.ip, userAgent: visitor.userAgent, requestId: visitor.requestId };
}

/**
 * One-click unsubscribe (RFC 8058): withdraws the consent of the email's purpose (or records an
 * objection when it rests on legitimate interest) and puts the person's addresses on the
 * suppression list. Idempotent: a second click changes nothing.
 */
export async function unsubscribe(app: AppContext, token: string, visitor: LinkVisitor): Promise<{ ok: boolean; purpose?: string }> {
  const check = verifyLink(app.keys, 'unsubscribe', token, 4);
  if (!check.ok) return { ok: false };
  const [tenantId, type, personId, purposeId] = check.values as [string, PersonRef['type'], string, string];
  const person: PersonRef = { type, id: personId };
  return withTenant(app.db, tenantId, async (tx) => {
    const purpose = await findPurpose(tx, tenantId, purposeId).catch(() => null);
    if (!purpose) return { ok: false };
    const { state } = await currentState(tx, tenantId, personId, purposeId);
    const kind =
      purpose.legal_basis === 'consent'
        ? state === 'granted' || state === 'pending'
          ? 'withdrawn'
          : null
        : state === 'objected'
          ? null
          : 'objected';
    if (kind) {
      await recordConsentEvent(app, tx, tenantId, {
        person,
        purpose,
        kind,
        method: 'email_link',
        source: 'one-click unsubscribe (RFC 8058)',
        ip: visitor.ip,
        userAgent: visitor.userAgent,
        actor: { type: 'data_subject', id: personId },
      });
    }
    const indexes = (await emailIndexesOf(tx, tenantId, [person])).get(personId) ?? [];
    await suppress(tx, tenantId, indexes, 'unsubscribed', `purpose:${purpose.key}`);
    await recordAudit(tx, tenantId, subjectOrigin(person, visitor), {
      action: 'email.unsubscribe',
      objectType: type,
      objectId: personId,
      fields: [`consent:${purposeId}`, 'suppression'],
    });
    return { ok: true, purpose: purpose.name };
  });
}

/** The preference centre's view: every active purpose a person can act on, with its state. */
export async function preferencesOf(
  app: AppContext,
  token: string,
): Promise<{ tenantId: string; person: PersonRef; workspace: string; items: Preference[] } | 'expired' | null> {
  const check = verifyLink(app.keys, 'preferences', token, 3);
  // A link signed before preference links expired counts as expired: none may open choices forever.
  if (!check.ok || check.expiresAt === 0) return check.ok || check.reason === 'expired' ? 'expired' : null;
  const [tenantId, type, personId] = check.values as [string, PersonRef['type'], string];
  return withTenant(app.db, tenantId, async (tx) => {
    const table = type === 'contact' ? 'contacts' : 'leads';
    if (!(await tx.selectFrom(table).select('id').where('tenant_id', '=', tenantId).where('id', '=', personId).executeTakeFirst()))
      return null;
    const workspace = await tx.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow();
    return { tenantId, person: { type, id: personId }, workspace: workspace.name, items: await preferenceItems(tx, tenantId, personId) };
  });
}

/** Applies the preference centre's toggles: on = consent given, off = withdrawn; objections. */
export async function savePreferences(
  app: AppContext,
  token: string,
  wanted: Set<string>,
  objections: Set<string>,
  visitor: LinkVisitor,
): Promise<PreferenceChanges | 'expired' | null> {
  const current = await preferencesOf(app, token);
  if (!current || current === 'expired') return current;
  const { tenantId, person } = current;
  return withTenant(app.db, tenantId, async (tx) => {
    const applied = await applyPreferences(app, tx, tenantId, person, wanted, objections, visitor, {
      method: 'email_link',
      source: 'Preference centre',
    });
    if (applied.changes > 0) {
      await recordAudit(tx, tenantId, subjectOrigin(person, visitor), {
        action: 'consent.preferences',
        objectType: person.type,
        objectId: person.id,
        fields: [`changes:${applied.changes}`, ...(applied.liftedSuppressions > 0 ? ['suppression:lifted'] : [])],
      });
    }
    return applied;
  });
}

/** The link in a re-permission email: the person says yes again, which is a new consent. */
export async function reconfirm(
  app: AppContext,
  token: string,
  visitor: LinkVisitor,
): Promise<'confirmed' | 'invalid' | 'expired' | 'used'> {
  const check = verifyLink(app.keys, 'repermission', token, 4);
  if (!check.ok) return check.reason;
  const [tenantId, campaignId, type, personId] = check.values as [string, string, PersonRef['type'], string];
  const person: PersonRef = { type, id: personId };
  return withTenant(app.db, tenantId, async (tx) => {
    const campaign = await tx
      .selectFrom('campaigns')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', campaignId)
      .executeTakeFirst();
    if (!campaign || campaign.kind !== 'repermission') return 'invalid' as const;
    if (campaign.expiry_done_at) return 'expired' as const;
    const purpose = await findPurpose(tx, tenantId, campaign.purpose_id);
    const already = await tx
      .selectFrom('consent_events')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .where('purpose_id', '=', purpose.id)
      .where('source', '=', `repermission:${campaignId}`)
      .executeTakeFirst();
    if (already) return 'used' as const;
    await recordConsentEvent(app, tx, tenantId, {
      person,
      purpose,
      kind: 'given',
      method: 'email_link',
      source: `repermission:${campaignId}`,
      ip: visitor.ip,
      userAgent: visitor.userAgent,
      text: `Yes, I still want to receive "${purpose.name}"${purpose.description ? ` (${purpose.description})` : ''}.`,
      actor: { type: 'data_subject', id: personId },
    });
    await recordAudit(tx, tenantId, subjectOrigin(person, visitor), {
      action: 'consent.reconfirm',
      objectType: type,
      objectId: personId,
      fields: [`consent:${purpose.id}`],
    });
    return 'confirmed' as const;
  });
}
