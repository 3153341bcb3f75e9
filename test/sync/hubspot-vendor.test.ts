import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ObjectSerializer as ObjectModels } from '@hubspot/api-client/lib/codegen/crm/objects/models/ObjectSerializer.js';
import { withTenant } from '../../src/db/tenant.ts';
import { hubspotConnector } from '../../src/sync/hubspot/connector.ts';
import { conforming, FakeHubSpot } from '../support/fakes/hubspot.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

/**
 * Issue 25, finding 4, against HubSpot's documented behaviour: a deal's currency is its own
 * deal_currency_code or the portal's companyCurrency (GET /account-info/v3/details); stages of any
 * pipeline come from GET /crm/v3/pipelines/deals (metadata.probability, metadata.isClosed); a
 * merged contact vanishes and the survivor lists it in hs_merged_object_ids; a contact removed
 * with the GDPR delete leaves no archived trace; a task needs hs_timestamp.
 */
describeEachDatabase('HubSpot: currencies, pipelines, merges, permanent deletions', (env) => {
  const fake = new FakeHubSpot();
  let admin: Client;
  let tenantId: string;
  let integrationId: string;
  const ids: Record<string, string> = {};

  before(async () => {
    await fake.start();
    fake.companyCurrency = 'CHF';
    fake.customPipelines.push({
      id: '7788',
      label: 'Partner deals',
      stages: [
        { id: '9001', label: 'Intro call', metadata: { probability: '0.1', isClosed: 'false' } },
        { id: '9002', label: 'Terms agreed', metadata: { probability: '0.8', isClosed: 'false' } },
        { id: '9003', label: 'Signed', metadata: { probability: '1.0', isClosed: 'true' } },
        { id: '9004', label: 'Walked away', metadata: { probability: '0.0', isClosed: 'true' } },
      ],
    });
    fake.seed('deals', { dealname: 'Swiss deal', amount: '100', dealstage: '9002', pipeline: '7788' });
    fake.seed('deals', { dealname: 'Dollar deal', amount: '200', deal_currency_code: 'USD', dealstage: '9003', pipeline: '7788' });
    fake.seed('deals', { dealname: 'Lost deal', amount: '300', dealstage: '9004', pipeline: '7788' });
    // Enough people that one deletion is not a suspicious shrink (LAWFUL_SYNC_MAX_SHRINK).
    for (let i = 0; i < 8; i++) fake.seed('contacts', { firstname: `Fill${i}`, email: `fill${i}@hub.example` });
    for (const name of ['Mara', 'Mia', 'Gina', 'Gus'])
      ids[name] = fake.seed('contacts', { firstname: name, lastname: 'Hub', email: `${name.toLowerCase()}@hub.example` }).id;
    admin = await signUp(env());
    tenantId = admin.info.workspace.id;
    const tokens = fake.issueTokens();
    const created = await admin.post('/api/v1/integrations', {
      kind: 'hubspot',
      label: 'HubSpot',
      baseUrl: fake.url,
      objects: ['contacts', 'deals'],
      credentials: { kind: 'api_key', token: tokens.accessToken },
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
            .where('object', '=', 'contacts')
            .execute(),
        )
      ).map((l) => l.external_id),
    );
  const sync = async () => {
    await admin.post(`/api/v1/integrations/${integrationId}/sync`);
    await env().app.jobs.drain();
    const run = (await admin.get(`/api/v1/integrations/${integrationId}/runs?limit=1`)).body.items[0];
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    return run;
  };

  it("maps a custom pipeline's stages by their metadata, and gives a deal without a currency the portal's", async () => {
    const deals = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('opportunities').select(['name', 'currency', 'stage']).where('tenant_id', '=', tenantId).orderBy('name').execute(),
    );
    assert.deepEqual(deals, [
      { name: 'Dollar deal', currency: 'USD', stage: 'closed_won' },
      { name: 'Lost deal', currency: 'CHF', stage: 'closed_lost' },
      { name: 'Swiss deal', currency: 'CHF', stage: 'negotiation' },
    ]);
  });

  it('a merged contact is gone here too, and the survivor stays', async () => {
    fake.merge(ids.Mara!, ids.Mia!);
    const run = await sync();
    assert.equal(run.stats.contacts.deleted, 1);
    const links = await linked();
    assert.equal(links.has(ids.Mia!), false, 'the merged-away contact is no longer linked');
    assert.equal(links.has(ids.Mara!), true);
    const emails = (await admin.get('/api/v1/contacts?limit=50')).body.items
      .map((c: any) => c.emails[0])
      .filter((e: string) => !e.startsWith('fill'))
      .sort();
    assert.deepEqual(emails, ['gina@hub.example', 'gus@hub.example', 'mara@hub.example']);
  });

  it("a contact removed with HubSpot's GDPR delete is found by the reconciliation", async () => {
    fake.objects.contacts.delete(ids.Gus!);
    const quiet = await sync();
    assert.equal(quiet.stats.contacts.deleted, 0, 'no archived trace to read');
    await withTenant(env().db, tenantId, (tx) =>
      tx
        .updateTable('integrations')
        .set({ reconciled_at: new Date(Date.now() - 8 * 86_400_000) })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', integrationId)
        .execute(),
    );
    const run = await sync();
    assert.equal(run.reconcile, true);
    assert.equal(run.stats.contacts.deleted, 1);
    assert.equal((await linked()).has(ids.Gus!), false);
  });

  it('a task written to HubSpot carries hs_timestamp, even without a due date', async () => {
    const connector = hubspotConnector({
      baseUrl: fake.url,
      credentials: { kind: 'api_key', token: fake.issueTokens().accessToken },
      onCredentials: async () => {},
    });
    const task = await connector.create('tasks', { title: 'Call Gina', dueAt: null, done: false });
    assert.ok(fake.objects.tasks.get(task.id)!.properties.hs_timestamp, 'HubSpot refuses a task without it');
  });
});

/**
 * The fake answers only what @hubspot/api-client's generated models read back unchanged: a reply
 * with a field the SDK drops, or a date in another format, is refused (issue 25, must deliver 1).
 */
describe('the fake HubSpot conforms to the SDK models', () => {
  const object = {
    id: '7',
    properties: { email: 'a@b.example', phone: null },
    createdAt: '2026-01-02T03:04:05.678Z',
    updatedAt: '2026-01-02T03:04:05.678Z',
    archived: false,
  };

  it('accepts an object in the vendor shape', () => {
    assert.deepEqual(conforming(ObjectModels, 'SimplePublicObject', object), object);
  });

  it('refuses a field the SDK model does not have, a misnamed field and another date format', () => {
    assert.throws(() => conforming(ObjectModels, 'SimplePublicObject', { ...object, propertiez: {} }), /not what the SDK reads/);
    assert.throws(
      () =>
        conforming(ObjectModels, 'CollectionResponseSimplePublicObjectWithAssociationsForwardPaging', {
          results: [object],
          paging: { next: { cursor: '8' } },
        }),
      /not what the SDK reads/,
    );
    assert.throws(
      () => conforming(ObjectModels, 'SimplePublicObject', { ...object, createdAt: '2026-01-02T03:04:05Z' }),
      /not what the SDK reads/,
    );
  });
});
