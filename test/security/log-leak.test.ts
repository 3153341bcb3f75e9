import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Writable } from 'node:stream';
import { loggerOptions } from '../../src/http/app.ts';
import { buildApp } from '../../src/server.ts';
import { Client, describeEachDatabase, signUp, type TestEnv } from '../support/helpers.ts';
import { EMAIL, NAME, NICKNAME, PHONE, personEverywhere } from '../support/subject-fixtures.ts';

/**
 * Logs are kept longer and seen by more people than the database: not one line may hold a
 * person's data. The server logs at its most verbose level while a person is put everywhere,
 * searched for, exported, sent invalid input about, and erased; the job worker's console too.
 */
describeEachDatabase('logs hold no personal data', (env) => {
  it('no log line contains a seeded personal value, at trace level, through a whole life cycle and bad input', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const server = await buildApp(env().app, { logger: { ...(loggerOptions('trace') as object), stream } });
    const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    const originals = consoleMethods.map((method) => console[method]);
    for (const method of consoleMethods)
      console[method] = (...args: unknown[]) => lines.push(`console.${method}: ${args.map(String).join(' ')}`);
    try {
      const logged: TestEnv = { ...env(), server };
      const admin = await signUp(logged);
      const { contactId } = await personEverywhere(logged, admin);
      // Searches put personal values in query strings, which are not logged.
      await admin.get(`/api/v1/contacts?email=${encodeURIComponent(EMAIL)}`);
      await admin.get(`/api/v1/contacts?q=${encodeURIComponent(NAME.last)}`);
      await admin.get(`/api/v1/contacts/${contactId}`);
      // Invalid input carrying personal values: refused, and the refusal logged without them.
      await admin.post('/api/v1/contacts', {
        firstName: NAME.first,
        emails: [`${NAME.last} at example`],
        phones: [`call ${PHONE} now ${NICKNAME}`],
      });
      await admin.patch(`/api/v1/contacts/${contactId}`, { jobTitle: `${NAME.last}`.repeat(50) });
      await new Client(server).post('/api/v1/auth/login', { email: EMAIL, password: NAME.last });
      await admin.post('/api/v1/dsr-requests', { type: 'access', channel: 'email', email: `not-an-address ${EMAIL}` });
      // The whole access report and export, then the erasure.
      const access = (
        await admin.post('/api/v1/dsr-requests', { type: 'access', channel: 'email', email: EMAIL, identityStatus: 'verified' })
      ).body;
      assert.equal((await admin.post(`/api/v1/dsr-requests/${access.id}/execute`)).status, 200);
      await admin.get(`/api/v1/dsr-requests/${access.id}/report`);
      const erasure = (
        await admin.post('/api/v1/dsr-requests', { type: 'erasure', channel: 'email', email: EMAIL, identityStatus: 'verified' })
      ).body;
      assert.equal((await admin.post(`/api/v1/dsr-requests/${erasure.id}/execute`)).body.status, 'completed');
      await env().app.jobs.drain();
    } finally {
      consoleMethods.forEach((method, i) => (console[method] = originals[i]!));
      await server.close();
    }
    assert.ok(lines.length > 50, `the server logged (${lines.length} lines)`);
    assert.ok(
      lines.some((line) => line.includes('"statusCode":400')),
      'refusals were logged',
    );
    const values = [EMAIL, NAME.first, NAME.last, NICKNAME, PHONE, encodeURIComponent(EMAIL), PHONE.replace(/ /g, '')];
    const leaks = lines.filter((line) => values.some((value) => line.toLowerCase().includes(value.toLowerCase())));
    assert.deepEqual(leaks, []);
  });
});
