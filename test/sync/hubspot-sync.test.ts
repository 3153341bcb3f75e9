import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { withTenant } from '../../src/db/tenant.ts';
import { PERSON_REFERENCES, PERSONAL_DATA, type SubjectLink } from '../../src/inventory/inventory.ts';
import { FakeHubSpot, type HubSpotType } from '../support/fakes/hubspot.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';
import { fakeState, seedHubSpot, syncedState } from './sync-fixtures.ts';

const SIZES = { companies: 10_000, contacts: 30_000, deals: 7_000, tasks: 3_000 };

describeEachDatabase('HubSpot sync: initial, incremental, purge', (env) => {
  const fake = new FakeHubSpot();
  let admin: Client;
  let tenantId: string;
  let integrationId: string;

  before(async () => {
    await fake.start();
    seedHubSpot(fake, SIZES);
    admin = await signUp(env());
    tenantId = admin.info.workspace.id;
  });
  after(() => fake.stop());

  const connect = async (label: string) => {
    const tokens = fake.issueTokens();
    const created = await admin.post('/api/v1/integrations', {
      kind: 'hubspot',
      label,
      baseUrl: fake.url,
      credentials: {
        kind: 'oauth2',
        ...tokens,
        tokenUrl: `${fake.url}/oauth/v1/token`,
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body;
  };
  const runJobs = () => env().app.jobs.drain();
  const requestsSince = (mark: number) => {
    const counts: Record<string, number> = {};
    for (const entry of fake.log.slice(mark))
      counts[`${entry.method} ${entry.path.replace(/\/\d+$/, '/{id}')}`] =
        (counts[`${entry.method} ${entry.path.replace(/\/\d+$/, '/{id}')}`] ?? 0) + 1;
    return counts;
  };

  it('copies 50,000 records in one initial run, one list request per 100 objects', async () => {
    // A contact the workspace already has: HubSpot's copy is linked to it, not duplicated.
    const existing = await admin.post('/api/v1/contacts', { firstName: 'Known', emails: ['person7@hs-people.example'] });
    assert.equal(existing.status, 201);
    const mark = fake.log.length;
    const integration = await connect('HubSpot');
    integrationId = integration.id;
    assert.equal(integration.credentialsKind, 'oauth2');
    assert.equal(integration.lastRun.mode, 'initial');
    assert.equal(JSON.stringify(integration).includes(fake.clientSecret), false, 'credentials are never shown');
    await runJobs();

    const run = (await admin.get(`/api/v1/integrations/${integrationId}`)).body.lastRun;
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    assert.deepEqual(run.stats.companies, { fetched: 10_000, created: 10_000, updated: 0, unchanged: 0, deleted: 0, failed: 0 });
    assert.deepEqual(run.stats.contacts, { fetched: 30_000, created: 29_999, updated: 1, unchanged: 0, deleted: 0, failed: 0 });
    assert.equal(run.stats.deals.created, 7_000);
    assert.equal(run.stats.tasks.created, 3_000);
    assert.deepEqual(requestsSince(mark), {
      'GET /crm/v3/objects/companies': 100,
      'GET /crm/v3/objects/contacts': 300,
      'GET /crm/v3/objects/deals': 70,
      'GET /crm/v3/objects/tasks': 30,
      // Deals without a currency are in the portal's; stages are read from the pipelines.
      'GET /account-info/v3/details': 1,
      'GET /crm/v3/pipelines/deals': 1,
      // Each page of deals asks for their companies and contacts, each page of tasks for what they are about (associations v4).
      'POST /crm/v4/associations/deals/companies/batch/read': 70,
      'POST /crm/v4/associations/deals/contacts/batch/read': 70,
      'POST /crm/v4/associations/tasks/contacts/batch/read': 30,
      'POST /crm/v4/associations/tasks/deals/batch/read': 30,
      'POST /crm/v4/associations/tasks/companies/batch/read': 30,
    });
    assert.equal(run.requests, 732);
    const tied = await withTenant(env().db, tenantId, async (tx) => ({
      tasks: Number((await sql<{ n: string }>`select count(*) as n from tasks where record_id is not null`.execute(tx)).rows[0]!.n),
      onPeople: Number(
        (await sql<{ n: string }>`select count(*) as n from tasks where record_type = 'contact' and key_id = record_id`.execute(tx))
          .rows[0]!.n,
      ),
      dealContacts: Number((await sql<{ n: string }>`select count(*) as n from opportunity_contacts`.execute(tx)).rows[0]!.n),
    }));
    assert.deepEqual(
      tied,
      { tasks: 3_000, onPeople: 1_000, dealContacts: 7_000 },
      'every task on its record, a third on people under their keys; every deal with its contact',
    );

    const { state } = await syncedState(env().app, tenantId, integrationId);
    const expected = fakeState(fake);
    for (const object of ['companies', 'deals', 'tasks'] as const)
      assert.deepEqual(state[object], expected[object], `${object} equal HubSpot's`);
    const known = state.contacts!.get(
      [...fake.objects.contacts.values()].find((c) => c.properties.email === 'person7@hs-people.example')!.id,
    )!;
    assert.equal(known.firstName, 'Known', 'the matched contact keeps its own name');
    assert.equal(known.jobTitle, 'Engineer', 'and gains the job title it lacked');
    for (const [id, contact] of state.contacts!)
      if (contact.firstName !== 'Known')
        assert.deepEqual({ ...contact, accountId: undefined }, { ...expected.contacts.get(id), accountId: undefined });
    const withAccount = [...state.contacts!.values()].filter((c) => c.accountId).length;
    assert.equal(withAccount, 30_000, 'every contact is linked to the account of its HubSpot company');
    const dealsWithAccount = await withTenant(env().db, tenantId, (tx) =>
      tx
        .selectFrom('opportunities')
        .select(sql<number>`count(account_id)::int`.as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow(),
    );
    assert.equal(dealsWithAccount.n, 7_000, 'every deal is tied to the account of its associated company (associations v4)');

    const audit = await withTenant(env().db, tenantId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['action', 'fields'])
        .where('tenant_id', '=', tenantId)
        .where('action', '=', 'sync.initial')
        .execute(),
    );
    assert.equal(audit.length, 1);
    assert.ok(audit[0]!.fields.includes('contacts:fetched=30000,created=29999,updated=1,unchanged=0,deleted=0,failed=0'));
  });

  it('fetches only the 800 changes in the incremental run, and ends equal to HubSpot', async () => {
    const live = (type: HubSpotType) => [...fake.objects[type].values()].filter((o) => !o.archived);
    const plan: Record<HubSpotType, { modify: number; create: number; remove: number }> = {
      companies: { modify: 150, create: 50, remove: 20 },
      contacts: { modify: 200, create: 100, remove: 50 },
      deals: { modify: 100, create: 50, remove: 20 },
      tasks: { modify: 50, create: 0, remove: 10 },
    };
    for (const [type, counts] of Object.entries(plan) as Array<[HubSpotType, (typeof plan)[HubSpotType]]>) {
      const objects = live(type);
      for (const o of objects.slice(0, counts.modify)) {
        const change: Record<string, string> = (
          {
            companies: { industry: 'Manufacturing' },
            contacts: { jobtitle: 'Head of Sales' },
            deals: { amount: '99999', dealstage: 'closedwon' },
            tasks: { hs_task_status: 'COMPLETED', hs_task_subject: 'Called' },
          } as Record<HubSpotType, Record<string, string>>
        )[type];
        fake.modify(type, o.id, change);
      }
      for (const o of objects.slice(-counts.remove)) fake.archive(type, o.id);
      for (let i = 0; i < counts.create; i++) {
        const properties: Record<string, string> = (
          {
            companies: { name: `New Company ${i}`, domain: `new-company-${i}.example` },
            contacts: { firstname: `New${i}`, lastname: 'Person', email: `new${i}@hs-people.example` },
            deals: { dealname: `New Deal ${i}`, amount: '10', dealstage: 'appointmentscheduled' },
            tasks: {},
          } as Record<HubSpotType, Record<string, string>>
        )[type];
        fake.seed(type, properties);
      }
    }
    const mark = fake.log.length;
    const queued = await admin.post(`/api/v1/integrations/${integrationId}/sync`);
    assert.equal(queued.status, 202);
    assert.equal(queued.body.mode, 'incremental');
    assert.equal((await admin.post(`/api/v1/integrations/${integrationId}/sync`)).status, 409, 'one run at a time');
    await runJobs();

    const run = (await admin.get(`/api/v1/integrations/${integrationId}/runs?limit=1`)).body.items[0];
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    assert.deepEqual(run.stats.contacts, { fetched: 300, created: 100, updated: 200, unchanged: 0, deleted: 50, failed: 0 });
    assert.deepEqual(run.stats.companies, { fetched: 200, created: 50, updated: 150, unchanged: 0, deleted: 20, failed: 0 });
    assert.deepEqual(run.stats.deals, { fetched: 150, created: 50, updated: 100, unchanged: 0, deleted: 20, failed: 0 });
    assert.deepEqual(run.stats.tasks, { fetched: 50, created: 0, updated: 50, unchanged: 0, deleted: 10, failed: 0 });
    // Searches return 200 changes a page; archived objects are listed 100 a page.
    assert.deepEqual(requestsSince(mark), {
      'POST /crm/v3/objects/companies/search': 1,
      'GET /crm/v3/objects/companies': 1,
      'POST /crm/v3/objects/contacts/search': 2,
      'GET /crm/v3/objects/contacts': 1,
      'POST /crm/v3/objects/deals/search': 1,
      'GET /crm/v3/objects/deals': 1,
      'POST /crm/v3/objects/tasks/search': 1,
      'GET /crm/v3/objects/tasks': 1,
      'GET /account-info/v3/details': 1,
      'GET /crm/v3/pipelines/deals': 1,
      'POST /crm/v4/associations/deals/companies/batch/read': 1,
      'POST /crm/v4/associations/deals/contacts/batch/read': 1,
      'POST /crm/v4/associations/tasks/contacts/batch/read': 1,
      'POST /crm/v4/associations/tasks/deals/batch/read': 1,
      'POST /crm/v4/associations/tasks/companies/batch/read': 1,
    });

    const { state } = await syncedState(env().app, tenantId, integrationId);
    const expected = fakeState(fake);
    for (const object of ['companies', 'deals', 'tasks'] as const)
      assert.deepEqual(state[object], expected[object], `${object} equal HubSpot's`);
    assert.deepEqual([...state.contacts!.keys()].sort(), [...expected.contacts.keys()].sort());
    const counts = await withTenant(env().db, tenantId, async (tx) => ({
      contacts: Number((await sql<{ n: string }>`select count(*) as n from contacts`.execute(tx)).rows[0]!.n),
      accounts: Number((await sql<{ n: string }>`select count(*) as n from accounts`.execute(tx)).rows[0]!.n),
    }));
    assert.equal(counts.contacts, expected.contacts.size, 'no duplicate and no leftover contact');
    assert.equal(counts.accounts, expected.companies.size);

    // Nothing changed since: a second run fetches nothing new and writes nothing.
    await admin.post(`/api/v1/integrations/${integrationId}/sync`);
    await runJobs();
    const quiet = (await admin.get(`/api/v1/integrations/${integrationId}/runs?limit=1`)).body.items[0];
    for (const counts of Object.values(quiet.stats) as any[]) {
      assert.equal(counts.created + counts.updated + counts.deleted, 0, JSON.stringify(quiet.stats));
    }
  });

  it('survives a storm of 429s and an expired access token, storing the refreshed token', async () => {
    const target = [...fake.objects.contacts.values()].find((c) => !c.archived)!;
    fake.modify('contacts', target.id, { jobtitle: 'CTO' });
    fake.expireAccessTokens();
    fake.rateLimitNext = 3;
    fake.retryAfterSeconds = 1;
    await admin.post(`/api/v1/integrations/${integrationId}/sync`);
    await runJobs();
    const run = (await admin.get(`/api/v1/integrations/${integrationId}/runs?limit=1`)).body.items[0];
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    assert.equal(run.rateLimited, 3);
    assert.equal(run.stats.contacts.updated, 1);
    const { state } = await syncedState(env().app, tenantId, integrationId);
    assert.equal(state.contacts!.get(target.id)!.jobTitle, 'CTO');
    assert.equal(fake.log.filter((e) => e.path === '/oauth/v1/token').length, 1, 'refreshed once');

    // Refused credentials stop the schedule until someone reconnects.
    fake.expireAccessTokens();
    const revoked = await admin.patch(`/api/v1/integrations/${integrationId}`, {
      credentials: { kind: 'api_key', token: 'not-a-valid-token' },
    });
    assert.equal(revoked.status, 200);
    await admin.post(`/api/v1/integrations/${integrationId}/sync`);
    await runJobs();
    const refused = (await admin.get(`/api/v1/integrations/${integrationId}`)).body;
    assert.equal(refused.status, 'needs_reconnect');
    assert.equal(refused.lastRun.state, 'failed');
    assert.equal((await admin.post(`/api/v1/integrations/${integrationId}/sync`)).status, 409);
    const tokens = fake.issueTokens();
    const reconnected = await admin.patch(`/api/v1/integrations/${integrationId}`, {
      credentials: {
        kind: 'oauth2',
        ...tokens,
        tokenUrl: `${fake.url}/oauth/v1/token`,
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
      },
    });
    assert.equal(reconnected.body.status, 'active');
  });

  it('disconnecting deletes every row that came only from HubSpot and keeps what has another source', async () => {
    const before = await syncedState(env().app, tenantId, integrationId);
    const created = new Set(before.links.filter((l) => l.origin === 'created').map((l) => l.record_id));
    const matched = before.links.filter((l) => l.origin === 'matched').map((l) => l.record_id);
    assert.equal(matched.length, 1);
    // Someone wrote a note on a synced contact: it goes with the contact.
    const someContact = before.links.find((l) => l.record_type === 'contact' && l.origin === 'created')!.record_id;
    assert.equal(
      (await admin.post('/api/v1/notes', { body: 'Met at the fair', record: { type: 'contact', id: someContact } })).status,
      201,
    );

    const disconnected = await admin.delete(`/api/v1/integrations/${integrationId}`);
    assert.equal(disconnected.status, 202);
    assert.equal(disconnected.body.status, 'disconnecting');
    assert.equal(disconnected.body.credentialsKind, null, 'credentials revoked at once');
    await runJobs();

    const done = (await admin.get(`/api/v1/integrations/${integrationId}`)).body;
    assert.equal(done.status, 'disconnected');
    const certificate = done.purgeCertificate;
    assert.ok(certificate.finishedAt && certificate.credentialsDeleted);
    assert.equal(certificate.credentialsRevoked, true, 'HubSpot was asked to revoke the refresh token');
    assert.match(certificate.credentialsRevocation, /^HubSpot revoked the refresh token/);
    assert.equal(
      fake.log.filter((e) => e.method === 'DELETE' && e.path.startsWith('/oauth/v1/refresh-tokens/') && e.status === 204).length,
      1,
    );
    assert.deepEqual(certificate.kept, []);
    assert.deepEqual(certificate.objects.contacts, {
      recordType: 'contact',
      before: before.links.filter((l) => l.object === 'contacts').length,
      deleted: before.links.filter((l) => l.object === 'contacts').length - 1,
      unlinked: 1,
      after: 0,
    });
    for (const entry of Object.values(certificate.objects) as any[]) assert.equal(entry.after, 0);

    // Every table of the inventory, and every table pointing at people: no row about a record only HubSpot brought in.
    const ids = [...created];
    const condition = (link: SubjectLink) =>
      link.kind === 'self'
        ? sql`id = any(${ids}::uuid[])`
        : link.kind === 'record'
          ? sql`${sql.ref(link.idColumn)} = any(${ids}::uuid[])`
          : link.kind === 'person_column'
            ? sql`${sql.ref(link.column)} = any(${ids}::uuid[])`
            : null;
    const tables = new Map<string, SubjectLink>();
    for (const entry of PERSONAL_DATA) if (entry.link) tables.set(entry.table, entry.link);
    for (const reference of PERSON_REFERENCES) tables.set(reference.table, reference.link);
    await withTenant(env().db, tenantId, async (tx) => {
      for (const [table, link] of tables) {
        const where = condition(link);
        if (!where) continue;
        const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where ${where}`.execute(tx);
        assert.equal(Number(rows[0]!.n), 0, `${table} still holds rows of synced records`);
      }
      for (const table of ['accounts', 'opportunities']) {
        const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where id = any(${ids}::uuid[])`.execute(tx);
        assert.equal(Number(rows[0]!.n), 0, `${table} still holds synced records`);
      }
      const keys = await tx
        .selectFrom('subject_keys')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', [...ids, integrationId])
        .where('wrapped_key', 'is not', null)
        .execute();
      assert.deepEqual(keys, [], 'every data key of a synced person or task, and of the credentials, is destroyed');
      assert.equal((await tx.selectFrom('sync_links').select('record_id').where('tenant_id', '=', tenantId).execute()).length, 0);
      const connectorPeople = await tx
        .selectFrom('contacts')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('source_type', '=', 'connector')
        .execute();
      assert.deepEqual(connectorPeople, []);
    });
    // The contact the workspace had before keeps its own data and loses what HubSpot filled in.
    const kept = await admin.get(`/api/v1/contacts/${matched[0]}`);
    assert.equal(kept.status, 200);
    assert.equal(kept.body.firstName, 'Known');
    assert.equal(kept.body.jobTitle, null);
    assert.equal(kept.body.accountId, null);

    const purgeAudit = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('audit_events').select('fields').where('tenant_id', '=', tenantId).where('action', '=', 'integration.purge').execute(),
    );
    assert.equal(purgeAudit.length, 1);
    assert.ok(purgeAudit[0]!.fields.some((f) => /^contacts:before=\d+,deleted=\d+,unlinked=1,after=0$/.test(f)));
    assert.equal((await admin.delete(`/api/v1/integrations/${integrationId}`)).status, 409);
  });
});
