import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Sealer } from '../../src/crypto/sealer.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { FakeSalesforce, type SalesforceType } from '../support/fakes/salesforce.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';
import { LONG_AGO } from './sync-fixtures.ts';

const SIZES: Record<SalesforceType, number> = { Account: 10_000, Contact: 30_000, Lead: 3_000, Opportunity: 5_000, Task: 2_000 };

function seed(fake: FakeSalesforce) {
  const accounts: string[] = [];
  for (let i = 0; i < SIZES.Account; i++)
    accounts.push(
      fake.seed(
        'Account',
        { Name: `SF Account ${i}`, Website: `https://www.sf-account-${i}.example`, Industry: 'Banking', BillingCountry: 'Germany' },
        LONG_AGO,
      ).Id,
    );
  for (let i = 0; i < SIZES.Contact; i++)
    fake.seed(
      'Contact',
      { FirstName: `Sam${i}`, LastName: 'Force', Email: `sam${i}@sf.example`, Title: 'Buyer', AccountId: accounts[i % accounts.length] },
      LONG_AGO,
    );
  for (let i = 0; i < SIZES.Lead; i++)
    fake.seed('Lead', { FirstName: `Lee${i}`, LastName: 'Lead', Email: `lee${i}@sf-leads.example`, Company: `Lead Co ${i}` }, LONG_AGO);
  for (let i = 0; i < SIZES.Opportunity; i++)
    fake.seed(
      'Opportunity',
      {
        Name: `SF Deal ${i}`,
        Amount: 1000 + i,
        StageName: i % 2 ? 'Prospecting' : 'Closed Won',
        CloseDate: '2026-12-31',
        AccountId: accounts[i % accounts.length],
      },
      LONG_AGO,
    );
  for (let i = 0; i < SIZES.Task; i++)
    fake.seed('Task', { Subject: `Follow up ${i}`, ActivityDate: '2026-12-01', Status: 'Not Started' }, LONG_AGO);
}

describeEachDatabase('Salesforce sync: initial and incremental', (env) => {
  const fake = new FakeSalesforce();
  let admin: Client;
  let tenantId: string;
  let integrationId: string;

  before(async () => {
    await fake.start();
    seed(fake);
    admin = await signUp(env());
    tenantId = admin.info.workspace.id;
  });
  after(() => fake.stop());

  const expectEqualToSalesforce = async () => {
    const state = await withTenant(env().db, tenantId, async (tx) => {
      const links = await tx
        .selectFrom('sync_links')
        .select(['object', 'external_id', 'record_id'])
        .where('tenant_id', '=', tenantId)
        .where('integration_id', '=', integrationId)
        .execute();
      const leads = await tx.selectFrom('leads').select(['id', 'email_enc', 'company_name']).where('tenant_id', '=', tenantId).execute();
      const sealer = new Sealer(env().app, tx, tenantId);
      await sealer.preload(leads.map((l) => l.id));
      const leadEmails = new Set<string>();
      for (const lead of leads) leadEmails.add((await sealer.open<string>('leads.email', lead.email_enc))!);
      const accounts = await tx.selectFrom('accounts').select(['name', 'domain']).where('tenant_id', '=', tenantId).execute();
      return { links, leadEmails, accountNames: new Set(accounts.map((a) => `${a.name}|${a.domain}`)) };
    });
    for (const type of Object.keys(SIZES) as SalesforceType[]) {
      assert.deepEqual(
        new Set(state.links.filter((l) => l.object === type).map((l) => l.external_id)),
        new Set(fake.live(type).map((r) => r.Id)),
        `${type} equal Salesforce's`,
      );
    }
    assert.deepEqual(state.leadEmails, new Set(fake.live('Lead').map((l) => l.Email as string)));
    assert.deepEqual(
      state.accountNames,
      new Set(fake.live('Account').map((a) => `${a.Name}|${a.Website ? String(a.Website).replace('https://www.', '') : null}`)),
    );
  };

  it('copies 50,000 records through SOQL batches of 2,000', async () => {
    const mark = fake.log.length;
    const created = await admin.post('/api/v1/integrations', {
      kind: 'salesforce',
      label: 'Salesforce',
      baseUrl: fake.url,
      credentials: fake.oauthCredentials(),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    integrationId = created.body.id;
    await env().app.jobs.drain();
    const run = (await admin.get(`/api/v1/integrations/${integrationId}`)).body.lastRun;
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    for (const type of Object.keys(SIZES) as SalesforceType[]) assert.equal(run.stats[type].created, SIZES[type], type);
    assert.equal(
      fake.log.length - mark,
      5 + 15 + 2 + 3 + 1 + 2,
      "one request per 2,000 records, and two for the org's currency (describe, Organization)",
    );
    await expectEqualToSalesforce();
  });

  it('fetches only the changes (SystemModstamp) and the deletions, through an expired session and the concurrency limit', async () => {
    const plan: Record<SalesforceType, { modify: number; create: number; remove: number }> = {
      Account: { modify: 100, create: 50, remove: 20 },
      Contact: { modify: 250, create: 100, remove: 50 },
      Lead: { modify: 50, create: 20, remove: 10 },
      Opportunity: { modify: 80, create: 30, remove: 10 },
      Task: { modify: 20, create: 0, remove: 10 },
    };
    for (const [type, counts] of Object.entries(plan) as Array<[SalesforceType, (typeof plan)[SalesforceType]]>) {
      const live = fake.live(type);
      const change = {
        Account: { Industry: 'Insurance' },
        Contact: { Title: 'CFO' },
        Lead: { Title: 'CTO' },
        Opportunity: { StageName: 'Negotiation/Review' },
        Task: { Status: 'Completed' },
      }[type];
      for (const r of live.slice(0, counts.modify)) fake.modify(type, r.Id, change);
      for (const r of live.slice(-counts.remove)) fake.remove(type, r.Id);
      for (let i = 0; i < counts.create; i++) {
        const fields = {
          Account: { Name: `New SF ${i}` },
          Contact: { LastName: `New${i}`, Email: `new${i}@sf.example` },
          Lead: { LastName: `NewLead${i}`, Email: `newlead${i}@sf-leads.example`, Company: 'X' },
          Opportunity: { Name: `New deal ${i}`, StageName: 'Prospecting', CloseDate: '2027-01-31' },
          Task: {},
        }[type];
        fake.seed(type, fields);
      }
    }
    fake.expireSessions();
    fake.limitNext = 2;
    const mark = fake.log.length;
    await admin.post(`/api/v1/integrations/${integrationId}/sync`);
    await env().app.jobs.drain();
    const run = (await admin.get(`/api/v1/integrations/${integrationId}/runs?limit=1`)).body.items[0];
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    assert.equal(run.rateLimited, 2);
    assert.deepEqual(run.stats.Contact, { fetched: 350, created: 100, updated: 250, unchanged: 0, deleted: 50, failed: 0 });
    assert.deepEqual(run.stats.Lead, { fetched: 70, created: 20, updated: 50, unchanged: 0, deleted: 10, failed: 0 });
    const log = fake.log.slice(mark);
    assert.equal(log.filter((e) => e.path === '/services/oauth2/token').length, 1, 'the session was refreshed once');
    const answered = log.filter((e) => e.status === 200 && e.path.startsWith('/services/data'));
    assert.equal(answered.filter((e) => e.path.endsWith('/query')).length, 5 + 1, "one SOQL query per object, and the org's currency");
    assert.equal(answered.filter((e) => e.path.includes('/deleted')).length, 5, 'one deleted-records call per object');
    assert.equal(answered.filter((e) => e.path.endsWith('/describe')).length, 1);
    assert.equal(answered.length, 12);
    await expectEqualToSalesforce();
  });
});
