import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HubSpotClient, type HubSpotObjectType, type Page } from '../../src/sync/hubspot/client.ts';
import { backoffDelay, ConnectorError, ConnectorHttp, retryAfterMs, type Credentials } from '../../src/sync/http.ts';
import { FakeHubSpot } from '../support/fakes/hubspot.ts';

/** Follows the cursor to the end, as a sync does page by page. */
async function drain(fetchPage: (cursor: string | null) => Promise<Page>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await fetchPage(cursor);
    ids.push(...page.results.map((object) => object.id));
    cursor = page.next;
  } while (cursor);
  return ids;
}

describe('HubSpot client against the fake HubSpot API', () => {
  const fake = new FakeHubSpot();
  const waits: number[] = [];
  let stored: Credentials[] = [];
  const connect = (overrides: Partial<Extract<Credentials, { kind: 'oauth2' }>> = {}) => {
    const tokens = fake.issueTokens();
    const http = new ConnectorHttp(
      fake.url,
      {
        kind: 'oauth2',
        ...tokens,
        tokenUrl: `${fake.url}/oauth/v1/token`,
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
        ...overrides,
      },
      {
        sleep: async (ms) => {
          waits.push(ms);
        },
        onCredentials: async (credentials) => {
          stored.push(credentials);
        },
      },
    );
    return { http, client: new HubSpotClient(http) };
  };

  before(async () => {
    await fake.start();
    for (let i = 0; i < 2345; i++)
      fake.seed('contacts', { email: `person${i}@hubspot.example`, firstname: `First${i}`, lastname: `Last${i}` });
  });
  after(() => fake.stop());

  it('lists every object once, in pages of 100 followed by the after cursor', async () => {
    const { client } = connect();
    const before = fake.requests('GET', '/crm/v3/objects/contacts');
    const ids = await drain((cursor) => client.listPage('contacts', ['email', 'firstname'], cursor));
    assert.equal(ids.length, 2345);
    assert.equal(new Set(ids).size, 2345);
    assert.equal(fake.requests('GET', '/crm/v3/objects/contacts') - before, 24);
  });

  it('waits as told by Retry-After through a storm of 429s, and gives up after too many', async () => {
    const { http, client } = connect();
    waits.length = 0;
    fake.rateLimitNext = 5;
    fake.retryAfterSeconds = 2;
    const page = await client.listPage('contacts', [], null);
    assert.equal(page.results.length, 100);
    assert.deepEqual(waits, [2000, 2000, 2000, 2000, 2000]);
    assert.equal(http.stats.rateLimited, 5);

    fake.rateLimitNext = 100;
    await assert.rejects(
      client.listPage('contacts', [], null),
      (error: unknown) => error instanceof ConnectorError && error.category === 'rate_limited' && error.status === 429,
    );
    fake.rateLimitNext = 0;
  });

  it('refreshes an expired access token once, stores the new one, and continues where it was', async () => {
    const { http, client } = connect();
    stored = [];
    const first = await client.listPage('contacts', [], null);
    fake.expireAccessTokens();
    const ids = [...first.results.map((o) => o.id), ...(await drain((cursor) => client.listPage('contacts', [], cursor ?? first.next)))];
    assert.equal(new Set(ids).size, 2345, 'no page lost or repeated around the refresh');
    assert.equal(http.stats.refreshes, 1);
    assert.equal(stored.length, 1, 'the refreshed token is handed over to be stored');

    // A refresh token that no longer works ends in an auth error, not a loop.
    fake.expireAccessTokens();
    const revoked = connect({ refreshToken: 'rt-revoked-by-the-customer' });
    fake.expireAccessTokens();
    await assert.rejects(
      revoked.client.listPage('contacts', [], null),
      (error: unknown) => error instanceof ConnectorError && error.category === 'auth' && /reconnect/.test(error.message),
    );
    assert.equal(revoked.http.stats.refreshes, 1);
  });

  it('fetches only what changed since a moment, past the search cap of 10,000 results', async () => {
    const { client } = connect();
    const since = new Date(Date.parse(fake.tick(60_000)));
    const changed = new Set<string>();
    const contacts = [...fake.objects.contacts.values()];
    for (const contact of contacts.slice(0, 300)) {
      fake.modify('contacts', contact.id, { jobtitle: 'Buyer' });
      changed.add(contact.id);
    }
    const searches = fake.requests('POST', '/crm/v3/objects/contacts/search');
    const ids = await drain((cursor) => client.modifiedPage('contacts', ['email'], since, cursor));
    assert.deepEqual(new Set(ids), changed);
    assert.equal(fake.requests('POST', '/crm/v3/objects/contacts/search') - searches, 2, '300 changes in pages of 200');

    for (let i = 0; i < 10_500; i++) fake.seed('companies', { name: `Company ${i}`, domain: `company${i}.example` });
    const all = await drain((cursor) => client.modifiedPage('companies', ['name'], new Date(0), cursor));
    assert.equal(new Set(all).size, 10_500, 'every company, though one search stops at 10,000');
  });

  it('creates, updates and archives, and lists what was archived', async () => {
    const { client } = connect();
    const type: HubSpotObjectType = 'deals';
    const created = await client.create(type, { dealname: 'Pushed from Lawful CRM', amount: '1200' });
    const updated = await client.update(type, created.id, { amount: '1500' });
    assert.equal(updated.properties.amount, '1500');
    await client.archive(type, created.id);
    const archived = await drain((cursor) => client.listPage(type, [], cursor, true));
    assert.deepEqual(archived, [created.id]);
    await assert.rejects(
      client.update(type, created.id, { amount: '1' }),
      (error: unknown) => error instanceof ConnectorError && error.status === 404 && error.category === 'rejected',
    );
  });
});

describe('backoff', () => {
  it('grows exponentially with full jitter, capped', () => {
    const options = { baseDelayMs: 500, maxDelayMs: 30_000 };
    assert.equal(backoffDelay(1, { ...options, random: () => 0.999999 }), 999);
    assert.equal(backoffDelay(3, { ...options, random: () => 0.5 }), 2000);
    assert.equal(backoffDelay(12, { ...options, random: () => 0.999999 }), 29_999);
    assert.equal(backoffDelay(4, { ...options, random: () => 0 }), 0);
  });
  it('reads Retry-After as seconds or as a date', () => {
    assert.equal(retryAfterMs('7'), 7000);
    assert.equal(retryAfterMs('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('2026-10-21T07:27:30Z')), 30_000);
    assert.equal(retryAfterMs(null), null);
    assert.equal(retryAfterMs('soon'), null);
  });
});
