import assert from 'node:assert/strict';
import { it } from 'node:test';
import { portalVisitor } from '../support/consent-audit-scenarios.ts';
import { activePurpose, contactWith, liveForm, publicPath, visitor } from '../support/consent-fixtures.ts';
import { Client, describeEachDatabase, signUp, TEST_PASSWORD, uniqueSlug } from '../support/helpers.ts';

/** The answer with what varies between two requests (ids, addresses, cookies) taken out. */
function shape(response: { status: number; body: unknown; headers: Record<string, unknown> }, ...varying: string[]) {
  let body = JSON.stringify(response.body);
  for (const value of varying) body = body.replaceAll(value, 'X');
  return { status: response.status, body, setsCookie: response.headers['set-cookie'] !== undefined };
}

describeEachDatabase('public answers tell nothing', (env) => {
  /** Issue 23, finding 10: sign-up answered 409 for an address with an account. */
  it('answers a sign-up with a known e-mail as for a new one, and tells that person by e-mail instead', async () => {
    const existing = await signUp(env());
    const knownEmail = existing.info.user.email as string;
    const newEmail = `newcomer.${uniqueSlug()}@enum.example`;
    const ask = (email: string) =>
      new Client(env().server, '192.0.2.150').post('/api/v1/auth/signup', {
        workspaceName: 'Probe',
        workspaceSlug: uniqueSlug(),
        name: 'Pro Be',
        email,
        password: TEST_PASSWORD,
      });
    const forKnown = await ask(knownEmail);
    const forNew = await ask(newEmail);
    assert.equal(forKnown.status, 202);
    assert.deepEqual(shape(forKnown, knownEmail), shape(forNew, newEmail));
    const lastTo = (email: string) =>
      env()
        .mailer.sent.filter((m) => m.to === email)
        .at(-1)!;
    assert.match(lastTo(knownEmail).text, /already has an account/);
    assert.ok(!lastTo(knownEmail).text.includes('/confirm-signup#'), 'no way to make a second account for the address');
    assert.match(lastTo(newEmail).text, /\/confirm-signup#/);
  });

  /** Issue 23, finding 10: the Do Not Sell page did work only for known addresses, which timing showed. */
  it('does the same work for a known and an unknown address on the Do Not Sell page', async () => {
    const admin = await signUp(env());
    const slug = admin.info.workspace.slug as string;
    await contactWith(admin, 'known@dns.example', { country: 'US', region: 'CA' });
    const optOuts = async () =>
      (await admin.get('/api/v1/dsr-requests?type=opt_out_sale_sharing&limit=100')).body.items as Array<{
        requester: { email: string };
        status: string;
      }>;
    const known = await visitor(env()).post(`/privacy/${slug}/do-not-sell`, { email: 'known@dns.example' });
    const unknown = await visitor(env()).post(`/privacy/${slug}/do-not-sell`, { email: 'unknown@dns.example' });
    assert.deepEqual(shape(known), shape(unknown));
    const recorded = await optOuts();
    for (const email of ['known@dns.example', 'unknown@dns.example']) {
      const request = recorded.find((r) => r.requester.email === email);
      assert.equal(request?.status, 'completed', `${email}: one completed request recorded, as evidence and as equal work`);
    }
  });

  /** Issue 23, finding 9: signing out of the portal left the signed cookie valid for 30 minutes. */
  it('ends a portal session on the server when the person signs out', async () => {
    const admin = await signUp(env());
    const slug = admin.info.workspace.slug as string;
    await contactWith(admin, 'leaving@portal.example');
    const person = await portalVisitor(env(), admin, 'leaving@portal.example');
    const kept = person.cookie;
    assert.equal((await person.get(`/privacy/${slug}/me`)).status, 200);
    assert.equal((await person.post(`/privacy/${slug}/sign-out`)).status, 303);
    const copy = visitor(env());
    copy.cookie = kept;
    assert.equal((await copy.get(`/privacy/${slug}/me`)).status, 303, 'the kept cookie opens nothing');
    assert.equal((await copy.get(`/privacy/${slug}/me/export.zip`)).status, 401);
  });

  /** Issue 23, finding 12: a honeypot hit answered differently from a real submission. */
  it('answers a honeypot hit exactly like a real submission, and sends a stranger few confirmation e-mails', async () => {
    const admin = await signUp(env());
    const purpose = await activePurpose(admin);
    const form = await liveForm(admin, purpose.id, { creates: 'contact', doubleOptIn: true });
    const submit = (email: string, website: string) =>
      visitor(env()).post(publicPath(form), { fields: { email }, consents: [purpose.id], website });
    const real = await submit('real@honey.example', '');
    const bot = await submit('bot@honey.example', 'https://spam.example');
    assert.deepEqual(shape(bot), shape(real));
    assert.equal(env().mailer.sent.filter((m) => m.to === 'bot@honey.example').length, 0, "the bot's address gets nothing");

    // Twenty submissions with a stranger's address: the same answer each time, three e-mails a day.
    for (let attempt = 0; attempt < 20; attempt++) assert.equal((await submit('victim@flood.example', '')).status, 202);
    assert.equal(env().mailer.sent.filter((m) => m.to === 'victim@flood.example').length, 3);
  });

  /** Issue 23, finding 12: a rights request could be dated before the workspace existed. */
  it('refuses a request dated before the workspace existed', async () => {
    const admin = await signUp(env());
    const backdated = await admin.post('/api/v1/dsr-requests', {
      type: 'access',
      channel: 'email',
      email: 'old@dsr.example',
      receivedAt: '2001-01-01T00:00:00Z',
    });
    assert.equal(backdated.status, 422);
    assert.equal(backdated.body.details.field, 'receivedAt');
    assert.match(backdated.body.message, /before the workspace was created/);
    const recent = await admin.post('/api/v1/dsr-requests', {
      type: 'access',
      channel: 'email',
      email: 'new@dsr.example',
      receivedAt: new Date().toISOString(),
    });
    assert.equal(recent.status, 201, JSON.stringify(recent.body));
  });
});
