import { sql } from 'kysely';
import { KeyService } from '../crypto/keys.ts';
import type { MasterKeyProvider } from '../crypto/master-keys.ts';
import type { Database } from '../db/connection.ts';
import {
  backupKey,
  BackupCorruptError,
  chainOf,
  listBackups,
  StateDigest,
  verifyBackup,
  type BackupManifest,
  type DataLine,
} from './archive.ts';
import { readErasureJournal } from './erasure-journal.ts';
import { replayErasures, shredLogSince, type ShredLog } from './erasure-replay.ts';
import { insertRows, resetIdentities, schemaVersion, selectTable, tablesInOrder } from './logical.ts';
import { readSealedLines } from './sealed-file.ts';
import { openBackupStore, type BackupStore } from './store.ts';

/**
 * Erasures recorded after a backup: from the erasure journal beside it, the newer backups and,
 * when reachable, the live database.
 */
export async function shredLogAfter(
  all: BackupManifest[],
  manifest: BackupManifest,
  live?: Database,
  journal?: ShredLog | null,
): Promise<ShredLog> {
  const since = Date.parse(manifest.takenAt);
  const logs = all.filter((other) => Date.parse(other.takenAt) > since).map((other) => other.shredLog);
  if (journal) logs.push(journal);
  if (live) logs.push(await shredLogSince(live, new Date(since)));
  const keys = new Map<string, ShredLog['keys'][number]>();
  const tombstones = new Map<string, ShredLog['tombstones'][number]>();
  for (const log of logs) {
    for (const key of log.keys) if (Date.parse(key.destroyedAt) >= since) keys.set(`${key.tenantId}:${key.subjectId}`, key);
    for (const tombstone of log.tombstones)
      if (Date.parse(tombstone.erasedAt) >= since) tombstones.set(`${tombstone.tenantId}:${tombstone.emailIndex}`, tombstone);
  }
  return { keys: [...keys.values()], tombstones: [...tombstones.values()] };
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** The backups loaded: the full one, then each incremental one. */
  chain: string[];
  rows: number;
  replayed: { erasures: number; keys: number };
  /** 'missing' only when the restore was told to accept erasures that could not be replayed. */
  journal: 'read' | 'missing';
}

/** A backup found without the erasure journal that must accompany it. */
export class ErasureJournalMissingError extends Error {
  constructor(location: string) {
    super(
      `No erasure journal (erasure-journal-*.json) next to the backups in ${location}. Without it, people erased after the backup was taken would come back. ` +
        'Copy the journal from where the backups were written, or restore with --live (reads the live database) or with --accept-unreplayed-erasures if you accept that risk.',
    );
  }
}

/** Inserts rows in batches of one table and workspace. */
class RowLoader {
  rows = 0;
  private batch: { table: string; tenant: string | null; jsons: string[] } | null = null;
  constructor(private readonly target: Database) {}

  async add(table: string, tenant: string | null, json: string): Promise<void> {
    if (!this.batch || this.batch.table !== table || this.batch.tenant !== tenant || this.batch.jsons.length >= 2000) {
      await this.flush();
      this.batch = { table, tenant, jsons: [] };
    }
    this.batch.jsons.push(json);
    this.rows += 1;
  }

  async flush(): Promise<void> {
    if (this.batch && this.batch.jsons.length > 0) await insertRows(this.target, this.batch.table, this.batch.tenant, this.batch.jsons);
    this.batch = null;
  }
}

/**
 * Loads the state a chain describes into an empty database in a single pass: the full backup's
 * rows in foreign-key order, each replaced or dropped by the newest incremental line about the
 * same key, and each table followed by the rows the incremental backups added. Only the changes
 * are held in memory, and the database only ever sees the final, consistent state.
 */
async function loadChain(target: Database, store: BackupStore, chain: BackupManifest[], master: MasterKeyProvider): Promise<number> {
  const changes = new Map<string, Map<string, { n: string | null; r: string | null }>>();
  for (const incremental of chain.slice(1)) {
    for await (const line of readSealedLines<DataLine>(store, incremental.data, await backupKey(master, incremental), incremental.id)) {
      const table = changes.get(line.t) ?? changes.set(line.t, new Map()).get(line.t)!;
      table.set(line.k, { n: line.n, r: 'd' in line ? null : line.r });
    }
  }
  const [full] = chain as [BackupManifest];
  const loader = new RowLoader(target);
  const lines = readSealedLines<DataLine>(store, full.data, await backupKey(master, full), full.id);
  let line = await lines.next();
  for (const { table } of chain.at(-1)!.tables) {
    const changed = changes.get(table);
    for (; !line.done && line.value.t === table; line = await lines.next()) {
      const row = line.value as Extract<DataLine, { r: string }>;
      const change = changed?.get(row.k);
      changed?.delete(row.k);
      if (!change) await loader.add(table, row.n, row.r);
      else if (change.r !== null) await loader.add(table, change.n, change.r);
    }
    for (const change of changed?.values() ?? []) if (change.r !== null) await loader.add(table, change.n, change.r);
  }
  if (!line.done) throw new BackupCorruptError(`${full.id}: rows of table ${line.value.t} come out of order`);
  await loader.flush();
  return loader.rows;
}

/** Compares every restored table with the state the backup recorded: row count and digest. */
async function checkRestoredState(target: Database, manifest: BackupManifest): Promise<void> {
  const order = await tablesInOrder(target);
  const tenants = (await sql<{ id: string }>`select id from tenants order by id`.execute(target.kysely)).rows.map((row) => row.id);
  const expected = new Map(manifest.tables.map((table) => [table.table, table.state]));
  await target.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('TimeZone', 'UTC', true)`.execute(tx);
    for (const info of order) {
      const state = new StateDigest();
      for (const tenantId of info.perTenant ? tenants : [null]) {
        for (const row of await selectTable<{ json: string }>(tx, info, tenantId, sql`row_to_json(t)::text as json`)) state.add(row.json);
      }
      const wanted = expected.get(info.table);
      if (!wanted || wanted.rows !== state.rows || wanted.digest !== state.digest()) {
        throw new BackupCorruptError(
          `the restored table ${info.table} (${state.rows} rows) does not match the state recorded in ${manifest.id} (${wanted?.rows ?? 'absent'})`,
        );
      }
    }
  });
}

/**
 * Restores a backup into an empty database migrated to the backup's schema version. Every
 * backup of its chain is verified first (nothing is written from a damaged one); the state is
 * loaded and compared with the digests the backup recorded; then every erasure recorded since
 * the backup was taken is applied again, so an erased person never comes back.
 */
export async function restoreBackup(
  target: Database,
  master: MasterKeyProvider,
  location: string | BackupStore,
  id: string,
  options: { live?: Database; acceptUnreplayedErasures?: boolean } = {},
): Promise<RestoreResult> {
  const store = openBackupStore(location);
  const journal = await readErasureJournal(store);
  if (!journal && !options.live && !options.acceptUnreplayedErasures) throw new ErasureJournalMissingError(store.location);
  const all = await listBackups(store);
  const chain = chainOf(all, id);
  for (const member of chain) await verifyBackup(store, member.id, master);
  const manifest = chain.at(-1)!;
  const version = await schemaVersion(target);
  if (version !== manifest.schemaVersion)
    throw new Error(
      `The backup is of schema version ${manifest.schemaVersion}, the target database of ${version}; migrate it to the same version first.`,
    );
  const { rows: existing } = await sql<{ n: number }>`select count(*)::int as n from tenants`.execute(target.kysely);
  if (existing[0]!.n > 0) throw new Error('The target database is not empty: restore into a new database.');
  const rows = await loadChain(target, store, chain, master);
  await resetIdentities(target);
  await checkRestoredState(target, manifest);
  const replayed = await replayErasures(
    { db: target, keys: new KeyService(master) },
    await shredLogAfter(all, manifest, options.live, journal),
  );
  return { manifest, chain: chain.map((member) => member.id), rows, replayed, journal: journal ? 'read' : 'missing' };
}
