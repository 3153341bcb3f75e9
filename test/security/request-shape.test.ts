import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

/** A JSON array nested `levels` deep: 20 KB of brackets for 10,000 levels. */
function nested(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

/** The path with its first letter after each slash percent-encoded, as a scanner sends it. */
function percentEncoded(path: string): string {
  return path.replace(/\/([a-z])/g, (_m, letter: string) => `/%${letter.charCodeAt(0).toString(16)}`);
}

describeEachDatabase('request shape on every route', (env) => {
  it('answers a body nested 10,000 levels deep with a 400 on every route that takes a body, public ones included (issue 23, finding 5)', async () => {
    const admin = await signUp(env());
    const problems: string[] = [];
    for (const route of env().server.catalogue) {
      if (route.method === 'GET' || route.method === 'DELETE' || route.url === '/api/v1/auth/logout') continue;
      const url = route.url.replace(/:(\w+)/g, () => crypto.randomUUID());
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (route.access !== 'public') Object.assign(headers, { cookie: admin.cookie!, 'x-csrf-token': admin.csrf! });
      const response = await env().server.inject({ method: route.method as 'POST', url, headers, payload: nested(10_000) });
      if (response.statusCode >= 500) problems.push(`${route.method} ${route.url}: ${response.statusCode} ${response.body.slice(0, 120)}`);
    }
    assert.deepEqual(problems, []);
    const deep = await env().server.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: { 'content-type': 'application/json', cookie: admin.cookie!, 'x-csrf-token': admin.csrf! },
      payload: `{"firstName":"x","custom":${nested(100)}}`,
    });
    assert.equal(deep.statusCode, 400);
    assert.equal(JSON.parse(deep.body).error, 'too_deep');
  });

  it('takes the same decisions for a percent-encoded path as for the plain one, on every route (issue 23, finding 4)', async () => {
    const admin = await signUp(env());
    const problems: string[] = [];
    for (const route of env().server.catalogue) {
      if (route.method !== 'GET') continue;
      const url = route.url.replace(/:(\w+)/g, () => crypto.randomUUID());
      const headers = route.access === 'public' ? {} : { cookie: admin.cookie! };
      const plain = await env().server.inject({ method: 'GET', url, headers });
      const encoded = await env().server.inject({ method: 'GET', url: percentEncoded(url), headers });
      if (encoded.statusCode !== plain.statusCode) problems.push(`${url}: ${plain.statusCode} plain, ${encoded.statusCode} encoded`);
      if (encoded.headers['cache-control'] !== plain.headers['cache-control'])
        problems.push(
          `${url}: cache-control ${String(plain.headers['cache-control'])} plain, ${String(encoded.headers['cache-control'])} encoded`,
        );
    }
    assert.deepEqual(problems, []);

    // The per-address limit on the password endpoints holds for the encoded path too.
    const limits = env().app.config.rateLimits as { signIn: number };
    const configured = limits.signIn;
    limits.signIn = 3;
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await env().server.inject({
          method: 'POST',
          url: '/%61pi/v1/auth/login',
          payload: { email: 'nobody@encoded.example', password: 'not the password' },
          remoteAddress: '198.51.100.231',
        });
        statuses.push(response.statusCode);
      }
      assert.equal(statuses.at(-1), 429, `statuses: ${statuses.join(', ')}`);
    } finally {
      limits.signIn = configured;
    }
  });
});
