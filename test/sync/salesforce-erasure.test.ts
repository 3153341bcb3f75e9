import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FakeSalesforce } from '../support/fakes/salesforce.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';
import { LONG_AGO } from './sync-fixtures.ts';

/**
 * Issue 25, must deliver 6: an erasure reaches Salesforce permanently. A deleted record stays in
 * the Recycle Bin for 15 days and can be undeleted; a Bulk API 2.0 job with operation hardDelete
 * skips the Recycle Bin, and needs the "Bulk API Hard Delete" user permission (Salesforce
 * Developer Guide, "Bulk API 2.0": operation values insert, delete, hardDelete, update, upsert).
 * Without that permission the record is deleted the ordinary way, and the receipt says it is not
 * yet permanent (Art. 19: what the recipient did, truthfully).
 */
describeEachDatabase('Salesforce: erasure carried out permanently', (env) => {
  const allowed = new FakeSalesforce();
  const refused = new FakeSalesforce();
  let admin: Client;

  before(async () => {
    await allowed.start();
    await refused.start();
    refused.allowHardDelete = false;
    allowed.seed('Contact', { FirstName: 'Hanna', LastName: 'Hard', Email: 'hanna@sf.example' }, LONG_AGO);
    refused.seed('Contact', { FirstName: 'Rudi', LastName: 'Recycled', Email: 'rudi@sf.example' }, LONG_AGO);
    // Enough people in each org that one erasure is not a suspicious shrink.
    for (let i = 0; i < 6; i++)
      for (const fake of [allowed, refused]) fake.seed('Contact', { LastName: `Fill${i}`, Email: `fill${i}@sf.example` }, LONG_AGO);
    admin = await signUp(env());
  });
  after(async () => {
    await allowed.stop();
    await refused.stop();
  });

  const connect = async (fake: FakeSalesforce, label: string) => {
    const created = await admin.post('/api/v1/integrations', {
      kind: 'salesforce',
      label,
      baseUrl: fake.url,
      objects: ['Contact'],
      credentials: fake.oauthCredentials(),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await env().app.jobs.drain();
    return created.body.id as string;
  };
  const erase = async (email: string) => {
    const request = (await admin.post('/api/v1/dsr-requests', { type: 'erasure', channel: 'email', email, identityStatus: 'verified' }))
      .body;
    const executed = await admin.post(`/api/v1/dsr-requests/${request.id}/execute`);
    assert.equal(executed.body.status, 'completed', JSON.stringify(executed.body));
    await env().app.jobs.drain();
    return (await admin.get(`/api/v1/dsr-requests/${request.id}`)).body.recipients as Array<Record<string, unknown>>;
  };

  it('hard-deletes with a Bulk API 2.0 job when the user may: the record skips the Recycle Bin', async () => {
    const integrationId = await connect(allowed, 'Org with hard delete');
    const hanna = allowed.live('Contact').find((c) => c.Email === 'hanna@sf.example')!;
    const recipients = await erase('hanna@sf.example');
    assert.equal(allowed.records.Contact.has(hanna.Id), false, 'not in the Recycle Bin either');
    assert.ok(allowed.hardDeleted.has(hanna.Id));
    assert.deepEqual(allowed.ingestJobs.size, 0, 'the finished job, whose results name the record, is deleted');
    assert.deepEqual(
      recipients.map((r) => [r.integrationId, r.object, r.state, r.permanent, r.note]),
      [
        [
          integrationId,
          'Contact',
          'done',
          true,
          'hard-deleted in Salesforce (Bulk API 2.0): it skipped the Recycle Bin and cannot be restored',
        ],
      ],
    );
  });

  it('deletes the ordinary way when hard delete is refused, and the receipt says it is restorable for 15 days', async () => {
    const integrationId = await connect(refused, 'Org without hard delete');
    const rudi = refused.live('Contact').find((c) => c.Email === 'rudi@sf.example')!;
    const recipients = await erase('rudi@sf.example');
    assert.equal(refused.records.Contact.get(rudi.Id)?.IsDeleted, true, 'in the Recycle Bin');
    assert.equal(recipients.length, 1);
    assert.deepEqual([recipients[0]!.integrationId, recipients[0]!.state, recipients[0]!.permanent], [integrationId, 'done', false]);
    assert.match(String(recipients[0]!.note), /hard delete refused .*Bulk API Hard Delete.*Recycle Bin for up to 15 days/);
  });
});
