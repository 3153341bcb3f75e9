import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

describeEachDatabase('headers and malformed CSV (issue 23, finding 12)', (env) => {
  it('sends no HSTS over plain HTTP, a restrictive Permissions-Policy everywhere, and answers a stray quote in a CSV with a 400 naming the line', async () => {
    const admin = await signUp(env());
    for (const url of ['/healthz', '/api/v1/auth/session', '/privacy/none']) {
      const response = await env().server.inject({ method: 'GET', url });
      assert.equal(response.headers['strict-transport-security'], undefined, `${url}: HSTS over http:// pins nothing and misleads`);
      assert.match(String(response.headers['permissions-policy']), /camera=\(\)/, url);
      assert.match(String(response.headers['permissions-policy']), /geolocation=\(\)/, url);
    }
    for (const csv of [
      'email,first name\na@quote.example,Ann"a\n',
      'email,first name\n"b@quote.example,Bo\n',
      'email,first name\nc@quote.example,"Cy"x\n',
    ]) {
      const response = await admin.request('POST', '/api/v1/imports/contacts?fileName=bad.csv', csv, { 'content-type': 'text/csv' });
      assert.ok(response.status < 500, `${JSON.stringify(csv)}: ${response.status} ${JSON.stringify(response.body)}`);
      if (response.status >= 400) assert.match(response.body.message, /line \d+|CSV/i);
    }
  });
});
