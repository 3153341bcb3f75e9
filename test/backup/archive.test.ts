import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { BackupCorruptError, listBackups, verifyBackup, writeBackup } from '../../src/backup/archive.ts';
import { restoreBackup } from '../../src/backup/restore.ts';
import { boot } from '../../src/boot.ts';
import { loadConfig } from '../../src/config.ts';
import { randomKey } from '../../src/crypto/aead.ts';
import { KeyDestroyedError, KeyService } from '../../src/crypto/keys.ts';
import { LocalKeyring } from '../../src/crypto/master-keys.ts';
import { migrate } from '../../src/db/migrate.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { buildApp } from '../../src/server.ts';
import {
  createPostgresDatabase,
  describeEachDatabase,
  POSTGRES_ADMIN_URL,
  scratchDatabase,
  signUp,
  type TestEnv,
} from '../support/helpers.ts';
import { EMAIL, NAME, personEverywhere } from '../support/subject-fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tempDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const count = async (db: { kysely: any }, table: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db.kysely)).rows[0]!.n);

describeEachDatabase('encrypted backups', (env) => {
  /** Issue 24, finding 5: a backup killed after renaming its files and before its manifest left them behind for good. */
  it('removes the files of a backup killed before its manifest, and keeps those of one still running', async () => {
    const dir = tempDir('lawful-backups-orphans-');
    const master = env().app.keys.master;
    await signUp(env());
    const first = await writeBackup(env().db, master, dir);
    // What a backup killed between renaming its files and writing its manifest leaves: data and
    // index files (holding the wrapped keys of that moment), no manifest.
    const idOf = (date: Date) => `${date.toISOString().replace(/[:.]/g, '-')}-full`;
    const killed = idOf(new Date(Date.now() - 7 * 3_600_000));
    const running = idOf(new Date(Date.now() - 60_000));
    for (const id of [killed, running]) {
      fs.copyFileSync(path.join(dir, first.data.name), path.join(dir, `${id}.lcb`));
      fs.copyFileSync(path.join(dir, first.index.name), path.join(dir, `${id}.idx`));
    }
    const next = await writeBackup(env().db, master, dir);
    const names = fs.readdirSync(dir);
    assert.ok(!names.includes(`${killed}.lcb`) && !names.includes(`${killed}.idx`), "the killed backup's files are gone");
    assert.ok(names.includes(`${running}.lcb`) && names.includes(`${running}.idx`), 'a backup started a minute ago may still be running');
    assert.deepEqual(
      (await listBackups(dir)).map((m) => m.id),
      [first.id, next.id],
    );
    await verifyBackup(dir, first.id, master);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('backup, erase, restore: the erased person is erased again automatically, from the live database or a newer backup', async () => {
    const dir = tempDir('lawful-backups-');
    const master = env().app.keys.master;
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const { contactId } = await personEverywhere(env(), admin);
    const survivor = (await admin.post('/api/v1/contacts', { firstName: 'Survivor', emails: ['survivor@backup.example'] })).body.id;
    const before = await writeBackup(env().db, master, dir);
    assert.ok(before.tables.find((t) => t.table === 'contacts')!.rows >= 2);
    assert.equal(fs.readFileSync(path.join(dir, before.data.name)).includes(Buffer.from('Survivor')), false, 'the file is encrypted');
    assert.equal((await verifyBackup(dir, before.id, master)).id, before.id);

    const request = (
      await admin.post('/api/v1/dsr-requests', { type: 'erasure', channel: 'email', email: EMAIL, identityStatus: 'verified' })
    ).body;
    assert.equal((await admin.post(`/api/v1/dsr-requests/${request.id}/execute`)).body.status, 'completed');

    const check = async (target: Awaited<ReturnType<typeof scratchDatabase>>, replayed: { erasures: number }) => {
      assert.equal(replayed.erasures, 1);
      const keys = new KeyService(master);
      const row = await withTenant(target, tenantId, (tx) =>
        tx.selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId).execute(),
      );
      assert.deepEqual(
        row.map((r) => r.id),
        [survivor],
        'the erased person is not readable; everyone else is back',
      );
      const beforeErasure = await withTenant(env().db, tenantId, (tx) =>
        tx.selectFrom('subject_keys').select('id').where('id', '=', contactId).execute(),
      );
      assert.equal(beforeErasure.length, 1);
      await assert.rejects(
        withTenant(target, tenantId, (tx) => keys.subjectKey(tx, tenantId, contactId, { create: false })),
        KeyDestroyedError,
      );
      const survivorName = await withTenant(target, tenantId, async (tx) =>
        keys.decryptField(tx, tenantId, 'contacts.first_name', row[0]!.first_name_enc!),
      );
      assert.equal(JSON.parse(survivorName), 'Survivor');
    };
    const fromLive = await scratchDatabase(env());
    try {
      await migrate(fromLive);
      const result = await restoreBackup(fromLive, master, dir, before.id, { live: env().db });
      assert.equal(
        result.rows,
        before.tables.reduce((n, t) => n + t.rows, 0),
      );
      await check(fromLive, result.replayed);
    } finally {
      await fromLive.close();
    }
    // The live database lost: a newer backup's shred log is enough.
    await writeBackup(env().db, master, dir, { now: new Date(Date.now() + 1000) });
    const fromBackups = await scratchDatabase(env());
    try {
      await migrate(fromBackups);
      await check(fromBackups, (await restoreBackup(fromBackups, master, dir, before.id)).replayed);
      assert.ok(
        !JSON.stringify(await withTenant(fromBackups, tenantId, (tx) => tx.selectFrom('contacts').selectAll().execute())).includes(
          NAME.last,
        ),
      );
    } finally {
      await fromBackups.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('replays erasures from the journal beside the backups, without a newer backup or the live database; refuses a restore without it', async () => {
    const dir = tempDir('lawful-backups-');
    const master = env().app.keys.master;
    // The installation's backup directory: where the job the erasure queues writes the journal.
    const config = env().app.config as { backupDir: string };
    const configured = config.backupDir;
    config.backupDir = dir;
    try {
      const admin = await signUp(env());
      const tenantId = admin.info.workspace.id;
      const { contactId, leadId } = await personEverywhere(env(), admin);
      const backup = await writeBackup(env().db, master, dir);
      const request = (
        await admin.post('/api/v1/dsr-requests', { type: 'erasure', channel: 'email', email: EMAIL, identityStatus: 'verified' })
      ).body;
      assert.equal((await admin.post(`/api/v1/dsr-requests/${request.id}/execute`)).body.status, 'completed');
      await env().app.jobs.drain();
      const journal = fs.readdirSync(dir).filter((name) => name.startsWith('erasure-journal-'));
      assert.equal(journal.length, 2, 'the snapshot the backup wrote, and the segment of the erasure');
      const segment = fs.readFileSync(path.join(dir, journal.sort().at(-1)!), 'utf8');
      for (const value of [EMAIL, NAME.first, NAME.last]) assert.ok(!segment.includes(value), 'ids and keyed hashes only');

      const restore = async (options: { acceptUnreplayedErasures?: boolean } = {}) => {
        const target = await scratchDatabase(env());
        await migrate(target);
        return { target, result: restoreBackup(target, master, dir, backup.id, options) };
      };
      // No newer backup, no --live: the journal alone brings the erasure back.
      const journaled = await restore();
      try {
        const result = await journaled.result;
        assert.deepEqual([result.journal, result.replayed.erasures], ['read', 1]);
        const names = await withTenant(journaled.target, tenantId, (tx) =>
          tx.selectFrom('contacts').select('id').where('id', '=', contactId).execute(),
        );
        assert.deepEqual(names, [], 'the erased person is not restored');
        const keys = await sql<{
          wrapped_key: unknown;
        }>`select wrapped_key from subject_keys where id in (${contactId}, ${leadId})`.execute(journaled.target.kysely);
        assert.deepEqual(
          keys.rows.map((row) => row.wrapped_key),
          [null, null],
          'their keys are destroyed',
        );
      } finally {
        await journaled.target.close();
      }

      // The backups copied without their journal: the restore refuses, unless told to accept the risk.
      for (const name of journal) fs.rmSync(path.join(dir, name));
      const refused = await restore();
      try {
        await assert.rejects(refused.result, /No erasure journal/);
        assert.equal(await count(refused.target, 'tenants'), 0, 'nothing was written');
      } finally {
        await refused.target.close();
      }
      const accepted = await restore({ acceptUnreplayedErasures: true });
      try {
        const result = await accepted.result;
        assert.deepEqual([result.journal, result.replayed.erasures], ['missing', 0]);
        const back = await withTenant(accepted.target, tenantId, (tx) =>
          tx.selectFrom('contacts').select('id').where('id', '=', contactId).execute(),
        );
        assert.equal(back.length, 1, 'what the flag accepts: the erased person is back');
      } finally {
        await accepted.target.close();
      }
    } finally {
      config.backupDir = configured;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('detects a corrupted or tampered backup before writing anything', async () => {
    const dir = tempDir('lawful-backups-');
    const master = env().app.keys.master;
    await signUp(env());
    const manifest = await writeBackup(env().db, master, dir);
    const file = path.join(dir, manifest.data.name);
    const pristine = fs.readFileSync(file);
    const restoreInto = async () => {
      const target = await scratchDatabase(env());
      try {
        await migrate(target);
        await assert.rejects(restoreBackup(target, master, dir, manifest.id), BackupCorruptError);
        assert.equal(await count(target, 'tenants'), 0, 'nothing was written');
        assert.equal(await count(target, 'audit_events'), 0);
      } finally {
        await target.close();
      }
    };
    // One flipped byte in the middle of the data.
    const flipped = Buffer.from(pristine);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x01;
    fs.writeFileSync(file, flipped);
    await assert.rejects(verifyBackup(dir, manifest.id, master), /does not match its checksum/);
    await restoreInto();
    // A consistent forgery of the checksum still fails the encryption tag.
    const forged = JSON.parse(fs.readFileSync(path.join(dir, `${manifest.id}.manifest.json`), 'utf8'));
    forged.data.sha256 = (await import('node:crypto')).createHash('sha256').update(flipped).digest('hex');
    fs.writeFileSync(path.join(dir, `${manifest.id}.manifest.json`), JSON.stringify(forged));
    await assert.rejects(verifyBackup(dir, manifest.id, master), BackupCorruptError);
    await restoreInto();
    // A truncated file.
    fs.writeFileSync(file, pristine.subarray(0, pristine.length - 100));
    await assert.rejects(verifyBackup(dir, manifest.id, master), BackupCorruptError);
    // The intact file with a manifest claiming other row counts.
    fs.writeFileSync(file, pristine);
    forged.data.sha256 = manifest.data.sha256;
    forged.tables[0].rows += 1;
    fs.writeFileSync(path.join(dir, `${manifest.id}.manifest.json`), JSON.stringify(forged));
    await assert.rejects(verifyBackup(dir, manifest.id, master), /do not match the manifest/);
    // Without the right master key nothing can be read.
    fs.writeFileSync(path.join(dir, `${manifest.id}.manifest.json`), JSON.stringify(manifest));
    await assert.rejects(verifyBackup(dir, manifest.id, new LocalKeyring([randomKey()])));
    assert.equal((await verifyBackup(dir, manifest.id, master)).id, manifest.id, 'restored to its original, it verifies');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps seven days of backups, and always the newest', async () => {
    const dir = tempDir('lawful-backups-');
    const master = env().app.keys.master;
    const day = 86_400_000;
    const now = Date.now();
    for (const age of [10, 8, 6, 1]) await writeBackup(env().db, master, dir, { now: new Date(now - age * day) });
    await writeBackup(env().db, master, dir, { now: new Date(now), keepDays: 7 });
    assert.equal((await listBackups(dir)).length, 3, 'the 10- and 8-day-old backups are gone');
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.lcb')).length, 3);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

for (const backend of ['pglite', ...(POSTGRES_ADMIN_URL ? ['postgres'] : [])] as const) {
  describe(`backup process killed [${backend}]`, () => {
    it('kill -9 during a backup leaves the earlier backups intact, and the next run succeeds', async () => {
      const dataDir = tempDir('lawful-backup-kill-');
      const backupDir = path.join(dataDir, 'backups');
      const database = backend === 'postgres' ? await createPostgresDatabase(POSTGRES_ADMIN_URL!, 'lawful_bkill') : null;
      const databaseUrl = database?.url ?? '';
      const key = randomKey();
      const vars: NodeJS.ProcessEnv = {
        ...process.env,
        LAWFUL_DATA_DIR: dataDir,
        LAWFUL_MASTER_KEY: key.toString('base64'),
        DATABASE_URL: databaseUrl,
        LAWFUL_BACKUP_DIR: backupDir,
      };
      const master = new LocalKeyring([key]);
      const runBackup = (...args: string[]) => {
        const child = spawn(process.execPath, [path.join(ROOT, 'bin/lawful.mjs'), ...(args.length ? args : ['backup'])], {
          env: vars,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          child.on('exit', (code, signal) => resolve({ code, signal })),
        );
        return { child, exit, output: () => output };
      };
      try {
        // A workspace with enough rows that a backup takes a while.
        const app = await boot(loadConfig(vars), { master });
        const server = await buildApp(app);
        const admin = await signUp({ app, server, db: app.db } as unknown as TestEnv);
        const tenantId = admin.info.workspace.id;
        const memberId = admin.info.member.id;
        await withTenant(app.db, tenantId, (tx) =>
          sql`insert into accounts (tenant_id, name, owner_id, created_by, industry)
              select ${tenantId}, 'Account ' || g, ${memberId}, ${memberId}, repeat('x', 200) from generate_series(1, 60000) g`.execute(tx),
        );
        await server.close();
        await app.db.close();

        const first = runBackup();
        assert.equal((await first.exit).code, 0, first.output());
        assert.equal((await listBackups(backupDir)).length, 1);
        const [earlier] = await listBackups(backupDir);

        const killed = runBackup();
        const partialExists = () =>
          fs.existsSync(backupDir) &&
          fs.readdirSync(backupDir).some((f) => f.endsWith('.partial') && fs.statSync(path.join(backupDir, f)).size > 0);
        for (const start = Date.now(); !partialExists();) {
          if (killed.child.exitCode !== null || Date.now() - start > 120_000)
            throw new Error(`no backup in progress to kill: ${killed.output()}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        killed.child.kill('SIGKILL');
        assert.equal((await killed.exit).signal, 'SIGKILL');
        assert.deepEqual(
          (await listBackups(backupDir)).map((b) => b.id),
          [earlier!.id],
          'the killed backup does not count',
        );
        assert.equal((await verifyBackup(backupDir, earlier!.id, master)).id, earlier!.id, 'the earlier backup is intact');

        const next = runBackup();
        assert.equal((await next.exit).code, 0, next.output());
        const backups = await listBackups(backupDir);
        assert.equal(backups.length, 2);
        await verifyBackup(backupDir, backups[1]!.id, master);
        assert.equal(
          fs.readdirSync(backupDir).filter((f) => f.endsWith('.partial')).length,
          0,
          'the remains of the killed run are cleared',
        );
        assert.equal(backups[1]!.tables.find((t) => t.table === 'accounts')!.rows, 60000);

        // The command line restores it into a new embedded database.
        const restore = runBackup('restore', backups[1]!.id, '--into', path.join(dataDir, 'restored'));
        assert.equal((await restore.exit).code, 0, restore.output());
        assert.match(restore.output(), new RegExp(`Restored \\d+ rows of ${backups[1]!.id}`));
      } finally {
        await database?.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
