import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { dumpDatabase, restoreDatabase } from '../../src/backup/logical.ts';
import { replayErasures, shredLogSince } from '../../src/backup/erasure-replay.ts';
import { KeyDestroyedError, KeyService } from '../../src/crypto/keys.ts';
import { migrate } from '../../src/db/migrate.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { verifyTenantChain } from '../../src/audit/service.ts';
import { describeEachDatabase, scratchDatabase, signUp } from '../support/helpers.ts';
import { EMAIL, NAME, personEverywhere } from '../support/subject-fixtures.ts';

describeEachDatabase('erasure reaches backups', (env) => {
  it('a backup taken before an erasure, once restored, cannot show the erased person again', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const { contactId, leadId } = await personEverywhere(env(), admin);
    const other = (await admin.post('/api/v1/contacts', { firstName: 'Survivor', emails: ['survivor@backup.example'] })).body;
    const dump = await dumpDatabase(env().db);
    const takenAt = new Date(dump.takenAt);

    const request = (
      await admin.post('/api/v1/dsr-requests', { type: 'erasure', channel: 'email', email: EMAIL, identityStatus: 'verified' })
    ).body;
    assert.equal((await admin.post(`/api/v1/dsr-requests/${request.id}/execute`)).body.status, 'completed');

    const scratch = await scratchDatabase(env());
    try {
      await migrate(scratch);
      const restored = await restoreDatabase(scratch, dump);
      assert.ok(restored > 40, `restored ${restored} rows of ${dump.tables.reduce((n, t) => n + t.rows.length, 0)}`);
      const keys = new KeyService(env().app.keys.master);
      const ciphertextOf = async (id: string) =>
        withTenant(scratch, tenantId, (tx) =>
          tx.selectFrom('contacts').select('first_name_enc').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst(),
        );
      const read = async (ciphertext: string) =>
        withTenant(scratch, tenantId, (tx) => keys.decryptField(tx, tenantId, 'contacts.first_name', ciphertext));
      // As restored, the backup still holds the person: this is what the replay must undo.
      const before = (await ciphertextOf(contactId))!.first_name_enc!;
      assert.equal(JSON.parse(await read(before)), NAME.first);
      assert.equal((await verifyTenantChain(scratch, tenantId)).ok, true, 'the restored audit trail is intact');

      const replayed = await replayErasures({ db: scratch, keys }, await shredLogSince(env().db, takenAt));
      assert.equal(replayed.erasures, 1);
      assert.equal(await ciphertextOf(contactId), undefined, 'the records are gone again');
      await assert.rejects(read(before), KeyDestroyedError, 'and a copy of the ciphertext made earlier cannot be read');
      const wrapped = await sql<{
        wrapped_key: unknown;
      }>`select wrapped_key from subject_keys where id in (${contactId}, ${leadId})`.execute(scratch.kysely);
      assert.deepEqual(
        wrapped.rows.map((row) => row.wrapped_key),
        [null, null],
      );
      const survivor = (await ciphertextOf(other.id))!.first_name_enc!;
      assert.equal(JSON.parse(await read(survivor)), 'Survivor', 'everyone else is restored');
      const tombstones = await withTenant(scratch, tenantId, (tx) =>
        tx.selectFrom('erasure_tombstones').select('kind').orderBy('kind').execute(),
      );
      assert.deepEqual(
        tombstones.map((row) => row.kind),
        ['email', 'phone'],
        'the tombstones are restored too, so the address and the phone are flagged if they return',
      );
    } finally {
      await scratch.close();
    }
  });
});
