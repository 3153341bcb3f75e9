import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Sealer } from '../../src/crm/context.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { FakePipedrive, type PipedriveType } from '../fakes/pipedrive.ts';
import { describeEachDatabase, signUp, type Client } from '../helpers.ts';
import { LONG_AGO } from './sync-fixtures.ts';

const SIZES: Record<PipedriveType, number> = { organizations: 10_000, persons: 30_000, leads: 2_000, deals: 5_000, activities: 3_000 };

function seed(fake: FakePipedrive) {
  const orgs: number[] = [];
  for (let i = 0; i < SIZES.organizations; i++) orgs.push(fake.seed('organizations', { name: `PD Org ${i}`, address_country: 'DE' }, LONG_AGO).id as number);
  for (let i = 0; i < SIZES.persons; i++) {
    fake.seed('persons', { name: `Pia ${i}`, first_name: `Pia${i}`, last_name: 'Pipe', email: [{ value: `pia${i}@pd.example`, primary: true }], phone: [], org_id: { value: orgs[i % orgs.length] } }, LONG_AGO);
  }
  for (let i = 0; i < SIZES.leads; i++) fake.seed('leads', { title: `PD Lead ${i}` }, LONG_AGO);
  for (let i = 0; i < SIZES.deals; i++) fake.seed('deals', { title: `PD Deal ${i}`, value: 100 + i, currency: 'EUR', status: i % 3 === 0 ? 'won' : 'open', org_id: orgs[i % orgs.length] }, LONG_AGO);
  for (let i = 0; i < SIZES.activities; i++) fake.seed('activities', { subject: `Call ${i}`, due_date: '2026-12-01', due_time: '09:30', done: i % 2 }, LONG_AGO);
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
      const links = await tx.selectFrom('sync_links').select(['object', 'external_id', 'record_id']).where('tenant_id', '=', tenantId).where('integration_id', '=', integrationId).execute();
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
    for (const type of Object.keys(SIZES) as PipedriveType[]) {
      assert.deepEqual(state.byObject[type] ?? new Set(), new Set(fake.live(type).map((o) => String(o.id))), `${type} equal Pipedrive's`);
    }
    assert.deepEqual(state.emails, new Set(fake.live('persons').map((p) => (p.email as Array<{ value: string }>)[0]!.value)));
    assert.equal(state.contacts, fake.live('persons').length, 'no duplicate contact');
  };

  it('copies 50,000 records in pages of 500', async () => {
    const mark = fake.log.length;
    const created = await admin.post('/api/v1/integrations', { kind: 'pipedrive', label: 'Pipedrive', baseUrl: fake.url, credentials: { kind: 'api_key', token: fake.issueToken() } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    integrationId = created.body.id;
    assert.deepEqual(created.body.objects, ['organizations', 'persons', 'leads', 'deals', 'activities']);
    await env().app.jobs.drain();
    const run = (await admin.get(`/api/v1/integrations/${integrationId}`)).body.lastRun;
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    for (const type of Object.keys(SIZES) as PipedriveType[]) assert.equal(run.stats[type].created, SIZES[type], type);
    assert.equal(fake.log.length - mark, 20 + 60 + 4 + 10 + 6, 'one request per 500 objects');
    await expectEqualToPipedrive();
  });

  it('fetches only what changed through /recents, deletions included, and survives rate limiting', async () => {
    const plan: Record<PipedriveType, { modify: number; create: number; remove: number }> = {
      organizations: { modify: 100, create: 50, remove: 20 },
      persons: { modify: 250, create: 100, remove: 50 },
      leads: { modify: 50, create: 20, remove: 10 },
      deals: { modify: 80, create: 30, remove: 10 },
      activities: { modify: 20, create: 0, remove: 10 },
    };
    for (const [type, counts] of Object.entries(plan) as Array<[PipedriveType, (typeof plan)[PipedriveType]]>) {
      const live = fake.live(type);
      for (const o of live.slice(0, counts.modify)) fake.modify(type, o.id, type === 'persons' ? { first_name: 'Changed' } : type === 'activities' ? { subject: 'Changed' } : { title: 'Changed', name: 'Changed org' });
      for (const o of live.slice(-counts.remove)) fake.remove(type, o.id);
      for (let i = 0; i < counts.create; i++) {
        fake.seed(type, type === 'persons' ? { name: `New ${i}`, first_name: 'New', last_name: `${i}`, email: [{ value: `new${i}@pd.example`, primary: true }] } : { title: `New ${type} ${i}`, name: `New org ${i}`, subject: `New ${i}` });
      }
    }
    fake.rateLimitNext = 2;
    const mark = fake.log.length;
    await admin.post(`/api/v1/integrations/${integrationId}/sync`);
    await env().app.jobs.drain();
    const run = (await admin.get(`/api/v1/integrations/${integrationId}/runs?limit=1`)).body.items[0];
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    assert.equal(run.rateLimited, 2);
    assert.deepEqual(run.failures.slice(0, 3), []);
    assert.deepEqual(run.stats.persons, { fetched: 350, created: 100, updated: 250, unchanged: 0, deleted: 50, failed: 0 });
    assert.deepEqual(run.stats.leads, { fetched: 70, created: 20, updated: 50, unchanged: 0, deleted: 10, failed: 0 });
    assert.equal(run.stats.organizations.deleted, 20);
    const requests = fake.log.slice(mark).filter((e) => e.status === 200);
    // One /recents page per object (under 500 changes each), one page of leads changed and one of leads archived.
    assert.equal(requests.filter((e) => e.path === '/v1/recents').length, 4);
    assert.equal(requests.filter((e) => e.path === '/v1/leads').length, 2);
    assert.equal(requests.length, 6);
    await expectEqualToPipedrive();
  });
});
