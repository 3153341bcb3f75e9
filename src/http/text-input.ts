import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/** Deeper than any body or query the API takes; a deeper one is refused before anything walks it. */
export const MAX_INPUT_DEPTH = 64;

/**
 * The path a request was routed by: the route's pattern, or for an unrouted request its decoded
 * path. Every decision (limits, headers, logging) uses this, never the raw URL, which a client may
 * percent-encode ("/%61pi/…") past a prefix check while the router still decodes it.
 */
export function routedPath(request: FastifyRequest): string {
  if (request.routeOptions.url) return request.routeOptions.url;
  const raw = request.url.split('?')[0]!;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

class TooDeep extends Error {
  constructor(readonly path: string) {
    super(path);
  }
}

/** Parsed JSON, form fields and query values only: a streamed body (CSV import) is not walked. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    Boolean(value) && typeof value === 'object' && typeof (value as { pipe?: unknown }).pipe !== 'function' && !ArrayBuffer.isView(value)
  );
}

/**
 * PostgreSQL text cannot hold the NUL character, and no field of a CRM has a use for it: input
 * carrying one is refused up front, on every route, instead of failing deep in a statement. The
 * walk is iterative and bounded (MAX_INPUT_DEPTH), so a body nested ten thousand levels deep is
 * a 400, not a stack overflow.
 */
export function findNul(value: unknown, path: string): string | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      if (item.value.includes('\u0000')) return item.path;
      continue;
    }
    const nested = Array.isArray(item.value) || isPlainObject(item.value);
    if (!nested) continue;
    if (item.depth >= MAX_INPUT_DEPTH) throw new TooDeep(item.path);
    const entries: Array<[string, unknown, string]> = Array.isArray(item.value)
      ? item.value.map((child, i) => [`${item.path}[${i}]`, child, ''])
      : Object.entries(item.value as Record<string, unknown>).map(([key, child]) => {
          const at = item.path ? `${item.path}.${key}` : key;
          return [at, child, key];
        });
    // Pushed in reverse, so the first offending field in document order is the one reported.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [at, child, key] = entries[i]!;
      stack.push({ value: child, path: at, depth: item.depth + 1 });
      if (key) stack.push({ value: key, path: `${at} (the name)`, depth: item.depth + 1 });
    }
  }
  return null;
}

export async function refuseNulCharacters(request: FastifyRequest): Promise<void> {
  let where: string | null;
  try {
    where = findNul(request.params, 'path') ?? findNul(request.query, 'query') ?? findNul(request.body, 'body');
  } catch (error) {
    if (!(error instanceof TooDeep)) throw error;
    throw new AppError(
      400,
      'too_deep',
      `The input is nested more than ${MAX_INPUT_DEPTH} levels deep (at ${error.path.slice(0, 200)}); no request of this API needs that.`,
      { maxDepth: MAX_INPUT_DEPTH },
    );
  }
  if (where)
    throw new AppError(400, 'invalid_text', `Text may not contain the NUL character (\\u0000): found in ${where}.`, { field: where });
}
