import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { boot } from '../../src/boot.ts';
import { randomKey } from '../../src/crypto/aead.ts';
import { LocalKeyring } from '../../src/crypto/master-keys.ts';
import { openPostgres } from '../../src/db/connection.ts';
import { PeopleDirectory } from '../../src/search/directory.ts';
import { buildApp } from '../../src/server.ts';
import {
  addMember,
  CapturingMailer,
  Client,
  createPostgresDatabase,
  describeEachDatabase,
  POSTGRES_ADMIN_URL,
  signUp,
  testConfig,
  type TestEnv,
} from '../support/helpers.ts';

const fullName = (c: { firstName: string | null; lastName: string | null }) => [c.firstName, c.lastName].filter(Boolean).join(' ');

/** Every page of a list, following nextCursor. */
async function allPages(client: Client, url: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await client.get(`${url}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

describeEachDatabase('search over encrypted names', (env) => {
  it('"Kee" finds Keeley Schultz first, above the eleven people of O\'Keefe - Cummerata, and says where it matched', async () => {
    const admin = await signUp(env());
    const account = await admin.post('/api/v1/accounts', { name: "O'Keefe - Cummerata" });
    for (let i = 0; i < 11; i++) {
      await admin.post('/api/v1/contacts', { firstName: `Employee${i}`, lastName: 'Staff', accountId: account.body.id });
    }
    await admin.post('/api/v1/contacts', { firstName: 'Keeley', lastName: 'Schultz', emails: ['k.schultz@example.org'] });
    await admin.post('/api/v1/contacts', { firstName: 'Mona', lastName: 'Ortiz' });

    const found = await admin.get('/api/v1/contacts?q=Kee');
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.equal(found.body.items.length, 12);
    assert.equal(fullName(found.body.items[0]), 'Keeley Schultz');
    assert.deepEqual(found.body.items[0].matches, [{ field: 'firstName', start: 0, end: 3 }]);
    assert.deepEqual(found.body.items[1].matches, [{ field: 'company', start: 2, end: 5 }], "O'Keefe: the Kee after the apostrophe");

    // Any word, accents and case folded, every word of the query needed; a typo still finds her.
    assert.deepEqual((await admin.get('/api/v1/contacts?q=SCHÜLTZ')).body.items.map(fullName), ['Keeley Schultz']);
    assert.deepEqual((await admin.get('/api/v1/contacts?q=keeley%20sch')).body.items.map(fullName), ['Keeley Schultz']);
    assert.deepEqual((await admin.get('/api/v1/contacts?q=schulz')).body.items.map(fullName), ['Keeley Schultz']);
    assert.deepEqual((await admin.get('/api/v1/contacts?q=example')).body.items.map(fullName), ['Keeley Schultz']);
    assert.equal((await admin.get('/api/v1/contacts?q=keeley%20ortiz')).body.items.length, 0);

    // Renamed and deleted people are found under their new name at once, and no longer at all.
    const mona = (await admin.get('/api/v1/contacts?q=mona')).body.items[0];
    await admin.patch(`/api/v1/contacts/${mona.id}`, { lastName: 'Keenan' });
    assert.deepEqual((await admin.get('/api/v1/contacts?q=keenan')).body.items.map(fullName), ['Mona Keenan']);
    await admin.patch(`/api/v1/accounts/${account.body.id}`, { name: 'Cummerata Group' });
    assert.deepEqual((await admin.get('/api/v1/contacts?q=kee')).body.items.map(fullName), ['Mona Keenan', 'Keeley Schultz']);
    assert.equal((await admin.delete(`/api/v1/contacts/${mona.id}`)).status, 204);
    assert.deepEqual((await admin.get('/api/v1/contacts?q=kee')).body.items.map(fullName), ['Keeley Schultz']);

    // An address is found exactly, through its blind index: nothing to rank, relevance is accepted.
    assert.deepEqual((await admin.get('/api/v1/contacts?q=k.schultz@example.org&sort=relevance')).body.items.map(fullName), [
      'Keeley Schultz',
    ]);
    const refused = await admin.get('/api/v1/contacts?q=kee&sort=createdAt');
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body.details.allowed, ['relevance', 'lastName', 'firstName', '-lastName', '-firstName']);
  });

  it('sorts by last name and first name, both ways, across pages whose cursors carry no name', async () => {
    const admin = await signUp(env());
    const lastNames = ['Young', 'adams', 'Émile', 'Baker', 'Eddy', 'Clark', 'Éden', 'Edgar', 'Zhou', 'Abbott', 'ó Briain', 'Nguyen'];
    for (const [i, lastName] of lastNames.entries()) {
      await admin.post('/api/v1/contacts', { firstName: `Person ${String.fromCharCode(90 - i)}`, lastName });
      await admin.post('/api/v1/contacts', { firstName: `Twin ${i}`, lastName });
    }
    await admin.post('/api/v1/contacts', { emails: ['nameless@example.org'] });
    const expected = [...lastNames]
      .sort((a, b) =>
        a.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().localeCompare(b.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()),
      )
      .flatMap((name) => [name, name]);

    const ascending = await allPages(admin, '/api/v1/contacts?sort=lastName&limit=5');
    assert.deepEqual(
      ascending.map((c) => c.lastName),
      [...expected, null],
    );
    for (let i = 0; i < expected.length; i += 2) {
      assert.ok(ascending[i].firstName < ascending[i + 1].firstName, 'same last name: by first name');
    }
    const descending = await allPages(admin, '/api/v1/contacts?sort=-lastName&limit=7');
    assert.deepEqual(
      descending.map((c) => c.id),
      ascending.map((c) => c.id).reverse(),
    );
    const byFirst = await allPages(admin, '/api/v1/contacts?sort=firstName&limit=9');
    assert.equal(byFirst.length, 25);
    assert.equal(byFirst[0].firstName, 'Person O');

    const page = await admin.get('/api/v1/contacts?sort=lastName&limit=5');
    const cursor = Buffer.from(page.body.nextCursor, 'base64url').toString('latin1');
    assert.ok(!/baker|adams|abbott/i.test(cursor), 'the cursor is sealed');
    assert.equal((await admin.get('/api/v1/contacts?sort=lastName&cursor=forged')).status, 400);

    const unknown = await admin.get('/api/v1/contacts?sort=shoeSize');
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.details.allowed, ['createdAt', 'updatedAt', 'lastName', 'firstName']);

    // A search sorted by name: only those matching, in name order.
    assert.deepEqual(
      (await allPages(admin, '/api/v1/contacts?q=ed&sort=lastName&limit=3')).map((c) => c.lastName),
      ['Eddy', 'Eddy', 'Éden', 'Éden', 'Edgar', 'Edgar'],
    );
  });

  it('shows a salesperson only the people they may see, in search and in name order', async () => {
    const admin = await signUp(env());
    const seller = await addMember(env(), admin, 'salesperson');
    const mine = await seller.post('/api/v1/contacts', { firstName: 'Kira', lastName: 'Mine' });
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    await admin.post('/api/v1/contacts', { firstName: 'Kirk', lastName: 'Theirs' });
    const hidden = await admin.post('/api/v1/accounts', { name: 'Not Theirs Ltd' });
    const linked = await admin.post('/api/v1/contacts', { firstName: 'Kiri', lastName: 'Tasked', accountId: hidden.body.id });
    const task = await admin.post('/api/v1/tasks', {
      title: 'Call',
      record: { type: 'contact', id: linked.body.id },
      assigneeId: seller.info.member.id,
    });
    assert.equal(task.status, 201, JSON.stringify(task.body));
    assert.deepEqual((await seller.get('/api/v1/contacts?q=kir')).body.items.map(fullName).sort(), ['Kira Mine', 'Kiri Tasked']);
    assert.deepEqual((await seller.get('/api/v1/contacts?sort=lastName')).body.items.map(fullName), ['Kira Mine', 'Kiri Tasked']);
    assert.equal((await admin.get('/api/v1/contacts?q=kir')).body.items.length, 3);
    // The account column names only accounts the member may open.
    const accountOf = async (client: Client) =>
      (await client.get('/api/v1/contacts?q=tasked')).body.items.map((c: { accountName: string | null }) => c.accountName);
    assert.deepEqual(await accountOf(seller), [null]);
    assert.deepEqual(await accountOf(admin), ['Not Theirs Ltd']);
  });
});

describeEachDatabase('search when the node cannot hear the database', (env) => {
  it('answers 503 instead of waiting forever or serving a directory it cannot tell is current', async () => {
    const admin = await signUp(env());
    await admin.post('/api/v1/contacts', { firstName: 'Keeley', lastName: 'Schultz' });
    const { app, db } = env();
    const healthy = app.people;
    // A listener that hears nothing (a connection dropped without an error, a firewall).
    app.people = new PeopleDirectory({ ...db, listen: async () => async () => {} }, app.keys);
    try {
      const started = Date.now();
      const answer = await admin.get('/api/v1/contacts?q=kee');
      assert.equal(answer.status, 503, JSON.stringify(answer.body));
      assert.equal(answer.body.error, 'database_unavailable');
      assert.ok(Date.now() - started < 10_000);
      assert.equal((await admin.get('/api/v1/contacts')).status, 200, 'lists without a search still work');
    } finally {
      app.people = healthy;
    }
    assert.equal((await admin.get('/api/v1/contacts?q=kee')).body.items.length, 1);
  });
});

describe('search on two app nodes [postgres]', { skip: POSTGRES_ADMIN_URL ? false : 'needs DATABASE_URL (a PostgreSQL server)' }, () => {
  const nodes: TestEnv[] = [];
  let drop: (() => Promise<void>) | undefined;

  before(async () => {
    const database = await createPostgresDatabase(POSTGRES_ADMIN_URL!);
    drop = database.drop;
    const master = new LocalKeyring([randomKey()]);
    for (let i = 0; i < 2; i++) {
      const db = await openPostgres(database.url, 4);
      const mailer = new CapturingMailer();
      const app = await boot(testConfig(), { db, master, mailer });
      const server = await buildApp(app);
      await server.ready();
      nodes.push({ backend: 'postgres', app, server, mailer, db });
    }
  });
  after(async () => {
    for (const node of nodes) {
      await node.server.close();
      await node.db.close();
    }
    await drop?.();
  });

  it('an erasure on one node takes the person out of search on the other within 2 s', async () => {
    const onA = await signUp(nodes[0]!);
    const onB = new Client(nodes[1]!.server);
    Object.assign(onB, { cookie: onA.cookie, csrf: onA.csrf, info: onA.info });
    await onA.post('/api/v1/contacts', { firstName: 'Keeley', lastName: 'Schultz', emails: ['keeley@example.org'] });
    await onA.post('/api/v1/contacts', { firstName: 'Keeva', lastName: 'Stays' });
    assert.equal((await onB.get('/api/v1/contacts?q=kee')).body.items.length, 2, 'B built its directory');

    const request = (
      await onA.post('/api/v1/dsr-requests', { type: 'erasure', channel: 'email', email: 'keeley@example.org', identityStatus: 'verified' })
    ).body;
    assert.equal((await onA.post(`/api/v1/dsr-requests/${request.id}/execute`)).body.status, 'completed');
    const erasedAt = Date.now();
    // Node B is not asked to catch up: its directory must have dropped her on its own.
    const index = await nodes[1]!.app.people.of(onA.info.workspace.id);
    for (;;) {
      const names = index.ranked('kee', { accept: () => true, take: 10 }).map((hit) => hit.entry.firstName);
      if (!names.includes('Keeley')) break;
      assert.ok(Date.now() - erasedAt < 2_000, 'still found on node B after 2 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual((await onB.get('/api/v1/contacts?q=kee')).body.items.map(fullName), ['Keeva Stays']);
  });
});
