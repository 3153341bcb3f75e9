import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { it } from 'node:test';
import { sql } from 'kysely';
import { sessionCookieName } from '../../src/auth/guard.ts';
import { Client, describeEachDatabase, signUp, TEST_PASSWORD } from '../support/helpers.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

describeEachDatabase('CSRF and session fixation', (env) => {
  it("refuses every state-changing route of a signed-in member without the session's own CSRF token, and changes nothing", async () => {
    const a = await signUp(env());
    const b = await signUp(env());
    const tenantId = a.info.workspace.id;
    const auditCount = async () =>
      Number(
        (await sql<{ n: string }>`select count(*) as n from audit_events where tenant_id = ${tenantId}`.execute(env().db.kysely)).rows[0]!
          .n,
      );
    const before = await auditCount();
    // Public routes (forms, the cookie banner, the privacy portal) carry no session: they are
    // meant to be posted from other sites, and what they act on is named by a signed token.
    const routes = env().server.catalogue.filter((route) => STATE_CHANGING.has(route.method) && route.access !== 'public');
    assert.ok(routes.length > 60, `${routes.length} state-changing routes`);
    const wrong: string[] = [];
    for (const route of routes) {
      const url = route.url.replace(/:(\w+)/g, () => crypto.randomUUID());
      const attempts: Array<[string, Record<string, string>, unknown]> = [
        ['no token', { 'x-csrf-token': '' }, {}],
        ["another session's token", { 'x-csrf-token': b.csrf! }, {}],
        ['a forged token', { 'x-csrf-token': crypto.randomBytes(32).toString('base64url') }, {}],
        // What a hostile page can send cross-site without script: a form post.
        [
          'a cross-site form post',
          { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'x-csrf-token': '' },
          'name=Hijacked&role=administrator',
        ],
      ];
      for (const [label, headers, body] of attempts) {
        const response = await a.request(route.method, url, route.method === 'DELETE' ? undefined : body, headers);
        if (response.status !== 403 || response.body?.error !== 'csrf_failed')
          wrong.push(`${route.method} ${route.url} with ${label}: ${response.status} ${response.body?.error}`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.equal(await auditCount(), before, 'nothing happened');
    assert.equal((await a.get('/api/v1/auth/session')).status, 200, 'the session is still there');
  });

  it('never adopts a session id the browser brings, issues a new one at each sign-in, and ends it server-side', async () => {
    const victim = await signUp(env());
    const attacker = await signUp(env());
    const name = sessionCookieName(env().app);

    // A planted, made-up id: sign-in answers with a fresh one, and the planted one stays worthless.
    const planted = crypto.randomBytes(32).toString('base64url');
    const browser = new Client(env().server);
    browser.cookie = `${name}=${planted}`;
    const login = await browser.post('/api/v1/auth/login', { email: victim.info.user.email, password: TEST_PASSWORD });
    assert.equal(login.status, 200);
    const cookie = String([login.headers['set-cookie']].flat()[0]);
    assert.match(cookie, new RegExp(`^${name}=`));
    assert.ok(!cookie.includes(planted), 'a new session id');
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\//);
    const plantedOnly = new Client(env().server);
    plantedOnly.cookie = `${name}=${planted}`;
    assert.equal((await plantedOnly.get('/api/v1/auth/session')).status, 401);

    // The attacker's own valid session planted in the victim's browser: signing in does not turn
    // it into the victim's; the victim gets a session of their own.
    const fixed = new Client(env().server);
    fixed.cookie = attacker.cookie;
    assert.equal((await fixed.post('/api/v1/auth/login', { email: victim.info.user.email, password: TEST_PASSWORD })).status, 200);
    assert.notEqual(fixed.cookie, attacker.cookie);
    const attackerView = await attacker.get('/api/v1/auth/session');
    assert.equal(attackerView.body.user.email, attacker.info.user.email, "the attacker's session is still only the attacker's");
    assert.equal((await fixed.get('/api/v1/auth/session')).body.user.email, victim.info.user.email);

    // The CSRF token belongs to its session: an earlier session's token does not work with the new one.
    const stale = browser.csrf;
    const fresh = new Client(env().server);
    await fresh.post('/api/v1/auth/login', { email: victim.info.user.email, password: TEST_PASSWORD });
    assert.notEqual(fresh.csrf, stale);
    assert.equal((await fresh.request('PATCH', '/api/v1/workspace', { name: 'Renamed' }, { 'x-csrf-token': stale! })).status, 403);

    // Signing out ends the session on the server: the old cookie is refused afterwards.
    const kept = fresh.cookie;
    assert.equal((await fresh.post('/api/v1/auth/logout')).status, 204);
    const replay = new Client(env().server);
    replay.cookie = kept;
    assert.equal((await replay.get('/api/v1/auth/session')).status, 401);
  });

  it('marks the session cookie Secure with the __Host- prefix when served over HTTPS', async () => {
    const config = env().app.config;
    const previous = config.secureCookies;
    Object.assign(config, { secureCookies: true });
    try {
      const admin = await signUp(env());
      const response = await new Client(env().server).post('/api/v1/auth/login', { email: admin.info.user.email, password: TEST_PASSWORD });
      const cookie = String([response.headers['set-cookie']].flat()[0]);
      assert.match(cookie, /^__Host-lawful_session=/);
      assert.match(cookie, /Secure/);
      assert.doesNotMatch(cookie, /Domain=/i, '__Host- cookies name no domain');
    } finally {
      Object.assign(config, { secureCookies: previous });
    }
  });
});
