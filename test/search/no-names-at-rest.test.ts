import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { boot } from '../../src/boot.ts';
import { randomKey } from '../../src/crypto/aead.ts';
import { LocalKeyring } from '../../src/crypto/master-keys.ts';
import { openPGlite, openPostgres, type Database } from '../../src/db/connection.ts';
import { buildApp } from '../../src/server.ts';
import { CapturingMailer, createPostgresDatabase, POSTGRES_ADMIN_URL, signUp, testConfig, type TestEnv } from '../support/helpers.ts';

/** A person no other test or fixture would name, so that any copy of these bytes is theirs. */
const PERSON = { firstName: 'Quillonde', lastName: 'Vexmarrow', emails: ['quillonde.vexmarrow@example.org'], phones: ['+44 20 7946 0958'] };
const SECRETS = [PERSON.firstName, PERSON.lastName, PERSON.emails[0]!, '2079460958'];
/** An account's name is business data stored in clear: finding it proves the search would see a name. */
const CONTROL = Buffer.from('Zorblatt Plainview Holdings');

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}

/** Which of the secrets appear, in any letter case, in these bytes. */
function found(bytes: Buffer): string[] {
  const lower = Buffer.from(bytes.toString('latin1').toLowerCase(), 'latin1');
  return SECRETS.filter((secret) => lower.includes(Buffer.from(secret.toLowerCase(), 'utf8')));
}

/** Creates the person and has the directory index them by searching for them, on a fresh node. */
async function indexThePerson(db: Database): Promise<void> {
  const mailer = new CapturingMailer();
  const app = await boot(testConfig(), { db, master: new LocalKeyring([randomKey()]), mailer });
  const server = await buildApp(app);
  await server.ready();
  const env: TestEnv = { backend: db.kind, app, server, mailer, db };
  const admin = await signUp(env);
  assert.equal((await admin.post('/api/v1/accounts', { name: CONTROL.toString() })).status, 201);
  assert.equal((await admin.post('/api/v1/contacts', PERSON)).status, 201);
  const hits = await admin.get('/api/v1/contacts?q=quill%20vexm');
  assert.deepEqual(
    hits.body.items.map((c: { lastName: string }) => c.lastName),
    [PERSON.lastName],
  );
  assert.deepEqual(
    (await admin.get('/api/v1/contacts?sort=lastName')).body.items.map((c: { lastName: string }) => c.lastName),
    [PERSON.lastName],
  );
  await server.close();
}

describe('no name, address or phone at rest after indexing for search', () => {
  it('PGlite: no file of the data directory holds them, WAL included', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-at-rest-'));
    const db = await openPGlite(path.join(dir, 'pglite'));
    await indexThePerson(db);
    await sql`checkpoint`.execute(db.kysely);
    await db.close();
    const files = filesUnder(dir);
    assert.ok(
      files.some((file) => file.includes('pg_wal')),
      'the WAL was searched too',
    );
    let control = 0;
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      assert.deepEqual(found(bytes), [], file);
      if (bytes.includes(CONTROL)) control += 1;
    }
    assert.ok(control > 0, 'the account name stored in clear is found: the search works');
  });

  it(
    'PostgreSQL: neither a pg_dump of the database nor the server’s WAL holds them',
    { skip: POSTGRES_ADMIN_URL ? false : 'needs DATABASE_URL' },
    async () => {
      const started = Date.now();
      const database = await createPostgresDatabase(POSTGRES_ADMIN_URL!);
      const db = await openPostgres(database.url, 4);
      try {
        await indexThePerson(db);
        const dump = execFileSync('pg_dump', ['--data-only', database.url], { maxBuffer: 256 * 1024 * 1024 });
        assert.ok(dump.includes(Buffer.from('COPY public.contacts')), 'the dump holds the contacts table');
        assert.deepEqual(found(dump), []);
        assert.ok(dump.includes(CONTROL), 'the account name stored in clear is in the dump');

        await sql`checkpoint`.execute(db.kysely);
        const { rows } = await sql<{ dir: string }>`select current_setting('data_directory') as dir`.execute(db.kysely);
        const walDir = path.join(rows[0]!.dir, 'pg_wal');
        let wal: string[];
        try {
          wal = fs.readdirSync(walDir).filter((name) => /^[0-9A-F]{24}$/.test(name));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EACCES') return void console.log(`# cannot read ${walDir}: WAL not checked`);
          throw error;
        }
        const written = wal.filter((name) => fs.statSync(path.join(walDir, name)).mtimeMs >= started - 1_000);
        assert.ok(written.length > 0, 'the WAL segments written during the test were found');
        let control = 0;
        for (const name of written) {
          const bytes = fs.readFileSync(path.join(walDir, name));
          assert.deepEqual(found(bytes), [], name);
          if (bytes.includes(CONTROL)) control += 1;
        }
        assert.ok(control > 0, 'the account name stored in clear is in the WAL: the search works');
      } finally {
        await db.close();
        await database.drop();
      }
    },
  );
});
