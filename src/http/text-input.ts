import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/**
 * PostgreSQL text cannot hold the NUL character, and no field of a CRM has a use for it: input
 * carrying one is refused up front, on every route, instead of failing deep in a statement.
 */
export function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  // Parsed JSON, form fields and query values only: a streamed body (CSV import) is not walked.
  if (value && typeof value === 'object' && typeof (value as { pipe?: unknown }).pipe !== 'function' && !ArrayBuffer.isView(value)) {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      const found = findNul(key, `${at} (the name)`) ?? findNul(item, at);
      if (found) return found;
    }
  }
  return null;
}

export async function refuseNulCharacters(request: FastifyRequest): Promise<void> {
  const where = findNul(request.params, 'path') ?? findNul(request.query, 'query') ?? findNul(request.body, 'body');
  if (where) throw new AppError(400, 'invalid_text', `Text may not contain the NUL character (\\u0000): found in ${where}.`, { field: where });
}
