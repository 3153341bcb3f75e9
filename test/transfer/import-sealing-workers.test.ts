import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { it } from 'node:test';
import { sql } from 'kysely';
import { operatorCaller } from '../../src/auth/operator.ts';
import { AppError } from '../../src/http/errors.ts';
import { importCsv } from '../../src/transfer/import.ts';
import { SealingPool } from '../../src/transfer/sealing-pool.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

const file = (rows: number) =>
  `email,first_name,last_name\n${Array.from({ length: rows }, (_, i) => `w${i}@workers.example,Row${i},Sealed${i}`).join('\n')}\n`;

describeEachDatabase('an import sealing in worker threads', (env) => {
  it('stores what the workers sealed, readable under each person key', async () => {
    const admin = await signUp(env());
    const caller = await operatorCaller(env().app, admin.info.workspace.slug, admin.info.user.email);
    const pool = new SealingPool(2);
    try {
      const report = await importCsv(env().app, caller, Readable.from([file(120)]), {
        object: 'contacts',
        fileName: 'workers.csv',
        dryRun: false,
        sealing: pool,
      });
      assert.equal(report.created, 120);
    } finally {
      await pool.close();
    }
    const found = await admin.get('/api/v1/contacts?email=w77@workers.example');
    assert.equal(found.status, 200);
    assert.deepEqual(
      found.body.items.map((item: { firstName: string; lastName: string }) => [item.firstName, item.lastName]),
      [['Row77', 'Sealed77']],
    );
  });

  it('loses no row when a worker dies: its batch is not stored at all, the import says where it stopped, and resuming finishes it', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    const caller = await operatorCaller(env().app, admin.info.workspace.slug, admin.info.user.email);
    // One worker, which dies on its second task: the second batch of 500.
    const crashing = new SealingPool(1, new URL('../support/crashing-seal-worker.mjs', import.meta.url));
    let interrupted: AppError | undefined;
    try {
      await importCsv(env().app, caller, Readable.from([file(1_200)]), {
        object: 'contacts',
        fileName: 'crash.csv',
        dryRun: false,
        sealing: crashing,
      });
    } catch (error) {
      interrupted = error as AppError;
    } finally {
      await crashing.close();
    }
    assert.ok(interrupted instanceof AppError, String(interrupted));
    assert.equal(interrupted.status, 503);
    assert.equal(interrupted.code, 'import_interrupted');
    const details = interrupted.details as { created: number; importId: string };
    assert.equal(details.created, 500);
    assert.match(interrupted.message, /resumes/);
    const count = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from contacts where tenant_id = ${tenantId}`.execute(env().db.kysely)).rows[0]!.n;
    const keys = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from subject_keys where tenant_id = ${tenantId}`.execute(env().db.kysely))
        .rows[0]!.n;
    assert.equal(await count(), 500, 'the first batch whole, nothing of the second');
    assert.equal(await keys(), 500, 'no key stored for a person not stored');
    const run = await admin.get(`/api/v1/imports/${details.importId}`);
    assert.equal(run.body.state, 'interrupted');
    assert.equal(run.body.rowsDone, 500);

    const resumed = await importCsv(env().app, caller, Readable.from([file(1_200)]), {
      object: 'contacts',
      fileName: 'crash.csv',
      dryRun: false,
      resumes: details.importId,
    });
    assert.equal(resumed.created, 700);
    assert.equal(resumed.resumed?.inAll.created, 1_200);
    assert.equal(await count(), 1_200);
  });
});
