import { sql } from 'kysely';
import type { Database } from '../db/connection.ts';
import { withUser, type Tx } from '../db/tenant.ts';
import { tooManyRequests } from './errors.ts';

export interface PublicLimit {
  key: string;
  max: number;
  windowSeconds: number;
}

/**
 * Counts a hit on each key of a public endpoint (forms, unsubscribe, cookie banner) and refuses
 * with 429 + Retry-After once one is over its limit. Counters live in PostgreSQL: every node
 * shares them.
 */
export async function hitPublicLimits(
  db: Database,
  limits: PublicLimit[],
  message = 'Too many submissions from this address; try again later.',
): Promise<void> {
  await withUser(db, null, async (tx) => {
    for (const limit of limits) {
      const row = await countHit(tx, limit);
      if (row.hits > limit.max) {
        const retryAfter = (new Date(row.window_start).getTime() + limit.windowSeconds * 1000 - Date.now()) / 1000;
        throw tooManyRequests(message, retryAfter);
      }
    }
  });
}

async function countHit(tx: Tx, limit: PublicLimit): Promise<{ hits: number; window_start: Date }> {
  const { rows } = await sql<{ hits: number; window_start: Date }>`
    insert into public_rate_limits (key, hits, window_start) values (${limit.key}, 1, now())
    on conflict (key) do update set
      hits = case when public_rate_limits.window_start < now() - make_interval(secs => ${limit.windowSeconds}) then 1 else public_rate_limits.hits + 1 end,
      window_start = case when public_rate_limits.window_start < now() - make_interval(secs => ${limit.windowSeconds}) then now() else public_rate_limits.window_start end
    returning hits, window_start`.execute(tx);
  return rows[0]!;
}

/**
 * Counts a hit and tells whether it is within the limit, without refusing: for work done on a
 * visitor's behalf that must be dropped quietly (a refusal would tell a stranger something).
 */
export async function withinPublicLimit(db: Database, limit: PublicLimit): Promise<boolean> {
  return withUser(db, null, async (tx) => (await countHit(tx, limit)).hits <= limit.max);
}

/** Counters whose window ended a day ago are of no use any more (hourly job). */
export async function forgetOldRateLimits(db: Database): Promise<number> {
  return withUser(db, null, async (tx) => {
    const result = await sql`delete from public_rate_limits where window_start < now() - interval '1 day'`.execute(tx);
    return Number(result.numAffectedRows ?? 0);
  });
}
