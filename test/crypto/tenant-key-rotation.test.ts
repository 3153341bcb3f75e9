import assert from 'node:assert/strict';
import { it } from 'node:test';
import { KeyService, rotateTenantDataKey } from '../../src/crypto/keys.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

describeEachDatabase('workspace data key rotation', (env) => {
  it('re-wraps every person key under a new version online, and destroys the old version once unused', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await admin.post('/api/v1/contacts', { firstName: `Rota${i}`, emails: [`rota${i}@example.org`] })).body.id);
    const erased = (
      await admin.post('/api/v1/dsr-requests', {
        type: 'erasure',
        channel: 'email',
        email: 'rota4@example.org',
        identityStatus: 'verified',
      })
    ).body;
    assert.equal((await admin.post(`/api/v1/dsr-requests/${erased.id}/execute`)).body.status, 'completed');
    const versions = () =>
      withTenant(env().db, tenantId, (tx) =>
        tx.selectFrom('tenant_keys').select(['id', 'purpose', 'retired_at']).where('tenant_id', '=', tenantId).orderBy('id').execute(),
      );
    const before = await versions();

    const first = await rotateTenantDataKey(env().db, env().app.keys.master, tenantId, { batchSize: 2 });
    assert.ok(first.rewrapped >= 4, `re-wrapped ${first.rewrapped}`);
    assert.deepEqual(first.destroyed, [], 'the old version stays while nodes may still use it');
    const wrappedUnder = await withTenant(env().db, tenantId, (tx) =>
      tx
        .selectFrom('subject_keys')
        .select(['tenant_key_version', 'wrapped_key'])
        .where('tenant_id', '=', tenantId)
        .where('wrapped_key', 'is not', null)
        .execute(),
    );
    assert.ok(wrappedUnder.every((row) => row.tenant_key_version === first.version));

    // The server keeps working meanwhile: a node still on the old version creates a person.
    const late = (await admin.post('/api/v1/contacts', { firstName: 'Late', emails: ['late@example.org'] })).body.id;
    // A fresh process (no cached keys) reads every person through the new version.
    const fresh = new KeyService(env().app.keys.master);
    const readName = (id: string) =>
      withTenant(env().db, tenantId, async (tx) => {
        const row = await tx
          .selectFrom('contacts')
          .select('first_name_enc')
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return JSON.parse(await fresh.decryptField(tx, tenantId, 'contacts.first_name', row.first_name_enc!));
      });
    for (let i = 0; i < 4; i++) assert.equal(await readName(ids[i]!), `Rota${i}`);
    assert.equal(await readName(late), 'Late');

    // Later, a second run re-wraps the stragglers and destroys every version no key uses any more.
    const second = await rotateTenantDataKey(env().db, env().app.keys.master, tenantId, { retiredForMs: 0 });
    const after = await versions();
    assert.deepEqual(
      after.filter((k) => k.purpose === 'data').map((k) => k.id),
      [second.version],
      JSON.stringify({ before, after, second }),
    );
    assert.ok(
      after.some((k) => k.purpose === 'index'),
      'the blind-index key is kept',
    );
    for (let i = 0; i < 4; i++) assert.equal(await readName(ids[i]!), `Rota${i}`);
    assert.equal(await readName(late), 'Late');
    assert.equal((await admin.get(`/api/v1/contacts/${ids[0]}`)).body.firstName, 'Rota0');
  });
});
