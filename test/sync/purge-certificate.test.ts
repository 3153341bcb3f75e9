import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import { CSV_COLUMNS } from '../../src/sync/csv/connector.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

/**
 * Issue 25, findings 7 and 8: the purge certificate counts what remains of the connection's
 * data, not only its links, and accounts for a lead that was converted here (the contact it
 * became is kept, listed with the reason); it tells the deletion of our copy of the credentials
 * apart from a revocation at the vendor.
 */
describeEachDatabase('Purge certificate after a disconnect', (env) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-purge-cert-'));
  let admin: Client;
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  before(async () => {
    env().app.config.syncDropDir = root;
    admin = await signUp(env());
  });

  it('lists the contact converted from a synced lead as kept, counts it as what remains of the leads, and says the vendor was not asked', async () => {
    const folder = path.join(root, admin.info.workspace.id, 'export');
    fs.mkdirSync(folder, { recursive: true });
    for (const [object, columns] of Object.entries(CSV_COLUMNS)) fs.writeFileSync(path.join(folder, `${object}.csv`), stringify([columns]));
    const row = (object: string, values: Record<string, string>) => CSV_COLUMNS[object]!.map((column) => values[column] ?? '');
    fs.writeFileSync(
      path.join(folder, 'contacts.csv'),
      stringify([CSV_COLUMNS.contacts!, row('contacts', { id: 'C1', first_name: 'Cleo', email: 'cleo@cert.example' })]),
    );
    fs.writeFileSync(
      path.join(folder, 'leads.csv'),
      stringify([
        CSV_COLUMNS.leads!,
        row('leads', { id: 'L1', first_name: 'Lena', last_name: 'Lead', email: 'lena@cert.example', company_name: 'Lena GmbH' }),
        row('leads', { id: 'L2', first_name: 'Lars', email: 'lars@cert.example' }),
      ]),
    );
    const created = await admin.post('/api/v1/integrations', { kind: 'csv', label: 'Export', baseUrl: 'export' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await env().app.jobs.drain();
    const lena = (await admin.get('/api/v1/leads?limit=10')).body.items.find((lead: any) => lead.email === 'lena@cert.example');
    const converted = await admin.post(`/api/v1/leads/${lena.id}/convert`, {});
    assert.equal(converted.status, 200, JSON.stringify(converted.body));

    assert.equal((await admin.delete(`/api/v1/integrations/${created.body.id}`)).status, 202);
    await env().app.jobs.drain();
    const certificate = (await admin.get(`/api/v1/integrations/${created.body.id}`)).body.purgeCertificate;
    assert.ok(certificate.finishedAt);
    assert.equal(certificate.credentialsDeleted, true);
    assert.equal(certificate.credentialsRevoked, false);
    assert.equal(certificate.credentialsRevocation, 'no credentials: a drop folder is read from disk');
    assert.deepEqual(
      certificate.objects.leads,
      { recordType: 'lead', before: 2, deleted: 2, unlinked: 0, after: 1 },
      'the converted contact is what remains of the leads',
    );
    assert.deepEqual(certificate.objects.contacts, { recordType: 'contact', before: 1, deleted: 1, unlinked: 0, after: 0 });
    assert.equal(certificate.kept.length, 1);
    assert.deepEqual({ ...certificate.kept[0], reason: undefined }, { recordType: 'contact', count: 1, reason: undefined });
    assert.match(certificate.kept[0].reason, /^converted here from a lead this connection brought in/);
    const contacts = (await admin.get('/api/v1/contacts?limit=10')).body.items.map((c: any) => c.emails[0]);
    assert.deepEqual(contacts, ['lena@cert.example'], 'Cleo went with the connection; the converted contact stays');
  });
});
