import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { withTenant } from '../../src/db/tenant.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

/**
 * Issue 24, finding 3: on a full disk an import went on trying 40,000 more rows, each batch
 * failing alike. A trigger raises PostgreSQL's own disk_full (SQLSTATE 53100) from the second
 * contact insert on, as a full disk would.
 */
describeEachDatabase('an import on a full disk', (env) => {
  it('stops at the first storage failure with 507, keeps the batches stored before, and tries nothing more', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    const owner = env().db.kysely;
    await sql`create sequence storage_drill`.execute(owner);
    await sql`create function storage_drill_full() returns trigger language plpgsql security definer as $$
      begin
        if nextval('storage_drill') > 1 then
          raise exception 'could not extend file: No space left on device' using errcode = 'disk_full';
        end if;
        return null;
      end $$`.execute(owner);
    await sql`create trigger storage_drill before insert on contacts for each statement execute function storage_drill_full()`.execute(
      owner,
    );
    try {
      const rows = Array.from({ length: 1_200 }, (_, i) => `full${i}@disk.example,Row ${i}`).join('\n');
      const answer = await admin.request('POST', '/api/v1/imports/contacts?fileName=big.csv', `email,first_name\n${rows}\n`, {
        'content-type': 'text/csv',
      });
      assert.equal(answer.status, 507, JSON.stringify(answer.body));
      assert.equal(answer.body.error, 'storage_full');
      assert.equal(answer.body.details.created, 500, 'the first batch of 500 is stored');
      assert.equal(answer.body.details.stoppedAtLine, 502, "the file's row 501 is on line 502");
      assert.match(answer.body.message, /stopped at line 502/);
      const ready = await admin.request('GET', '/readyz');
      assert.equal(ready.status, 503, 'a full disk still answers SELECT 1; /readyz says the storage is full');
      assert.equal(ready.body.error, 'storage_full');
      const tried = await sql<{ last_value: number }>`select last_value from storage_drill`.execute(owner);
      assert.equal(Number(tried.rows[0]!.last_value), 2, 'the third batch was never tried');
    } finally {
      await sql`drop trigger storage_drill on contacts`.execute(owner);
      await sql`drop function storage_drill_full()`.execute(owner);
      await sql`drop sequence storage_drill`.execute(owner);
    }
    const stored = await withTenant(env().db, tenantId, (tx) =>
      tx
        .selectFrom('contacts')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow(),
    );
    assert.equal(Number(stored.n), 500);

    // Finding 8: the run is closed as interrupted, with exactly what committed.
    const [interrupted] = (await admin.get('/api/v1/imports')).body.items;
    assert.equal(interrupted.state, 'interrupted');
    assert.equal(interrupted.rowsDone, 500);
    assert.deepEqual(interrupted.run, { created: 500, duplicates: 0, updated: 0, failed: 0, accountsCreated: 0 });

    // Another file is not taken for it; the same file continues after the rows already imported.
    const other = Array.from({ length: 1_200 }, (_, i) => `other${i}@disk.example,Row ${i}`).join('\n');
    const wrongFile = await admin.request(
      'POST',
      `/api/v1/imports/contacts?fileName=big.csv&resumes=${interrupted.id}`,
      `email,first_name\n${other}\n`,
      { 'content-type': 'text/csv' },
    );
    assert.equal(wrongFile.status, 409, JSON.stringify(wrongFile.body));
    assert.match(wrongFile.body.message, /not the file of the interrupted import/);
    const rows = Array.from({ length: 1_200 }, (_, i) => `full${i}@disk.example,Row ${i}`).join('\n');
    const resumed = await admin.request(
      'POST',
      `/api/v1/imports/contacts?fileName=big.csv&resumes=${interrupted.id}`,
      `email,first_name\n${rows}\n`,
      { 'content-type': 'text/csv' },
    );
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.deepEqual(
      [resumed.body.created, resumed.body.duplicates],
      [700, 0],
      'the 500 rows stored before are skipped, not counted as duplicates',
    );
    assert.deepEqual(resumed.body.resumed, {
      from: interrupted.id,
      rowsSkipped: 500,
      inAll: { created: 1_200, duplicates: 0, updated: 0, failed: 0, accountsCreated: 0 },
    });
    const runs = (await admin.get('/api/v1/imports')).body.items;
    assert.deepEqual(
      runs.map((run: any) => [run.state, run.resumes]),
      [
        ['finished', interrupted.id],
        ['interrupted', null],
      ],
    );
    assert.deepEqual(runs[0].inAll, { created: 1_200, duplicates: 0, updated: 0, failed: 0, accountsCreated: 0 });
    const again = await admin.request(
      'POST',
      `/api/v1/imports/contacts?fileName=big.csv&resumes=${interrupted.id}`,
      `email,first_name\n${rows}\n`,
      { 'content-type': 'text/csv' },
    );
    assert.equal(again.status, 409, 'a run is resumed once');
  });

  it('shows a run whose process died (no batch for five minutes) as interrupted, and resumes it', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    const file = 'email,first_name\nkilled1@run.example,A\nkilled2@run.example,B\nbad-address,\n';
    const first = await admin.request('POST', '/api/v1/imports/contacts?fileName=killed.csv', file, { 'content-type': 'text/csv' });
    assert.equal(first.status, 200);
    // What a SIGKILL after the batch committed leaves: never finished, its last beat long ago.
    await withTenant(env().db, tenantId, (tx) =>
      sql`update import_runs set finished_at = null, heartbeat_at = now() - interval '6 minutes' where id = ${first.body.importId}`.execute(
        tx,
      ),
    );
    const [dead] = (await admin.get('/api/v1/imports')).body.items;
    assert.equal(dead.state, 'interrupted');
    const resumed = await admin.request('POST', `/api/v1/imports/contacts?fileName=killed.csv&resumes=${dead.id}`, file, {
      'content-type': 'text/csv',
    });
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.deepEqual(resumed.body.resumed, {
      from: dead.id,
      rowsSkipped: 3,
      inAll: { created: 2, duplicates: 0, updated: 0, failed: 1, accountsCreated: 0 },
    });
    const runs = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('import_runs').select(['interrupted_at', 'heartbeat_at']).where('id', '=', dead.id).executeTakeFirstOrThrow(),
    );
    assert.equal(new Date(runs.interrupted_at!).getTime(), new Date(runs.heartbeat_at!).getTime(), 'closed at its last beat');
  });
});
