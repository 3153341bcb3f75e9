import assert from 'node:assert/strict';
import { it } from 'node:test';
import { currentTotp } from '../../src/auth/totp.ts';
import { withTenant } from '../../src/db/tenant.ts';
import {
  addMember,
  Client,
  describeEachDatabase,
  invitationToken,
  signUp,
  signupToken,
  TEST_PASSWORD,
  uniqueSlug,
} from '../support/helpers.ts';

describeEachDatabase('authentication', (env) => {
  it('signs up a workspace with its Administrator and a __Host- session cookie', async () => {
    const slug = uniqueSlug();
    const client = new Client(env().server);
    const asked = await client.post('/api/v1/auth/signup', {
      workspaceName: 'Acme',
      workspaceSlug: slug,
      name: 'Ada',
      email: `Ada@${slug}.example`,
      password: TEST_PASSWORD,
    });
    assert.equal(asked.status, 202);
    assert.equal(asked.headers['set-cookie'], undefined, 'nothing is created before the link is followed');
    const response = await client.post('/api/v1/auth/signup/confirm', { token: signupToken(env(), `ada@${slug}.example`) });
    assert.equal(response.status, 201);
    assert.equal(response.body.member.role, 'administrator');
    assert.equal(response.body.user.email, `ada@${slug}.example`);
    const cookie = String([response.headers['set-cookie']].flat()[0]);
    assert.match(cookie, /^__Host-lawful_session=/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /Secure/);
    assert.match(cookie, /SameSite=Lax/);
    assert.equal((await client.get('/api/v1/workspace')).body.slug, slug);

    const again = await new Client(env().server).post('/api/v1/auth/signup', {
      workspaceName: 'Other',
      workspaceSlug: slug,
      name: 'Bob',
      email: `bob@${slug}.example`,
      password: TEST_PASSWORD,
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.details.field, 'workspaceSlug');
  });

  it('refuses weak and breached passwords with 422 and no account', async () => {
    for (const password of ['short', 'qwerty123456', 'password1234']) {
      const slug = uniqueSlug();
      const response = await new Client(env().server).post('/api/v1/auth/signup', {
        workspaceName: 'W',
        workspaceSlug: slug,
        name: 'N',
        email: `n@${slug}.example`,
        password,
      });
      assert.equal(response.status, 422, password);
      assert.equal(response.body.details.field, 'password');
      const user = await env().db.kysely.selectFrom('users').select('id').where('email', '=', `n@${slug}.example`).executeTakeFirst();
      assert.equal(user, undefined);
    }
  });

  it('refuses a wrong password and an unknown email alike with 401', async () => {
    const admin = await signUp(env());
    const email = admin.info.user.email;
    const wrong = await new Client(env().server, '192.0.2.1').post('/api/v1/auth/login', { email, password: 'not the right password' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_credentials');
    const unknown = await new Client(env().server, '192.0.2.1').post('/api/v1/auth/login', {
      email: 'nobody@nowhere.example',
      password: 'whatever it is here',
    });
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.body, wrong.body);
    const right = await new Client(env().server, '192.0.2.1').post('/api/v1/auth/login', { email, password: TEST_PASSWORD });
    assert.equal(right.status, 200);
  });

  it('locks an account after repeated failures, with 429 and Retry-After, even for the right password', async () => {
    const admin = await signUp(env());
    const email = admin.info.user.email;
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await new Client(env().server, `192.0.2.${50 + attempt}`).post('/api/v1/auth/login', {
        email,
        password: 'wrong password again',
      });
      assert.equal(response.status, 401);
    }
    const locked = await new Client(env().server, '192.0.2.99').post('/api/v1/auth/login', { email, password: TEST_PASSWORD });
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers['retry-after']) > 0);
    assert.equal(locked.body.error, 'too_many_requests');
  });

  it('new session on every login; logout invalidates the session server-side', async () => {
    const admin = await signUp(env());
    const again = new Client(env().server);
    await again.post('/api/v1/auth/login', { email: admin.info.user.email, password: TEST_PASSWORD });
    assert.notEqual(again.cookie, admin.cookie);
    const stolenCookie = again.cookie;
    assert.equal((await again.post('/api/v1/auth/logout')).status, 204);
    const replay = new Client(env().server);
    replay.cookie = stolenCookie;
    assert.equal((await replay.get('/api/v1/workspace')).status, 401);
    assert.equal((await admin.get('/api/v1/workspace')).status, 200);
  });

  it('refuses an expired session (idle 30 minutes, absolute 12 hours)', async () => {
    const idle = await signUp(env());
    await env()
      .db.kysely.updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - 31 * 60_000) })
      .where('id', '=', await sessionIdOf(idle))
      .execute();
    const idleResponse = await idle.get('/api/v1/workspace');
    assert.equal(idleResponse.status, 401);
    assert.equal(idleResponse.body.error, 'unauthenticated');

    const old = await signUp(env());
    await env()
      .db.kysely.updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', await sessionIdOf(old))
      .execute();
    assert.equal((await old.get('/api/v1/workspace')).status, 401);
  });

  it('refuses a state-changing request without the CSRF token, and changes nothing', async () => {
    const admin = await signUp(env());
    const missing = await admin.request('PATCH', '/api/v1/workspace', { name: 'Renamed' }, { 'x-csrf-token': '' });
    assert.equal(missing.status, 403);
    assert.equal(missing.body.error, 'csrf_failed');
    const other = await signUp(env());
    const foreign = await admin.request('PATCH', '/api/v1/workspace', { name: 'Renamed' }, { 'x-csrf-token': other.csrf! });
    assert.equal(foreign.status, 403);
    assert.equal((await admin.get('/api/v1/workspace')).body.name, admin.info.workspace.name);
    assert.equal((await admin.patch('/api/v1/workspace', { name: 'Renamed' })).status, 200);
  });

  it("lets a member list and revoke their own sessions, not anyone else's", async () => {
    const admin = await signUp(env());
    const second = new Client(env().server);
    await second.post('/api/v1/auth/login', { email: admin.info.user.email, password: TEST_PASSWORD });
    const list = await admin.get('/api/v1/auth/sessions');
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 2);
    const other = list.body.items.find((item: any) => !item.current);
    assert.equal((await admin.delete(`/api/v1/auth/sessions/${other.id}`)).status, 204);
    assert.equal((await second.get('/api/v1/workspace')).status, 401);
    const stranger = await signUp(env());
    const mine = (await admin.get('/api/v1/auth/sessions')).body.items[0].id;
    assert.equal((await stranger.delete(`/api/v1/auth/sessions/${mine}`)).status, 404);
    assert.equal((await admin.get('/api/v1/workspace')).status, 200);
  });

  it('authenticates API tokens by scope and refuses revoked, expired and malformed ones', async () => {
    const admin = await signUp(env());
    const created = await admin.post('/api/v1/api-tokens', { name: 'sync', scopes: ['members.read'] });
    assert.equal(created.status, 201);
    assert.match(created.body.token, /^lct\./);
    const stored = await env()
      .db.kysely.selectFrom('api_tokens')
      .select('token_hash')
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    assert.ok(!Buffer.from(stored.token_hash).toString('utf8').includes(created.body.token.split('.')[3]));

    const integration = new Client(env().server);
    integration.bearer = created.body.token;
    assert.equal((await integration.get('/api/v1/members')).status, 200);
    const outOfScope = await integration.get('/api/v1/workspace');
    assert.equal(outOfScope.status, 403);
    assert.equal(outOfScope.body.error, 'insufficient_scope');
    assert.equal((await integration.get('/api/v1/auth/sessions')).status, 403, 'session-only endpoints refuse tokens');

    assert.equal((await admin.delete(`/api/v1/api-tokens/${created.body.id}`)).status, 204);
    const revoked = await integration.get('/api/v1/members');
    assert.equal(revoked.status, 401);

    const malformed = new Client(env().server);
    malformed.bearer = 'lct.not-a-token';
    assert.equal((await malformed.get('/api/v1/members')).status, 401);

    const expiring = await admin.post('/api/v1/api-tokens', {
      name: 'short',
      scopes: ['members.read'],
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await withTenant(env().db, admin.info.workspace.id, (tx) =>
      tx
        .updateTable('api_tokens')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', expiring.body.id)
        .execute(),
    );
    const expired = new Client(env().server);
    expired.bearer = expiring.body.token;
    assert.equal((await expired.get('/api/v1/members')).status, 401);
  });

  it('will not let a token carry scopes its creator lacks', async () => {
    const admin = await signUp(env());
    const unknown = await admin.post('/api/v1/api-tokens', { name: 'x', scopes: ['everything'] });
    assert.equal(unknown.status, 422);
    assert.deepEqual(unknown.body.details.unknown, ['everything']);
  });

  it('hands out ten single-use recovery codes that sign in in place of a TOTP code, only to a session that proved the second factor', async () => {
    const admin = await signUp(env());
    assert.equal((await admin.post('/api/v1/auth/totp/recovery-codes')).status, 409, 'no codes without two-factor');
    const earlier = new Client(env().server);
    assert.equal((await earlier.post('/api/v1/auth/login', { email: admin.info.user.email, password: TEST_PASSWORD })).status, 200);
    const secret = (await admin.post('/api/v1/auth/totp/setup')).body.secret as string;
    assert.equal((await admin.post('/api/v1/auth/totp/enable', { code: await currentTotp(secret, -1) })).status, 204);
    // A session signed in before two-factor was turned on never proved it: it cannot make codes.
    let refused = await earlier.post('/api/v1/auth/totp/recovery-codes');
    if (refused.body.error === 'session_changed') refused = await earlier.post('/api/v1/auth/totp/recovery-codes');
    assert.equal(refused.status, 403);
    const made = await admin.post('/api/v1/auth/totp/recovery-codes');
    assert.equal(made.status, 200);
    const codes = made.body.codes as string[];
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, /^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    assert.deepEqual((await admin.get('/api/v1/auth/totp/recovery-codes')).body, { remaining: 10 });

    const email = admin.info.user.email;
    const signIn = (recoveryCode: string) =>
      new Client(env().server).post('/api/v1/auth/login', { email, password: TEST_PASSWORD, recoveryCode });
    // Typed back in lower case without dashes, it still counts; the second time it does not.
    const used = await signIn(codes[0]!.toLowerCase().replace(/-/g, ''));
    assert.equal(used.status, 200);
    assert.equal(used.body.mfaEnrollmentRequired, false);
    const again = await signIn(codes[0]!);
    assert.equal(again.status, 401);
    assert.equal(again.body.error, 'invalid_totp');
    assert.equal((await signIn('AAAA-BBBB-CCCC-DDDD')).status, 401);
    assert.equal((await signIn('not a code')).status, 400);
    assert.deepEqual((await admin.get('/api/v1/auth/totp/recovery-codes')).body, { remaining: 9 });

    // A new set replaces the old one: the codes already printed stop working.
    const replaced = (await admin.post('/api/v1/auth/totp/recovery-codes')).body.codes as string[];
    assert.equal((await signIn(codes[1]!)).status, 401, 'the previous set stopped working');
    assert.equal((await signIn(replaced[0]!)).status, 200);
    const audit = await admin.get('/api/v1/audit-events?action=auth.login');
    assert.ok(
      audit.body.items.some((event: { fields: string[] | null }) => event.fields?.includes('recovery_code')),
      'a sign-in by recovery code is audited as such',
    );
  });

  it('requires the TOTP code once enabled, refuses replays, and accepts a fresh code', async () => {
    const admin = await signUp(env());
    const setup = await admin.post('/api/v1/auth/totp/setup');
    assert.equal(setup.status, 200);
    const secret = setup.body.secret as string;
    assert.match(setup.body.otpauthUrl, /^otpauth:\/\/totp\//);
    assert.equal(
      (await admin.post('/api/v1/auth/totp/enable', { code: '000000' === (await currentTotp(secret)) ? '111111' : '000000' })).status,
      422,
    );
    assert.equal((await admin.post('/api/v1/auth/totp/enable', { code: await currentTotp(secret, -1) })).status, 204);

    const email = admin.info.user.email;
    const withoutCode = await new Client(env().server).post('/api/v1/auth/login', { email, password: TEST_PASSWORD });
    assert.equal(withoutCode.status, 401);
    assert.equal(withoutCode.body.error, 'totp_required');
    const wrongCode = await new Client(env().server).post('/api/v1/auth/login', {
      email,
      password: TEST_PASSWORD,
      totp: '123456' === (await currentTotp(secret)) ? '654321' : '123456',
    });
    assert.equal(wrongCode.status, 401);
    assert.equal(wrongCode.body.error, 'invalid_totp');

    const code = await currentTotp(secret);
    assert.equal((await new Client(env().server).post('/api/v1/auth/login', { email, password: TEST_PASSWORD, totp: code })).status, 200);
    const replay = await new Client(env().server).post('/api/v1/auth/login', { email, password: TEST_PASSWORD, totp: code });
    assert.equal(replay.status, 401, 'the same code cannot be used twice');
    assert.equal(
      (await new Client(env().server).post('/api/v1/auth/login', { email, password: TEST_PASSWORD, totp: await currentTotp(secret, 1) }))
        .status,
      200,
    );

    const stored = await env()
      .db.kysely.selectFrom('users')
      .select('totp_secret_enc')
      .where('id', '=', admin.info.user.id)
      .executeTakeFirstOrThrow();
    assert.ok(stored.totp_secret_enc && !stored.totp_secret_enc.includes(secret), 'the TOTP secret is stored encrypted');
  });

  it('confines an Administrator without TOTP to enrolment once the workspace requires it', async () => {
    const admin = await signUp(env());
    const coAdmin = await addMember(env(), admin, 'administrator');
    const sales = await addMember(env(), admin, 'salesperson');
    assert.equal((await admin.patch('/api/v1/workspace', { requireAdminTotp: true })).status, 200);

    const blocked = await coAdmin.get('/api/v1/members');
    assert.equal(blocked.status, 403);
    assert.equal(blocked.body.error, 'totp_enrollment_required');
    assert.equal((await sales.get('/api/v1/members')).status, 200, 'other roles are not affected');
    const session = await coAdmin.get('/api/v1/auth/session');
    assert.equal(session.body.mfaEnrollmentRequired, true);

    const { secret } = (await coAdmin.post('/api/v1/auth/totp/setup')).body;
    assert.equal((await coAdmin.post('/api/v1/auth/totp/enable', { code: await currentTotp(secret) })).status, 204);
    assert.equal((await coAdmin.get('/api/v1/members')).status, 200);
  });

  it('changes the password after re-authentication and ends the other sessions', async () => {
    const admin = await signUp(env());
    const other = new Client(env().server);
    await other.post('/api/v1/auth/login', { email: admin.info.user.email, password: TEST_PASSWORD });
    const wrong = await admin.post('/api/v1/auth/password', {
      currentPassword: 'not my password at all',
      newPassword: 'a brand new long passphrase',
    });
    assert.equal(wrong.status, 403);
    assert.equal(
      (await admin.post('/api/v1/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'a brand new long passphrase' })).status,
      204,
    );
    assert.equal((await other.get('/api/v1/workspace')).status, 401);
    assert.equal((await admin.get('/api/v1/workspace')).status, 200);
    const login = await new Client(env().server).post('/api/v1/auth/login', {
      email: admin.info.user.email,
      password: 'a brand new long passphrase',
    });
    assert.equal(login.status, 200);
  });

  it('invites by email with a single-use link and switches between workspaces', async () => {
    const admin = await signUp(env());
    const invited = await admin.post('/api/v1/invitations', { email: 'Newcomer@Example.org', role: 'sales_manager' });
    assert.equal(invited.status, 201);
    const mail = env().mailer.sent.at(-1)!;
    assert.equal(mail.to, 'newcomer@example.org');
    assert.equal(invited.body.acceptUrl, undefined, 'the link goes by e-mail only');
    const token = invitationToken(env(), 'newcomer@example.org');
    const member = new Client(env().server);
    const accepted = await member.post('/api/v1/auth/invitations/accept', { token, name: 'New Comer', password: TEST_PASSWORD });
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body.member.role, 'sales_manager');
    const reused = await new Client(env().server).post('/api/v1/auth/invitations/accept', {
      token,
      name: 'Someone',
      password: TEST_PASSWORD,
    });
    assert.equal(reused.status, 404);
    assert.equal(reused.body.error, 'invalid_invitation');

    // The same person joins a second workspace from their signed-in session and switches back.
    const otherAdmin = await signUp(env());
    await otherAdmin.post('/api/v1/invitations', { email: 'newcomer@example.org', role: 'salesperson' });
    const joined = await member.post('/api/v1/invitations/accept', { token: invitationToken(env(), 'newcomer@example.org') });
    assert.equal(joined.status, 200);
    assert.equal(joined.body.workspace.id, otherAdmin.info.workspace.id);
    assert.equal(joined.body.workspaces.length, 2);
    const switched = await member.post('/api/v1/auth/switch-workspace', { workspace: admin.info.workspace.slug });
    assert.equal(switched.status, 200);
    assert.equal(switched.body.workspace.id, admin.info.workspace.id);
    assert.equal((await member.get('/api/v1/workspace')).body.id, admin.info.workspace.id);
    assert.equal((await member.post('/api/v1/auth/switch-workspace', { workspace: uniqueSlug() })).status, 404);
  });

  it('keeps at least one active Administrator', async () => {
    const admin = await signUp(env());
    const demote = await admin.patch(`/api/v1/members/${admin.info.member.id}`, { role: 'salesperson' });
    assert.equal(demote.status, 409);
    assert.equal((await admin.delete(`/api/v1/members/${admin.info.member.id}`)).status, 409);
  });

  it('ends the access of a deactivated member at once', async () => {
    const admin = await signUp(env());
    const sales = await addMember(env(), admin, 'salesperson');
    assert.equal((await sales.get('/api/v1/members')).status, 200);
    assert.equal((await admin.delete(`/api/v1/members/${sales.info.member.id}`)).status, 204);
    assert.equal((await sales.get('/api/v1/members')).status, 401);
    const login = await new Client(env().server).post('/api/v1/auth/login', { email: sales.info.user.email, password: TEST_PASSWORD });
    assert.equal(login.status, 401);
    assert.equal(login.body.error, 'no_workspace');
  });

  async function sessionIdOf(client: Client): Promise<string> {
    const list = await client.get('/api/v1/auth/sessions');
    return list.body.items.find((item: any) => item.current).id;
  }
});
