import assert from 'node:assert/strict';
import { it } from 'node:test';
import { currentTotp } from '../../src/auth/totp.ts';
import {
  addMember,
  Client,
  describeEachDatabase,
  invitationToken,
  invitationTokens,
  signUp,
  TEST_PASSWORD,
  type TestEnv,
} from '../support/helpers.ts';

/** A signed-up Administrator with TOTP enabled, and the code of the next step for their next proof. */
async function victimWithTotp(env: TestEnv) {
  const victim = await signUp(env);
  const setup = await victim.post('/api/v1/auth/totp/setup');
  assert.equal((await victim.post('/api/v1/auth/totp/enable', { code: await currentTotp(setup.body.secret, -1) })).status, 204);
  return { victim, secret: setup.body.secret as string, email: victim.info.user.email as string };
}

/**
 * Issue 23, finding 1 (critical): an invitation to an existing account's e-mail was accepted by
 * its password alone — no second factor, no failure counting, no lock — and the session then
 * switched into the victim's own workspace with the victim's role.
 */
describeEachDatabase('invitation acceptance cannot take over an account', (env) => {
  it('never returns the token to the inviter and never accepts for an existing account by password', async () => {
    const { victim, email } = await victimWithTotp(env());
    const attacker = await signUp(env());
    const invited = await attacker.post('/api/v1/invitations', { email, role: 'salesperson' });
    assert.equal(invited.status, 201);
    assert.ok(!JSON.stringify(invited.body).includes('accept-invitation'), "no link in the inviter's answer");
    assert.deepEqual(Object.keys(invited.body).sort(), ['createdAt', 'email', 'expiresAt', 'id', 'invitedBy', 'isDpo', 'role', 'status']);

    // Even holding the mailed token, a password is not a way in: the owner must sign in first.
    const token = invitationToken(env(), email);
    const thief = new Client(env().server, '198.51.100.77');
    for (let attempt = 0; attempt < 8; attempt++) {
      const guess = await thief.post('/api/v1/auth/invitations/accept', { token, password: `guess number ${attempt} of many` });
      assert.equal(guess.status, 409);
      assert.equal(guess.body.error, 'sign_in_to_accept');
    }
    const right = await thief.post('/api/v1/auth/invitations/accept', { token, password: TEST_PASSWORD });
    assert.equal(right.status, 409, 'the right password does not sign in through an invitation either');
    assert.equal(thief.cookie, undefined);
    assert.equal((await thief.post('/api/v1/auth/switch-workspace', { workspace: victim.info.workspace.slug })).status, 401);
  });

  it('resends an open invitation with a new link that replaces the old one, under the same role rule', async () => {
    const admin = await signUp(env());
    const invited = await admin.post('/api/v1/invitations', { email: 'again@example.org', role: 'administrator' });
    const first = invitationToken(env(), 'again@example.org');
    const resent = await admin.post(`/api/v1/invitations/${invited.body.id}/resend`);
    assert.equal(resent.status, 200);
    assert.equal(resent.body.status, 'pending');
    const tokens = invitationTokens(env(), 'again@example.org');
    assert.equal(tokens.length, 2, 'the invited address got a second e-mail');
    assert.notEqual(tokens[1], first);
    const newcomer = new Client(env().server, '198.51.100.31');
    const stale = await newcomer.post('/api/v1/auth/invitations/accept', { token: first, name: 'Again', password: TEST_PASSWORD });
    assert.equal(stale.status, 404, 'the first link stopped working');
    // A company manager may invite, but not send again an invitation that makes an Administrator.
    const manager = await addMember(env(), admin, 'company_manager');
    const refused = await manager.post(`/api/v1/invitations/${invited.body.id}/resend`);
    assert.equal(refused.status, 403);
    assert.equal(invitationTokens(env(), 'again@example.org').length, 2, 'a refused resend sends nothing');
    const accepted = await newcomer.post('/api/v1/auth/invitations/accept', { token: tokens[1], name: 'Again', password: TEST_PASSWORD });
    assert.equal(accepted.status, 200);
    assert.equal(
      (await admin.post(`/api/v1/invitations/${invited.body.id}/resend`)).status,
      404,
      'an accepted invitation is not sent again',
    );
    const audit = await admin.get('/api/v1/audit-events?action=invitation.resend');
    assert.equal(audit.body.items.filter((event: { objectId: string }) => event.objectId === invited.body.id).length, 1);
  });

  it('lets the signed-in owner of the e-mail accept, and refuses another signed-in account', async () => {
    const { victim, email, secret } = await victimWithTotp(env());
    const other = await signUp(env());
    const inviter = await signUp(env());
    await inviter.post('/api/v1/invitations', { email, role: 'sales_manager' });
    const token = invitationToken(env(), email);

    const wrongAccount = await other.post('/api/v1/invitations/accept', { token });
    assert.equal(wrongAccount.status, 403);
    assert.equal(wrongAccount.body.error, 'invitation_for_another_account');

    const signedIn = new Client(env().server);
    assert.equal(
      (await signedIn.post('/api/v1/auth/login', { email, password: TEST_PASSWORD, totp: await currentTotp(secret) })).status,
      200,
    );
    const joined = await signedIn.post('/api/v1/invitations/accept', { token });
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
    assert.equal(joined.body.workspace.id, inviter.info.workspace.id);
    assert.equal(joined.body.member.role, 'sales_manager');
    // The session proved the second factor at sign-in, so it may move between the workspaces.
    const back = await signedIn.post('/api/v1/auth/switch-workspace', { workspace: victim.info.workspace.slug });
    assert.equal(back.status, 200);
    assert.equal(back.body.member.role, 'administrator');
  });

  it('keeps a session that did not prove the second factor in its workspace', async () => {
    const owner = await signUp(env());
    const email = owner.info.user.email as string;
    const second = await signUp(env());
    await second.post('/api/v1/invitations', { email, role: 'salesperson' });
    assert.equal((await owner.post('/api/v1/invitations/accept', { token: invitationToken(env(), email) })).status, 200);
    // A session signed in by password before the account had a second factor…
    const older = new Client(env().server);
    assert.equal(
      (await older.post('/api/v1/auth/login', { email, password: TEST_PASSWORD, workspace: owner.info.workspace.slug })).status,
      200,
    );
    // …then the account enrols one elsewhere.
    const setup = await owner.post('/api/v1/auth/totp/setup');
    assert.equal((await owner.post('/api/v1/auth/totp/enable', { code: await currentTotp(setup.body.secret, -1) })).status, 204);
    const moved = await older.post('/api/v1/auth/switch-workspace', { workspace: second.info.workspace.slug });
    assert.equal(moved.status, 403);
    assert.equal(moved.body.error, 'second_factor_required');
    // The enrolling session proved it and may move.
    assert.equal((await owner.post('/api/v1/auth/switch-workspace', { workspace: owner.info.workspace.slug })).status, 200);
  });

  it('counts failed current-password checks toward the account lock (finding 11)', async () => {
    const admin = await signUp(env());
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await admin.post('/api/v1/auth/password', {
        currentPassword: `not my password ${attempt}`,
        newPassword: 'a brand new long passphrase for me',
      });
      assert.equal(wrong.status, 403);
      assert.equal(wrong.body.error, 'reauthentication_failed');
    }
    const locked = await new Client(env().server, '192.0.2.201').post('/api/v1/auth/login', {
      email: admin.info.user.email,
      password: TEST_PASSWORD,
    });
    assert.equal(locked.status, 429);
    assert.equal(
      (await admin.post('/api/v1/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'a brand new long passphrase for me' }))
        .status,
      429,
    );
  });

  it('locks an unknown e-mail exactly like a known one (finding 10)', async () => {
    const known = (await signUp(env())).info.user.email as string;
    const answers = async (email: string) => {
      const seen: Array<[number, string]> = [];
      for (let attempt = 0; attempt < 6; attempt++) {
        const response = await new Client(env().server, `192.0.2.${120 + attempt}`).post('/api/v1/auth/login', {
          email,
          password: 'a wrong password here',
        });
        seen.push([response.status, response.body.error]);
      }
      return seen;
    };
    const forKnown = await answers(known);
    assert.deepEqual(forKnown.at(-1), [429, 'too_many_requests']);
    assert.deepEqual(await answers('nobody-at-all@unknown.example'), forKnown);
  });

  it('refuses guessable passwords scored by zxcvbn-ts (finding 11)', async () => {
    for (const password of ['Password123!', 'Summer2024!!', 'P@ssw0rd2024', 'aaaaaaaaaaaa', 'lawfulcrm1234']) {
      const response = await new Client(env().server).post('/api/v1/auth/signup', {
        workspaceName: 'Weak',
        workspaceSlug: `weak-${Math.random().toString(36).slice(2, 10)}`,
        name: 'Wendy Weak',
        email: `wendy.${Math.random().toString(36).slice(2, 8)}@weak.example`,
        password,
      });
      assert.equal(response.status, 422, password);
      assert.equal(response.body.details.field, 'password');
      assert.match(response.body.message, /too easy to guess/);
    }
  });
});
