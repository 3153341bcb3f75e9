import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { RequestCounters } from '../../src/http/request-counters.ts';
import { Client, describeEachDatabase, signUp, TEST_PASSWORD } from '../support/helpers.ts';

describeEachDatabase('abuse limits', (env) => {
  it('answers 429 with Retry-After per API token or member, per address, and sooner on the sign-in endpoints', async () => {
    const admin = await signUp(env());
    const tokenFor = async (name: string) => {
      const created = await admin.post('/api/v1/api-tokens', { name, scopes: ['members.read'] });
      assert.equal(created.status, 201);
      const client = new Client(env().server, '198.51.100.77');
      client.bearer = created.body.token;
      return client;
    };
    const first = await tokenFor('first');
    const second = await tokenFor('second');
    env().app.config.rateLimits = { principal: 5, address: 8, signIn: 3 };
    try {
      for (let i = 0; i < 5; i++) assert.equal((await first.get('/api/v1/members')).status, 200);
      const limited = await first.get('/api/v1/members');
      assert.equal(limited.status, 429);
      assert.equal(limited.body.error, 'too_many_requests');
      const retryAfter = Number(limited.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      // Another token has its own budget, but the address is shared: 8 requests a minute from it.
      assert.equal((await second.get('/api/v1/members')).status, 200);
      assert.equal((await second.get('/api/v1/members')).status, 200);
      assert.equal((await second.get('/api/v1/members')).status, 429, 'the 9th request from one address');
      const elsewhere = new Client(env().server, '198.51.100.78');
      elsewhere.bearer = second.bearer;
      assert.equal((await elsewhere.get('/api/v1/members')).status, 200, 'the same token from another address');

      // Sign-in: three attempts a minute from one address, whatever the account.
      const guesser = new Client(env().server, '192.0.2.99');
      for (let i = 0; i < 3; i++) {
        const attempt = await guesser.post('/api/v1/auth/login', { email: `nobody${i}@example.org`, password: TEST_PASSWORD });
        assert.equal(attempt.status, 401);
      }
      const blocked = await guesser.post('/api/v1/auth/login', { email: admin.info.user.email, password: TEST_PASSWORD });
      assert.equal(blocked.status, 429);
      assert.ok(Number(blocked.headers['retry-after']) >= 1);
    } finally {
      env().app.config.rateLimits = { principal: 1_000_000, address: 1_000_000, signIn: 1_000_000 };
    }
  });

  it('shares the per-request counters between nodes through PostgreSQL, a flush at a time', async () => {
    const nodeA = new RequestCounters(env().db);
    const nodeB = new RequestCounters(env().db);
    const limit = [{ key: `member:shared-${Date.now()}`, max: 5, windowSeconds: 60 }];
    try {
      for (let i = 0; i < 3; i++) nodeA.hit(limit, 'slow down');
      await nodeA.flush();
      // B has not heard of A's hits yet: it counts its own exactly, and learns the total at its flush.
      nodeB.hit(limit, 'slow down');
      await nodeB.flush();
      nodeB.hit(limit, 'slow down');
      assert.throws(
        () => nodeB.hit(limit, 'slow down'),
        (error: any) => error.status === 429 && error.code === 'too_many_requests',
      );
      await nodeB.flush();
      nodeA.hit(limit, 'slow down'); // A has not heard of B's hits yet: the drift is at most a flush interval
      await nodeA.flush();
      assert.throws(() => nodeA.hit(limit, 'slow down'), /slow down/, "A learns of B's hits at its own flush");
    } finally {
      await nodeA.close();
      await nodeB.close();
    }
    const row = await sql<{ hits: number }>`select hits from public_rate_limits where key = ${limit[0]!.key}`.execute(env().db.kysely);
    assert.equal(row.rows[0]!.hits, 8, 'every hit reached the shared row, refused ones included');
  });

  it('refuses oversized bodies with 413', async () => {
    const admin = await signUp(env());
    const huge = await admin.post('/api/v1/accounts', { name: 'x'.repeat(2 * 1024 * 1024) });
    assert.equal(huge.status, 413);
    assert.deepEqual(Object.keys(huge.body).sort(), ['details', 'error', 'message']);
  });
});
