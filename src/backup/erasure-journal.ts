import crypto from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { shredLogSince, type ShredLog } from './erasure-replay.ts';
import { MANIFEST_SUFFIX, openBackupStore, type BackupStore } from './store.ts';

/**
 * The erasure journal: what every erasure destroyed (data key ids, tombstones: ids and keyed
 * hashes, no personal data), kept next to the backups so that any restore can apply the erasures
 * again without a newer backup or the live database. It is a set of segments, each a file written
 * whole (so it works in a directory and in a bucket alike): one after each erasure, and a
 * snapshot of every erasure the database knows with each backup, which replaces the segments
 * older than itself. A restore that finds no segment refuses (unless told to accept that erasures
 * may come back), because a backup without its journal can resurrect erased people.
 */

const PREFIX = 'erasure-journal-';
const SUFFIX = '.json';
const FORMAT = 'lawful-erasure-journal-1';
/** The queue the database's triggers add a job to (migrations/0026_erasure_journal.sql). */
export const ERASURE_JOURNAL_QUEUE = 'erasure.journal';

interface Segment extends ShredLog {
  format: typeof FORMAT;
  writtenAt: string;
}

function segmentName(at: Date): string {
  return `${PREFIX}${at.toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(4).toString('hex')}${SUFFIX}`;
}

async function segmentNames(store: BackupStore): Promise<string[]> {
  return (await store.list()).filter((name) => name.startsWith(PREFIX) && name.endsWith(SUFFIX)).sort();
}

async function writeSegment(store: BackupStore, log: ShredLog, at = new Date()): Promise<string> {
  const segment: Segment = { format: FORMAT, writtenAt: at.toISOString(), keys: log.keys, tombstones: log.tombstones };
  const name = segmentName(at);
  await store.writeText(name, JSON.stringify(segment));
  return name;
}

/**
 * With a backup: every erasure the database knows, read from `readAt` on; the segments written
 * before that moment are then redundant and removed (a segment written while the snapshot was
 * being read is newer, so it stays).
 */
export async function writeJournalSnapshot(location: string | BackupStore, log: ShredLog, readAt: Date): Promise<void> {
  const store = openBackupStore(location);
  const written = await writeSegment(store, log);
  const before = segmentName(readAt).slice(0, PREFIX.length + readAt.toISOString().length);
  for (const name of await segmentNames(store)) if (name !== written && name < before) await store.remove(name);
}

/** Every erasure the journal holds, or null when there is no journal at all. */
export async function readErasureJournal(location: string | BackupStore): Promise<ShredLog | null> {
  const store = openBackupStore(location);
  const names = await segmentNames(store);
  if (names.length === 0) return null;
  const log: ShredLog = { keys: [], tombstones: [] };
  for (const name of names) {
    const segment = JSON.parse((await store.readText(name)) ?? 'null') as Segment | null;
    if (segment?.format !== FORMAT) throw new Error(`${name} is not an erasure journal segment of this version`);
    log.keys.push(...segment.keys);
    log.tombstones.push(...segment.tombstones);
  }
  return log;
}

/**
 * The job a key destruction or a tombstone queues (migrations/0026): the erasures since it was
 * queued go to the journal beside the backups, when there are backups to protect (the first
 * backup writes the whole journal). A failure throws, so the job is tried again.
 */
export async function journalErasures(app: Pick<AppContext, 'db' | 'config'>, since: Date): Promise<'written' | 'no_backups'> {
  const store = openBackupStore(app.config.backupDir);
  if (!(await store.list()).some((name) => name.endsWith(MANIFEST_SUFFIX))) return 'no_backups';
  const log = await shredLogSince(app.db, since);
  if (log.keys.length > 0 || log.tombstones.length > 0) await writeSegment(store, log);
  return 'written';
}
