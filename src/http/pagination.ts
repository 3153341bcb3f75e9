import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import { schemaName } from '../shared/openapi.ts';
import { badRequest } from './errors.ts';

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size (1-200)'),
  cursor: z.string().max(1000).optional().describe("Opaque cursor from the previous page's nextCursor"),
});

const pages = new WeakMap<z.ZodType, z.ZodObject>();

/** A page of items; one schema per item schema, named after it (Contact → ContactPage) when it has a name. */
export function pageOf<T extends z.ZodType>(item: T) {
  const known = pages.get(item) as ReturnType<typeof pageSchema<T>> | undefined;
  if (known) return known;
  const page = pageSchema(item);
  const name = schemaName(item);
  if (name) z.globalRegistry.add(page, { id: `${name}Page` });
  pages.set(item, page);
  return page;
}

function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as cursor to get the next page; null on the last page'),
  });
}

/**
 * Keyset pagination: the cursor is the sort key of the last row returned, so pages stay stable
 * while rows are inserted or deleted elsewhere in the list.
 */
export function encodeCursor(values: Array<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): Array<string | number> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity && values.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return values;
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest('Invalid cursor', { field: 'cursor' });
}

export interface SortOption {
  /** An expression over the listed table; from this allowlist only, never from the request. */
  expression: RawBuilder<unknown>;
  defaultDirection: 'asc' | 'desc';
}

export interface ResolvedSort {
  expression: RawBuilder<unknown>;
  direction: 'asc' | 'desc';
}

/** `sort=name` ascending, `sort=-name` descending, from the allowlist. */
export function resolveSort(
  sort: string | undefined,
  options: Record<string, SortOption>,
  fallback: string,
  /** Sorts the list offers through another path (by name, through the people directory). */
  elsewhere: readonly string[] = [],
): ResolvedSort {
  const raw = sort ?? fallback;
  const descending = raw.startsWith('-');
  const key = descending ? raw.slice(1) : raw;
  const option = options[key];
  const allowed = [...Object.keys(options), ...elsewhere];
  if (!option) throw badRequest(`Cannot sort by "${key}"; choose one of: ${allowed.join(', ')}`, { field: 'sort', allowed });
  return { expression: option.expression, direction: sort === undefined ? option.defaultDirection : descending ? 'desc' : 'asc' };
}

/**
 * Keyset pagination on (sort expression, id): the cursor holds the last row's pair, so a page
 * never repeats or skips rows when others are inserted or deleted meanwhile.
 */
export function pageBy<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  idColumn: string,
  sort: ResolvedSort,
  cursor: string | undefined,
  limit: number,
): SelectQueryBuilder<DB, TB, O & { _sort: unknown }> {
  const after = decodeCursor(cursor, 2);
  const comparison = sql.raw(sort.direction === 'asc' ? '>' : '<');
  const direction = sql.raw(sort.direction);
  // The cursor keeps the sort value as PostgreSQL prints it: a JavaScript Date would cut
  // timestamps to milliseconds and skip rows that differ only in microseconds.
  let q = query.select(sql`(${sort.expression})::text`.as('_sort') as never) as unknown as SelectQueryBuilder<
    DB,
    TB,
    O & { _sort: unknown }
  >;
  if (after) q = q.where(sql<boolean>`(${sort.expression}, ${sql.ref(idColumn)}) ${comparison} (${after[0]}, ${after[1]})` as never);
  return q
    .orderBy(sql`${sort.expression} ${direction}`)
    .orderBy(sql`${sql.ref(idColumn)} ${direction}`)
    .limit(limit + 1);
}

function cursorValue(value: unknown): string | number {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return value;
  return String(value);
}

export function finishPage<Row extends { _sort: unknown; id: string }, Item>(rows: Row[], limit: number, map: (row: Row) => Item) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(map),
    nextCursor: rows.length > limit && last ? encodeCursor([cursorValue(last._sort), last.id]) : null,
  };
}
