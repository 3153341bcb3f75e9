import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { it } from 'node:test';
import { randomKey } from '../../src/crypto/aead.ts';
import { KeyDestroyedError, KeyService, rotateMasterKey } from '../../src/crypto/keys.ts';
import { LocalKeyring, MasterKeyError } from '../../src/crypto/master-keys.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

describeEachDatabase('envelope encryption', (env) => {
  const subject = () => crypto.randomUUID();

  it('round-trips a field and keeps its ciphertext free of the clear value', async () => {
    const tenantId = (await signUp(env())).info.workspace.id;
    const id = subject();
    const { keys, db } = env().app;
    const ciphertext = await withTenant(db, tenantId, (tx) => keys.encryptField(tx, tenantId, id, 'contacts.email', 'grace@example.com'));
    assert.match(ciphertext, new RegExp(`^enc1:${id}:`), 'the subject key id travels in the ciphertext');
    assert.ok(!ciphertext.includes('grace'));
    const clear = await withTenant(db, tenantId, (tx) => keys.decryptField(tx, tenantId, 'contacts.email', ciphertext));
    assert.equal(clear, 'grace@example.com');
    // A fresh process (no caches) reads it through the wrapped keys alone.
    const cold = new KeyService(keys.master);
    assert.equal(
      await withTenant(db, tenantId, (tx) => cold.decryptField(tx, tenantId, 'contacts.email', ciphertext)),
      'grace@example.com',
    );
  });

  it('rejects a tampered ciphertext and a ciphertext moved to another field', async () => {
    const tenantId = (await signUp(env())).info.workspace.id;
    const { keys, db } = env().app;
    const ciphertext = await withTenant(db, tenantId, (tx) => keys.encryptField(tx, tenantId, subject(), 'contacts.first_name', 'Grace'));
    const [prefix, id, body] = ciphertext.split(':') as [string, string, string];
    const bytes = Buffer.from(body, 'base64url');
    bytes[bytes.length - 1]! ^= 0x01;
    const tampered = `${prefix}:${id}:${bytes.toString('base64url')}`;
    await assert.rejects(
      withTenant(db, tenantId, (tx) => keys.decryptField(tx, tenantId, 'contacts.first_name', tampered)),
      /authenticated/,
    );
    await assert.rejects(
      withTenant(db, tenantId, (tx) => keys.decryptField(tx, tenantId, 'contacts.last_name', ciphertext)),
      /authenticated/,
    );
  });

  it('makes every ciphertext of a subject undecryptable once its key is destroyed', async () => {
    const tenantId = (await signUp(env())).info.workspace.id;
    const { keys, db } = env().app;
    const id = subject();
    const ciphertexts = await withTenant(db, tenantId, async (tx) => [
      await keys.encryptField(tx, tenantId, id, 'contacts.email', 'ada@example.com'),
      await keys.encryptField(tx, tenantId, id, 'contacts.first_name', 'Ada'),
    ]);
    const other = subject();
    const survivor = await withTenant(db, tenantId, (tx) => keys.encryptField(tx, tenantId, other, 'contacts.email', 'bob@example.com'));

    assert.equal(await withTenant(db, tenantId, (tx) => keys.destroySubjectKey(tx, tenantId, id)), true);
    for (const ciphertext of ciphertexts) {
      await assert.rejects(
        withTenant(db, tenantId, (tx) => keys.decryptField(tx, tenantId, 'contacts.email', ciphertext)),
        KeyDestroyedError,
      );
      const cold = new KeyService(keys.master);
      await assert.rejects(
        withTenant(db, tenantId, (tx) => cold.decryptField(tx, tenantId, 'contacts.email', ciphertext)),
        KeyDestroyedError,
      );
    }
    const row = await withTenant(db, tenantId, (tx) =>
      tx.selectFrom('subject_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    );
    assert.equal(row.wrapped_key, null);
    assert.ok(row.destroyed_at);
    assert.equal(await withTenant(db, tenantId, (tx) => keys.decryptField(tx, tenantId, 'contacts.email', survivor)), 'bob@example.com');
    // Destroying twice is harmless and says nothing was left to destroy.
    assert.equal(await withTenant(db, tenantId, (tx) => keys.destroySubjectKey(tx, tenantId, id)), false);
  });

  it('gives a blind index that is deterministic within a workspace and differs across workspaces', async () => {
    const a = (await signUp(env())).info.workspace.id;
    const b = (await signUp(env())).info.workspace.id;
    const { keys, db } = env().app;
    const indexIn = (tenantId: string, value: string) => withTenant(db, tenantId, (tx) => keys.blindIndex(tx, tenantId, 'email', value));
    assert.equal(await indexIn(a, 'x@example.com'), await indexIn(a, 'x@example.com'));
    assert.notEqual(await indexIn(a, 'x@example.com'), await indexIn(a, 'y@example.com'));
    assert.notEqual(await indexIn(a, 'x@example.com'), await indexIn(b, 'x@example.com'));
  });

  it('rotates the master key without touching data, and the old key can then be dropped', async () => {
    const tenantId = (await signUp(env())).info.workspace.id;
    const { keys, db } = env().app;
    const oldMaster = keys.master as LocalKeyring;
    const ciphertext = await withTenant(db, tenantId, (tx) =>
      keys.encryptField(tx, tenantId, subject(), 'notes.body', 'call back on Monday'),
    );
    const before = await withTenant(db, tenantId, (tx) => keys.blindIndex(tx, tenantId, 'email', 'x@example.com'));

    const newKey = randomKey();
    const both = new LocalKeyring([newKey, ...(oldMaster as any).keys.values()]);
    const result = await rotateMasterKey(db, both);
    assert.ok(result.rewrapped >= 2);

    const onlyNew = new LocalKeyring([newKey]);
    const keyIds = await db.kysely.selectFrom('tenant_keys').select('master_key_id').distinct().execute();
    assert.deepEqual(
      keyIds.map((row) => row.master_key_id),
      [onlyNew.currentKeyId()],
    );
    const fresh = new KeyService(onlyNew);
    await fresh.loadSystemKey(db);
    assert.equal(await withTenant(db, tenantId, (tx) => fresh.decryptField(tx, tenantId, 'notes.body', ciphertext)), 'call back on Monday');
    assert.equal(await withTenant(db, tenantId, (tx) => fresh.blindIndex(tx, tenantId, 'email', 'x@example.com')), before);

    // The retired key alone can no longer unwrap anything.
    const stale = new KeyService(oldMaster);
    await assert.rejects(
      withTenant(db, tenantId, (tx) => stale.decryptField(tx, tenantId, 'notes.body', ciphertext)),
      MasterKeyError,
    );
  });
});
