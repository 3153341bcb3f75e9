import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { it } from 'node:test';
import { ACTIONS, memberAllows, roleAllows, type Action } from '../../src/auth/permissions.ts';
import { ROLES, type Role } from '../../src/auth/roles.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { addMember, Client, describeEachDatabase, signUp, TEST_PASSWORD, type TestEnv } from '../support/helpers.ts';

function expectedAllowed(access: string, role: Role, isDpo: boolean): boolean {
  if (access === 'authenticated') return true;
  return memberAllows({ role, isDpo }, access as Action);
}

async function login(env: TestEnv, email: string): Promise<Client> {
  const client = new Client(env.server);
  const response = await client.post('/api/v1/auth/login', { email, password: TEST_PASSWORD });
  assert.equal(response.status, 200);
  return client;
}

describeEachDatabase('role × route permission matrix', (env) => {
  it('gives each of the six roles exactly what the permission table grants, on every route', async () => {
    const admin = await signUp(env());
    const clients = new Map<Role, Client>([['administrator', admin]]);
    for (const role of ROLES) if (role !== 'administrator') clients.set(role, await addMember(env(), admin, role));
    const dpo = await addMember(env(), admin, 'jr_salesperson', { isDpo: true });

    const routes = env().server.catalogue.filter((route) => route.access !== 'public');
    assert.ok(routes.length >= 20, 'the catalogue lists the routes');
    // Signing out would end the session the next rows use: it runs on a separate login.
    const ordinary = routes.filter((route) => route.url !== '/api/v1/auth/logout');
    const mismatches: string[] = [];
    const subjects: Array<[string, Role, boolean, Client]> = [...clients].map(([role, client]) => [role, role, false, client]);
    subjects.push(['jr_salesperson+DPO', 'jr_salesperson', true, dpo]);
    for (const route of ordinary) {
      const url = route.url.replace(':id', crypto.randomUUID());
      for (const [label, role, isDpo, client] of subjects) {
        const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
        const response = await client.request(route.method, url, body);
        const allowed = expectedAllowed(route.access, role, isDpo);
        const refused =
          response.status === 403 && (response.body.error === 'forbidden' || response.body.error === 'totp_enrollment_required');
        if (allowed === refused || response.status === 401) {
          mismatches.push(
            `${label} ${route.method} ${route.url}: expected ${allowed ? 'allowed' : '403'}, got ${response.status} ${response.body?.error}`,
          );
        }
      }
    }
    for (const role of ROLES) {
      const fresh = await login(env(), clients.get(role)!.info.user.email);
      assert.equal((await fresh.post('/api/v1/auth/logout')).status, 204, `${role} can sign out`);
    }
    assert.deepEqual(mismatches, []);
  });

  it('declares every role in the permission table with administrators holding every action', () => {
    assert.equal(ROLES.length, 6);
    for (const action of ACTIONS) assert.ok(roleAllows('administrator', action), action);
    assert.ok(!roleAllows('jr_salesperson', 'members.manage'));
  });

  it('a refused request changes nothing in the database', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const jr = await addMember(env(), admin, 'jr_salesperson');
    const snapshot = () =>
      withTenant(env().db, tenantId, async (tx) => ({
        members: await tx.selectFrom('members').select(['id', 'role', 'is_dpo', 'team', 'status']).orderBy('id').execute(),
        invitations: await tx.selectFrom('invitations').select(['id', 'revoked_at']).orderBy('id').execute(),
        tokens: await tx.selectFrom('api_tokens').select(['id', 'revoked_at']).orderBy('id').execute(),
        audit: await tx.selectFrom('audit_events').select('seq').orderBy('seq').execute(),
        workspace: await tx.selectFrom('tenants').selectAll().execute(),
      }));
    const invitation = await admin.post('/api/v1/invitations', { email: 'x@example.org', role: 'salesperson' });
    const token = await admin.post('/api/v1/api-tokens', { name: 't', scopes: ['members.read'] });
    const before = await snapshot();

    const attempts: Array<[string, string, unknown]> = [
      ['PATCH', `/api/v1/members/${admin.info.member.id}`, { role: 'jr_salesperson' }],
      ['PATCH', `/api/v1/members/${jr.info.member.id}`, { role: 'administrator', isDpo: true }],
      ['DELETE', `/api/v1/members/${admin.info.member.id}`, undefined],
      ['POST', '/api/v1/invitations', { email: 'y@example.org', role: 'administrator' }],
      ['DELETE', `/api/v1/invitations/${invitation.body.id}`, undefined],
      ['POST', '/api/v1/api-tokens', { name: 'mine', scopes: ['members.read'] }],
      ['DELETE', `/api/v1/api-tokens/${token.body.id}`, undefined],
      ['PATCH', '/api/v1/workspace', { name: 'Taken over', requireAdminTotp: true }],
    ];
    for (const [method, url, body] of attempts) {
      const response = await jr.request(method, url, body);
      assert.equal(response.status, 403, `${method} ${url}`);
      assert.equal(response.body.error, 'forbidden');
    }
    assert.deepEqual(await snapshot(), before);
    // A Company Manager may invite, but not hand out the Administrator role.
    const manager = await addMember(env(), admin, 'company_manager');
    const afterManager = await snapshot();
    const escalation = await manager.post('/api/v1/invitations', { email: 'z@example.org', role: 'administrator' });
    assert.equal(escalation.status, 403);
    assert.deepEqual(await snapshot(), afterManager);
  });
});
