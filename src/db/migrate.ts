import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './connection.ts';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {}

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  const files = fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort();
  const migrations = files.map((file) => {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new MigrationError(`Migration file name ${file} does not match NNNN_name.sql`);
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    return {
      version: Number(match[1]),
      name: match[2]!,
      sql,
      checksum: crypto.createHash('sha256').update(sql).digest('hex'),
    };
  });
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new MigrationError(`Migrations must be numbered without gaps: expected ${index + 1}, found ${migration.version}`);
    }
  });
  return migrations;
}

// Any constant works; it only has to be the same on every node migrating the same database.
const MIGRATION_LOCK_KEY = 7_283_441_002;

/**
 * Applies the pending migrations, each in its own transaction together with its record in
 * schema_migrations. Refuses to run when an applied migration's file changed or disappeared:
 * the database would no longer match the schema the code was written for.
 */
export async function migrate(db: Database, dir = MIGRATIONS_DIR): Promise<{ applied: string[] }> {
  const migrations = readMigrations(dir);
  return db.withSession(async (session) => {
    await session.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Several app nodes may start at once against one PostgreSQL server.
    await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await session.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
      );
      for (const row of applied) {
        const file = migrations.find((migration) => migration.version === row.version);
        if (!file) {
          throw new MigrationError(
            `Migration ${row.version} (${row.name}) is applied in the database but missing from ${dir}: ` +
              'this code is older than the database.',
          );
        }
        if (file.checksum !== row.checksum) {
          throw new MigrationError(
            `Migration ${String(row.version).padStart(4, '0')}_${row.name}.sql changed after it was applied ` +
              '(checksum mismatch). Applied migrations must never be edited; add a new migration instead.',
          );
        }
      }
      const done = new Set(applied.map((row) => row.version));
      const newlyApplied: string[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        await session.exec('BEGIN');
        try {
          await session.exec(migration.sql);
          await session.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            migration.checksum,
          ]);
          await session.exec('COMMIT');
        } catch (error) {
          await session.exec('ROLLBACK');
          throw new MigrationError(
            `Migration ${String(migration.version).padStart(4, '0')}_${migration.name}.sql failed: ${(error as Error).message}`,
          );
        }
        newlyApplied.push(`${String(migration.version).padStart(4, '0')}_${migration.name}`);
      }
      return { applied: newlyApplied };
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}
