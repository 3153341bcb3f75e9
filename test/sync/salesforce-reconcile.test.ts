import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { withTenant } from '../../src/db/tenant.ts';
import { FakeSalesforce } from '../support/fakes/salesforce.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

/**
 * Issue 25, finding 3. Salesforce keeps deleted records in the Recycle Bin for 15 days, less when
 * it is emptied early, and getDeleted reaches no further ("INVALID_REPLICATION_DATE"); the token
 * response names the org's instance_url, which changes when an org moves. Salesforce REST API
 * Developer Guide, "Get a List of Deleted Records Within a Given Timeframe", and the OAuth 2.0
 * refresh token flow ("instance_url: … the instance of the org").
 */
describeEachDatabase('Salesforce: instance_url on refresh, reconciliation of deletions, full resync', (env) => {
  const fake = new FakeSalesforce();
  let admin: Client;
  let tenantId: string;
  let integrationId: string;

  before(async () => {
    await fake.start();
    for (let i = 0; i < 20; i++) fake.seed('Contact', { FirstName: `Rita${i}`, LastName: 'Recon', Email: `rita${i}@recon.example` });
    admin = await signUp(env());
    tenantId = admin.info.workspace.id;
    const created = await admin.post('/api/v1/integrations', {
      kind: 'salesforce',
      label: 'Salesforce',
      baseUrl: fake.url,
      objects: ['Contact'],
      credentials: fake.oauthCredentials(),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    integrationId = created.body.id;
    await env().app.jobs.drain();
  });
  after(() => fake.stop());

  const linked = async () =>
    new Set(
      (
        await withTenant(env().db, tenantId, (tx) =>
          tx
            .selectFrom('sync_links')
            .select('external_id')
            .where('tenant_id', '=', tenantId)
            .where('integration_id', '=', integrationId)
            .execute(),
        )
      ).map((l) => l.external_id),
    );
  const live = () => new Set(fake.live('Contact').map((r) => r.Id));
  const sync = async (body: Record<string, unknown> = {}) => {
    assert.equal((await admin.post(`/api/v1/integrations/${integrationId}/sync`, body)).status, 202);
    await env().app.jobs.drain();
    const run = (await admin.get(`/api/v1/integrations/${integrationId}/runs?limit=1`)).body.items[0];
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    return run;
  };
  const age = (fields: { synced_until?: Date; reconciled_at?: Date }) =>
    withTenant(env().db, tenantId, (tx) =>
      tx.updateTable('integrations').set(fields).where('tenant_id', '=', tenantId).where('id', '=', integrationId).execute(),
    );
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

  it('follows the instance_url a refreshed token names, and keeps it for the next runs', async () => {
    const moved = await fake.listenAgain();
    fake.instanceUrl = moved;
    fake.expireSessions();
    fake.modify('Contact', fake.live('Contact')[0]!.Id, { Title: 'Moved' });
    const mark = fake.log.length;
    const run = await sync();
    assert.equal(run.stats.Contact.updated, 1);
    const after = fake.log.slice(mark);
    const refreshAt = after.findIndex((e) => e.path === '/services/oauth2/token');
    assert.ok(refreshAt >= 0, 'the session was refreshed');
    const movedHost = new URL(moved).host;
    assert.ok(
      after.slice(refreshAt + 1).every((e) => e.host === movedHost),
      'every request after the refresh went to the new instance',
    );
    const mark2 = fake.log.length;
    await sync();
    const next = fake.log.slice(mark2);
    assert.ok(next.length > 0 && next.every((e) => e.host === movedHost), 'the stored credentials carry the new instance');
  });

  it('a deletion the emptied Recycle Bin hid is found by the weekly reconciliation, not before', async () => {
    const gone = fake
      .live('Contact')
      .slice(-2)
      .map((r) => r.Id);
    for (const id of gone) fake.remove('Contact', id);
    fake.emptyRecycleBin();
    const quiet = await sync();
    assert.equal(quiet.reconcile, false);
    assert.equal(quiet.stats.Contact.deleted, 0, 'the deletion log no longer tells');
    const stale = await linked();
    assert.ok(
      gone.every((id) => stale.has(id)),
      'still linked',
    );
    await age({ reconciled_at: daysAgo(8) });
    const mark = fake.log.length;
    const run = await sync();
    assert.equal(run.reconcile, true);
    assert.equal(run.stats.Contact.deleted, 2);
    assert.ok(
      fake.log.slice(mark).some((e) => e.path.endsWith('/query')),
      'ids listed by SOQL',
    );
    assert.deepEqual(await linked(), live());
  });

  it('after a 16-day gap the run reconciles instead of asking for deletions Salesforce no longer keeps', async () => {
    const gone = fake.live('Contact').at(-1)!.Id;
    fake.remove('Contact', gone);
    fake.emptyRecycleBin();
    await age({ synced_until: daysAgo(16) });
    const mark = fake.log.length;
    const run = await sync();
    assert.equal(run.reconcile, true);
    assert.equal(run.stats.Contact.deleted, 1);
    assert.equal(fake.log.slice(mark).filter((e) => e.status === 400).length, 0, 'no refused INVALID_REPLICATION_DATE');
    assert.deepEqual(await linked(), live());
  });

  it('a full resync lists everything again and deletes what Salesforce no longer has', async () => {
    const gone = fake.live('Contact').at(-1)!.Id;
    fake.remove('Contact', gone);
    fake.emptyRecycleBin();
    const run = await sync({ fullResync: true });
    assert.equal(run.mode, 'initial');
    assert.equal(run.fullResync, true);
    assert.equal(run.reconcile, true);
    assert.equal(run.stats.Contact.fetched, fake.live('Contact').length);
    assert.equal(run.stats.Contact.created, 0, 'nothing copied twice');
    assert.equal(run.stats.Contact.deleted, 1);
    assert.deepEqual(await linked(), live());
  });
});
