import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { crmWork, type CrmWork } from '../crm/context.ts';
import { isoRequired } from '../shared/dates.ts';
import { recordVisible } from '../crm/visibility.ts';
import type { PersonRef } from '../crm/people.ts';
import type { SegmentsTable } from '../db/types-campaigns.ts';
import { notFound } from '../http/errors.ts';
import type { segmentFilter, segmentInput, segmentPatch, segmentView } from './schema.ts';

type SegmentRow = Selectable<SegmentsTable>;
type Filter = z.infer<typeof segmentFilter>;

/** The people of a segment the member can see, oldest first: the query a campaign send resolves. */
function membersQuery(work: CrmWork, object: SegmentRow['object'], filter: Filter) {
  if (object === 'contact') {
    let q = work.tx
      .selectFrom('contacts')
      .select(['contacts.id', 'contacts.created_at'])
      .where('contacts.tenant_id', '=', work.tenantId)
      .where(recordVisible(work.scope, 'contacts', 'contact'));
    if (filter.ownerId) q = q.where('contacts.owner_id', '=', filter.ownerId);
    if (filter.accountId) q = q.where('contacts.account_id', '=', filter.accountId);
    if (filter.country) q = q.where('contacts.country', '=', filter.country);
    if (filter.createdAfter) q = q.where('contacts.created_at', '>=', new Date(filter.createdAfter));
    if (filter.createdBefore) q = q.where('contacts.created_at', '<', new Date(filter.createdBefore));
    if (filter.sourceType) q = q.where('contacts.source_type', '=', filter.sourceType);
    return q;
  }
  let q = work.tx
    .selectFrom('leads')
    .select(['leads.id', 'leads.created_at'])
    .where('leads.tenant_id', '=', work.tenantId)
    .where(recordVisible(work.scope, 'leads', 'lead'))
    .where('leads.status', '!=', 'converted');
  if (filter.ownerId) q = q.where('leads.owner_id', '=', filter.ownerId);
  if (filter.country) q = q.where('leads.country', '=', filter.country);
  if (filter.createdAfter) q = q.where('leads.created_at', '>=', new Date(filter.createdAfter));
  if (filter.createdBefore) q = q.where('leads.created_at', '<', new Date(filter.createdBefore));
  if (filter.leadStatus) q = q.where('leads.status', '=', filter.leadStatus);
  if (filter.sourceType) q = q.where('leads.source_type', '=', filter.sourceType);
  return q;
}

export async function segmentMembers(work: CrmWork, segment: SegmentRow): Promise<PersonRef[]> {
  const rows = await work.tx
    .selectFrom(membersQuery(work, segment.object, segment.filter as Filter).as('m'))
    .select('m.id')
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute();
  return rows.map((row) => ({ type: segment.object, id: row.id }));
}

async function toView(work: CrmWork, row: SegmentRow): Promise<z.infer<typeof segmentView>> {
  const counted = await work.tx
    .selectFrom(membersQuery(work, row.object, row.filter as Filter).as('m'))
    .select(sql<string>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    name: row.name,
    object: row.object,
    filter: row.filter as Filter,
    size: Number(counted.n),
    createdAt: isoRequired(row.created_at),
    updatedAt: isoRequired(row.updated_at),
  };
}

export async function findSegment(work: CrmWork, id: string): Promise<SegmentRow> {
  const row = await work.tx
    .selectFrom('segments')
    .selectAll()
    .where('tenant_id', '=', work.tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Segment');
  return row;
}

export function listSegments(app: AppContext, caller: Caller) {
  return crmWork(app, caller, async (work) => {
    const rows = await work.tx
      .selectFrom('segments')
      .selectAll()
      .where('tenant_id', '=', work.tenantId)
      .orderBy('name')
      .orderBy('id')
      .execute();
    const items = [];
    for (const row of rows) items.push(await toView(work, row));
    return { items };
  });
}

export function getSegment(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => toView(work, await findSegment(work, id)));
}

export function createSegment(app: AppContext, caller: Caller, input: z.infer<typeof segmentInput>) {
  return crmWork(app, caller, async (work) => {
    const row = await work.tx
      .insertInto('segments')
      .values({
        tenant_id: work.tenantId,
        name: input.name,
        object: input.object,
        filter: JSON.stringify(input.filter),
        created_by: work.memberId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await work.audit({ action: 'segment.create', objectType: 'segment', objectId: row.id, fields: Object.keys(input) });
    return toView(work, row);
  });
}

export function updateSegment(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof segmentPatch>) {
  return crmWork(app, caller, async (work) => {
    await findSegment(work, id);
    const row = await work.tx
      .updateTable('segments')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.filter !== undefined ? { filter: JSON.stringify(patch.filter) } : {}),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await work.audit({ action: 'segment.update', objectType: 'segment', objectId: id, fields: Object.keys(patch) });
    return toView(work, row);
  });
}
