import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import S3rver from 's3rver';
import { listBackups, pruneBackups, verifyBackup, writeBackup } from '../../src/backup/archive.ts';
import { restoreBackup } from '../../src/backup/restore.ts';
import { openBackupStore, S3Store } from '../../src/backup/store.ts';
import { migrate } from '../../src/db/migrate.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { describeEachDatabase, scratchDatabase, signUp } from '../support/helpers.ts';

// A local S3-compatible server (s3rver) keeps the objects as files: the test can look at the bytes.
const bucketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-s3-'));
const server = new S3rver({
  port: 0,
  address: '127.0.0.1',
  silent: true,
  directory: bucketDir,
  configureBuckets: [{ name: 'lawful-backups' }],
});
let endpoint = '';
before(async () => {
  endpoint = `http://127.0.0.1:${(await server.run()).port}`;
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
});
after(async () => {
  await server.close();
  fs.rmSync(bucketDir, { recursive: true, force: true });
});

const objectsContaining = (text: string) => {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (fs.readFileSync(file).includes(Buffer.from(text))) found.push(file);
    }
  };
  walk(bucketDir);
  return found;
};

describeEachDatabase('backups in an S3-compatible bucket', (env) => {
  it('writes full and incremental backups to the bucket, verifies, restores and prunes them there', async () => {
    const location = `s3://lawful-backups/${env().backend}/${Date.now()}`;
    const store = openBackupStore(location, { LAWFUL_BACKUP_S3_ENDPOINT: endpoint });
    assert.ok(store instanceof S3Store);
    const master = env().app.keys.master;
    const admin = await signUp(env());
    await admin.post('/api/v1/contacts', { firstName: 'Bucketina', emails: ['bucketina@s3.example'] });
    const full = await writeBackup(env().db, master, store, { kind: 'full', now: new Date(Date.now() - 9 * 86_400_000) });
    const contact = (await admin.post('/api/v1/contacts', { firstName: 'Incrementa', emails: ['incrementa@s3.example'] })).body;
    const incremental = await writeBackup(env().db, master, store, { kind: 'incremental' });
    assert.equal(incremental.kind, 'incremental');
    assert.equal(incremental.base, full.id);
    assert.deepEqual(
      (await listBackups(store)).map((b) => b.id),
      [full.id, incremental.id],
    );
    assert.deepEqual(objectsContaining('Bucketina'), [], 'what lands in the bucket is encrypted');
    assert.deepEqual(objectsContaining('Incrementa'), []);
    await verifyBackup(store, incremental.id, master);

    const target = await scratchDatabase(env());
    try {
      await migrate(target);
      const result = await restoreBackup(target, master, store, incremental.id);
      assert.deepEqual(result.chain, [full.id, incremental.id]);
      const tenantId = admin.info.workspace.id;
      const restored = await withTenant(target, tenantId, (tx) =>
        tx.selectFrom('contacts').select('id').where('tenant_id', '=', tenantId).execute(),
      );
      assert.equal(restored.length, 2);
      assert.ok(
        restored.some((row) => row.id === contact.id),
        'the contact only the incremental backup holds is back',
      );
      assert.equal(
        result.rows,
        incremental.tables.reduce((n, t) => n + t.state.rows, 0),
      );
    } finally {
      await target.close();
    }

    // The full backup is nine days old, but the incremental one needs it; a new full one frees it.
    assert.deepEqual(await pruneBackups(store, 7), []);
    const next = await writeBackup(env().db, master, store, { kind: 'full', now: new Date(Date.now() + 1000) });
    await writeBackup(env().db, master, store, { kind: 'full', now: new Date(Date.now() + 8 * 86_400_000), keepDays: 7 });
    assert.ok(
      !(await listBackups(store)).some((b) => b.id === full.id || b.id === incremental.id || b.id === next.id),
      'the old chain is gone from the bucket',
    );
    assert.deepEqual(await store.list().then((names) => names.filter((name) => name.startsWith(full.id))), []);
  });
});
