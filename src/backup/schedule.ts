import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { openPGlite } from '../db/connection.ts';
import { migrate } from '../db/migrate.ts';
import { listBackups, restoreBackup, writeBackup } from './archive.ts';

/**
 * The scheduled side of backups: a daily full backup into LAWFUL_BACKUP_DIR, and a daily restore
 * drill that loads the newest backup into a scratch database (an in-memory embedded database,
 * whatever the live one is), checks every table's row count against the manifest, and records
 * the outcome for the compliance dashboard.
 */

export async function scheduledBackup(app: AppContext): Promise<void> {
  if (!app.config.backupSchedule) return;
  await writeBackup(app.db, app.keys.master, app.config.backupDir, { keepDays: app.config.backupKeepDays });
}

export async function restoreDrill(app: AppContext): Promise<{ ok: boolean; error: string | null } | null> {
  if (!app.config.backupSchedule) return null;
  const newest = listBackups(app.config.backupDir).at(-1);
  if (!newest) return null;
  const started = Date.now();
  const scratch = await openPGlite();
  let outcome: { ok: boolean; rows: number | null; error: string | null };
  try {
    await migrate(scratch);
    const result = await restoreBackup(scratch, app.keys.master, app.config.backupDir, newest.id);
    const mismatched: string[] = [];
    for (const table of newest.tables) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table.table)}`.execute(scratch.kysely);
      // Erasures replayed after the backup may remove rows; more rows than the manifest never happen.
      if (rows[0]!.n > table.rows) mismatched.push(`${table.table}: ${rows[0]!.n} rows, the manifest says ${table.rows}`);
    }
    outcome = mismatched.length === 0 ? { ok: true, rows: result.rows, error: null } : { ok: false, rows: result.rows, error: mismatched.join('; ') };
  } catch (error) {
    outcome = { ok: false, rows: null, error: error instanceof Error ? error.message : String(error) };
  } finally {
    await scratch.close();
  }
  await app.db.kysely
    .insertInto('backup_drills')
    .values({ backup_id: newest.id, backup_taken_at: newest.takenAt, ok: outcome.ok, rows_restored: outcome.rows, seconds: ((Date.now() - started) / 1000).toFixed(2), error: outcome.error?.slice(0, 2000) ?? null })
    .execute();
  return { ok: outcome.ok, error: outcome.error };
}
