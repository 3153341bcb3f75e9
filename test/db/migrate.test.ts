import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../../src/db/connection.ts';
import { migrate, MIGRATIONS_DIR, MigrationError, readMigrations } from '../../src/db/migrate.ts';
import { backends } from '../support/helpers.ts';

function copyMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-migrations-'));
  for (const file of fs.readdirSync(MIGRATIONS_DIR)) fs.copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
  return dir;
}

for (const backend of backends()) {
  describe(`migrations [${backend.name}]`, () => {
    let db: Database;
    before(async () => {
      db = await backend.open();
    });
    after(async () => db.close());

    it('applies every migration once and records it with its checksum', async () => {
      const first = await migrate(db);
      assert.equal(first.applied.length, readMigrations().length);
      const second = await migrate(db);
      assert.deepEqual(second.applied, []);
      const rows = await db.kysely.selectFrom('schema_migrations').selectAll().orderBy('version').execute();
      assert.deepEqual(
        rows.map((row) => row.checksum),
        readMigrations().map((migration) => migration.checksum),
      );
    });

    it('refuses to run when an applied migration file changed', async () => {
      const dir = copyMigrations();
      fs.appendFileSync(path.join(dir, '0001_tenancy_and_app_role.sql'), '\n-- edited after the fact\n');
      await assert.rejects(
        migrate(db, dir),
        (error: Error) => error instanceof MigrationError && /changed after it was applied/.test(error.message),
      );
    });

    it('refuses to run when an applied migration file is missing', async () => {
      const dir = copyMigrations();
      const last = readMigrations().at(-1)!;
      fs.rmSync(path.join(dir, `${String(last.version).padStart(4, '0')}_${last.name}.sql`));
      await assert.rejects(migrate(db, dir), /missing/);
    });

    it('rolls back a failing migration entirely and applies it once fixed', async () => {
      const dir = copyMigrations();
      const next = String(readMigrations().length + 1).padStart(4, '0');
      const file = path.join(dir, `${next}_broken.sql`);
      fs.writeFileSync(file, 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n');
      await assert.rejects(migrate(db, dir), /broken\.sql failed/);
      const leftover = await db.kysely
        .selectFrom('pg_tables' as any)
        .select('tablename' as any)
        .where('tablename' as any, '=', 'half_done')
        .execute();
      assert.equal(leftover.length, 0);
      fs.writeFileSync(file, 'CREATE TABLE half_done (id int);\n');
      assert.deepEqual((await migrate(db, dir)).applied, [`${next}_broken`]);
    });
  });
}
