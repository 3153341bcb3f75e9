import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { sql } from 'kysely';
import { listBackups, pruneBackups, rowCounts, verifyBackup, writeBackup, type BackupManifest } from '../../src/backup/archive.ts';
import { selectTable, tablesInOrder } from '../../src/backup/logical.ts';
import { restoreBackup } from '../../src/backup/restore.ts';
import type { Database } from '../../src/db/connection.ts';
import { migrate } from '../../src/db/migrate.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { describeEachDatabase, scratchDatabase, signUp, type Client } from '../support/helpers.ts';
import { EMAIL, personEverywhere } from '../support/subject-fixtures.ts';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-incremental-'));

/** Every row of every table a backup covers, as PostgreSQL JSON, sorted: two equal states print equal. */
async function stateOf(db: Database): Promise<Record<string, string[]>> {
  const tenants = (await sql<{ id: string }>`select id from tenants`.execute(db.kysely)).rows.map((row) => row.id);
  const state: Record<string, string[]> = {};
  // Before the transaction: an embedded database has a single connection.
  const order = await tablesInOrder(db);
  await db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('TimeZone', 'UTC', true)`.execute(tx);
    for (const info of order) {
      const rows: string[] = [];
      for (const tenantId of info.perTenant ? tenants : [null]) {
        rows.push(...(await selectTable<{ json: string }>(tx, info, tenantId, sql`row_to_json(t)::text as json`)).map((row) => row.json));
      }
      state[info.table] = rows.sort();
    }
  });
  return state;
}

const written = (manifest: BackupManifest) => rowCounts(manifest).written;
const total = (manifest: BackupManifest) => rowCounts(manifest).state;

describeEachDatabase('incremental backups', (env) => {
  it('a full backup and three incremental ones restore to exactly the live state, row by row, at each step', async () => {
    const dir = tempDir();
    const master = env().app.keys.master;
    const admin = await signUp(env());
    const second = await signUp(env());
    const contacts: string[] = [];
    const addContacts = async (client: Client, prefix: string, n: number) => {
      for (let i = 0; i < n; i++)
        contacts.push(
          (await client.post('/api/v1/contacts', { firstName: `${prefix}${i}`, emails: [`${prefix.toLowerCase()}${i}@chain.example`] }))
            .body.id,
        );
    };
    await personEverywhere(env(), admin);
    await addContacts(admin, 'Base', 20);
    await addContacts(second, 'Other', 5);
    const account = (await admin.post('/api/v1/accounts', { name: 'Chain Works', domain: 'chain.example' })).body;
    // Enough unchanging rows that an incremental backup is visibly smaller than the whole.
    await withTenant(env().db, admin.info.workspace.id, (tx) =>
      sql`insert into accounts (tenant_id, name, owner_id, created_by) select ${admin.info.workspace.id}, 'Steady ' || g, ${admin.info.member.id}, ${admin.info.member.id} from generate_series(1, 300) g`.execute(
        tx,
      ),
    );
    const deal = (
      await admin.post('/api/v1/opportunities', {
        name: 'Chain deal',
        accountId: account.id,
        amount: '1000.00',
        currency: 'EUR',
        stage: 'proposal',
      })
    ).body;

    const backups: BackupManifest[] = [];
    const states: Array<Record<string, string[]>> = [];
    const backUp = async (kind: 'full' | 'incremental') => {
      backups.push(await writeBackup(env().db, master, dir, { kind }));
      states.push(await stateOf(env().db));
    };
    await backUp('full');

    // Hour one: new people, edits, a deletion, and the erasure of a person found everywhere.
    await addContacts(admin, 'Hour1-', 3);
    assert.equal((await admin.patch(`/api/v1/contacts/${contacts[0]}`, { jobTitle: 'Changed in hour one' })).status, 200);
    assert.equal((await admin.delete(`/api/v1/contacts/${contacts[1]}`)).status, 204);
    const erasure = (
      await admin.post('/api/v1/dsr-requests', { type: 'erasure', channel: 'email', email: EMAIL, identityStatus: 'verified' })
    ).body;
    assert.equal((await admin.post(`/api/v1/dsr-requests/${erasure.id}/execute`)).body.status, 'completed');
    await backUp('incremental');

    // Hour two: the deal moves on, the account is renamed, the other workspace changes too.
    assert.equal((await admin.patch(`/api/v1/opportunities/${deal.id}`, { stage: 'closed_won', amount: '1250.00' })).status, 200);
    assert.equal((await admin.patch(`/api/v1/accounts/${account.id}`, { name: 'Chain Works Ltd' })).status, 200);
    await addContacts(second, 'Hour2-', 2);
    assert.equal((await second.delete(`/api/v1/contacts/${contacts.find((_, i) => i >= 20)}`)).status, 204);
    await backUp('incremental');

    // Hour three: a deal deleted, a task added and one of hour one's contacts gone again.
    assert.equal((await admin.delete(`/api/v1/opportunities/${deal.id}`)).status, 204);
    assert.equal((await admin.post('/api/v1/tasks', { title: 'Follow up', record: { type: 'account', id: account.id } })).status, 201);
    assert.equal((await admin.delete(`/api/v1/contacts/${contacts[25]}`)).status, 204);
    await backUp('incremental');

    assert.deepEqual(
      backups.map((b) => b.kind),
      ['full', 'incremental', 'incremental', 'incremental'],
    );
    assert.deepEqual(
      backups.map((b) => b.base),
      [null, backups[0]!.id, backups[1]!.id, backups[2]!.id],
      'each is based on the one before',
    );
    for (const incremental of backups.slice(1)) {
      assert.ok(
        written(incremental) * 4 < total(incremental),
        `${incremental.id} holds the changes only: ${written(incremental)} of ${total(incremental)} rows`,
      );
      assert.ok(
        incremental.tables.some((t) => t.deleted > 0),
        'deletions are recorded',
      );
      await verifyBackup(dir, incremental.id, master);
    }
    assert.ok(backups[1]!.tables.find((t) => t.table === 'contacts')!.deleted >= 2, 'the deleted and the erased contact');

    // Each incremental backup, restored with its chain, is the live state of its moment, row by
    // row; except that keys destroyed later (contacts deleted in later hours) are destroyed again.
    const destroyedLater = (step: number) => {
      const keyId = (row: string) => JSON.parse(row).id as string;
      const alive = new Set(states[step]!.subject_keys!.filter((row) => JSON.parse(row).destroyed_at === null).map(keyId));
      return new Set(states[3]!.subject_keys!.filter((row) => JSON.parse(row).destroyed_at !== null && alive.has(keyId(row))).map(keyId));
    };
    assert.equal(destroyedLater(1).size, 2, 'the contacts deleted in hours two and three');
    for (const step of [1, 2, 3]) {
      const target = await scratchDatabase(env());
      try {
        await migrate(target);
        const result = await restoreBackup(target, master, dir, backups[step]!.id);
        assert.deepEqual(
          result.chain,
          backups.slice(0, step + 1).map((b) => b.id),
        );
        assert.equal(result.rows, total(backups[step]!));
        const restored = await stateOf(target);
        const later = destroyedLater(step);
        const withoutLater = (rows: string[]) => rows.filter((row) => !later.has(JSON.parse(row).id));
        for (const table of Object.keys(states[step]!)) {
          if (table !== 'subject_keys') assert.deepEqual(restored[table], states[step]![table], `${table} after ${backups[step]!.id}`);
        }
        assert.deepEqual(withoutLater(restored.subject_keys!), withoutLater(states[step]!.subject_keys!));
        const replayed = restored.subject_keys!.filter((row) => later.has(JSON.parse(row).id)).map((row) => JSON.parse(row));
        assert.equal(replayed.length, later.size);
        assert.ok(
          replayed.every((key) => key.wrapped_key === null && key.destroyed_at !== null),
          'destroyed again',
        );
        assert.equal(result.replayed.keys, later.size);
      } finally {
        await target.close();
      }
    }

    // A broken chain is refused before anything is written; a missing link too.
    fs.rmSync(path.join(dir, backups[2]!.data.name));
    const target = await scratchDatabase(env());
    try {
      await migrate(target);
      await assert.rejects(restoreBackup(target, master, dir, backups[3]!.id), /is missing/);
      assert.equal(Number((await sql<{ n: string }>`select count(*) as n from tenants`.execute(target.kysely)).rows[0]!.n), 0);
      fs.rmSync(path.join(dir, `${backups[2]!.id}.manifest.json`));
      await assert.rejects(restoreBackup(target, master, dir, backups[3]!.id), new RegExp(`needs ${backups[2]!.id}, which is missing`));
    } finally {
      await target.close();
    }
    // With its base gone, the next incremental backup is a full one.
    assert.equal((await writeBackup(env().db, master, dir, { kind: 'incremental' })).kind, 'full');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every backup a kept incremental one needs, and drops whole chains once they are too old', async () => {
    const dir = tempDir();
    const master = env().app.keys.master;
    const admin = await signUp(env());
    const hour = 3_600_000;
    const day = 24 * hour;
    const start = Date.now() - 9 * day;
    // Nine days of one full backup a day and two incremental ones after it.
    for (let d = 0; d < 9; d++) {
      await writeBackup(env().db, master, dir, { kind: 'full', now: new Date(start + d * day) });
      for (const h of [1, 2]) {
        await admin.post('/api/v1/contacts', { firstName: `Day${d}h${h}` });
        await writeBackup(env().db, master, dir, { kind: 'incremental', now: new Date(start + d * day + h * hour) });
      }
    }
    // Seven days before now (1.5 h into day 8) falls between day 1's two incremental backups: the
    // second is recent enough, so day 1's full and first incremental backups stay with it.
    const now = new Date(start + 8 * day + 1.5 * hour);
    const removed = await pruneBackups(dir, 7, now);
    const kept = await listBackups(dir);
    assert.equal(removed.length, 3, 'day 0 goes whole');
    assert.equal(kept.length, 24);
    for (const backup of kept)
      if (backup.base)
        assert.ok(
          kept.some((b) => b.id === backup.base),
          `${backup.id} keeps its base`,
        );
    assert.equal(kept[0]!.kind, 'full');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
