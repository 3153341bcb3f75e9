import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { crmWork, type CrmWork } from '../crm/context.ts';
import { isoRequired } from '../shared/dates.ts';
import { recordVisible } from '../crm/visibility.ts';
import type { PersonRef } from '../crm/people.ts';
import type { SegmentsTable } from '../db/types-campaigns.ts';
import { notFound, unprocessable } from '../http/errors.ts';
import type { segmentFilter, segmentInput, segmentPatch, segmentView } from './schema.ts';

type SegmentRow = Selectable<SegmentsTable>;
type Filter = z.infer<typeof segmentFilter>;

/** The people picked into a segment by hand (a list's bulk action) that the member can see. */
function pickedQuery(work: CrmWork, segment: SegmentRow) {
  if (segment.object === 'contact') {
    return work.tx
      .selectFrom('segment_members as sm')
      .innerJoin('contacts', (join) => join.onRef('contacts.tenant_id', '=', 'sm.tenant_id').onRef('contacts.id', '=', 'sm.contact_id'))
      .select(['contacts.id', 'contacts.created_at'])
      .where('sm.tenant_id', '=', work.tenantId)
      .where('sm.segment_id', '=', segment.id)
      .where(recordVisible(work.scope, 'contacts', 'contact'));
  }
  return work.tx
    .selectFrom('segment_members as sm')
    .innerJoin('leads', (join) => join.onRef('leads.tenant_id', '=', 'sm.tenant_id').onRef('leads.id', '=', 'sm.lead_id'))
    .select(['leads.id', 'leads.created_at'])
    .where('sm.tenant_id', '=', work.tenantId)
    .where('sm.segment_id', '=', segment.id)
    .where(recordVisible(work.scope, 'leads', 'lead'))
    .where('leads.status', '!=', 'converted');
}

/** The people of a segment the member can see, oldest first: the query a campaign send resolves. */
function membersQuery(work: CrmWork, segment: SegmentRow) {
  if (segment.hand_picked) return pickedQuery(work, segment);
  const filter = segment.filter as Filter;
  if (segment.object === 'contact') {
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
    .selectFrom(membersQuery(work, segment).as('m'))
    .select('m.id')
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute();
  return rows.map((row) => ({ type: segment.object, id: row.id }));
}

async function toView(work: CrmWork, row: SegmentRow): Promise<z.infer<typeof segmentView>> {
  const counted = await work.tx
    .selectFrom(membersQuery(work, row).as('m'))
    .select(sql<string>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    name: row.name,
    object: row.object,
    filter: row.filter as Filter,
    handPicked: row.hand_picked,
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
    const current = await findSegment(work, id);
    if (current.hand_picked && patch.filter !== undefined && Object.keys(patch.filter).length > 0) {
      throw unprocessable('This segment holds people picked by hand from a list: it has no filter to change.', { field: 'filter' });
    }
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

/**
 * A new hand-picked segment, or an existing one; a segment defined by a filter is refused, since
 * the people added by hand would not be in it.
 */
export async function handPickedSegment(
  work: CrmWork,
  object: SegmentRow['object'],
  target: { segmentId?: string | undefined; segmentName?: string | undefined },
): Promise<SegmentRow> {
  if (target.segmentId) {
    const segment = await findSegment(work, target.segmentId);
    if (!segment.hand_picked || segment.object !== object) {
      throw unprocessable(`segmentId must name a hand-picked segment of ${object}s; "${segment.name}" is not one.`, { field: 'segmentId' });
    }
    return segment;
  }
  if (!target.segmentName) throw unprocessable('Give segmentId, or segmentName for a new segment.', { field: 'segmentId' });
  return work.tx
    .insertInto('segments')
    .values({ tenant_id: work.tenantId, name: target.segmentName, object, filter: '{}', hand_picked: true, created_by: work.memberId })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Adds people to a hand-picked segment; those already in it stay as they were. */
export async function addToSegment(work: CrmWork, segment: SegmentRow, ids: string[]): Promise<void> {
  const column = segment.object === 'contact' ? 'contact_id' : 'lead_id';
  for (let at = 0; at < ids.length; at += 1000) {
    await work.tx
      .insertInto('segment_members')
      .values(ids.slice(at, at + 1000).map((id) => ({ tenant_id: work.tenantId, segment_id: segment.id, [column]: id })))
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
}
