import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { randomKey } from '../../src/crypto/aead.ts';
import { LocalKeyring } from '../../src/crypto/master-keys.ts';
import { loggerOptions } from '../../src/http/app.ts';
import { buildApp } from '../../src/server.ts';
import { ERROR_CODES } from '../../src/http/errors.ts';
import { boot } from '../../src/boot.ts';
import { backends, CapturingMailer, Client, describeEachDatabase, signUp, testConfig, TEST_PASSWORD } from '../support/helpers.ts';

describeEachDatabase(
  'HTTP shell',
  (env) => {
    it('serves liveness, readiness, OpenAPI 3.1 and the docs page', async () => {
      const client = new Client(env().server);
      assert.deepEqual((await client.get('/healthz')).body, { status: 'ok' });
      assert.deepEqual((await client.get('/readyz')).body, { status: 'ready' });
      const spec = (await client.get('/openapi.json')).body;
      assert.equal(spec.openapi, '3.1.0');
      for (const path of ['/api/v1/auth/login', '/api/v1/members/{id}', '/api/v1/audit-events', '/api/v1/api-tokens']) {
        assert.ok(spec.paths[path], `${path} is documented`);
      }
      assert.ok(spec.paths['/api/v1/auth/login'].post.requestBody, 'request bodies come from the zod schemas');
      const docs = await env().server.inject({ method: 'GET', url: '/docs/' });
      assert.equal(docs.statusCode, 200);
      assert.match(docs.body, /swagger/i);
    });

    it('names the schemas of /openapi.json (one per concept, for a generated client), every $ref resolving, and lists every error code', async () => {
      const spec = (await new Client(env().server).get('/openapi.json')).body;
      const names = Object.keys(spec.components.schemas);
      for (const name of [
        'Contact',
        'ContactPage',
        'ContactBodyInput',
        'ContactPatchInput',
        'Lead',
        'Dsr',
        'Integration',
        'ImportRun',
        'Error',
      ])
        assert.ok(names.includes(name), `${name} is a component`);
      assert.equal(
        spec.paths['/api/v1/contacts'].get.responses['200'].content['application/json'].schema.$ref,
        '#/components/schemas/ContactPage',
      );
      assert.equal(
        spec.paths['/api/v1/contacts'].post.requestBody.content['application/json'].schema.$ref,
        '#/components/schemas/ContactBodyInput',
      );
      const refs = [...JSON.stringify(spec).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1]!);
      assert.deepEqual([...new Set(refs.filter((ref) => !names.includes(ref)))], [], 'every $ref names a component');
      assert.deepEqual(spec.components.schemas.Error.properties.error.enum, [...ERROR_CODES]);
      for (const code of ['validation_error', 'session_changed', 'storage_full', 'internal_error'])
        assert.ok(ERROR_CODES.includes(code as never), code);
    });

    it('answers bad input with {error, message, details} and the right status', async () => {
      const client = new Client(env().server);
      const invalid = await client.post('/api/v1/auth/login', { email: 'not-an-email' });
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body.error, 'validation_error');
      assert.deepEqual(invalid.body.details.issues.map((issue: any) => issue.path).sort(), ['email', 'password']);
      const malformed = await env().server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"email":',
      });
      assert.equal(malformed.statusCode, 400);
      assert.equal(JSON.parse(malformed.body).error, 'bad_request');
      const huge = await env().server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(2 * 1024 * 1024) }),
      });
      assert.equal(huge.statusCode, 413);
      assert.equal(JSON.parse(huge.body).error, 'payload_too_large');
      const wrongType = await env().server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': 'text/xml' },
        payload: '<a/>',
      });
      assert.equal(wrongType.statusCode, 415);
      const unknownRoute = await client.get('/api/v1/nope');
      assert.equal(unknownRoute.status, 404);
      assert.deepEqual(Object.keys(unknownRoute.body).sort(), ['details', 'error', 'message']);
      const admin = await signUp(env());
      const badId = await admin.get('/api/v1/members/not-a-uuid');
      assert.equal(badId.status, 400);
      assert.equal(badId.body.details.issues[0].location, 'params');
      const badCursor = await admin.get('/api/v1/members?cursor=garbage');
      assert.equal(badCursor.status, 400);
      const unauthenticated = await client.get('/api/v1/members');
      assert.equal(unauthenticated.status, 401);
      assert.equal(unauthenticated.body.error, 'unauthenticated');
    });

    it('never shows a stack trace on a server error', async () => {
      const response = await new Client(env().server).get('/test-only/boom');
      assert.equal(response.status, 500);
      assert.deepEqual(Object.keys(response.body).sort(), ['details', 'error', 'message']);
      assert.equal(response.body.message, 'Internal server error');
      assert.ok(!JSON.stringify(response.body).includes('boom.ts') && !JSON.stringify(response.body).includes('secret detail'));
      assert.equal(response.body.details.requestId, response.headers['x-request-id']);
    });

    it('sends security headers and a request id', async () => {
      const response = await env().server.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'client-req-12345' } });
      assert.equal(response.headers['x-request-id'], 'client-req-12345');
      assert.ok(response.headers['content-security-policy']);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(
        response.headers['strict-transport-security'],
        undefined,
        'no HSTS over plain HTTP (test/http/tls.test.ts checks it over HTTPS)',
      );
      assert.match(String(response.headers['permissions-policy']), /camera=\(\)/);
      assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN');
      const generated = await env().server.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
      assert.match(String(generated.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });

    it('pages members with a stable cursor', async () => {
      const admin = await signUp(env());
      for (let i = 0; i < 4; i++) await admin.post('/api/v1/invitations', { email: `p${i}@example.org`, role: 'salesperson' });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await admin.get(`/api/v1/invitations?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(page.status, 200);
        seen.push(...page.body.items.map((item: any) => item.email));
        cursor = page.body.nextCursor;
      } while (cursor);
      assert.deepEqual(seen.sort(), ['p0@example.org', 'p1@example.org', 'p2@example.org', 'p3@example.org']);
      const tooBig = await admin.get('/api/v1/members?limit=1000');
      assert.equal(tooBig.status, 400);
    });
  },
  {
    configure: (server) => {
      server.get('/test-only/boom', { config: { access: 'public' } }, async () => {
        throw new Error('secret detail in boom.ts');
      });
    },
  },
);

describe('logging', () => {
  const lines: string[] = [];
  const mailer = new CapturingMailer();
  let server: Awaited<ReturnType<typeof buildApp>>;
  let close: () => Promise<void>;
  before(async () => {
    const db = await backends()[0]!.open();
    const app = await boot(testConfig(), { db, master: new LocalKeyring([randomKey()]), mailer });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    server = await buildApp(app, { logger: { ...(loggerOptions('debug') as object), stream: sink } as any });
    await server.ready();
    close = async () => {
      await server.close();
      await db.close();
    };
  });
  after(async () => close());

  it('never writes passwords, emails, cookies, tokens or query strings to the log', async () => {
    const env = { server, app: { mailer } } as any;
    const admin = await signUp(env, 'logged-workspace');
    const token = (await admin.post('/api/v1/api-tokens', { name: 'log', scopes: ['members.read'] })).body.token as string;
    const bearer = new Client(server);
    bearer.bearer = token;
    await bearer.get('/api/v1/members?email=search.term%40example.org');
    await new Client(server).post('/api/v1/auth/login', { email: admin.info.user.email, password: TEST_PASSWORD });
    const log = lines.join('');
    assert.ok(log.includes('request completed'), 'requests are logged');
    for (const secret of [TEST_PASSWORD, admin.info.user.email, token, admin.cookie!.split('=')[1]!, 'search.term', admin.csrf!]) {
      assert.ok(!log.includes(secret), `the log must not contain ${secret.slice(0, 12)}…`);
    }
  });
});
