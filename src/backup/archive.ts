import crypto from 'node:crypto';
import { sql } from 'kysely';
import { randomKey } from '../crypto/aead.ts';
import type { MasterKeyProvider } from '../crypto/master-keys.ts';
import type { Database } from '../db/connection.ts';
import { shredLogSince, type ShredLog } from './erasure-replay.ts';
import { schemaVersion, selectTable, tablesInOrder, type TableInfo } from './logical.ts';
import { BackupCorruptError, readSealedLines, SealedWriter, storedSha256, type SealedFile } from './sealed-file.ts';
import { DirectoryStore, MANIFEST_SUFFIX, openBackupStore, type BackupStore } from './store.ts';
import { writeJournalSnapshot } from './erasure-journal.ts';

export { BackupCorruptError } from './sealed-file.ts';

/**
 * Backups. Each backup is two sealed files (JSON lines, gzip, AES-256-GCM under a fresh data key
 * that the master key wraps) and a manifest written last: a backup without a manifest never
 * happened, so a process killed mid-backup leaves the earlier backups as they were.
 *
 * - The data file holds rows: {t: table, n: workspace, k: primary key, r: the row as PostgreSQL's
 *   own JSON}. A full backup holds every row; an incremental one only the rows that differ from
 *   the backup it is based on, and a line {t, n, k, d: 1} for each row deleted since.
 * - The index file describes the whole state at that moment, whatever the kind: every row's key
 *   and a hash of its content. The next incremental is the difference against it, so a change is
 *   found whatever the table tracks (no reliance on updated_at columns or triggers).
 * - The manifest gives, per table, the data file's counts and SHA-256, and the state's row count
 *   and digest (an order-independent sum of row hashes), which a restore checks its result against.
 *
 * All rows are read in one repeatable-read transaction: each backup is a consistent snapshot.
 */

export const BACKUP_FORMAT = 'lawful-backup/2';
export type BackupKind = 'full' | 'incremental';

export interface BackupTable {
  table: string;
  /** Row lines in the data file, and deletion lines (incremental backups only). */
  rows: number;
  deleted: number;
  sha256: string;
  /** The table as it was at that moment. */
  state: { rows: number; digest: string };
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  id: string;
  kind: BackupKind;
  /** The backup an incremental one is the difference from. */
  base: string | null;
  takenAt: string;
  schemaVersion: number;
  keyId: string;
  wrappedKey: string;
  data: SealedFile;
  index: SealedFile;
  tables: BackupTable[];
  shredLog: ShredLog;
}

export type DataLine = { t: string; n: string | null; k: string; r: string } | { t: string; n: string | null; k: string; d: 1 };
type IndexLine = { t: string; n: string | null; k: string; h: string };

const keyContext = (id: string) => `backup:${id}`;

export async function backupKey(master: MasterKeyProvider, manifest: BackupManifest): Promise<Buffer> {
  return master.unwrap(manifest.keyId, Buffer.from(manifest.wrappedKey, 'base64'), keyContext(manifest.id));
}

/** A row's content hash: 128 bits of SHA-256. */
const rowHash = (json: string) => crypto.createHash('sha256').update(json).digest('hex').slice(0, 32);

/** Sum of row hashes modulo 2^128: the same for the same rows in any order. */
export class StateDigest {
  rows = 0;
  private sum = 0n;
  add(json: string): string {
    const hash = rowHash(json);
    this.addHash(hash);
    return hash;
  }
  addHash(hash: string): void {
    this.sum = (this.sum + BigInt(`0x${hash}`)) & ((1n << 128n) - 1n);
    this.rows += 1;
  }
  digest(): string {
    return this.sum.toString(16).padStart(32, '0');
  }
}

/** Rows of the state a backup describes, and rows its data file holds (changes only, for an incremental one). */
export function rowCounts(manifest: BackupManifest): { state: number; written: number } {
  return {
    state: manifest.tables.reduce((n, t) => n + t.state.rows, 0),
    written: manifest.tables.reduce((n, t) => n + t.rows + t.deleted, 0),
  };
}

/** Complete backups in a store, oldest first. */
export async function listBackups(location: string | BackupStore): Promise<BackupManifest[]> {
  const store = openBackupStore(location);
  const manifests: BackupManifest[] = [];
  for (const name of await store.list()) {
    if (!name.endsWith(MANIFEST_SUFFIX)) continue;
    const manifest = JSON.parse((await store.readText(name)) ?? 'null') as BackupManifest | null;
    if (manifest?.format === BACKUP_FORMAT) manifests.push(manifest);
  }
  return manifests.sort((a, b) => a.takenAt.localeCompare(b.takenAt));
}

/** The backups a restore of id loads: its full backup first, then each incremental up to id. */
export function chainOf(all: BackupManifest[], id: string): BackupManifest[] {
  const byId = new Map(all.map((manifest) => [manifest.id, manifest]));
  const chain: BackupManifest[] = [];
  for (let current = byId.get(id); ; current = byId.get(current.base!)) {
    if (!current)
      throw new BackupCorruptError(chain.length === 0 ? `No complete backup ${id}` : `${id} needs ${chain[0]!.base}, which is missing`);
    chain.unshift(current);
    if (current.kind === 'full') return chain;
  }
}

/** The newest backup, if an incremental one can be based on it. */
function incrementalBase(all: BackupManifest[], order: TableInfo[], version: number): BackupManifest | null {
  const newest = all.at(-1);
  if (!newest || newest.schemaVersion !== version) return null;
  if (newest.tables.map((t) => t.table).join() !== order.map((t) => t.table).join()) return null;
  try {
    chainOf(all, newest.id);
    return newest;
  } catch {
    return null;
  }
}

/** The previous index, read table by table in the same order as the snapshot. */
class PreviousState {
  private pending: IndexLine | null = null;
  constructor(private readonly lines: AsyncGenerator<IndexLine>) {}

  async take(table: string): Promise<Map<string, { n: string | null; h: string }>> {
    const rows = new Map<string, { n: string | null; h: string }>();
    for (;;) {
      const line = this.pending ?? (await this.next());
      this.pending = null;
      if (!line) return rows;
      if (line.t !== table) {
        this.pending = line;
        return rows;
      }
      rows.set(line.k, { n: line.n, h: line.h });
    }
  }

  /** Stops reading (the backup failed): the file is closed. */
  async close(): Promise<void> {
    await this.lines.return(undefined);
  }

  /** Reads to the end, so the GCM tag is checked, and nothing must be left over. */
  async finish(): Promise<void> {
    const leftover = this.pending ?? (await this.next());
    if (leftover) throw new BackupCorruptError(`the previous index has rows of ${leftover.t} out of order`);
  }

  private async next(): Promise<IndexLine | null> {
    const next = await this.lines.next();
    return next.done ? null : next.value;
  }
}

/** A row's primary key as a JSON array; the key that incremental backups and restores match rows by. */
function keyExpression(info: TableInfo) {
  if (info.primaryKey.length === 0) throw new Error(`table ${info.table} has no primary key, so its rows cannot be told apart`);
  return sql<string>`json_build_array(${sql.join(info.primaryKey.map((column) => sql.ref(`t.${column}`)))})::text`;
}

/**
 * Writes a backup into a directory or bucket. An incremental backup is based on the newest one
 * there; when there is none it can be based on (none yet, another schema version, a broken
 * chain) a full backup is written instead. Returns the manifest.
 */
export async function writeBackup(
  db: Database,
  master: MasterKeyProvider,
  location: string | BackupStore,
  options: { kind?: BackupKind; keepDays?: number; now?: Date } = {},
): Promise<BackupManifest> {
  const store = openBackupStore(location);
  if (store instanceof DirectoryStore) store.clearIncomplete();
  const takenAt = options.now ?? new Date();
  await removeUnfinished(store, takenAt);
  // Read before the snapshot transaction: an embedded database has a single connection.
  const order = await tablesInOrder(db);
  const version = await schemaVersion(db);
  const base = options.kind === 'incremental' ? incrementalBase(await listBackups(store), order, version) : null;
  const kind: BackupKind = base ? 'incremental' : 'full';
  const id = `${takenAt.toISOString().replace(/[:.]/g, '-')}-${kind === 'full' ? 'full' : 'incr'}`;
  const dataKey = randomKey();
  const { keyId, wrapped } = await master.wrap(dataKey, keyContext(id));
  const previous = base ? new PreviousState(readSealedLines<IndexLine>(store, base.index, await backupKey(master, base), base.id)) : null;
  const data = new SealedWriter(store, `${id}.lcb`, dataKey);
  const index = new SealedWriter(store, `${id}.idx`, dataKey);
  const tables: BackupTable[] = [];
  try {
    await db.kysely
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (tx) => {
        // Timestamps in one zone, so a row's JSON (and its hash) is the same wherever it is read.
        await sql`select set_config('TimeZone', 'UTC', true)`.execute(tx);
        const tenants = (await sql<{ id: string }>`select id from tenants order by id`.execute(tx)).rows.map((row) => row.id);
        for (const info of order) {
          const before = previous ? await previous.take(info.table) : null;
          const hash = crypto.createHash('sha256');
          const state = new StateDigest();
          let rows = 0;
          let deleted = 0;
          for (const tenantId of info.perTenant ? tenants : [null]) {
            for (const row of await selectTable<{ k: string; json: string }>(
              tx,
              info,
              tenantId,
              sql`${keyExpression(info)} as k, row_to_json(t)::text as json`,
            )) {
              const h = state.add(row.json);
              await index.write({ t: info.table, n: tenantId, k: row.k, h } satisfies IndexLine);
              const earlier = before?.get(row.k);
              before?.delete(row.k);
              if (earlier?.h === h) continue;
              await data.write({ t: info.table, n: tenantId, k: row.k, r: row.json } satisfies DataLine);
              hash.update(row.json).update('\n');
              rows += 1;
            }
          }
          for (const [k, { n }] of before ?? []) {
            await data.write({ t: info.table, n, k, d: 1 } satisfies DataLine);
            hash.update(`-${k}\n`);
            deleted += 1;
          }
          tables.push({
            table: info.table,
            rows,
            deleted,
            sha256: hash.digest('hex'),
            state: { rows: state.rows, digest: state.digest() },
          });
        }
        await previous?.finish();
      });
  } catch (error) {
    await Promise.all([data.abort(error as Error), index.abort(error as Error), previous?.close()]);
    throw error;
  }
  const journalReadAt = new Date();
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    id,
    kind,
    base: base?.id ?? null,
    takenAt: takenAt.toISOString(),
    schemaVersion: version,
    keyId,
    wrappedKey: wrapped.toString('base64'),
    data: await data.finish(),
    index: await index.finish(),
    tables,
    shredLog: await shredLogSince(db, new Date(0)),
  };
  // The journal first: a backup never exists without the erasures a restore of it must replay.
  await writeJournalSnapshot(store, manifest.shredLog, journalReadAt);
  await store.writeText(`${id}${MANIFEST_SUFFIX}`, JSON.stringify(manifest, null, 2));
  if (options.keepDays !== undefined) await pruneBackups(store, options.keepDays, takenAt);
  return manifest;
}

/** A backup that started this long ago and still has no manifest is not running any more. */
const UNFINISHED_AFTER_MS = 6 * 3_600_000;

/** When a backup started, from its id (`2026-12-05T09-06-46-123Z-full`), or null for another name. */
function startOf(id: string): number | null {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z-(?:full|incr)$/.exec(id);
  return match ? Date.parse(`${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z`) : null;
}

/**
 * Removes the data and index files of backups that never got their manifest (a process killed
 * between writing them and the manifest): no restore can use them, and they hold wrapped keys of
 * people who may have been erased since. Only backups started hours ago, so that a backup still
 * running on another node keeps its files.
 */
export async function removeUnfinished(store: BackupStore, now: Date): Promise<string[]> {
  const names = await store.list();
  const finished = new Set(names.filter((name) => name.endsWith(MANIFEST_SUFFIX)).map((name) => name.slice(0, -MANIFEST_SUFFIX.length)));
  const removed: string[] = [];
  for (const name of names) {
    const id = /^(.+)\.(?:lcb|idx)$/.exec(name)?.[1];
    const started = id ? startOf(id) : null;
    if (!id || started === null || finished.has(id) || now.getTime() - started < UNFINISHED_AFTER_MS) continue;
    await store.remove(name);
    removed.push(name);
  }
  return removed;
}

/**
 * Removes backups older than keepDays, always keeping the newest and every backup a kept
 * incremental one needs. With a daily full backup, a day's chain goes once its last
 * incremental backup is older than keepDays.
 */
export async function pruneBackups(location: string | BackupStore, keepDays: number, now = new Date()): Promise<string[]> {
  const store = openBackupStore(location);
  const all = await listBackups(store);
  const cutoff = now.getTime() - keepDays * 86_400_000;
  const kept = new Set<string>();
  for (const manifest of all) {
    if (manifest !== all.at(-1) && Date.parse(manifest.takenAt) < cutoff) continue;
    try {
      for (const needed of chainOf(all, manifest.id)) kept.add(needed.id);
    } catch {
      kept.add(manifest.id);
    }
  }
  const removed: string[] = [];
  for (const manifest of all) {
    if (kept.has(manifest.id)) continue;
    // The manifest first: a backup with a manifest but no files would look complete.
    await store.remove(`${manifest.id}${MANIFEST_SUFFIX}`);
    await store.remove(manifest.data.name);
    await store.remove(manifest.index.name);
    removed.push(manifest.id);
  }
  return removed;
}

export async function loadManifest(store: BackupStore, id: string): Promise<BackupManifest> {
  const text = await store.readText(`${id}${MANIFEST_SUFFIX}`);
  if (text === null) throw new BackupCorruptError(`No complete backup ${id} in ${store.location}`);
  const manifest = JSON.parse(text) as BackupManifest;
  if (manifest.format !== BACKUP_FORMAT) throw new BackupCorruptError(`${id} is not a ${BACKUP_FORMAT} backup`);
  return manifest;
}

/**
 * Checks one backup end to end without writing anything: both files' SHA-256, their GCM tags
 * (nothing altered, the key is right), every table's counts and SHA-256 in the data file, and
 * every table's row count and digest in the index.
 */
export async function verifyBackup(location: string | BackupStore, id: string, master: MasterKeyProvider): Promise<BackupManifest> {
  const store = openBackupStore(location);
  const manifest = await loadManifest(store, id);
  await storedSha256(store, manifest.data, id);
  await storedSha256(store, manifest.index, id);
  const key = await backupKey(master, manifest);
  const seen = new Map<string, { rows: number; deleted: number; hash: crypto.Hash }>();
  for await (const line of readSealedLines<DataLine>(store, manifest.data, key, id)) {
    const entry = seen.get(line.t) ?? seen.set(line.t, { rows: 0, deleted: 0, hash: crypto.createHash('sha256') }).get(line.t)!;
    if ('d' in line) {
      entry.deleted += 1;
      entry.hash.update(`-${line.k}\n`);
    } else {
      entry.rows += 1;
      entry.hash.update(line.r).update('\n');
    }
  }
  const states = new Map<string, StateDigest>();
  for await (const line of readSealedLines<IndexLine>(store, manifest.index, key, id)) {
    (states.get(line.t) ?? states.set(line.t, new StateDigest()).get(line.t)!).addHash(line.h);
  }
  for (const table of manifest.tables) {
    const entry = seen.get(table.table);
    const sha256 = entry ? entry.hash.digest('hex') : crypto.createHash('sha256').digest('hex');
    if ((entry?.rows ?? 0) !== table.rows || (entry?.deleted ?? 0) !== table.deleted || sha256 !== table.sha256) {
      throw new BackupCorruptError(
        `${id}: table ${table.table} holds ${entry?.rows ?? 0} rows that do not match the manifest (${table.rows})`,
      );
    }
    const state = states.get(table.table) ?? new StateDigest();
    if (state.rows !== table.state.rows || state.digest() !== table.state.digest)
      throw new BackupCorruptError(`${id}: the index of table ${table.table} does not match the manifest`);
    seen.delete(table.table);
  }
  if (seen.size > 0) throw new BackupCorruptError(`${id}: rows of tables the manifest does not list (${[...seen.keys()].join(', ')})`);
  return manifest;
}
