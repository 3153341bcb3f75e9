import type { AppContext } from '../app-context.ts';
import { openPGlite } from '../db/connection.ts';
import { migrate } from '../db/migrate.ts';
import { listBackups, writeBackup, type BackupManifest } from './archive.ts';
import { restoreBackup } from './restore.ts';
import { anchorAuditChains } from '../audit/anchors.ts';

/**
 * The scheduled side of backups, run hourly by the job worker into LAWFUL_BACKUP_DIR (a directory
 * or an s3:// bucket): a full backup when the newest full one is a day old, an incremental one
 * otherwise. Daily, a restore drill loads the newest backup with its chain into a scratch
 * database (an in-memory embedded one, whatever the live one is), which checks every table
 * against the state the backup recorded, and the outcome goes to the compliance dashboard.
 */

const FULL_EVERY_MS = 24 * 3600_000;
/** Ticks drift by a few seconds a day; a full backup 23h55 old is due. */
const TICK_SLACK_MS = 5 * 60_000;

export async function scheduledBackup(app: AppContext, now = new Date()): Promise<BackupManifest | null> {
  if (!app.config.backupSchedule) return null;
  const lastFull = (await listBackups(app.config.backupDir)).filter((b) => b.kind === 'full').at(-1);
  const due = !lastFull || now.getTime() - Date.parse(lastFull.takenAt) >= FULL_EVERY_MS - TICK_SLACK_MS;
  const manifest = await writeBackup(app.db, app.keys.master, app.config.backupDir, {
    kind: due ? 'full' : 'incremental',
    keepDays: app.config.backupKeepDays,
    now,
  });
  await anchorAuditChains(app.db, app.config, { backup: { location: app.config.backupDir, id: manifest.id }, now });
  return manifest;
}

export async function restoreDrill(app: AppContext): Promise<{ ok: boolean; error: string | null } | null> {
  if (!app.config.backupSchedule) return null;
  const newest = (await listBackups(app.config.backupDir)).at(-1);
  if (!newest) return null;
  const started = Date.now();
  const scratch = await openPGlite();
  let outcome: { ok: boolean; rows: number | null; error: string | null };
  try {
    await migrate(scratch);
    const result = await restoreBackup(scratch, app.keys.master, app.config.backupDir, newest.id);
    outcome = { ok: true, rows: result.rows, error: null };
  } catch (error) {
    outcome = { ok: false, rows: null, error: error instanceof Error ? error.message : String(error) };
  } finally {
    await scratch.close();
  }
  await app.db.kysely
    .insertInto('backup_drills')
    .values({
      backup_id: newest.id,
      backup_taken_at: newest.takenAt,
      ok: outcome.ok,
      rows_restored: outcome.rows,
      seconds: ((Date.now() - started) / 1000).toFixed(2),
      error: outcome.error?.slice(0, 2000) ?? null,
    })
    .execute();
  return { ok: outcome.ok, error: outcome.error };
}
