import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { TEST_PASSWORD, describeEachDatabase, signUp, type Client } from '../support/helpers.ts';
import { ALWAYS_TRIED, hostileString, jsonSchemaOf, plausible, randomUuid, withStringAt, type Path } from './hostile-input.ts';

/** Signing out would end the session every other request uses; it has its own tests. */
const SKIPPED = new Set(['POST /api/v1/auth/logout']);
/** Fixed, so a failure is reproducible; the runs per route grow with its string fields. */
const SEED = 20261123;

type Target = { part: 'body' | 'query' | 'param'; path: Path };

/** Percent-encoding that also sends what a careless client would: a lone surrogate as raw bytes. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text].map((char) => (/[\uD800-\uDFFF]/.test(char) ? '%ED%A0%80' : encodeURIComponent(char))).join('');
  }
}

function queryString(query: unknown): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    for (const item of [value].flat())
      if (item !== null && item !== undefined)
        pairs.push(`${encode(key)}=${encode(typeof item === 'string' ? item : JSON.stringify(item))}`);
  }
  return pairs.length ? `?${pairs.join('&')}` : '';
}

describeEachDatabase('hostile input on every route', (env) => {
  it("answers every hostile string in every body, query and path field with a 4xx (never a 5xx) and never shows another workspace's data", async () => {
    const a = await signUp(env());
    const b = await signUp(env());
    // The other workspace holds distinctive values: none may ever appear in an answer to A.
    const secrets = ['Bleakhouse-Secretina', 'secret.bleak@leak.example', 'Bleak Secret Holdings', 'bleak-note-secret-text'];
    const bContact = (await b.post('/api/v1/contacts', { firstName: secrets[0], emails: [secrets[1]] })).body;
    const bAccount = (await b.post('/api/v1/accounts', { name: secrets[2] })).body;
    await b.post('/api/v1/notes', { body: secrets[3], record: { type: 'contact', id: bContact.id } });
    const idsOfB = [bContact.id, bAccount.id, b.info.member.id];
    // A has records too, so searches and filters have rows to run over.
    await a.post('/api/v1/contacts', { firstName: 'Probe', emails: ['probe@hostile.example'] });
    await a.post('/api/v1/accounts', { name: 'Probe account' });

    const session = { cookie: a.cookie!, csrf: a.csrf! };
    const relogin = async () => {
      const login = await env().server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: a.info.user.email, password: TEST_PASSWORD },
        remoteAddress: '203.0.113.10',
      });
      session.cookie = String([login.headers['set-cookie']].flat()[0]).split(';')[0]!;
      session.csrf = JSON.parse(login.body).csrfToken;
    };
    const send = async (method: string, url: string, body: unknown, asVisitor: boolean) => {
      const response = await env().server.inject({
        method: method as 'GET',
        url,
        headers: asVisitor
          ? { 'user-agent': 'hostile' }
          : { cookie: session.cookie, 'x-csrf-token': session.csrf, 'user-agent': 'hostile' },
        remoteAddress: '203.0.113.66',
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      return { status: response.statusCode, text: response.body, json: response.headers['content-type']?.toString().includes('json') };
    };

    const routes = env().server.catalogue.filter((route) => !SKIPPED.has(`${route.method} ${route.url}`));
    const problems: string[] = [];
    let requests = 0;
    for (const route of routes) {
      const uuid = () => (Math.random() < 0.5 ? idsOfB[Math.floor(Math.random() * idsOfB.length)]! : randomUuid());
      const bodySchema = route.method === 'GET' || route.method === 'DELETE' ? null : jsonSchemaOf(route.schema.body);
      const querySchema = jsonSchemaOf(route.schema.querystring);
      const body = bodySchema ? plausible(bodySchema, { uuid }) : { value: undefined, full: undefined, strings: [], freeText: [] };
      const query = querySchema ? plausible(querySchema, { uuid }) : { value: {}, full: {}, strings: [], freeText: [] };
      const params = [...route.url.matchAll(/:(\w+)/g)].map((match) => match[1]!);
      const targets: Target[] = [
        ...body.strings.map((path) => ({ part: 'body' as const, path })),
        ...query.strings.map((path) => ({ part: 'query' as const, path })),
        ...params.map((name) => ({ part: 'param' as const, path: [name] })),
      ];
      if (targets.length === 0) continue;
      const asVisitor = route.access === 'public';
      const attempt = async (which: number, payload: string) => {
        const target = targets[which]!;
        let url = route.url;
        for (const name of params)
          url = url.replace(`:${name}`, encode(target.part === 'param' && target.path[0] === name ? payload : uuid()));
        const bodyValue = target.part === 'body' ? withStringAt(body.value, body.full, target.path, payload) : body.value;
        const queryValue = target.part === 'query' ? withStringAt(query.value, query.full, target.path, payload) : query.value;
        const response = await send(route.method, `${url}${queryString(queryValue)}`, bodyValue, asVisitor);
        requests += 1;
        const where = `${route.method} ${route.url} ${target.part} ${target.path.join('.')}`;
        assert.ok(response.status < 500, `${where}: ${response.status} ${response.text.slice(0, 300)}`);
        for (const secret of secrets)
          assert.ok(!response.text.includes(secret), `${where}: the answer shows another workspace's "${secret}"`);
        if (response.status >= 400 && response.json) {
          const error = JSON.parse(response.text);
          assert.ok(
            typeof error.error === 'string' && typeof error.message === 'string',
            `${where}: ${response.status} without {error, message}: ${response.text.slice(0, 200)}`,
          );
        }
      };
      for (let which = 0; which < targets.length; which++) {
        for (const payload of ALWAYS_TRIED) {
          try {
            await attempt(which, payload);
          } catch (error) {
            problems.push(`${JSON.stringify(payload.slice(0, 40))} at ${(error as Error).message.slice(0, 300)}`);
          }
        }
      }
      try {
        await fc.assert(fc.asyncProperty(fc.nat(targets.length - 1), hostileString, attempt), {
          numRuns: Math.min(60, 4 * targets.length),
          seed: SEED,
          endOnFailure: true,
        });
      } catch (error) {
        problems.push((error as Error).message.split('\n').slice(0, 6).join('\n'));
      }
      // A route that ended the session (none should) would leave the rest untested: sign in again.
      if ((await send('GET', '/api/v1/auth/session', undefined, false)).status === 401) {
        problems.push(`${route.method} ${route.url} ended the session`);
        await relogin();
      }
    }
    assert.ok(requests > 1000, `${requests} hostile requests`);
    assert.deepEqual(problems, []);
  });
});
