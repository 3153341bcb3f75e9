import { sql } from 'kysely';
import type { Tx } from '../db/tenant.ts';
import { emailTerm, hasAnyTerm } from './terms.ts';

/** The unique index (migration 0033) that lets one contact of a workspace hold an address. */
export const ONE_CONTACT_PER_ADDRESS = 'person_terms_one_contact_per_address';

/**
 * Locks these keys (blind indexes of addresses, or other identity keys of a person) of one
 * workspace until the transaction ends. Every path that checks whether someone already holds an
 * address and then inserts takes the lock first, so a second writer's check waits for the first
 * one's commit and sees its rows: without it, 20 parallel creations on PostgreSQL made 4
 * contacts. Keys are locked in one sorted order, so two writers cannot deadlock on them.
 */
export async function lockIdentityKeys(tx: Tx, tenantId: string, keys: Iterable<string>): Promise<void> {
  const distinct = [...new Set(keys)];
  if (distinct.length === 0) return;
  await sql`select count(pg_advisory_xact_lock(k)) from (
      select distinct hashtextextended(${tenantId} || ':' || x, 0) as k from unnest(${distinct}::text[]) as x order by 1
    ) as keys`.execute(tx);
}

/** The contacts holding each of these addresses, locked against a concurrent claim first. */
export async function addressHolders(tx: Tx, tenantId: string, indexes: string[]): Promise<Map<string, Set<string>>> {
  const holders = new Map<string, Set<string>>();
  if (indexes.length === 0) return holders;
  await lockIdentityKeys(tx, tenantId, indexes);
  const rows = await tx
    .selectFrom('contacts')
    .select(['id', 'email_index'])
    .where('tenant_id', '=', tenantId)
    .where(hasAnyTerm('contacts', tenantId, indexes.map(emailTerm)))
    .execute();
  for (const row of rows)
    for (const index of row.email_index) (holders.get(index) ?? holders.set(index, new Set()).get(index)!).add(row.id);
  return holders;
}
