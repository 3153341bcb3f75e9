import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import { withTenant } from '../../src/db/tenant.ts';
import { CSV_COLUMNS } from '../../src/sync/csv/connector.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

/**
 * Issue 25, finding 7: a CSV drop learns of deletions by absence, so a missing or truncated
 * export read as "everything else was deleted there". A missing file, or one that lost more than
 * 20 % of its rows (3 of 10 left), now deletes nothing and is held for review; a sync that allows
 * mass deletion applies it, and an ordinary shrink (9 of 10) is applied as before.
 */
describeEachDatabase('CSV drop exports that look incomplete', (env) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-drop-guard-'));
  let admin: Client;
  let tenantId: string;
  let folder: string;
  let integrationId: string;
  const contacts = (ids: number[]) =>
    fs.writeFileSync(
      path.join(folder, 'contacts.csv'),
      stringify([
        CSV_COLUMNS.contacts!,
        ...ids.map((i) =>
          CSV_COLUMNS.contacts!.map((c) => ({ id: `C${i}`, first_name: `Guard${i}`, email: `guard${i}@drop.example` })[c] ?? ''),
        ),
      ]),
    );
  const held = async () =>
    withTenant(
      env().db,
      tenantId,
      async (tx) => (await tx.selectFrom('contacts').select('id').where('tenant_id', '=', tenantId).execute()).length,
    );
  const sync = async (body: Record<string, unknown> = {}) => {
    const asked = await admin.post(`/api/v1/integrations/${integrationId}/sync`, body);
    assert.equal(asked.status, 202, JSON.stringify(asked.body));
    await env().app.jobs.drain();
    const run = (await admin.get(`/api/v1/integrations/${integrationId}/runs?limit=1`)).body.items[0];
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    return run;
  };

  before(async () => {
    env().app.config.syncDropDir = root;
    admin = await signUp(env());
    tenantId = admin.info.workspace.id;
    folder = path.join(root, tenantId, 'export');
    fs.mkdirSync(folder, { recursive: true });
    for (const [object, columns] of Object.entries(CSV_COLUMNS)) fs.writeFileSync(path.join(folder, `${object}.csv`), stringify([columns]));
    contacts([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const created = await admin.post('/api/v1/integrations', { kind: 'csv', label: 'Export', baseUrl: 'export' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    integrationId = created.body.id;
    await env().app.jobs.drain();
    assert.equal(await held(), 10);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a missing file deletes nothing and holds the deletions with the reason', async () => {
    fs.rmSync(path.join(folder, 'contacts.csv'));
    const run = await sync();
    assert.equal(run.stats.contacts?.deleted ?? 0, 0);
    assert.deepEqual(
      run.heldDeletions.map((h: any) => [h.object, h.linked, h.unseen]),
      [['contacts', 10, 10]],
    );
    assert.match(run.heldDeletions[0].reason, /contacts\.csv is missing/);
    assert.equal(await held(), 10);
  });

  it('a file with 3 of 10 rows deletes nothing until a sync allows mass deletion', async () => {
    contacts([0, 1, 2]);
    const run = await sync();
    assert.equal(run.stats.contacts.deleted, 0);
    assert.match(run.heldDeletions[0].reason, /lists 3 of the 10 records linked/);
    assert.equal(await held(), 10);
    const integration = (await admin.get(`/api/v1/integrations/${integrationId}`)).body;
    assert.equal(integration.lastRun.heldDeletions.length, 1, 'the integration page shows it for review');

    const applied = await sync({ allowMassDeletion: true });
    assert.deepEqual(applied.heldDeletions, []);
    assert.equal(applied.stats.contacts.deleted, 7);
    assert.equal(await held(), 3);
  });

  it('an ordinary shrink within the limit is applied as before', async () => {
    contacts([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await sync();
    assert.equal(await held(), 10);
    contacts([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const run = await sync();
    assert.equal(run.stats.contacts.deleted, 1);
    assert.deepEqual(run.heldDeletions, []);
    assert.equal(await held(), 9);
  });

  it('stores a record with a value that fails its check without that value, and reports the field', async () => {
    const rows = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ id: `C${i}`, first_name: `Guard${i}`, email: `guard${i}@drop.example` }));
    rows.push({
      id: 'C20',
      first_name: 'Phoebe',
      email: 'phoebe@drop.example',
      phone: 'call me after six;+49 30 1234567',
    } as (typeof rows)[number]);
    fs.writeFileSync(
      path.join(folder, 'contacts.csv'),
      stringify([CSV_COLUMNS.contacts!, ...rows.map((row) => CSV_COLUMNS.contacts!.map((c) => (row as Record<string, string>)[c] ?? ''))]),
    );
    fs.writeFileSync(
      path.join(folder, 'opportunities.csv'),
      stringify([CSV_COLUMNS.opportunities!, ['O1', 'Three decimals', '12.345', 'EUR', 'proposal', '', '']]),
    );
    const run = await sync();
    assert.equal(run.stats.contacts.created, 1);
    assert.equal(run.stats.contacts.failed, 0, 'kept, not failed');
    assert.equal(run.stats.opportunities.created, 1);
    const reported = Object.fromEntries(run.failures.map((f: any) => [f.externalId, f]));
    assert.equal(reported.C20.stored, true);
    assert.match(reported.C20.reason, /^stored without phones\.0: must be a phone number/);
    assert.doesNotMatch(reported.C20.reason, /call me/, 'the value itself is not repeated');
    assert.match(reported.O1.reason, /^stored without amount/);
    const phoebe = (await admin.get('/api/v1/contacts?email=phoebe@drop.example')).body.items[0];
    assert.deepEqual(phoebe.phones, ['+49 30 1234567'], 'the valid number of the two is kept');
  });

  it('reads phones as people write them: extensions kept, national numbers read with the country, invalid ones left out and reported', async () => {
    const rows: Array<Record<string, string>> = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({
      id: `C${i}`,
      first_name: `Guard${i}`,
      email: `guard${i}@drop.example`,
    }));
    rows.push({ id: 'C21', first_name: 'Otis', email: 'otis@drop.example', phone: '+1 617-555-0100 ext. 12' });
    rows.push({ id: 'C22', first_name: 'Dora', email: 'dora@drop.example', phone: '030 5550199', country: 'Germany' });
    rows.push({ id: 'C23', first_name: 'Ivo', email: 'ivo@drop.example', phone: '+1 555' });
    fs.writeFileSync(
      path.join(folder, 'contacts.csv'),
      stringify([CSV_COLUMNS.contacts!, ...rows.map((row) => CSV_COLUMNS.contacts!.map((c) => row[c] ?? ''))]),
    );
    const run = await sync();
    const reported = Object.fromEntries(run.failures.map((f: any) => [f.externalId, f]));
    assert.equal(reported.C21, undefined, 'a number with an extension is a valid number');
    assert.equal(reported.C22, undefined);
    assert.equal(reported.C23.stored, true);
    assert.match(reported.C23.reason, /^stored without phones\.0: must be a phone number/);
    const phonesOf = async (address: string) => (await admin.get(`/api/v1/contacts?email=${address}`)).body.items[0].phones;
    assert.deepEqual(await phonesOf('otis@drop.example'), ['+1 617 555 0100 ext. 12']);
    assert.deepEqual(await phonesOf('dora@drop.example'), ['+49 30 5550199']);
    assert.deepEqual(await phonesOf('ivo@drop.example'), []);
  });

  it('counts every failure of a run, past the first 100 it lists', async () => {
    const rows: Array<Record<string, string>> = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({
      id: `C${i}`,
      first_name: `Guard${i}`,
      email: `guard${i}@drop.example`,
    }));
    for (let i = 0; i < 130; i++) rows.push({ id: `N${i}`, job_title: 'Nobody' });
    fs.writeFileSync(
      path.join(folder, 'contacts.csv'),
      stringify([CSV_COLUMNS.contacts!, ...rows.map((row) => CSV_COLUMNS.contacts!.map((c) => row[c] ?? ''))]),
    );
    const run = await sync({ allowMassDeletion: true });
    assert.equal(run.stats.contacts.failed, 130);
    assert.equal(run.failures.length, 100);
    // 130 contacts, and the opportunity still stored without its three-decimal amount.
    assert.equal(run.failuresTotal, 131);
  });
});
