import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { withTenant } from '../../src/db/tenant.ts';
import { describeFailure } from '../../src/cli/failure.ts';
import { databaseUnavailable } from '../../src/db/unavailable.ts';
import { describeEachDatabase, POSTGRES_ADMIN_URL, signUp } from '../support/helpers.ts';

const MARK = 'lawful-connection-loss-drill';
let released: () => void = () => {};

/** Terminates the backend running the marked statement once it shows in pg_stat_activity, as a DBA or a restart would. */
async function terminateMarkedBackend(pattern = `%pg_sleep%${MARK}%`): Promise<number> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    for (let attempt = 0; attempt < 200; attempt++) {
      const { rows } = await admin.query<{ terminated: boolean }>(
        `select pg_terminate_backend(pid) as terminated from pg_stat_activity where query like $1 and pid <> pg_backend_pid()`,
        [pattern],
      );
      if (rows.some((row) => row.terminated)) return rows.length;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the marked statement never ran');
  } finally {
    await admin.end();
  }
}

/**
 * Issue 24, finding 1: a connection dropped inside a transaction emitted an unhandled 'error' on
 * the checked-out pg client and killed the process. Now the request in flight answers 503 with
 * Retry-After and the server goes on answering. (PGlite runs in the process: nothing to drop.)
 */
describeEachDatabase(
  'a dropped database connection',
  (env) => {
    it('answers 503 for the request in flight, keeps the process up, and serves the next requests', async (t) => {
      if (env().backend !== 'postgres') return t.skip('PGlite has no connection to lose');
      const admin = await signUp(env());
      const inFlight = env().server.inject({ method: 'GET', url: '/test-only/long-transaction' });
      assert.equal(await terminateMarkedBackend(), 1);
      const answer = await inFlight;
      assert.equal(answer.statusCode, 503, answer.body);
      assert.equal(JSON.parse(answer.body).error, 'database_unavailable');
      assert.equal(answer.headers['retry-after'], '5');
      // Every client of the pool is usable afterwards: more parallel reads than the pool has clients.
      const after = await Promise.all(Array.from({ length: 25 }, () => admin.get('/api/v1/contacts')));
      assert.deepEqual([...new Set(after.map((response) => response.status))], [200]);
    });

    it('survives a connection dropped while its transaction waits on the application between statements', async (t) => {
      if (env().backend !== 'postgres') return t.skip('PGlite has no connection to lose');
      const admin = await signUp(env());
      const inFlight = env().server.inject({ method: 'GET', url: '/test-only/idle-in-transaction' });
      assert.equal(await terminateMarkedBackend(`%select 1%${MARK}%`), 1);
      released();
      const answer = await inFlight;
      assert.equal(answer.statusCode, 503, answer.body);
      assert.equal((await admin.get('/api/v1/contacts')).status, 200);
    });

    it('classifies what PostgreSQL and the driver say when the database goes away', () => {
      for (const error of [
        { code: '57P01' },
        { code: '57P03' },
        { code: '08006' },
        { code: 'ECONNREFUSED' },
        new Error('Connection terminated unexpectedly'),
      ]) {
        assert.equal(databaseUnavailable(error)?.status, 503, JSON.stringify(error));
      }
      assert.equal(databaseUnavailable({ code: '53100' })?.status, 507);
      for (const error of [{ code: '23505' }, new Error('boom'), null]) assert.equal(databaseUnavailable(error), null);
    });

    it('tells the operator what failed, whatever was thrown (issue 24, finding 3: "lawful: undefined" on a full disk)', () => {
      assert.match(describeFailure({ errno: -28, code: 'ENOSPC', syscall: 'write' }), /^the disk is full/);
      assert.match(describeFailure(new Error('could not extend file "base/1/2": No space left on device')), /^the disk is full/);
      assert.match(
        describeFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })),
        /does not answer/,
      );
      assert.equal(describeFailure(42), '42');
      assert.equal(describeFailure({ status: 'odd' }), '{"status":"odd"}');
    });
  },
  {
    configure: (server, app) => {
      // Holds a transaction open between two statements, as sealing or parsing between batches does.
      server.get('/test-only/idle-in-transaction', { config: { access: 'public' } }, async () => {
        await withTenant(app.db, '00000000-0000-0000-0000-000000000000', async (tx) => {
          await sql`select 1 -- ${sql.raw(MARK)}`.execute(tx);
          await new Promise<void>((resolve) => (released = resolve));
          await sql`select 2`.execute(tx);
        });
        return { done: true };
      });
      server.get('/test-only/long-transaction', { config: { access: 'public' } }, async () => {
        await withTenant(app.db, '00000000-0000-0000-0000-000000000000', (tx) => sql`select pg_sleep(30) -- ${sql.raw(MARK)}`.execute(tx));
        return { slept: true };
      });
    },
  },
);
