import assert from 'node:assert/strict';
import { it } from 'node:test';
import { addMember, Client, describeEachDatabase, signUp } from '../helpers.ts';

/** Plausible bodies, so that a 404 comes from the tenant boundary and not from validation. */
const BODIES: Record<string, unknown> = {
  'PATCH /api/v1/members/:id': { team: 'north' },
};

describeEachDatabase('cross-tenant isolation', (env) => {
  it('answers 404 on every endpoint given another workspace\'s ids, and changes none of its data', async () => {
    const a = await signUp(env());
    const b = await signUp(env());
    const bMember = await addMember(env(), b, 'salesperson');
    const bInvitation = (await b.post('/api/v1/invitations', { email: 'pending@example.org', role: 'salesperson' })).body;
    const bToken = (await b.post('/api/v1/api-tokens', { name: 'b-token', scopes: ['members.read'] })).body;
    const bSession = (await b.get('/api/v1/auth/sessions')).body.items[0].id;
    const idsOfB: Record<string, string> = {
      member: bMember.info.member.id,
      invitation: bInvitation.id,
      api_token: bToken.id,
      session: bSession,
    };

    const routesWithIds = env().server.catalogue.filter((route) => route.url.includes(':id'));
    assert.ok(routesWithIds.length >= 6);
    for (const route of routesWithIds) {
      assert.ok(route.resource && idsOfB[route.resource], `${route.method} ${route.url} must declare a resource this test knows`);
      const url = route.url.replace(':id', idsOfB[route.resource!]!);
      const key = `${route.method} ${route.url}`;
      const response = await a.request(route.method, url, route.method === 'GET' || route.method === 'DELETE' ? undefined : (BODIES[key] ?? {}));
      assert.equal(response.status, 404, `${key} with B's id answered ${response.status} ${JSON.stringify(response.body)}`);
      assert.equal(response.body.error, 'not_found');
    }

    // B's objects are intact: the member, the invitation, the token and the session still work.
    assert.equal((await bMember.get('/api/v1/workspace')).status, 200);
    const member = await b.get(`/api/v1/members/${bMember.info.member.id}`);
    assert.equal(member.body.team, null);
    assert.equal(member.body.status, 'active');
    const invitations = await b.get('/api/v1/invitations');
    assert.equal(invitations.body.items.find((item: any) => item.id === bInvitation.id).status, 'pending');
    const integration = new Client(env().server);
    integration.bearer = bToken.token;
    assert.equal((await integration.get('/api/v1/members')).status, 200);
    assert.equal((await b.get('/api/v1/workspace')).status, 200);

    // Lists show only A's own rows.
    const aMembers = await a.get('/api/v1/members');
    assert.deepEqual(aMembers.body.items.map((item: any) => item.id), [a.info.member.id]);
    assert.deepEqual((await a.get('/api/v1/invitations')).body.items, []);
    assert.deepEqual((await a.get('/api/v1/api-tokens')).body.items, []);
    const aAudit = await a.get('/api/v1/audit-events?limit=500');
    assert.ok(aAudit.body.items.every((event: any) => ![...Object.values(idsOfB), b.info.member.id].includes(event.objectId)));
  });

  it('does not let an API token of one workspace reach another', async () => {
    const a = await signUp(env());
    const b = await signUp(env());
    const token = (await a.post('/api/v1/api-tokens', { name: 'a', scopes: ['members.read'] })).body.token as string;
    // Re-addressing the token to B's workspace id fails: the secret is checked against B's rows.
    const [prefix, , rowId, secret] = token.split('.');
    const forged = new Client(env().server);
    forged.bearer = [prefix, b.info.workspace.id, rowId, secret].join('.');
    assert.equal((await forged.get('/api/v1/members')).status, 401);
  });
});
