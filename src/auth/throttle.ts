import { sql } from 'kysely';
import type { Tx } from '../db/tenant.ts';
import { tooManyRequests } from '../http/errors.ts';
import { sha256 } from './secrets.ts';

/** After this many failures within the window the key is locked for LOCK_MINUTES. */
const LIMITS = { account: 5, ip: 30 } as const;
const WINDOW_MINUTES = 15;
const LOCK_MINUTES = 15;

export type ThrottleKind = keyof typeof LIMITS;

export function throttleKey(kind: ThrottleKind, value: string): string {
  return kind === 'account' ? `account:${sha256(value.trim().toLowerCase()).toString('hex')}` : `ip:${value}`;
}

/** Refuses with 429 while any of the keys is locked. Counters live in PostgreSQL, shared by all nodes. */
export async function assertNotLocked(tx: Tx, keys: string[]): Promise<void> {
  const locked = await tx
    .selectFrom('auth_throttle')
    .select('locked_until')
    .where('key', 'in', keys)
    .where('locked_until', '>', new Date())
    .orderBy('locked_until', 'desc')
    .executeTakeFirst();
  if (locked?.locked_until) {
    const seconds = (new Date(locked.locked_until).getTime() - Date.now()) / 1000;
    throw tooManyRequests('Too many failed sign-in attempts; try again later.', seconds);
  }
}

export async function recordFailure(tx: Tx, kind: ThrottleKind, key: string): Promise<void> {
  const window = sql<Date>`now() - make_interval(mins => ${WINDOW_MINUTES})`;
  await tx
    .insertInto('auth_throttle')
    .values({ key, failures: 1, window_start: sql`now()`, locked_until: null })
    .onConflict((conflict) =>
      conflict.column('key').doUpdateSet({
        failures: sql`case when auth_throttle.window_start < ${window} then 1 else auth_throttle.failures + 1 end`,
        window_start: sql`case when auth_throttle.window_start < ${window} then now() else auth_throttle.window_start end`,
      }),
    )
    .execute();
  await tx
    .updateTable('auth_throttle')
    .set({ locked_until: sql`now() + make_interval(mins => ${LOCK_MINUTES})`, failures: 0, window_start: sql`now()` })
    .where('key', '=', key)
    .where('failures', '>=', LIMITS[kind])
    .execute();
}

export async function clearFailures(tx: Tx, key: string): Promise<void> {
  await tx.deleteFrom('auth_throttle').where('key', '=', key).execute();
}
