import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { sql } from 'kysely';
import { randomKey } from '../crypto/aead.ts';
import { KeyService } from '../crypto/keys.ts';
import type { MasterKeyProvider } from '../crypto/master-keys.ts';
import type { Database } from '../db/connection.ts';
import { replayErasures, shredLogSince, type ShredLog } from './erasure-replay.ts';
import { insertRows, resetIdentities, schemaVersion, tablesInOrder } from './logical.ts';

/**
 * Backup files. A backup is a stream of JSON lines (one row each: table, workspace, the row as
 * PostgreSQL's own JSON), gzip-compressed, then encrypted with AES-256-GCM under a fresh data key
 * that the master key wraps. It is read in one repeatable-read transaction, so it is a consistent
 * snapshot. Beside it, a manifest lists every table with its row count and SHA-256, the schema
 * version, the key id, the file's own SHA-256 and the GCM tag, and the shred log (destroyed keys
 * and erasure tombstones: ids and keyed hashes only). The data file is written under a temporary
 * name and renamed, and the manifest is written last: a backup without a manifest never happened,
 * so a process killed mid-backup leaves the earlier backups as they were.
 */

export const BACKUP_FORMAT = 'lawful-backup/1';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  id: string;
  kind: 'full';
  takenAt: string;
  schemaVersion: number;
  keyId: string;
  wrappedKey: string;
  iv: string;
  authTag: string;
  file: string;
  fileBytes: number;
  fileSha256: string;
  tables: Array<{ table: string; rows: number; sha256: string }>;
  shredLog: ShredLog;
}

export class BackupCorruptError extends Error {}

const keyContext = (id: string) => `backup:${id}`;
const manifestPath = (dir: string, id: string) => path.join(dir, `${id}.manifest.json`);

/** Complete backups in a directory, oldest first. */
export function listBackups(dir: string): BackupManifest[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.manifest.json'))
    .map((name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as BackupManifest)
    .filter((manifest) => manifest.format === BACKUP_FORMAT)
    .sort((a, b) => a.takenAt.localeCompare(b.takenAt));
}

/** Writes a full, encrypted backup of the whole database into dir; returns its manifest. */
export async function writeBackup(db: Database, master: MasterKeyProvider, dir: string, options: { keepDays?: number; now?: Date } = {}): Promise<BackupManifest> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // What a killed backup left: never part of a backup, removed before the next one.
  for (const name of fs.readdirSync(dir)) if (name.endsWith('.partial')) fs.rmSync(path.join(dir, name), { force: true });
  const takenAt = options.now ?? new Date();
  const id = `${takenAt.toISOString().replace(/[:.]/g, '-')}-full`;
  const dataKey = randomKey();
  const iv = crypto.randomBytes(12);
  const { keyId, wrapped } = await master.wrap(dataKey, keyContext(id));
  const cipher = crypto.createCipheriv('aes-256-gcm', dataKey, iv);
  const file = `${id}.lcb`;
  const partial = path.join(dir, `.${file}.partial`);
  const fileHash = crypto.createHash('sha256');
  let fileBytes = 0;
  const tables: BackupManifest['tables'] = [];
  const lines = new PassThrough();
  // Read before the snapshot transaction: an embedded database has a single connection.
  const order = await tablesInOrder(db);
  const reading = db.kysely
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      try {
        const tenants = (await sql<{ id: string }>`select id from tenants order by id`.execute(tx)).rows.map((row) => row.id);
        for (const info of order) {
          const hash = crypto.createHash('sha256');
          let count = 0;
          for (const tenantId of info.perTenant ? tenants : [null]) {
            await sql`select set_config('app.tenant_id', ${tenantId ?? ''}, true)`.execute(tx);
            const result = await sql<{ json: string }>`select row_to_json(t)::text as json from ${sql.table(info.table)} t`.execute(tx);
            for (const row of result.rows) {
              hash.update(row.json).update('\n');
              count += 1;
              // The writing side failed (disk full, ...): stop reading, and let the transaction go.
              if (lines.destroyed) throw new Error('the backup file could not be written');
              if (!lines.write(`${JSON.stringify({ t: info.table, n: tenantId, r: row.json })}\n`)) {
                await new Promise((resolve) => {
                  lines.once('drain', resolve);
                  lines.once('close', resolve);
                });
              }
            }
          }
          tables.push({ table: info.table, rows: count, sha256: hash.digest('hex') });
        }
        lines.end();
      } catch (error) {
        lines.destroy(error as Error);
        throw error;
      }
    });
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      fileHash.update(chunk);
      fileBytes += chunk.length;
      done(null, chunk);
    },
  });
  await Promise.all([reading, pipeline(lines, zlib.createGzip(), cipher, counting, fs.createWriteStream(partial, { mode: 0o600 }))]);
  const fd = fs.openSync(partial, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(partial, path.join(dir, file));

  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    id,
    kind: 'full',
    takenAt: takenAt.toISOString(),
    schemaVersion: await schemaVersion(db),
    keyId,
    wrappedKey: wrapped.toString('base64'),
    iv: iv.toString('base64'),
    authTag: cipher.getAuthTag().toString('base64'),
    file,
    fileBytes,
    fileSha256: fileHash.digest('hex'),
    tables,
    shredLog: await shredLogSince(db, new Date(0)),
  };
  const manifestPartial = path.join(dir, `.${id}.manifest.json.partial`);
  fs.writeFileSync(manifestPartial, JSON.stringify(manifest, null, 2), { mode: 0o600 });
  fs.renameSync(manifestPartial, manifestPath(dir, id));
  if (options.keepDays !== undefined) pruneBackups(dir, options.keepDays, takenAt);
  return manifest;
}

/** Removes backups older than keepDays, always keeping the newest. */
export function pruneBackups(dir: string, keepDays: number, now = new Date()): string[] {
  const all = listBackups(dir);
  const cutoff = now.getTime() - keepDays * 86_400_000;
  const removed: string[] = [];
  for (const manifest of all.slice(0, -1)) {
    if (Date.parse(manifest.takenAt) >= cutoff) continue;
    fs.rmSync(manifestPath(dir, manifest.id), { force: true });
    fs.rmSync(path.join(dir, manifest.file), { force: true });
    removed.push(manifest.id);
  }
  return removed;
}

function loadManifest(dir: string, id: string): BackupManifest {
  const file = manifestPath(dir, id);
  if (!fs.existsSync(file)) throw new BackupCorruptError(`No complete backup ${id} in ${dir}`);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as BackupManifest;
  if (manifest.format !== BACKUP_FORMAT) throw new BackupCorruptError(`${id} is not a ${BACKUP_FORMAT} backup`);
  return manifest;
}

/** Reads the backup's rows in order, decrypting and decompressing as it goes. */
async function* rowsOf(dir: string, manifest: BackupManifest, master: MasterKeyProvider): AsyncGenerator<{ t: string; n: string | null; r: string }> {
  const dataKey = await master.unwrap(manifest.keyId, Buffer.from(manifest.wrappedKey, 'base64'), keyContext(manifest.id));
  const decipher = crypto.createDecipheriv('aes-256-gcm', dataKey, Buffer.from(manifest.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(manifest.authTag, 'base64'));
  const plain = fs.createReadStream(path.join(dir, manifest.file)).pipe(decipher).pipe(zlib.createGunzip());
  const failure = new Promise<never>((_, reject) => {
    for (const stream of [decipher, plain]) stream.on('error', (error) => reject(new BackupCorruptError(`${manifest.id} cannot be read: ${error.message}`)));
  });
  failure.catch(() => {});
  // A wrong tag fails the decipher at the very end, before the text ends: the read then rejects.
  const iterator = readline.createInterface({ input: plain, crlfDelay: Infinity })[Symbol.asyncIterator]();
  for (;;) {
    const next = await Promise.race([iterator.next(), failure]);
    if (next.done) return;
    if (next.value) yield JSON.parse(next.value);
  }
}

/**
 * Checks a backup end to end without writing anything: the file's SHA-256, the GCM tag (the data
 * was not altered and the key is right), and every table's row count and SHA-256.
 */
export async function verifyBackup(dir: string, id: string, master: MasterKeyProvider): Promise<BackupManifest> {
  const manifest = loadManifest(dir, id);
  const data = path.join(dir, manifest.file);
  if (!fs.existsSync(data)) throw new BackupCorruptError(`${id}: the data file ${manifest.file} is missing`);
  const fileHash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(data)) fileHash.update(chunk as Buffer);
  if (fileHash.digest('hex') !== manifest.fileSha256) throw new BackupCorruptError(`${id}: the data file does not match its checksum`);
  const seen = new Map<string, { rows: number; hash: crypto.Hash }>();
  for await (const row of rowsOf(dir, manifest, master)) {
    const entry = seen.get(row.t) ?? seen.set(row.t, { rows: 0, hash: crypto.createHash('sha256') }).get(row.t)!;
    entry.rows += 1;
    entry.hash.update(row.r).update('\n');
  }
  for (const table of manifest.tables) {
    const entry = seen.get(table.table);
    const rows = entry?.rows ?? 0;
    const sha256 = entry ? entry.hash.digest('hex') : crypto.createHash('sha256').digest('hex');
    if (rows !== table.rows || sha256 !== table.sha256) throw new BackupCorruptError(`${id}: table ${table.table} holds ${rows} rows that do not match the manifest (${table.rows})`);
  }
  return manifest;
}

/** Erasures recorded after a backup: from the newer backups beside it and, when reachable, the live database. */
export async function shredLogAfter(dir: string, manifest: BackupManifest, live?: Database): Promise<ShredLog> {
  const since = Date.parse(manifest.takenAt);
  const logs = listBackups(dir)
    .filter((other) => Date.parse(other.takenAt) > since)
    .map((other) => other.shredLog);
  if (live) logs.push(await shredLogSince(live, new Date(since)));
  const keys = new Map<string, ShredLog['keys'][number]>();
  const tombstones = new Map<string, ShredLog['tombstones'][number]>();
  for (const log of logs) {
    for (const key of log.keys) if (Date.parse(key.destroyedAt) >= since) keys.set(`${key.tenantId}:${key.subjectId}`, key);
    for (const tombstone of log.tombstones) if (Date.parse(tombstone.erasedAt) >= since) tombstones.set(`${tombstone.tenantId}:${tombstone.emailIndex}`, tombstone);
  }
  return { keys: [...keys.values()], tombstones: [...tombstones.values()] };
}

export interface RestoreResult {
  manifest: BackupManifest;
  rows: number;
  replayed: { erasures: number; keys: number };
}

/**
 * Restores a backup into an empty database migrated to the backup's schema version: verified
 * first (nothing is written from a damaged backup), then loaded, then every erasure recorded
 * since the backup was taken is applied again, so an erased person never comes back.
 */
export async function restoreBackup(target: Database, master: MasterKeyProvider, dir: string, id: string, options: { live?: Database } = {}): Promise<RestoreResult> {
  const manifest = await verifyBackup(dir, id, master);
  const version = await schemaVersion(target);
  if (version !== manifest.schemaVersion) throw new Error(`The backup is of schema version ${manifest.schemaVersion}, the target database of ${version}; migrate it to the same version first.`);
  const { rows: existing } = await sql<{ n: number }>`select count(*)::int as n from tenants`.execute(target.kysely);
  if (existing[0]!.n > 0) throw new Error('The target database is not empty: restore into a new database.');
  let rows = 0;
  let batch: { table: string; tenant: string | null; jsons: string[] } | null = null;
  const flush = async () => {
    if (batch && batch.jsons.length > 0) await insertRows(target, batch.table, batch.tenant, batch.jsons);
    batch = null;
  };
  for await (const row of rowsOf(dir, manifest, master)) {
    if (!batch || batch.table !== row.t || batch.tenant !== row.n || batch.jsons.length >= 2000) {
      await flush();
      batch = { table: row.t, tenant: row.n, jsons: [] };
    }
    batch.jsons.push(row.r);
    rows += 1;
  }
  await flush();
  await resetIdentities(target);
  const keys = new KeyService(master);
  const replayed = await replayErasures({ db: target, keys }, await shredLogAfter(dir, manifest, options.live));
  return { manifest, rows, replayed };
}

