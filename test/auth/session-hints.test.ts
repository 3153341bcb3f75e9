import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server.ts';
import { addMember, Client, describeEachDatabase, signUp, type TestEnv } from '../support/helpers.ts';

/** The same browser on another app node: same cookie and CSRF token, another server. */
function onNode(client: Client, server: FastifyInstance): Client {
  const copy = new Client(server, client.ip);
  copy.cookie = client.cookie;
  copy.csrf = client.csrf;
  copy.info = client.info;
  return copy;
}

async function secondNode(env: TestEnv): Promise<FastifyInstance> {
  const server = await buildApp(env.app);
  await server.ready();
  return server;
}

/**
 * A node answers requests of a session it resolved before without looking the session up again;
 * the request's own transaction confirms it (app_session_confirm). These tests change the
 * session through another node (another server with hints of its own, on the same database)
 * and check that the node holding the hint notices at once.
 */
describeEachDatabase('session hints', (env) => {
  it('answers from the hint without a lookup, and a sign-out elsewhere ends the session at once', async () => {
    const admin = await signUp(env());
    const other = await secondNode(env());
    try {
      assert.equal((await admin.get('/api/v1/contacts')).status, 200);
      // Without the lookup function a node can only answer from its hint.
      await sql`revoke execute on function app_session_lookup(bytea) from lawful_app`.execute(env().db.kysely);
      try {
        assert.equal((await admin.get('/api/v1/contacts')).status, 200);
      } finally {
        await sql`grant execute on function app_session_lookup(bytea) to lawful_app`.execute(env().db.kysely);
      }

      const elsewhere = onNode(admin, other);
      assert.equal((await elsewhere.post('/api/v1/auth/logout')).status, 204);
      const after = await admin.get('/api/v1/contacts');
      assert.equal(after.status, 401);
      assert.equal(after.body.error, 'unauthenticated');
      // A request refused before any transaction (invalid query) is refused for the session too.
      assert.equal((await admin.get('/api/v1/contacts?limit=100000')).status, 401);
      assert.equal((await admin.get('/api/v1/auth/session')).status, 401);
    } finally {
      await other.close();
    }
  });

  it('a role changed elsewhere refuses the next request unchanged, and the one after runs with the new role', async () => {
    const admin = await signUp(env());
    const manager = await addMember(env(), admin, 'company_manager');
    const other = await secondNode(env());
    try {
      assert.equal(
        (await admin.post('/api/v1/contacts', { firstName: 'Admin', lastName: 'Owned', emails: ['owned@hints.example'] })).status,
        201,
      );
      assert.equal((await manager.get('/api/v1/contacts')).body.items.length, 1);
      const memberId = manager.info.member.id;
      assert.equal((await onNode(admin, other).patch(`/api/v1/members/${memberId}`, { role: 'jr_salesperson' })).status, 200);

      const refused = await manager.post('/api/v1/contacts', { firstName: 'Not', lastName: 'Stored', emails: ['refused@hints.example'] });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error, 'session_changed');
      const all = await admin.get('/api/v1/contacts');
      assert.deepEqual(
        all.body.items.map((c: { lastName: string }) => c.lastName),
        ['Owned'],
      );

      // The node resolved the session afresh: a Jr. Salesperson sees only their own records.
      const again = await manager.get('/api/v1/contacts');
      assert.equal(again.status, 200);
      assert.deepEqual(again.body.items, []);
    } finally {
      await other.close();
    }
  });

  it('a session idle for longer than the idle timeout ends even on a node holding its hint', async () => {
    const admin = await signUp(env());
    assert.equal((await admin.get('/api/v1/contacts')).status, 200);
    await env()
      .db.kysely.updateTable('sessions')
      .set({ last_seen_at: sql`now() - interval '31 minutes'` })
      .where('user_id', '=', admin.info.user.id)
      .execute();
    assert.equal((await admin.get('/api/v1/contacts')).status, 401);
  });
});
