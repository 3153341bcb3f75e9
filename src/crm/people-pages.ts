import { z } from 'zod';
import {
  sortKeyOf,
  type Entry,
  type Highlight,
  type NameSort,
  type PeopleIndex,
  type PersonType,
  type RankPosition,
} from '../search/people-index.ts';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { badRequest } from '../http/errors.ts';
import { openRows, type CrmWork } from './context.ts';

/** Sorts only the directory can do: the names are encrypted in the database. */
export const NAME_SORTS: readonly NameSort[] = ['lastName', 'firstName'];

export type DirectoryOrder = { kind: 'ranked'; q: string } | { kind: 'sorted'; sort: NameSort; direction: 'asc' | 'desc'; q?: string };

/**
 * Whether a list request needs the directory: a search by name (an address containing @ is
 * looked up exactly by its blind index instead), or an order by name.
 */
export function directoryOrder(query: { q?: string | undefined; sort?: string | undefined }): DirectoryOrder | null {
  const descending = query.sort?.startsWith('-') ?? false;
  const key = descending ? query.sort!.slice(1) : query.sort;
  const byName = NAME_SORTS.find((sort) => sort === key);
  const q = query.q && !query.q.includes('@') ? query.q : undefined;
  if (byName) return { kind: 'sorted', sort: byName, direction: descending ? 'desc' : 'asc', ...(q ? { q } : {}) };
  if (!q) return null;
  if (query.sort !== undefined && query.sort !== 'relevance') {
    throw badRequest(
      `Search results come best match first, or by name: sort by relevance, ${NAME_SORTS.join(', ')} (or -${NAME_SORTS[0]}).`,
      {
        field: 'sort',
        allowed: ['relevance', ...NAME_SORTS, ...NAME_SORTS.map((sort) => `-${sort}`)],
      },
    );
  }
  return { kind: 'ranked', q };
}

/**
 * The sort of a list the database orders: "relevance" is the order of a search, and a search
 * for an address (with @) is an exact match with nothing to rank, so it keeps the default order.
 */
export const databaseSort = (sort: string | undefined) => (sort === 'relevance' ? undefined : sort);

const rankCursor = z.object({ score: z.number(), key: z.string() });
const sortCursor = z.object({ key: z.string() });

/**
 * The cursor of a directory page names where the last person stood, by name: it is sealed so
 * that no name travels in a URL, where access logs and browser histories would keep it.
 */
async function sealCursor(work: CrmWork, position: unknown): Promise<string> {
  return work.app.keys.sealWithSystemKey(work.tx, 'directory-cursor', JSON.stringify(position));
}

async function openCursor<T>(work: CrmWork, cursor: string | undefined, schema: z.ZodType<T>): Promise<T | undefined> {
  if (cursor === undefined) return undefined;
  try {
    return schema.parse(JSON.parse(await work.app.keys.openWithSystemKey(work.tx, 'directory-cursor', cursor)));
  } catch {
    throw badRequest('Invalid cursor', { field: 'cursor' });
  }
}

/** Records linked to a task of these members: they see them although they do not own them (visibility.ts). */
async function taskLinked(work: CrmWork, type: PersonType, members: string[]): Promise<Set<string>> {
  const rows = await work.tx
    .selectFrom('tasks')
    .select('record_id')
    .distinct()
    .where('tenant_id', '=', work.tenantId)
    .where('record_type', '=', type)
    .where('assignee_id', 'in', members)
    .execute();
  return new Set(rows.flatMap((row) => (row.record_id ? [row.record_id] : [])));
}

/** In memory, the same visibility rule the database applies (recordVisible), so pages rarely come back short. */
async function visibleInMemory(
  work: CrmWork,
  type: PersonType,
  filters: { owners?: string[] | undefined; accountId?: string | undefined },
) {
  const scope = work.scope;
  const members = scope.kind === 'all' ? null : new Set(scope.kind === 'team' ? [...scope.memberIds, scope.self] : [scope.self]);
  const linked = members ? await taskLinked(work, type, [...members]) : null;
  return (entry: Entry) =>
    (!filters.owners || (entry.ownerId !== null && filters.owners.includes(entry.ownerId))) &&
    (!filters.accountId || entry.accountId === filters.accountId) &&
    (!members || (entry.ownerId !== null && members.has(entry.ownerId)) || linked!.has(entry.id));
}

/** More than a page at a time, for the few people the database filters out (other filters, a change in between). */
const SLACK = 10;

/**
 * The workspace's directory, brought up to date with every change committed so far. Called
 * before the request's transaction begins: on PGlite, the one connection is held by that
 * transaction, and the directory's own reads would wait for it forever.
 */
export function directoryFor(app: AppContext, caller: Caller, order: DirectoryOrder | null): Promise<PeopleIndex | null> {
  return order ? app.people.of(caller.auth.tenantId) : Promise.resolve(null);
}

/**
 * A page of contacts or leads in an order only the directory knows (best match, name order):
 * the directory proposes people in order, and the database, given their ids, returns those the
 * caller may see and that pass the list's other filters. Rows come back in the directory's
 * order, with where the search matched each person.
 */
export async function directoryPage<Row extends { id: string }>(
  work: CrmWork,
  index: PeopleIndex,
  type: PersonType,
  order: DirectoryOrder,
  request: { cursor?: string | undefined; limit: number; owners?: string[] | undefined; accountId?: string | undefined },
  fetch: (ids: string[]) => Promise<Row[]>,
): Promise<{ rows: Row[]; matches: Map<string, Highlight[]>; nextCursor: string | null }> {
  const accept = await visibleInMemory(work, type, request);
  const found: Array<{ row: Row; entry: Entry; score: number }> = [];
  let rankAfter = order.kind === 'ranked' ? await openCursor(work, request.cursor, rankCursor) : undefined;
  let keyAfter = order.kind === 'sorted' ? (await openCursor(work, request.cursor, sortCursor))?.key : undefined;
  const matching = order.kind === 'sorted' && order.q ? index.matching(order.q) : null;
  // A filter the database alone knows (consent, activity, custom fields) may pass few of those
  // proposed: each round that comes back short asks for four times as many, up to 64.
  for (let widen = 1; ; widen = Math.min(widen * 4, 64)) {
    const take = (request.limit + 1 - found.length + SLACK) * widen;
    const batch =
      order.kind === 'ranked'
        ? index.ranked(order.q, { type, accept, take, ...(rankAfter ? { after: rankAfter } : {}) })
        : index
            .sorted(type, order.sort, order.direction, {
              accept: matching ? (entry) => matching.has(entry) && accept(entry) : accept,
              take,
              ...(keyAfter !== undefined ? { afterKey: keyAfter } : {}),
            })
            .map((entry) => ({ entry, score: 0 }));
    if (batch.length > 0) {
      const rows = new Map((await fetch(batch.map((hit) => hit.entry.id))).map((row) => [row.id, row]));
      for (const hit of batch) {
        const row = rows.get(hit.entry.id);
        if (row && found.length <= request.limit) found.push({ row, ...hit });
      }
      const last = batch[batch.length - 1]!;
      rankAfter = { score: last.score, key: last.entry.lastNameKey } satisfies RankPosition;
      keyAfter = order.kind === 'sorted' ? sortKeyOf(last.entry, order.sort) : undefined;
    }
    if (found.length > request.limit || batch.length < take) break;
  }
  const page = found.slice(0, request.limit);
  const last = page[page.length - 1];
  const q = order.q;
  return {
    rows: page.map((item) => item.row),
    matches: new Map(q ? page.map((item) => [item.row.id, index.highlights(item.entry, q)]) : []),
    nextCursor:
      found.length > request.limit && last
        ? await sealCursor(
            work,
            order.kind === 'ranked' ? { score: last.score, key: last.entry.lastNameKey } : { key: sortKeyOf(last.entry, order.sort) },
          )
        : null,
  };
}

/** A directory page as the list's views, each with where the search matched it. */
export async function directoryList<Row extends { id: string }, View>(
  work: CrmWork,
  index: PeopleIndex,
  type: PersonType,
  order: DirectoryOrder,
  request: Parameters<typeof directoryPage>[4],
  fetch: (ids: string[]) => Promise<Row[]>,
  view: (work: CrmWork, row: Row) => Promise<View>,
): Promise<{ items: Array<View & { matches?: Highlight[] }>; nextCursor: string | null }> {
  const found = await directoryPage(work, index, type, order, request, fetch);
  const items = await openRows(
    work,
    found.rows,
    (row) => row.id,
    async (w, row) => {
      const matches = found.matches.get(row.id);
      return { ...(await view(w, row)), ...(matches ? { matches } : {}) };
    },
  );
  return { items, nextCursor: found.nextCursor };
}
