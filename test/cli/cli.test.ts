import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { openPGlite } from '../../src/db/connection.ts';
import { readKeyFile } from '../../src/crypto/master-keys.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../bin/lawful.mjs');

async function lawful(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, LAWFUL_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.LAWFUL_MASTER_KEY;
  delete env.LAWFUL_MASTER_KEYS;
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('lawful CLI (embedded database)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-cli-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('documents every command with --help', async () => {
    for (const command of [[], ['serve'], ['migrate'], ['seed'], ['audit', 'verify'], ['keys', 'rotate']]) {
      const result = await lawful(dataDir, ...command, '--help');
      assert.equal(result.code, 0, command.join(' '));
      assert.match(result.stdout, /Usage: lawful/);
    }
  });

  it('migrates, seeds the demo workspace once, verifies the audit chain and catches tampering', async () => {
    assert.match((await lawful(dataDir, 'migrate')).stdout, /Applied: 0001_/);
    assert.match((await lawful(dataDir, 'migrate')).stdout, /up to date/);

    const seeded = await lawful(dataDir, 'seed', '--demo');
    assert.equal(seeded.code, 0, seeded.stderr);
    assert.match(seeded.stdout, /password: +demo-/);
    assert.match((await lawful(dataDir, 'seed', '--demo')).stdout, /already exists/);

    const verified = await lawful(dataDir, 'audit', 'verify');
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /^ok +\S+ +\d+ events/m);

    const db = await openPGlite(path.join(dataDir, 'pglite'));
    await db.withSession(async (session) => {
      await session.exec('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await session.exec(`UPDATE audit_events SET object_id = 'forged' WHERE seq = 1`);
      await session.exec('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    });
    await db.close();

    const broken = await lawful(dataDir, 'audit', 'verify', '--workspace', 'demo');
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /BROKEN .* at event 1: content does not match its hash/);
  });

  it('rotates the master key online: new key in the file, data still readable', async () => {
    const keyFile = path.join(dataDir, 'master-keys.json');
    const before = readKeyFile(keyFile);
    const rotated = await lawful(dataDir, 'keys', 'rotate');
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /Re-wrapped [1-9]\d* keys of 1 workspaces/);
    const afterKeys = readKeyFile(keyFile);
    assert.equal(afterKeys.length, 1);
    assert.ok(!afterKeys[0]!.equals(before[0]!));
    // boot refuses to start when a needed master key is missing, so a successful command proves the re-wrap.
    assert.equal((await lawful(dataDir, 'audit', 'verify')).code, 1, 'the chain is still the tampered one');
    const seedAgain = await lawful(dataDir, 'seed', '--demo');
    assert.equal(seedAgain.code, 0, seedAgain.stderr);
  });

  it('imports a CSV file as a workspace member, reports bad lines, and skips duplicates on re-run', async () => {
    const file = path.join(dataDir, 'People.CSV');
    fs.writeFileSync(file, 'email,first name,last name\nana@cli.example,Ana,Lima\nnot-an-email,Bad,Row\nbo@cli.example,Bo,Berg\n');
    const first = await lawful(
      dataDir,
      'import',
      'contacts',
      file,
      '--workspace',
      'demo',
      '--strict',
      '--report',
      path.join(dataDir, 'report.json'),
    );
    assert.equal(first.code, 2, first.stderr);
    assert.match(first.stdout, /Created 2 contacts, 0 duplicates skipped, 0 accounts created, 1 rows failed \(of 3\)/);
    assert.match(first.stdout, /line 3: email/);
    const report = JSON.parse(fs.readFileSync(path.join(dataDir, 'report.json'), 'utf8'));
    assert.deepEqual(
      report.errors.map((error: { line: number }) => error.line),
      [3],
    );
    const again = await lawful(dataDir, 'import', 'contacts', file, '--workspace', 'demo', '--strict');
    assert.match(again.stdout, /Created 0 contacts, 2 duplicates skipped/);
    // Without --strict the row is imported without the address it could not read.
    const lenient = await lawful(dataDir, 'import', 'contacts', file, '--workspace', 'demo');
    assert.match(lenient.stdout, /Created 1 contacts, 2 duplicates skipped, 0 accounts created, 0 rows failed \(of 3\)/);
    assert.match(lenient.stdout, /1 rows imported without a value that was not valid/);
    assert.match(lenient.stderr, /Read as utf-8 \(valid-utf-8\), comma-separated \(detected\)/);
    const wrong = await lawful(dataDir, 'import', 'contacts', file, '--workspace', 'nope');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /No workspace "nope"/);
  });

  it('refuses to open an embedded database that another live process holds', async () => {
    const db = await openPGlite(path.join(dataDir, 'pglite'));
    try {
      // The lock file names this (live) process, so a second opener is refused before touching the files.
      const result = await lawful(dataDir, 'migrate');
      assert.equal(result.code, 1);
      assert.match(result.stderr, /in use by process/);
    } finally {
      await db.close();
    }
  });
});
