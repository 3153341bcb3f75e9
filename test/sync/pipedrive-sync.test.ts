import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Sealer } from '../../src/crypto/sealer.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { FakePipedrive, PIPEDRIVE_TYPES, type PipedriveFields, type PipedriveType } from '../support/fakes/pipedrive.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';
import { LONG_AGO } from './sync-fixtures.ts';

/**
 * Issue 25: Pipedrive through its official SDK, against a fake typed with the SDK's models (v2
 * for organizations, persons, deals, activities; v1 for leads and the /recents deletion feed).
 */
const SIZES: Record<PipedriveType, number> = { organizations: 10_000, persons: 30_000, leads: 2_000, deals: 5_000, activities: 3_000 };

function seed(fake: FakePipedrive) {
  const orgs: number[] = [];
  for (let i = 0; i < SIZES.organizations; i++)
    orgs.push(fake.seed('organizations', { name: `PD Org ${i}`, address: { country: 'DE', value: 'Berlin' } }, LONG_AGO).id!);
  for (let i = 0; i < SIZES.persons; i++) {
    fake.seed(
      'persons',
      {
        name: `Pia ${i}`,
        first_name: `Pia${i}`,
        last_name: 'Pipe',
        emails: [{ value: `pia${i}@pd.example`, primary: true, label: 'work' }],
        phones: [],
        org_id: orgs[i % orgs.length]!,
      },
      LONG_AGO,
    );
  }
  for (let i = 0; i < SIZES.leads; i++) fake.seed('leads', { title: `PD Lead ${i}` }, LONG_AGO);
  for (let i = 0; i < SIZES.deals; i++)
    fake.seed(
      'deals',
      { title: `PD Deal ${i}`, value: 100 + i, currency: 'EUR', status: i % 3 === 0 ? 'won' : 'open', org_id: orgs[i % orgs.length]! },
      LONG_AGO,
    );
  for (let i = 0; i < SIZES.activities; i++)
    fake.seed('activities', { subject: `Call ${i}`, due_date: '2026-12-01', due_time: '09:30', done: i % 2 === 1 }, LONG_AGO);
}

describeEachDatabase('Pipedrive sync: initial and incremental', (env) => {
  const fake = new FakePipedrive();
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

  /** What the workspace holds, per external object: record counts and a fingerprint of the people. */
  const held = () =>
    withTenant(env().db, tenantId, async (tx) => {
      const links = await tx
        .selectFrom('sync_links')
        .select(['object', 'external_id', 'record_id'])
        .where('tenant_id', '=', tenantId)
        .where('integration_id', '=', integrationId)
        .execute();
      const contacts = await tx.selectFrom('contacts').select(['id', 'emails_enc']).where('tenant_id', '=', tenantId).execute();
      const sealer = new Sealer(env().app, tx, tenantId);
      await sealer.preload(contacts.map((c) => c.id));
      const emailOf = new Map<string, string>();
      for (const c of contacts) emailOf.set(c.id, (await sealer.open<string[]>('contacts.emails', c.emails_enc))![0]!);
      const byObject: Record<string, Set<string>> = {};
      for (const link of links) (byObject[link.object] ??= new Set()).add(link.external_id);
      const emails = new Set(links.filter((l) => l.object === 'persons').map((l) => emailOf.get(l.record_id)!));
      return { byObject, emails, contacts: contacts.length };
    });
  const expectEqualToPipedrive = async () => {
    const state = await held();
    for (const type of PIPEDRIVE_TYPES) {
      assert.deepEqual(state.byObject[type] ?? new Set(), new Set(fake.live(type).map((o) => String(o.id))), `${type} equal Pipedrive's`);
    }
    assert.deepEqual(state.emails, new Set(fake.live('persons').map((p) => p.emails![0]!.value)));
    assert.equal(state.contacts, fake.live('persons').length, 'no duplicate contact');
  };

  it('copies 50,000 records in pages of 500 through the SDK (v2 cursors, v1 leads)', async () => {
    const mark = fake.log.length;
    const created = await admin.post('/api/v1/integrations', {
      kind: 'pipedrive',
      label: 'Pipedrive',
      baseUrl: fake.url,
      credentials: { kind: 'api_key', token: fake.issueToken() },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    integrationId = created.body.id;
    assert.deepEqual(created.body.objects, ['organizations', 'persons', 'leads', 'deals', 'activities']);
    await env().app.jobs.drain();
    const run = (await admin.get(`/api/v1/integrations/${integrationId}`)).body.lastRun;
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    for (const type of PIPEDRIVE_TYPES) assert.equal(run.stats[type].created, SIZES[type], type);
    const paths = fake.log.slice(mark).map((entry) => entry.path);
    assert.equal(paths.filter((p) => p === '/api/v2/persons').length, 60, 'one request per 500 persons');
    assert.equal(paths.filter((p) => p === '/api/v1/leads').length, 4);
    assert.equal(paths.filter((p) => p === '/api/v1/leads/archived').length, 1);
    assert.equal(fake.log.length - mark, 20 + 60 + 5 + 10 + 6);
    await expectEqualToPipedrive();
    const deal = await withTenant(env().db, tenantId, (tx) =>
      tx
        .selectFrom('opportunities')
        .select(['stage', 'amount', 'currency'])
        .where('tenant_id', '=', tenantId)
        .where('name', '=', 'PD Deal 3')
        .executeTakeFirstOrThrow(),
    );
    assert.deepEqual({ ...deal, amount: Number(deal.amount) }, { stage: 'closed_won', amount: 103, currency: 'EUR' });
  });

  it('reads changes with updated_since, deletions from the fields Pipedrive has, archived leads as live, and survives rate limiting', async () => {
    const plan: Record<PipedriveType, { modify: number; create: number; remove: number }> = {
      organizations: { modify: 100, create: 50, remove: 20 },
      persons: { modify: 250, create: 100, remove: 50 },
      leads: { modify: 50, create: 20, remove: 10 },
      deals: { modify: 80, create: 30, remove: 10 },
      activities: { modify: 20, create: 0, remove: 10 },
    };
    const change: { [T in PipedriveType]: PipedriveFields<T> } = {
      organizations: { name: 'Changed org' },
      persons: { first_name: 'Changed' },
      leads: { title: 'Changed' },
      deals: { title: 'Changed' },
      activities: { subject: 'Changed' },
    };
    for (const type of PIPEDRIVE_TYPES) {
      const live = fake.live(type);
      for (const o of live.slice(0, plan[type].modify)) fake.modify(type, o.id!, change[type] as PipedriveFields<typeof type>);
      for (const o of live.slice(-plan[type].remove)) fake.remove(type, o.id!);
    }
    for (let i = 0; i < plan.organizations.create; i++) fake.seed('organizations', { name: `New org ${i}` });
    for (let i = 0; i < plan.persons.create; i++)
      fake.seed('persons', {
        name: `New ${i}`,
        first_name: 'New',
        last_name: `${i}`,
        emails: [{ value: `new${i}@pd.example`, primary: true }],
      });
    for (let i = 0; i < plan.leads.create; i++) fake.seed('leads', { title: `New lead ${i}` });
    for (let i = 0; i < plan.deals.create; i++) fake.seed('deals', { title: `New deal ${i}` });
    // Archived leads are still leads: never read as deletions.
    const archived = fake
      .live('leads')
      .slice(100, 105)
      .map((lead) => lead.id);
    for (const id of archived) fake.archiveLead(id);
    fake.rateLimitNext = 2;
    const mark = fake.log.length;
    await admin.post(`/api/v1/integrations/${integrationId}/sync`);
    await env().app.jobs.drain();
    const run = (await admin.get(`/api/v1/integrations/${integrationId}/runs?limit=1`)).body.items[0];
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    assert.equal(run.rateLimited, 2);
    assert.deepEqual(run.failures.slice(0, 3), []);
    assert.deepEqual(run.stats.persons, { fetched: 350, created: 100, updated: 250, unchanged: 0, deleted: 50, failed: 0 });
    assert.deepEqual(run.stats.deals, { fetched: 110, created: 30, updated: 80, unchanged: 0, deleted: 10, failed: 0 });
    assert.equal(run.stats.organizations.deleted, 20);
    assert.equal(run.stats.activities.deleted, 10);
    // Leads are listed whole: 2,010 live ones (5 archived among them), the 10 deleted ones gone.
    assert.equal(run.stats.leads.fetched, 2_010);
    assert.equal(run.stats.leads.created, 20);
    assert.equal(run.stats.leads.deleted, 10);
    const requests = fake.log.slice(mark).filter((e) => e.status === 200);
    const count = (path: string) => requests.filter((e) => e.path === path).length;
    assert.equal(count('/api/v2/persons'), 1, 'one page of changes');
    assert.equal(count('/api/v1/recents'), 3, 'deletions of organizations, persons, activities');
    assert.equal(count('/api/v2/deals'), 2, 'changes, then the deleted deals');
    assert.equal(count('/api/v1/leads') + count('/api/v1/leads/archived'), 5 + 1);
    await expectEqualToPipedrive();
    const links = await withTenant(env().db, tenantId, (tx) =>
      tx
        .selectFrom('sync_links')
        .select('external_id')
        .where('tenant_id', '=', tenantId)
        .where('object', '=', 'leads')
        .where('external_id', 'in', archived)
        .execute(),
    );
    assert.equal(links.length, 5, 'the archived leads stay linked');
  });

  it('refreshes an expired OAuth token with HTTP Basic client authentication, stores the rotated pair, and revokes it at disconnect', async () => {
    const company = new FakePipedrive();
    await company.start();
    try {
      for (let i = 0; i < 3; i++) company.seed('activities', { subject: `OAuth call ${i}`, due_date: '2026-12-02', done: false });
      const refreshToken = company.issueRefreshToken();
      const created = await admin.post('/api/v1/integrations', {
        kind: 'pipedrive',
        label: 'Pipedrive OAuth',
        baseUrl: company.url,
        objects: ['activities'],
        credentials: {
          kind: 'oauth2',
          accessToken: 'expired-access-token',
          refreshToken,
          tokenUrl: `${company.url}/oauth/token`,
          clientId: company.oauthClient.id,
          clientSecret: company.oauthClient.secret,
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await env().app.jobs.drain();
      const run = (await admin.get(`/api/v1/integrations/${created.body.id}`)).body.lastRun;
      assert.equal(run.state, 'succeeded', JSON.stringify(run));
      assert.equal(run.stats.activities.created, 3);
      assert.deepEqual(
        company.log.filter((e) => e.path === '/oauth/token').map((e) => e.status),
        [200],
        'refreshed once, accepted with HTTP Basic client authentication',
      );
      // The rotated pair was stored: a second run needs no refresh (the first refresh token is spent).
      company.seed('activities', { subject: 'OAuth call 3' });
      await admin.post(`/api/v1/integrations/${created.body.id}/sync`);
      await env().app.jobs.drain();
      const second = (await admin.get(`/api/v1/integrations/${created.body.id}/runs?limit=1`)).body.items[0];
      assert.equal(second.state, 'succeeded', JSON.stringify(second));
      assert.equal(second.stats.activities.created, 1);
      assert.equal(company.log.filter((e) => e.path === '/oauth/token').length, 1);

      // The company's API moves: the next token names another api_domain, and every request after the refresh goes there.
      company.apiDomain = await company.listenAgain();
      company.tokens.clear();
      company.seed('activities', { subject: 'OAuth call 4' });
      const mark = company.log.length;
      await admin.post(`/api/v1/integrations/${created.body.id}/sync`);
      await env().app.jobs.drain();
      const third = (await admin.get(`/api/v1/integrations/${created.body.id}/runs?limit=1`)).body.items[0];
      assert.equal(third.state, 'succeeded', JSON.stringify(third));
      assert.equal(third.stats.activities.created, 1);
      const after = company.log.slice(mark);
      const refreshAt = after.findIndex((e) => e.path === '/oauth/token');
      assert.ok(refreshAt >= 0, 'the token was refreshed');
      const movedHost = new URL(company.apiDomain).host;
      assert.ok(
        after.slice(refreshAt + 1).length > 0 && after.slice(refreshAt + 1).every((e) => e.host === movedHost),
        JSON.stringify(after),
      );

      // Disconnecting asks Pipedrive to revoke the token (client by HTTP Basic); the certificate says so.
      assert.equal((await admin.delete(`/api/v1/integrations/${created.body.id}`)).status, 202);
      await env().app.jobs.drain();
      const certificate = (await admin.get(`/api/v1/integrations/${created.body.id}`)).body.purgeCertificate;
      assert.equal(certificate.credentialsDeleted, true);
      assert.equal(certificate.credentialsRevoked, true);
      assert.match(certificate.credentialsRevocation, /^Pipedrive revoked the refresh token/);
      assert.deepEqual(
        company.log.filter((e) => e.path === '/oauth/revoke').map((e) => e.status),
        [200],
      );
    } finally {
      await company.stop();
    }
  });
});
