import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import { withTenant } from '../../src/db/tenant.ts';
import { CSV_COLUMNS } from '../../src/sync/csv/connector.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

const SIZES = { accounts: 10_000, contacts: 30_000, leads: 3_000, opportunities: 5_000, tasks: 2_000 };
type CsvObject = keyof typeof SIZES;

/** The drop folder's files, kept in memory as the exporting system would: id → row. */
function generate(): Record<CsvObject, Map<string, Record<string, string>>> {
  const files = { accounts: new Map(), contacts: new Map(), leads: new Map(), opportunities: new Map(), tasks: new Map() } as Record<
    CsvObject,
    Map<string, Record<string, string>>
  >;
  for (let i = 0; i < SIZES.accounts; i++)
    files.accounts.set(`A${i}`, { id: `A${i}`, name: `Drop Account ${i}`, domain: `drop-${i}.example`, industry: 'Retail', country: 'AT' });
  for (let i = 0; i < SIZES.contacts; i++)
    files.contacts.set(`C${i}`, {
      id: `C${i}`,
      first_name: `Dora${i}`,
      last_name: 'Drop',
      email: `dora${i}@drop.example`,
      job_title: 'Owner',
      account_id: `A${i % SIZES.accounts}`,
    });
  for (let i = 0; i < SIZES.leads; i++)
    files.leads.set(`L${i}`, { id: `L${i}`, last_name: `Lead${i}`, email: `lead${i}@drop-leads.example`, company_name: `Prospect ${i}` });
  for (let i = 0; i < SIZES.opportunities; i++)
    files.opportunities.set(`O${i}`, {
      id: `O${i}`,
      name: `Drop Deal ${i}`,
      amount: `${500 + i}.00`,
      currency: 'EUR',
      stage: 'proposal',
      account_id: `A${i % SIZES.accounts}`,
    });
  for (let i = 0; i < SIZES.tasks; i++)
    files.tasks.set(`T${i}`, { id: `T${i}`, title: `Send offer ${i}`, due_at: '2026-12-15T09:00:00Z', done: 'false' });
  return files;
}

function write(folder: string, files: Record<CsvObject, Map<string, Record<string, string>>>) {
  fs.mkdirSync(folder, { recursive: true });
  for (const [object, rows] of Object.entries(files)) {
    const columns = CSV_COLUMNS[object]!;
    fs.writeFileSync(
      path.join(folder, `${object}.csv`),
      stringify([columns, ...[...rows.values()].map((row) => columns.map((c) => row[c] ?? ''))]),
    );
  }
}

describeEachDatabase('CSV drop folder sync', (env) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-drops-'));
  let folder: string;
  const files = generate();
  let admin: Client;
  let tenantId: string;
  let integrationId: string;

  before(async () => {
    env().app.config.syncDropDir = root;
    admin = await signUp(env());
    tenantId = admin.info.workspace.id;
    // Each workspace's folders lie in its own subtree of the drop directory.
    folder = path.join(root, tenantId, 'erp-export');
    write(folder, files);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const linkedIds = () =>
    withTenant(env().db, tenantId, async (tx) => {
      const links = await tx
        .selectFrom('sync_links')
        .select(['object', 'external_id'])
        .where('tenant_id', '=', tenantId)
        .where('integration_id', '=', integrationId)
        .execute();
      const out: Record<string, Set<string>> = {};
      for (const link of links) (out[link.object] ??= new Set()).add(link.external_id);
      return out;
    });

  it('refuses a folder outside the drop directory', async () => {
    const outside = await admin.post('/api/v1/integrations', { kind: 'csv', label: 'Escape', baseUrl: '../../etc' });
    assert.equal(outside.status, 422);
    assert.equal(outside.body.details.field, 'baseUrl');
  });

  it('copies 50,000 rows, then applies exactly the rows that changed, appeared or disappeared', async () => {
    const created = await admin.post('/api/v1/integrations', { kind: 'csv', label: 'ERP export', baseUrl: 'erp-export' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    integrationId = created.body.id;
    await env().app.jobs.drain();
    const initial = (await admin.get(`/api/v1/integrations/${integrationId}`)).body.lastRun;
    assert.equal(initial.state, 'succeeded', JSON.stringify(initial));
    for (const object of Object.keys(SIZES) as CsvObject[]) assert.equal(initial.stats[object].created, SIZES[object], object);
    assert.equal(initial.requests, 10 + 30 + 3 + 5 + 2, 'one read per 1,000 rows');

    // The next export: 500 rows changed, 200 new, 100 gone.
    const changes: Record<CsvObject, [number, number, number]> = {
      accounts: [100, 50, 20],
      contacts: [250, 100, 50],
      leads: [50, 20, 10],
      opportunities: [80, 30, 10],
      tasks: [20, 0, 10],
    };
    for (const [object, [modify, create, remove]] of Object.entries(changes) as Array<[CsvObject, [number, number, number]]>) {
      const rows = [...files[object].values()];
      for (const row of rows.slice(0, modify))
        Object.assign(row, { industry: 'Wholesale', job_title: 'Director', company_name: 'Renamed', stage: 'negotiation', done: 'true' });
      for (const row of rows.slice(-remove)) files[object].delete(row.id!);
      for (let i = 0; i < create; i++) {
        const id = `${object}-new-${i}`;
        files[object].set(id, {
          id,
          name: `New ${i}`,
          last_name: `New${i}`,
          email: `new-${object}-${i}@drop.example`,
          title: `New ${i}`,
          company_name: `New ${i}`,
        });
      }
    }
    write(folder, files);
    await admin.post(`/api/v1/integrations/${integrationId}/sync`);
    await env().app.jobs.drain();
    const run = (await admin.get(`/api/v1/integrations/${integrationId}/runs?limit=1`)).body.items[0];
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    assert.deepEqual(run.stats.contacts, { fetched: 30_050, created: 100, updated: 250, unchanged: 29_700, deleted: 50, failed: 0 });
    assert.deepEqual(run.stats.accounts, { fetched: 10_030, created: 50, updated: 100, unchanged: 9_880, deleted: 20, failed: 0 });
    assert.equal(run.stats.tasks.deleted, 10);
    const held = await linkedIds();
    for (const object of Object.keys(SIZES) as CsvObject[])
      assert.deepEqual(held[object], new Set(files[object].keys()), `${object} equal the export`);
    const contacts = await withTenant(
      env().db,
      tenantId,
      async (tx) => (await tx.selectFrom('contacts').select('id').where('tenant_id', '=', tenantId).execute()).length,
    );
    assert.equal(contacts, files.contacts.size, 'no duplicate, no leftover');
  });
});
