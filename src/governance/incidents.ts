import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { PersonType } from '../db/types-consent.ts';
import type { IncidentsTable } from '../db/types-governance.ts';
import { conflict, notFound, unprocessable } from '../http/errors.ts';
import { breachDeadline, clockState, notificationDeadline } from './breach-clock.ts';
import { JURISDICTIONS, PROFILES } from '../jurisdiction/profiles.ts';
import { countByJurisdiction, workspaceJurisdiction, type PlaceOfPerson } from '../jurisdiction/service.ts';
import { dpoEmails } from './dpo.ts';

type IncidentRow = Selectable<IncidentsTable>;

/** An export of at least this many people by one member opens a draft incident for the DPO to assess. */
export const BULK_EXPORT_THRESHOLD = 500;

const text = (max: number) => z.string().trim().max(max);
export const incidentInput = z.object({
  title: text(300).min(1),
  nature: text(10000).default(''),
  awareAt: z.string().datetime({ offset: true }).optional().describe('When you became aware (the 72-hour clock starts here); default now'),
  categoriesOfPersons: z.array(text(200).min(1)).max(50).default([]),
  categoriesOfData: z.array(text(200).min(1)).max(50).default([]),
  approxPersons: z.number().int().min(0).nullable().default(null),
  approxRecords: z.number().int().min(0).nullable().default(null),
  likelyConsequences: text(10000).default(''),
  measures: text(10000).default(''),
});
/** Only what is given changes (no defaults: an absent field keeps its value). */
export const incidentPatch = z.object({
  title: text(300).min(1).optional(),
  nature: text(10000).optional(),
  awareAt: z.string().datetime({ offset: true }).optional(),
  categoriesOfPersons: z.array(text(200).min(1)).max(50).optional(),
  categoriesOfData: z.array(text(200).min(1)).max(50).optional(),
  approxPersons: z.number().int().min(0).nullable().optional(),
  approxRecords: z.number().int().min(0).nullable().optional(),
  likelyConsequences: text(10000).optional(),
  measures: text(10000).optional(),
  status: z.enum(['open', 'notified', 'closed']).optional(),
});
export const decisionInput = z.object({
  notificationRequired: z.boolean(),
  reason: text(5000).min(10).describe('Why notification is or is not required (Art. 33(1) risk assessment)'),
});
export const affectedInput = z.object({
  exportedBy: z.string().min(1).max(100).describe('The member or API token whose exports the breach concerns'),
  from: z.string().datetime({ offset: true }),
  to: z.string().datetime({ offset: true }),
});

export const incidentView = z.object({
  id: z.string().uuid(),
  title: z.string(),
  nature: z.string(),
  source: z.string(),
  status: z.enum(['draft', 'open', 'notified', 'closed']),
  detectedAt: z.string(),
  awareAt: z.string(),
  clock: z.object({ deadline: z.string(), hoursRemaining: z.number(), level: z.string() }),
  categoriesOfPersons: z.array(z.string()),
  categoriesOfData: z.array(z.string()),
  approxPersons: z.number().nullable(),
  approxRecords: z.number().nullable(),
  affectedPersons: z.number().describe('People listed as affected'),
  jurisdictionClocks: z
    .array(
      z.object({
        jurisdiction: z.string(),
        name: z.string(),
        people: z.number(),
        authority: z.string(),
        deadline: z.string().nullable(),
        text: z.string(),
        reference: z.string(),
      }),
    )
    .describe('The notification clock of each jurisdiction the affected people fall under (the workspace default while none are listed)'),
  likelyConsequences: z.string(),
  measures: z.string(),
  notificationRequired: z.boolean().nullable(),
  decisionReason: z.string().nullable(),
  authorityNotifiedAt: z.string().nullable(),
  personsNotifiedAt: z.string().nullable(),
  createdAt: z.string(),
});

/** The 72-hour clock of an incident; it stops once the authority is notified, notification is decided not due, or the incident is closed. */
export function clockOf(row: Pick<IncidentRow, 'aware_at' | 'authority_notified_at' | 'notification_required' | 'status'>, now: Date) {
  const stopped = Boolean(row.authority_notified_at) || row.notification_required === false || row.status === 'closed';
  return clockState(new Date(row.aware_at), now, stopped);
}

/** Each jurisdiction among the affected people, with how many, and when its authority must be told. */
async function jurisdictionClocks(tx: Tx, row: IncidentRow) {
  const fallback = await workspaceJurisdiction(tx, row.tenant_id);
  const places = await sql<PlaceOfPerson & { n: number }>`
    select c.country, c.region, c.jurisdiction, count(*)::int as n
      from incident_persons p join contacts c on c.tenant_id = p.tenant_id and c.id = p.person_id
     where p.tenant_id = ${row.tenant_id} and p.incident_id = ${row.id}
     group by 1, 2, 3
    union all
    select l.country, l.region, l.jurisdiction, count(*)::int as n
      from incident_persons p join leads l on l.tenant_id = p.tenant_id and l.id = p.person_id
     where p.tenant_id = ${row.tenant_id} and p.incident_id = ${row.id}
     group by 1, 2, 3`.execute(tx);
  const people = countByJurisdiction(places.rows, fallback);
  if (people.size === 0) people.set(fallback, 0);
  return JURISDICTIONS.filter((key) => people.has(key)).map((key) => {
    const { breach, name } = PROFILES[key];
    const deadline = breachDeadline(new Date(row.aware_at), breach.within);
    return {
      jurisdiction: key,
      name,
      people: people.get(key)!,
      authority: breach.authority,
      deadline: deadline ? deadline.toISOString() : null,
      text: breach.text,
      reference: breach.reference,
    };
  });
}

async function toView(tx: Tx, row: IncidentRow): Promise<z.infer<typeof incidentView>> {
  const affected = await tx
    .selectFrom('incident_persons')
    .select(sql<string>`count(*)`.as('n'))
    .where('tenant_id', '=', row.tenant_id)
    .where('incident_id', '=', row.id)
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    title: row.title,
    nature: row.nature,
    source: row.source,
    status: row.status,
    detectedAt: isoRequired(row.detected_at),
    awareAt: isoRequired(row.aware_at),
    clock: clockOf(row, new Date()),
    categoriesOfPersons: row.categories_of_persons,
    categoriesOfData: row.categories_of_data,
    approxPersons: row.approx_persons,
    approxRecords: row.approx_records,
    affectedPersons: Number(affected.n),
    jurisdictionClocks: await jurisdictionClocks(tx, row),
    likelyConsequences: row.likely_consequences,
    measures: row.measures,
    notificationRequired: row.notification_required,
    decisionReason: row.decision_reason,
    authorityNotifiedAt: iso(row.authority_notified_at),
    personsNotifiedAt: iso(row.persons_notified_at),
    createdAt: isoRequired(row.created_at),
  };
}

async function findIncident(tx: Tx, tenantId: string, id: string): Promise<IncidentRow> {
  const row = await tx.selectFrom('incidents').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Incident');
  return row;
}

export function listIncidents(app: AppContext, caller: Caller) {
  return asCaller(app, caller, async (tx) => {
    const rows = await tx
      .selectFrom('incidents')
      .selectAll()
      .where('tenant_id', '=', caller.auth.tenantId)
      .orderBy('aware_at', 'desc')
      .orderBy('id')
      .limit(500)
      .execute();
    const items = [];
    for (const row of rows) items.push(await toView(tx, row));
    return { items };
  });
}

export function getIncident(app: AppContext, caller: Caller, id: string) {
  return asCaller(app, caller, async (tx) => toView(tx, await findIncident(tx, caller.auth.tenantId, id)));
}

export function createIncident(app: AppContext, caller: Caller, input: z.infer<typeof incidentInput>) {
  return asCaller(app, caller, async (tx, audit) => {
    const awareAt = input.awareAt ? new Date(input.awareAt) : new Date();
    if (awareAt.getTime() > Date.now() + 60_000) throw unprocessable('awareAt is in the future.', { field: 'awareAt' });
    const row = await tx
      .insertInto('incidents')
      .values({
        tenant_id: caller.auth.tenantId,
        title: input.title,
        nature: input.nature,
        aware_at: awareAt,
        categories_of_persons: input.categoriesOfPersons,
        categories_of_data: input.categoriesOfData,
        approx_persons: input.approxPersons,
        approx_records: input.approxRecords,
        likely_consequences: input.likelyConsequences,
        measures: input.measures,
        status: 'open',
        created_by: caller.origin.actorId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit({ action: 'incident.create', objectType: 'incident', objectId: row.id, fields: Object.keys(input) });
    return toView(tx, row);
  });
}

export function updateIncident(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof incidentPatch>) {
  return asCaller(app, caller, async (tx, audit) => {
    const current = await findIncident(tx, caller.auth.tenantId, id);
    if (patch.status === 'notified' && current.notification_required !== true)
      throw conflict('Record the decision that notification is required first.', { field: 'status' });
    const row = await tx
      .updateTable('incidents')
      .set({
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.nature !== undefined ? { nature: patch.nature } : {}),
        ...(patch.awareAt !== undefined ? { aware_at: new Date(patch.awareAt) } : {}),
        ...(patch.categoriesOfPersons !== undefined ? { categories_of_persons: patch.categoriesOfPersons } : {}),
        ...(patch.categoriesOfData !== undefined ? { categories_of_data: patch.categoriesOfData } : {}),
        ...(patch.approxPersons !== undefined ? { approx_persons: patch.approxPersons } : {}),
        ...(patch.approxRecords !== undefined ? { approx_records: patch.approxRecords } : {}),
        ...(patch.likelyConsequences !== undefined ? { likely_consequences: patch.likelyConsequences } : {}),
        ...(patch.measures !== undefined ? { measures: patch.measures } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.status === 'notified' ? { authority_notified_at: new Date() } : {}),
        ...(patch.status === 'closed' ? { closed_at: new Date() } : {}),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit({ action: 'incident.update', objectType: 'incident', objectId: id, fields: Object.keys(patch) });
    return toView(tx, row);
  });
}

export function decideNotification(app: AppContext, caller: Caller, id: string, input: z.infer<typeof decisionInput>) {
  return asCaller(app, caller, async (tx, audit) => {
    await findIncident(tx, caller.auth.tenantId, id);
    const row = await tx
      .updateTable('incidents')
      .set({
        notification_required: input.notificationRequired,
        decision_reason: input.reason,
        decided_at: new Date(),
        status: sql`case when status = 'draft' then 'open'::incident_status else status end`,
        updated_at: new Date(),
      })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit({
      action: 'incident.decide',
      objectType: 'incident',
      objectId: id,
      fields: [`notificationRequired:${input.notificationRequired}`],
    });
    return toView(tx, row);
  });
}

async function addAffected(
  tx: Tx,
  tenantId: string,
  incidentId: string,
  people: Array<{ person_id: string; person_type: PersonType }>,
): Promise<void> {
  for (let i = 0; i < people.length; i += 1000) {
    await tx
      .insertInto('incident_persons')
      .values(
        people
          .slice(i, i + 1000)
          .map((p) => ({ tenant_id: tenantId, incident_id: incidentId, person_id: p.person_id, person_type: p.person_type })),
      )
      .onConflict((c) => c.columns(['tenant_id', 'incident_id', 'person_id']).doNothing())
      .execute();
  }
}

/** "Everything member X exported between t1 and t2": the export log gives the affected people. */
export function computeAffected(app: AppContext, caller: Caller, id: string, input: z.infer<typeof affectedInput>) {
  return asCaller(app, caller, async (tx, audit) => {
    await findIncident(tx, caller.auth.tenantId, id);
    const people = await tx
      .selectFrom('export_items')
      .select(['person_id', 'person_type'])
      .distinct()
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('exported_by', '=', input.exportedBy)
      .where('exported_at', '>=', new Date(input.from))
      .where('exported_at', '<=', new Date(input.to))
      .execute();
    await addAffected(tx, caller.auth.tenantId, id, people);
    await audit({ action: 'incident.affected', objectType: 'incident', objectId: id, fields: [`people:${people.length}`] });
    return toView(tx, await findIncident(tx, caller.auth.tenantId, id));
  });
}

/** Drafts with the contents Art. 33(3) requires of the notification to the authority, and Art. 34(2) of the one to people. */
export function notificationDrafts(app: AppContext, caller: Caller, id: string) {
  return asCaller(app, caller, async (tx) => {
    const row = await findIncident(tx, caller.auth.tenantId, id);
    const view = await toView(tx, row);
    const tenant = await tx.selectFrom('tenants').select('name').where('id', '=', caller.auth.tenantId).executeTakeFirstOrThrow();
    const dpo = await tx
      .selectFrom('members')
      .innerJoin('users', 'users.id', 'members.user_id')
      .select(['users.name', 'users.email'])
      .where('members.tenant_id', '=', caller.auth.tenantId)
      .where('members.is_dpo', '=', true)
      .where('members.status', '=', 'active')
      .execute();
    const contact = dpo.map((d) => `${d.name} <${d.email}>`).join(', ') || '(name the data protection officer or contact point)';
    const persons = view.affectedPersons || view.approxPersons;
    const authority = [
      `Notification of a personal data breach (Art. 33 GDPR) — ${tenant.name}`,
      '',
      `Became aware: ${view.awareAt}. Notification due by: ${notificationDeadline(new Date(row.aware_at)).toISOString()}.`,
      '',
      `(a) Nature of the breach: ${view.nature || view.title}`,
      `    Categories of data subjects: ${view.categoriesOfPersons.join(', ') || '—'}; approximate number: ${persons ?? 'unknown'}.`,
      `    Categories of personal data records: ${view.categoriesOfData.join(', ') || '—'}; approximate number: ${view.approxRecords ?? 'unknown'}.`,
      `(b) Data protection officer or contact point: ${contact}`,
      `(c) Likely consequences: ${view.likelyConsequences || '—'}`,
      `(d) Measures taken or proposed, including to mitigate possible adverse effects: ${view.measures || '—'}`,
    ].join('\n');
    const people = [
      `Subject: Important information about your personal data held by ${tenant.name}`,
      '',
      `We are writing to tell you about an incident that affects your personal data: ${view.nature || view.title}`,
      `What may happen as a result: ${view.likelyConsequences || '—'}`,
      `What we have done and what we recommend: ${view.measures || '—'}`,
      `Who to contact with questions: ${contact}`,
    ].join('\n');
    return { authority, persons: people };
  });
}

export interface DetectedFinding {
  /** One draft per key, whichever node or scan finds it first. */
  key: string;
  rule: string;
  title: string;
  nature: string;
  approxPersons: number | null;
  /** The export whose people are the affected persons, when the finding is an export. */
  exportId: string | null;
}

/**
 * Opens a draft incident for a detection and tells the DPO (or the administrators when no DPO is
 * named). Assessing it, and closing it when the activity was legitimate, is the DPO's decision,
 * recorded like any other. Returns null when this finding already has its draft.
 */
export async function openDetectedIncident(app: AppContext, tenantId: string, finding: DetectedFinding): Promise<string | null> {
  const opened = await withTenant(app.db, tenantId, async (tx) => {
    const row = await tx
      .insertInto('incidents')
      .values({
        tenant_id: tenantId,
        title: finding.title,
        nature: finding.nature,
        source: `detection:${finding.rule}`,
        aware_at: new Date(),
        approx_persons: finding.approxPersons,
        created_by: 'detection',
        detection_key: finding.key,
      })
      .onConflict((c) => c.columns(['tenant_id', 'detection_key']).where('detection_key', 'is not', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return null;
    const people = finding.exportId
      ? await tx
          .selectFrom('export_items')
          .select(['person_id', 'person_type'])
          .where('tenant_id', '=', tenantId)
          .where('export_id', '=', finding.exportId)
          .execute()
      : [];
    await addAffected(tx, tenantId, row.id, people);
    await recordAudit(
      tx,
      tenantId,
      { actorType: 'system', actorId: `detection:${finding.rule}` },
      { action: 'incident.detect', objectType: 'incident', objectId: row.id, fields: [`people:${people.length}`] },
    );
    return { id: row.id, recipients: await dpoEmails(tx, tenantId) };
  });
  if (!opened) return null;
  for (const to of opened.recipients) {
    await app.mailer.send({
      to,
      subject: `Possible data breach: ${finding.title}`,
      text: `${finding.nature}\n\nA draft incident was opened (${opened.id}). Assess it in the incident register: the 72-hour clock runs from when you become aware.\n`,
    });
  }
  return opened.id;
}

/** Detection at export time: an export of at least BULK_EXPORT_THRESHOLD people opens a draft listing exactly who was exported. */
export async function checkBulkExport(
  app: AppContext,
  tenantId: string,
  exportId: string,
  exportedBy: string,
  count: number,
): Promise<string | null> {
  if (count < BULK_EXPORT_THRESHOLD) return null;
  return openDetectedIncident(app, tenantId, {
    key: `bulk_export:${exportId}`,
    rule: 'bulk_export',
    title: `Bulk export of ${count} people`,
    nature: `An export of ${count} people (export ${exportId}) by ${exportedBy}, above the threshold of ${BULK_EXPORT_THRESHOLD}. Check whether it was authorised.`,
    approxPersons: count,
    exportId,
  });
}

/**
 * Scheduled: warns the DPO when 48 and then 24 hours remain on a running clock (an incident
 * neither notified, nor decided not to need notification, nor closed). Each warning goes once;
 * when both thresholds were crossed since the last run, only the 24-hour one is sent.
 */
export async function warnBreachClocks(app: AppContext, now = new Date()): Promise<number> {
  const tenants = await app.db.kysely.selectFrom('tenants').select('id').execute();
  let sent = 0;
  for (const { id: tenantId } of tenants) {
    const warnings = await withTenant(app.db, tenantId, async (tx) => {
      const running = await tx
        .selectFrom('incidents')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('status', 'in', ['draft', 'open'])
        .where('authority_notified_at', 'is', null)
        .where((eb) => eb.or([eb('notification_required', 'is', null), eb('notification_required', '=', true)]))
        .where('warned_24h_at', 'is', null)
        .forUpdate()
        .execute();
      const due: Array<{ id: string; title: string; hours: number; deadline: string }> = [];
      for (const row of running) {
        const clock = clockState(new Date(row.aware_at), now, false);
        const level = clock.level === 'overdue' ? 'warning_24h' : clock.level;
        if (level === 'warning_24h') {
          await tx
            .updateTable('incidents')
            .set({ warned_24h_at: now, warned_48h_at: sql`coalesce(warned_48h_at, ${now})` })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', row.id)
            .execute();
        } else if (level === 'warning_48h' && !row.warned_48h_at) {
          await tx
            .updateTable('incidents')
            .set({ warned_48h_at: now })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', row.id)
            .execute();
        } else continue;
        await recordAudit(
          tx,
          tenantId,
          { actorType: 'system', actorId: 'job:incidents.clock-warnings' },
          { action: 'incident.clock_warning', objectType: 'incident', objectId: row.id, fields: [level] },
        );
        due.push({ id: row.id, title: row.title, hours: clock.hoursRemaining, deadline: clock.deadline });
      }
      return { due, recipients: due.length > 0 ? await dpoEmails(tx, tenantId) : [] };
    });
    for (const incident of warnings.due) {
      const left = incident.hours < 0 ? `overdue by ${Math.abs(incident.hours)} hours` : `${incident.hours} hours left`;
      for (const to of warnings.recipients) {
        await app.mailer.send({
          to,
          subject: `Breach notification clock: ${left} — ${incident.title}`,
          text: `Incident ${incident.id} ("${incident.title}"): the supervisory authority must be notified by ${incident.deadline} (Art. 33(1)), ${left}. Record the decision or the notification in the incident register.\n`,
        });
        sent += 1;
      }
    }
  }
  return sent;
}
