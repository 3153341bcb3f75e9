import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import type { Database } from '../db/connection.ts';
import { withTenant } from '../db/tenant.ts';
import { eraseSubject } from '../rights/erasure.ts';
import { peopleWithEmailIndex } from '../rights/subject.ts';

/**
 * What erasure left behind that a restored backup must learn again: the data keys destroyed and
 * the tombstones written, per workspace, with when. Ids and keyed hashes only.
 */
export interface ShredLog {
  keys: Array<{ tenantId: string; subjectId: string; destroyedAt: string }>;
  /** kind: what the keyed hash is of ('email' when absent: logs written before phones were tombstoned). */
  tombstones: Array<{ tenantId: string; emailIndex: string; kind?: 'email' | 'phone'; requestId: string | null; erasedAt: string }>;
}

/** The shred log of a database since a moment (a backup's time), read workspace by workspace. */
export async function shredLogSince(db: Database, since: Date): Promise<ShredLog> {
  const tenants = (await sql<{ id: string }>`select id from tenants`.execute(db.kysely)).rows.map((row) => row.id);
  const log: ShredLog = { keys: [], tombstones: [] };
  for (const tenantId of tenants) {
    await withTenant(db, tenantId, async (tx) => {
      const keys = await tx
        .selectFrom('subject_keys')
        .select(['id', 'destroyed_at'])
        .where('tenant_id', '=', tenantId)
        .where('destroyed_at', '>=', since)
        .execute();
      for (const key of keys) log.keys.push({ tenantId, subjectId: key.id, destroyedAt: new Date(key.destroyed_at!).toISOString() });
      const tombstones = await tx
        .selectFrom('erasure_tombstones')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('erased_at', '>=', since)
        .execute();
      for (const row of tombstones)
        log.tombstones.push({
          tenantId,
          emailIndex: row.email_index,
          kind: row.kind,
          requestId: row.request_id,
          erasedAt: new Date(row.erased_at).toISOString(),
        });
    });
  }
  return log;
}

/**
 * Re-applies erasures to a restored database, so a person erased after the backup was taken does
 * not come back: each tombstone's erasure is run again (rows about the address deleted, keys
 * destroyed, tombstone written), then every key destroyed since is destroyed here too.
 */
export async function replayErasures(target: Pick<AppContext, 'db' | 'keys'>, log: ShredLog): Promise<{ erasures: number; keys: number }> {
  let erasures = 0;
  let keys = 0;
  const tenants = new Set([...log.keys.map((k) => k.tenantId), ...log.tombstones.map((t) => t.tenantId)]);
  for (const tenantId of tenants) {
    await withTenant(target.db, tenantId, async (tx) => {
      for (const tombstone of log.tombstones.filter((t) => t.tenantId === tenantId)) {
        if (tombstone.kind === 'phone') {
          // The people it identified are erased through their keys and their addresses' tombstones.
          await tx
            .insertInto('erasure_tombstones')
            .values({ tenant_id: tenantId, email_index: tombstone.emailIndex, kind: 'phone', request_id: tombstone.requestId })
            .onConflict((c) => c.columns(['tenant_id', 'email_index']).doNothing())
            .execute();
          continue;
        }
        const people = await peopleWithEmailIndex(tx, tenantId, tombstone.emailIndex);
        await eraseSubject(
          target as AppContext,
          tx,
          tenantId,
          { email: '', emailIndex: tombstone.emailIndex, people },
          tombstone.requestId,
        );
        erasures += 1;
      }
      for (const key of log.keys.filter((k) => k.tenantId === tenantId)) {
        if (await target.keys.destroySubjectKey(tx, tenantId, key.subjectId)) keys += 1;
      }
    });
  }
  return { erasures, keys };
}
