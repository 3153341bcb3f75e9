import { z } from 'zod';
import { badRequest } from './errors.ts';

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size (1-200)'),
  cursor: z.string().max(500).optional().describe('Opaque cursor from the previous page\'s nextCursor'),
});

export function pageOf<T extends z.ZodType>(item: T) {
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

/** Given limit+1 rows, returns the page and the cursor after its last row. */
export function paginate<Row, Item>(rows: Row[], limit: number, key: (row: Row) => Array<string | number>, map: (row: Row) => Item) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null,
  };
}
