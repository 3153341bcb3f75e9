import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Client, describeEachDatabase, invitationTokens, signUp, TEST_PASSWORD } from '../support/helpers.ts';

/** Issue 23, finding 8: no path leaves a workspace without an active Administrator. */
describeEachDatabase('last administrator', (env) => {
  it("never lowers an active member's role by accepting another invitation, and never removes the last Administrator", async () => {
    const owner = await signUp(env());
    // Two invitations to the same address: as Administrator, and a stale one as Salesperson.
    const asAdmin = await owner.post('/api/v1/invitations', { email: 'second.admin@last.example', role: 'administrator' });
    const stale = await owner.post('/api/v1/invitations', { email: 'second.admin@last.example', role: 'salesperson' });
    assert.equal(asAdmin.status, 201, JSON.stringify(asAdmin.body));
    assert.equal(stale.status, 201, JSON.stringify(stale.body));
    const [asAdminToken, staleToken] = invitationTokens(env(), 'second.admin@last.example');
    const second = new Client(env().server);
    assert.equal(
      (await second.post('/api/v1/auth/invitations/accept', { token: asAdminToken, name: 'Second Admin', password: TEST_PASSWORD })).body
        .member.role,
      'administrator',
    );
    const again = await second.post('/api/v1/invitations/accept', { token: staleToken });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.member.role, 'administrator', 'the stale invitation does not demote');

    // The first Administrator steps down; the second may not then remove themselves.
    assert.equal((await owner.patch(`/api/v1/members/${owner.info.member.id}`, { role: 'company_manager' })).status, 200);
    const members = (await second.get('/api/v1/members')).body.items;
    const me = members.find((m: any) => m.role === 'administrator');
    const demote = await second.patch(`/api/v1/members/${me.id}`, { role: 'salesperson' });
    assert.equal(demote.status, 409);
    assert.match(demote.body.message, /at least one active Administrator/);
  });
});
