import { parse } from 'csv-parse/sync';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { chainAllPendingReads, recordAudit, verifyTenantChain } from '../../src/audit/service.ts';
import { currentTotp } from '../../src/auth/totp.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { CONSENT_SCENARIOS } from '../support/consent-audit-scenarios.ts';
import { SALES_SCENARIOS } from '../support/sales-audit-scenarios.ts';
import { NOTICE_SCENARIOS } from '../support/notice-audit-scenarios.ts';
import {
  addMember,
  auditCount,
  Client,
  describeEachDatabase,
  invitationToken,
  signUp,
  signupToken,
  TEST_PASSWORD,
  uniqueSlug,
  type Response,
  type TestEnv,
} from '../support/helpers.ts';

interface Scenario {
  action: string;
  /** Prepares state, performs the request once, and names the workspace whose chain it must extend. */
  run(env: TestEnv, count: (tenantId: string) => Promise<number>): Promise<{ response: Response; tenantId: string; before: number }>;
}

async function prepared(env: TestEnv) {
  const admin = await signUp(env);
  return { admin, tenantId: admin.info.workspace.id as string };
}

const SCENARIOS: Record<string, Scenario> = {
  'POST /api/v1/auth/signup/confirm': {
    action: 'workspace.create',
    async run(env) {
      const slug = uniqueSlug();
      const client = new Client(env.server);
      await client.post('/api/v1/auth/signup', {
        workspaceName: 'W',
        workspaceSlug: slug,
        name: 'N',
        email: `n@${slug}.example`,
        password: TEST_PASSWORD,
      });
      const response = await client.post('/api/v1/auth/signup/confirm', { token: signupToken(env, `n@${slug}.example`) });
      return { response, tenantId: response.body.workspace.id, before: 0 };
    },
  },
  'POST /api/v1/invitations/accept': {
    action: 'invitation.accept',
    async run(env, count) {
      const { admin } = await prepared(env);
      const other = await signUp(env);
      await other.post('/api/v1/invitations', { email: admin.info.user.email, role: 'salesperson' });
      const tenantId = other.info.workspace.id as string;
      const before = await count(tenantId);
      const response = await admin.post('/api/v1/invitations/accept', { token: invitationToken(env, admin.info.user.email) });
      return { response, tenantId, before };
    },
  },
  'POST /api/v1/auth/login': {
    action: 'auth.login',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const before = await count(tenantId);
      const response = await new Client(env.server).post('/api/v1/auth/login', { email: admin.info.user.email, password: TEST_PASSWORD });
      return { response, tenantId, before };
    },
  },
  'POST /api/v1/auth/logout': {
    action: 'auth.logout',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const before = await count(tenantId);
      return { response: await admin.post('/api/v1/auth/logout'), tenantId, before };
    },
  },
  'POST /api/v1/auth/switch-workspace': {
    action: 'auth.switch_workspace',
    async run(env, count) {
      const { admin } = await prepared(env);
      const other = await signUp(env);
      const member = await addMember(env, other, 'salesperson', { email: admin.info.user.email });
      const tenantId = admin.info.workspace.id;
      const before = await count(tenantId);
      return { response: await member.post('/api/v1/auth/switch-workspace', { workspace: admin.info.workspace.slug }), tenantId, before };
    },
  },
  'DELETE /api/v1/auth/sessions/:id': {
    action: 'session.revoke',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const id = (await admin.get('/api/v1/auth/sessions')).body.items[0].id;
      const before = await count(tenantId);
      return { response: await admin.delete(`/api/v1/auth/sessions/${id}`), tenantId, before };
    },
  },
  'POST /api/v1/auth/password': {
    action: 'auth.password_change',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const before = await count(tenantId);
      return {
        response: await admin.post('/api/v1/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'another long passphrase 99' }),
        tenantId,
        before,
      };
    },
  },
  'POST /api/v1/auth/totp/setup': {
    action: 'auth.totp_setup',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const before = await count(tenantId);
      return { response: await admin.post('/api/v1/auth/totp/setup'), tenantId, before };
    },
  },
  'POST /api/v1/auth/totp/enable': {
    action: 'auth.totp_enable',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const { secret } = (await admin.post('/api/v1/auth/totp/setup')).body;
      const before = await count(tenantId);
      return { response: await admin.post('/api/v1/auth/totp/enable', { code: await currentTotp(secret, -1) }), tenantId, before };
    },
  },
  'POST /api/v1/auth/totp/recovery-codes': {
    action: 'auth.recovery_codes_create',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const { secret } = (await admin.post('/api/v1/auth/totp/setup')).body;
      await admin.post('/api/v1/auth/totp/enable', { code: await currentTotp(secret, -1) });
      const before = await count(tenantId);
      return { response: await admin.post('/api/v1/auth/totp/recovery-codes'), tenantId, before };
    },
  },
  'POST /api/v1/invitations/:id/resend': {
    action: 'invitation.resend',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const id = (await admin.post('/api/v1/invitations', { email: 'r@example.org', role: 'salesperson' })).body.id;
      const before = await count(tenantId);
      return { response: await admin.post(`/api/v1/invitations/${id}/resend`), tenantId, before };
    },
  },
  'POST /api/v1/auth/totp/disable': {
    action: 'auth.totp_disable',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const { secret } = (await admin.post('/api/v1/auth/totp/setup')).body;
      await admin.post('/api/v1/auth/totp/enable', { code: await currentTotp(secret, -1) });
      const before = await count(tenantId);
      return {
        response: await admin.post('/api/v1/auth/totp/disable', { password: TEST_PASSWORD, code: await currentTotp(secret) }),
        tenantId,
        before,
      };
    },
  },
  'POST /api/v1/api-tokens': {
    action: 'api_token.create',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const before = await count(tenantId);
      return { response: await admin.post('/api/v1/api-tokens', { name: 'n', scopes: ['members.read'] }), tenantId, before };
    },
  },
  'DELETE /api/v1/api-tokens/:id': {
    action: 'api_token.revoke',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const id = (await admin.post('/api/v1/api-tokens', { name: 'n', scopes: ['members.read'] })).body.id;
      const before = await count(tenantId);
      return { response: await admin.delete(`/api/v1/api-tokens/${id}`), tenantId, before };
    },
  },
  'PATCH /api/v1/members/:id': {
    action: 'member.permission_change',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const sales = await addMember(env, admin, 'salesperson');
      const before = await count(tenantId);
      return {
        response: await admin.patch(`/api/v1/members/${sales.info.member.id}`, { role: 'sales_manager', team: 'north' }),
        tenantId,
        before,
      };
    },
  },
  'DELETE /api/v1/members/:id': {
    action: 'member.deactivate',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const sales = await addMember(env, admin, 'salesperson');
      const before = await count(tenantId);
      return { response: await admin.delete(`/api/v1/members/${sales.info.member.id}`), tenantId, before };
    },
  },
  'POST /api/v1/invitations': {
    action: 'invitation.create',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const before = await count(tenantId);
      return { response: await admin.post('/api/v1/invitations', { email: 'i@example.org', role: 'salesperson' }), tenantId, before };
    },
  },
  'DELETE /api/v1/invitations/:id': {
    action: 'invitation.revoke',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const id = (await admin.post('/api/v1/invitations', { email: 'i@example.org', role: 'salesperson' })).body.id;
      const before = await count(tenantId);
      return { response: await admin.delete(`/api/v1/invitations/${id}`), tenantId, before };
    },
  },
  'POST /api/v1/auth/invitations/accept': {
    action: 'invitation.accept',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      await admin.post('/api/v1/invitations', { email: 'j@example.org', role: 'salesperson' });
      const before = await count(tenantId);
      const response = await new Client(env.server).post('/api/v1/auth/invitations/accept', {
        token: invitationToken(env, 'j@example.org'),
        name: 'J',
        password: TEST_PASSWORD,
      });
      return { response, tenantId, before };
    },
  },
  'PATCH /api/v1/workspace': {
    action: 'workspace.update',
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const before = await count(tenantId);
      return { response: await admin.patch('/api/v1/workspace', { name: 'Renamed' }), tenantId, before };
    },
  },
};

/** The CRM objects: each has create, update and delete, made from the same pattern. */
const CRM_OBJECTS: Array<{ path: string; action: string; create: (admin: Client) => Promise<unknown>; patch: unknown }> = [
  { path: 'accounts', action: 'account', create: async () => ({ name: 'Audited Co' }), patch: { industry: 'Audit' } },
  {
    path: 'contacts',
    action: 'contact',
    create: async () => ({ firstName: 'Audited', emails: [`a${Math.random().toString(36).slice(2)}@example.org`] }),
    patch: { jobTitle: 'CFO' },
  },
  { path: 'leads', action: 'lead', create: async () => ({ companyName: 'Audited Lead Co' }), patch: { status: 'working' } },
  { path: 'opportunities', action: 'opportunity', create: async () => ({ name: 'Audited deal' }), patch: { stage: 'proposal' } },
  { path: 'tasks', action: 'task', create: async () => ({ title: 'Audited task' }), patch: { done: true } },
  {
    path: 'notes',
    action: 'note',
    create: async (admin) => ({
      body: 'Audited note',
      record: { type: 'account', id: (await admin.post('/api/v1/accounts', { name: 'Noted Co' })).body.id },
    }),
    patch: { body: 'Edited' },
  },
  {
    path: 'custom-fields',
    action: 'custom_field',
    create: async () => ({ object: 'account', key: `f_${Math.random().toString(36).slice(2, 8)}`, label: 'Field', type: 'text' }),
    patch: { label: 'Renamed' },
  },
];

for (const object of CRM_OBJECTS) {
  const base = `/api/v1/${object.path}`;
  const withRecord = async (env: TestEnv, count: (tenantId: string) => Promise<number>) => {
    const { admin, tenantId } = await prepared(env);
    const created = await admin.post(base, await object.create(admin));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return { admin, tenantId, id: created.body.id as string, before: await count(tenantId) };
  };
  SCENARIOS[`POST ${base}`] = {
    action: `${object.action}.create`,
    async run(env, count) {
      const { admin, tenantId } = await prepared(env);
      const body = await object.create(admin);
      const before = await count(tenantId);
      return { response: await admin.post(base, body), tenantId, before };
    },
  };
  SCENARIOS[`PATCH ${base}/:id`] = {
    action: object.action === 'custom_field' ? 'custom_field.update' : `${object.action}.update`,
    async run(env, count) {
      const { admin, tenantId, id, before } = await withRecord(env, count);
      return { response: await admin.patch(`${base}/${id}`, object.patch), tenantId, before };
    },
  };
  SCENARIOS[`DELETE ${base}/:id`] = {
    action: object.action === 'custom_field' ? 'custom_field.archive' : `${object.action}.delete`,
    async run(env, count) {
      const { admin, tenantId, id, before } = await withRecord(env, count);
      return { response: await admin.delete(`${base}/${id}`), tenantId, before };
    },
  };
}

SCENARIOS['POST /api/v1/leads/:id/convert'] = {
  action: 'lead.convert',
  async run(env, count) {
    const { admin, tenantId } = await prepared(env);
    const lead = (
      await admin.post('/api/v1/leads', {
        firstName: 'Conv',
        email: 'conv@convert.example',
        companyName: 'Convert Co',
        companyDomain: 'convert.example',
      })
    ).body;
    const before = await count(tenantId);
    return {
      response: await admin.post(`/api/v1/leads/${lead.id}/convert`, { opportunity: { name: 'Converted deal' } }),
      tenantId,
      before,
    };
  },
};

SCENARIOS['POST /api/v1/imports/:object'] = {
  action: 'contact.import',
  async run(env, count) {
    const { admin, tenantId } = await prepared(env);
    const before = await count(tenantId);
    const response = await admin.request(
      'POST',
      '/api/v1/imports/contacts?fileName=a.csv',
      'email,first name\nimported@example.org,Imp\n',
      { 'content-type': 'text/csv' },
    );
    return { response, tenantId, before };
  },
};

Object.assign(SCENARIOS, CONSENT_SCENARIOS, SALES_SCENARIOS, NOTICE_SCENARIOS);

describeEachDatabase('audit trail', (env) => {
  it('has a scenario for every state-changing route', () => {
    // Asking to sign up creates nothing (no workspace to audit in yet): following the link does.
    const createsNothing = ['POST /api/v1/auth/signup'];
    const mutating = env()
      .server.catalogue.filter((route) => !['GET', 'HEAD', 'OPTIONS'].includes(route.method))
      .filter((route) => !createsNothing.includes(`${route.method} ${route.url}`))
      .map((route) => `${route.method} ${route.url}`)
      .sort();
    assert.deepEqual(Object.keys(SCENARIOS).sort(), mutating);
  });

  for (const [route, scenario] of Object.entries(SCENARIOS)) {
    it(`${route} writes exactly one chained event (${scenario.action})`, async () => {
      const count = (tenantId: string) => auditCount(env(), tenantId);
      const { response, tenantId, before } = await scenario.run(env(), count);
      assert.ok(response.status >= 200 && response.status < 400, `${route}: ${response.status} ${JSON.stringify(response.body)}`);
      assert.equal(await count(tenantId), before + 1);
      const last = await withTenant(env().db, tenantId, (tx) =>
        tx
          .selectFrom('audit_events')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirstOrThrow(),
      );
      assert.equal(last.action, scenario.action);
      assert.ok(last.request_id, 'the event carries the request id');
      assert.equal((await verifyTenantChain(env().db, tenantId)).ok, true);
    });
  }

  it('records a failed sign-in of a known account, without the password', async () => {
    const admin = await signUp(env());
    const before = await auditCount(env(), admin.info.workspace.id);
    await new Client(env().server).post('/api/v1/auth/login', { email: admin.info.user.email, password: 'wrong password entirely' });
    assert.equal(await auditCount(env(), admin.info.workspace.id), before + 1);
    const events = (await admin.get('/api/v1/audit-events?limit=1')).body.items;
    assert.equal(events[0].action, 'auth.login_failed');
    assert.ok(!JSON.stringify(events).includes('wrong password'));
  });

  it('holds field names, never personal values', async () => {
    const admin = await signUp(env());
    const sales = await addMember(env(), admin, 'salesperson', { email: 'very.personal@example.org' });
    await admin.patch(`/api/v1/members/${sales.info.member.id}`, { team: 'Secret Team Name' });
    const rows = await withTenant(env().db, admin.info.workspace.id, (tx) => tx.selectFrom('audit_events').selectAll().execute());
    const dump = JSON.stringify(rows);
    assert.ok(!dump.includes('very.personal'));
    assert.ok(!dump.includes('Secret Team Name'));
    assert.ok(rows.some((row) => row.fields.includes('team')));
  });

  it('narrows the trail by time and exports what the filter shows as CSV, newest first, cells neutralised, the export audited', async () => {
    const admin = await signUp(env());
    for (let i = 0; i < 3; i++) await admin.patch('/api/v1/workspace', { name: `Name ${i}` });
    const all = (await admin.get('/api/v1/audit-events?action=workspace.update')).body.items as Array<{ seq: number; occurredAt: string }>;
    assert.equal(all.length, 3);
    const middle = all[1]!.occurredAt;
    const from = await admin.get(`/api/v1/audit-events?action=workspace.update&from=${encodeURIComponent(middle)}`);
    assert.deepEqual(
      from.body.items.map((event: { seq: number }) => event.seq),
      all.slice(0, 2).map((event) => event.seq),
    );
    const to = await admin.get(`/api/v1/audit-events?action=workspace.update&to=${encodeURIComponent(middle)}`);
    assert.deepEqual(
      to.body.items.map((event: { seq: number }) => event.seq),
      [all[2]!.seq],
    );
    assert.equal((await admin.get('/api/v1/audit-events?from=yesterday')).status, 400);

    // A user agent is chosen by whoever sends the request: in a spreadsheet it must stay text.
    await new Client(env().server, '203.0.113.9').request(
      'POST',
      '/api/v1/auth/login',
      { email: admin.info.user.email, password: 'not the password at all' },
      { 'user-agent': '=HYPERLINK("http://evil.example")' },
    );
    const csv = await admin.get('/api/v1/audit-events/export.csv?action=auth.login_failed');
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const rows = parse(String(csv.body)) as string[][];
    assert.deepEqual(rows[0], [
      'seq',
      'occurredAt',
      'actorType',
      'actorId',
      'action',
      'objectType',
      'objectId',
      'fields',
      'ip',
      'userAgent',
      'requestId',
      'hash',
    ]);
    assert.equal(rows.length, 2);
    assert.equal(rows[1]![9], `'=HYPERLINK("http://evil.example")`);
    const exports = (await admin.get('/api/v1/audit-events?action=audit.export')).body.items;
    assert.equal(exports.length, 1);
    assert.deepEqual(exports[0].fields, ['action']);
  });

  it('verify passes on an intact chain and names the first broken link after tampering', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    for (let i = 0; i < 4; i++) await admin.patch('/api/v1/workspace', { name: `Name ${i}` });
    const intact = await admin.get('/api/v1/audit-events/verify');
    assert.deepEqual(intact.body, { ok: true, events: 5, brokenAt: null, anchoredAt: null });

    // As superuser, with the append-only trigger disabled, someone rewrites event 3.
    await env().db.withSession(async (session) => {
      await session.exec('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await session.query(`UPDATE audit_events SET action = 'workspace.read' WHERE tenant_id = $1 AND seq = 3`, [tenantId]);
      await session.exec('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    });
    const tampered = await verifyTenantChain(env().db, tenantId);
    assert.equal(tampered.ok, false);
    assert.equal(tampered.brokenAt!.seq, 3);
    assert.match(tampered.brokenAt!.reason, /altered/);
    assert.equal((await admin.get('/api/v1/audit-events/verify')).body.ok, false);

    // Recomputing the hash of the edited row does not help: the next link no longer matches.
    const other = await signUp(env());
    const otherTenant = other.info.workspace.id;
    for (let i = 0; i < 3; i++) await other.patch('/api/v1/workspace', { name: `N${i}` });
    await env().db.withSession(async (session) => {
      await session.exec('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await session.query(`DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 2`, [otherTenant]);
      await session.exec('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    });
    const deleted = await verifyTenantChain(env().db, otherTenant);
    assert.deepEqual(deleted.brokenAt, { seq: 2, reason: 'event 2 is missing' });
  });

  it('refuses UPDATE and DELETE on the trail, for the app role and even for the owner', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    await assert.rejects(
      withTenant(env().db, tenantId, (tx) =>
        tx.updateTable('audit_events').set({ action: 'x' }).where('tenant_id', '=', tenantId).execute(),
      ),
      /permission denied|append-only/,
    );
    await assert.rejects(
      withTenant(env().db, tenantId, (tx) => tx.deleteFrom('audit_events').where('tenant_id', '=', tenantId).execute()),
      /permission denied|append-only/,
    );
    await assert.rejects(env().db.kysely.updateTable('audit_events').set({ action: 'x' }).execute(), /append-only/);
    await assert.rejects(env().db.kysely.deleteFrom('audit_events').execute(), /append-only/);
    await assert.rejects(sql`truncate audit_events`.execute(env().db.kysely), /append-only/);
  });

  it('keeps one unbroken chain under concurrent writers of the same workspace', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const origin = { actorType: 'system' as const, actorId: null };
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withTenant(env().db, tenantId, (tx) => recordAudit(tx, tenantId, origin, { action: `test.concurrent`, objectId: String(i) })),
      ),
    );
    const result = await verifyTenantChain(env().db, tenantId);
    assert.equal(result.ok, true);
    assert.equal(result.events, 21);
  });

  it('records reads of people outside the chain head, then chains them in order before anyone reads the trail', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const contact = await admin.post('/api/v1/contacts', { firstName: 'Rita', lastName: 'Reader', emails: ['rita@example.org'] });
    const waiting = () =>
      withTenant(env().db, tenantId, (tx) => tx.selectFrom('audit_read_log').select(['action', 'object_id']).orderBy('id').execute());
    const chainedReads = () =>
      withTenant(env().db, tenantId, (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['seq', 'action', 'object_id'])
          .where('action', 'in', ['contact.read', 'contact.list'])
          .orderBy('seq')
          .execute(),
      );

    assert.equal((await admin.get(`/api/v1/contacts/${contact.body.id}`)).status, 200);
    assert.equal((await admin.get('/api/v1/contacts')).status, 200);
    if (env().backend === 'postgres') {
      // While another transaction holds the chain head, a read still goes through: it never waits for it.
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let taken!: () => void;
      const headTaken = new Promise<void>((resolve) => (taken = resolve));
      const holder = withTenant(env().db, tenantId, async (tx) => {
        await sql`select last_seq from audit_chain_heads where tenant_id = ${tenantId} for update`.execute(tx);
        taken();
        await released;
      });
      await headTaken;
      try {
        let timer: NodeJS.Timeout | undefined;
        const read = await Promise.race([
          admin.get(`/api/v1/contacts/${contact.body.id}`),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the read waited for the chain head')), 10_000))),
        ]);
        clearTimeout(timer);
        assert.equal(read.status, 200);
      } finally {
        release();
        await holder;
      }
    }
    const expected = env().backend === 'postgres' ? ['contact.read', 'contact.list', 'contact.read'] : ['contact.read', 'contact.list'];
    assert.deepEqual(
      (await waiting()).map((row) => row.action),
      expected,
    );
    assert.deepEqual(await chainedReads(), [], 'not chained yet');

    assert.equal(await chainAllPendingReads(env().db), expected.length);
    assert.deepEqual(await waiting(), []);
    assert.deepEqual(
      (await chainedReads()).map((row) => row.action),
      expected,
      'chained in the order they happened',
    );
    assert.equal((await verifyTenantChain(env().db, tenantId)).ok, true);

    // The audit log never misses a read, even one the job has not reached yet.
    await admin.get(`/api/v1/contacts/${contact.body.id}`);
    const log = await admin.get(`/api/v1/audit-events?action=contact.read&limit=10`);
    assert.equal(log.body.items.length, expected.filter((action) => action === 'contact.read').length + 1);
    assert.deepEqual(await waiting(), []);
    assert.equal(await chainAllPendingReads(env().db), 0);
    assert.equal((await verifyTenantChain(env().db, tenantId)).ok, true);
  });
});
