import { sql, type Expression, type SqlBool } from 'kysely';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { addToSegment, handPickedSegment } from '../campaigns/segments.ts';
import { matchingAccounts } from '../crm/accounts.ts';
import { removeRecords } from '../crm/activities.ts';
import { matchingContacts } from '../crm/contacts.ts';
import { crmWork, type CrmWork } from '../crm/context.ts';
import { matchingLeads } from '../crm/leads.ts';
import { assertAssignable } from '../crm/members.ts';
import { matchingOpportunities } from '../crm/opportunities.ts';
import { TABLE_OF } from '../crm/records.ts';
import type { CrmRecordType, BulkActionKind } from '../db/types.ts';
import { unprocessable } from '../http/errors.ts';
import { BULK_MAX } from './schema.ts';

type Filters = Record<string, unknown> & { q?: string | undefined };

/** What a bulk action is asked to act on: the records selected, or every one a list's filters match. */
export interface BulkTarget {
  ids?: string[] | undefined;
  filters?: Filters | undefined;
  preview?: boolean | undefined;
}

/** A condition keeping the records among these ids, when there are any to keep to. */
function among(table: (typeof TABLE_OF)[CrmRecordType], ids: string[] | null): Expression<SqlBool> {
  return ids ? sql<SqlBool>`${sql.ref(`${table}.id`)} = any(${ids}::uuid[])` : sql<SqlBool>`true`;
}

/** Up to BULK_MAX + 1 ids of the records an object's list shows with these filters, among some ids if given. */
async function matchingIds(work: CrmWork, object: CrmRecordType, filters: Filters, within: string[] | null): Promise<string[]> {
  const take = BULK_MAX + 1;
  let rows: Array<{ id: string }>;
  switch (object) {
    case 'account':
      rows = await (await matchingAccounts(work, filters)).where(among('accounts', within)).select('accounts.id').limit(take).execute();
      break;
    case 'contact':
      rows = await (await matchingContacts(work, filters)).where(among('contacts', within)).select('contacts.id').limit(take).execute();
      break;
    case 'lead':
      rows = await (await matchingLeads(work, filters)).where(among('leads', within)).select('leads.id').limit(take).execute();
      break;
    case 'opportunity':
      rows = await (
        await matchingOpportunities(work, filters)
      )
        .where(among('opportunities', within))
        .select('opportunities.id')
        .limit(take)
        .execute();
      break;
  }
  return rows.map((row) => row.id);
}

/**
 * The ids a bulk action acts on: of the records selected, those the caller may see and that still
 * exist; of a whole view, every record its filters match, a search by name through the directory
 * as the list itself does. More than BULK_MAX is refused rather than cut short.
 */
async function resolveTarget(work: CrmWork, object: CrmRecordType, target: BulkTarget, named: Set<string> | null): Promise<string[]> {
  if ((target.ids === undefined) === (target.filters === undefined)) {
    throw unprocessable('Give either ids (the records selected) or filters (every record of a view).', { field: 'ids' });
  }
  const within = target.ids ?? (named ? [...named] : null);
  if (within?.length === 0) return [];
  const ids = await matchingIds(work, object, target.filters ?? {}, within);
  if (ids.length > BULK_MAX) {
    throw unprocessable(`A bulk action acts on at most ${BULK_MAX.toLocaleString('en')} records: narrow the view's filters.`, {
      field: 'filters',
      max: BULK_MAX,
    });
  }
  return ids;
}

/** People found by a search of their names: the directory knows, the database holds only ciphertexts. */
async function namedInSearch(app: AppContext, caller: Caller, object: CrmRecordType, target: BulkTarget): Promise<Set<string> | null> {
  const q = target.filters?.q;
  if (!q || q.includes('@') || (object !== 'contact' && object !== 'lead') || target.ids) return null;
  const index = await app.people.of(caller.auth.tenantId);
  return new Set([...index.matching(q)].filter((entry) => entry.type === object).map((entry) => entry.id));
}

/** Records the action once, with how many records and which, and audits it once, naming that record. */
async function recordBulkAction(
  work: CrmWork,
  object: CrmRecordType,
  action: BulkActionKind,
  ids: string[],
  extra: { ownerId?: string; segmentId?: string },
): Promise<string> {
  const row = await work.tx
    .insertInto('bulk_actions')
    .values({
      tenant_id: work.tenantId,
      object,
      action,
      record_count: ids.length,
      record_ids: ids,
      owner_id: extra.ownerId ?? null,
      segment_id: extra.segmentId ?? null,
      actor_type: work.caller.origin.actorType === 'data_subject' ? 'system' : work.caller.origin.actorType,
      actor_id: work.caller.origin.actorId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await work.audit({
    action: `${object}.bulk_${action}`,
    objectType: 'bulk_action',
    objectId: row.id,
    fields: action === 'assign' ? ['ownerId'] : [],
  });
  return row.id;
}

async function bulk(
  app: AppContext,
  caller: Caller,
  object: CrmRecordType,
  target: BulkTarget,
  act: (work: CrmWork, ids: string[]) => Promise<{ action: BulkActionKind; ownerId?: string; segmentId?: string }>,
  check: (work: CrmWork) => Promise<void> = async () => {},
) {
  const named = await namedInSearch(app, caller, object, target);
  return crmWork(app, caller, async (work) => {
    await check(work);
    const ids = await resolveTarget(work, object, target, named);
    if (target.preview) return { id: null, count: ids.length };
    const done = await act(work, ids);
    const id = await recordBulkAction(work, object, done.action, ids, done);
    return { id, count: ids.length, ...(done.segmentId ? { segmentId: done.segmentId } : {}) };
  });
}

/** How many records a view's filters match, as a bulk action on the whole view would count them. */
export function countMatching(app: AppContext, caller: Caller, object: CrmRecordType, filters: Filters) {
  const target = { filters, preview: true };
  return namedInSearch(app, caller, object, target).then((named) =>
    crmWork(app, caller, async (work) => ({ count: (await resolveTarget(work, object, target, named)).length })),
  );
}

/** Gives every record of the target to one owner, within what the caller may assign. */
export function bulkAssign(app: AppContext, caller: Caller, object: CrmRecordType, input: BulkTarget & { ownerId: string }) {
  return bulk(
    app,
    caller,
    object,
    input,
    async (work, ids) => {
      const table = TABLE_OF[object];
      for (let at = 0; at < ids.length; at += 1000) {
        await work.tx
          .updateTable(table)
          .set({ owner_id: input.ownerId, updated_at: new Date() })
          .where('tenant_id', '=', work.tenantId)
          .where('id', 'in', ids.slice(at, at + 1000))
          .execute();
      }
      return { action: 'assign', ownerId: input.ownerId };
    },
    (work) => assertAssignable(work, input.ownerId),
  );
}

/** Deletes every record of the target as one deletion each would (tasks, notes, keys), audited once. */
export function bulkDelete(app: AppContext, caller: Caller, object: CrmRecordType, input: BulkTarget) {
  return bulk(app, caller, object, input, async (work, ids) => {
    for (let at = 0; at < ids.length; at += 1000) await removeRecords(work, object, ids.slice(at, at + 1000));
    return { action: 'delete' };
  });
}

/** Adds the people of the target to a hand-picked segment, a new one if named. */
export function bulkAddToSegment(
  app: AppContext,
  caller: Caller,
  object: 'contact' | 'lead',
  input: BulkTarget & { segmentId?: string | undefined; segmentName?: string | undefined },
) {
  return bulk(app, caller, object, input, async (work, ids) => {
    const segment = await handPickedSegment(work, object, input);
    await addToSegment(work, segment, ids);
    return { action: 'add_to_segment', segmentId: segment.id };
  });
}
