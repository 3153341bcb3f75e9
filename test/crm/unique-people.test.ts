import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import { withTenant } from '../../src/db/tenant.ts';
import { CSV_COLUMNS } from '../../src/sync/csv/connector.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

/**
 * Issue 24, finding 2: on PostgreSQL 20 parallel POST /contacts with one address gave 4 × 201,
 * and two parallel imports of one file doubled it. PGlite held only because it has one
 * connection; these run on both.
 */
describeEachDatabase('one contact per address under parallel writers', (env) => {
  it('20 parallel creations with one address make one contact and 19 answers of 409', async () => {
    const admin = await signUp(env());
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        admin.request('POST', '/api/v1/contacts', { firstName: `Racer ${i}`, emails: ['Race@Example.com'] }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(
      statuses,
      [201, ...Array(19).fill(409)],
      JSON.stringify(answers.filter((a) => a.status !== 201 && a.status !== 409).map((a) => a.body)),
    );
    for (const answer of answers.filter((a) => a.status === 409)) assert.equal(answer.body.error, 'conflict');
    const found = await admin.request('GET', '/api/v1/contacts?email=race@example.com');
    assert.equal(found.body.items.length, 1);
  });

  it('two parallel imports of one file store each person once and report the rest as duplicates', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    const rows = Array.from({ length: 1_200 }, (_, i) => `twice${i}@import.example,Person ${i}`).join('\n');
    const file = `email,first_name\n${rows}\n`;
    const reports = await Promise.all(
      ['first.csv', 'second.csv'].map((name) =>
        admin.request('POST', `/api/v1/imports/contacts?fileName=${name}`, file, { 'content-type': 'text/csv' }),
      ),
    );
    for (const report of reports) assert.equal(report.status, 200, JSON.stringify(report.body));
    assert.equal(reports[0]!.body.created + reports[1]!.body.created, 1_200);
    assert.equal(reports[0]!.body.duplicates + reports[1]!.body.duplicates, 1_200);
    const stored = await withTenant(env().db, tenantId, (tx) =>
      tx
        .selectFrom('contacts')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow(),
    );
    assert.equal(Number(stored.n), 1_200);
  });

  it('the database itself refuses a second holder of an address, whatever writes it', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    const first = await admin.request('POST', '/api/v1/contacts', { firstName: 'First', emails: ['held@example.com'] });
    const second = await admin.request('POST', '/api/v1/contacts', { firstName: 'Second', emails: ['other@example.com'] });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    await assert.rejects(
      withTenant(env().db, tenantId, (tx) =>
        sql`update contacts set email_index = (select email_index from contacts where id = ${first.body.id}) where id = ${second.body.id}`.execute(
          tx,
        ),
      ),
      (error: { code?: string; message?: string }) =>
        error.code === '23505' && /person_terms_one_contact_per_address/.test(error.message ?? ''),
    );
    const lead = await admin.request('POST', '/api/v1/leads', { firstName: 'Inquiry', email: 'held@example.com' });
    assert.equal(lead.status, 201, 'a lead may share the address of a contact: it is an inquiry, not a second person');
  });

  it('a synced person whose addresses two contacts hold is kept apart for review, holding only the addresses nobody else does', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-unique-'));
    env().app.config.syncDropDir = root;
    const folder = path.join(root, tenantId, 'export');
    const writeContacts = (email: string) => {
      fs.mkdirSync(folder, { recursive: true });
      for (const [object, columns] of Object.entries(CSV_COLUMNS)) {
        const rows = object === 'contacts' ? [columns.map((c) => ({ id: 'C1', first_name: 'Shared', email })[c] ?? '')] : [];
        fs.writeFileSync(path.join(folder, `${object}.csv`), stringify([columns, ...rows]));
      }
    };
    try {
      const a = await admin.post('/api/v1/contacts', { firstName: 'Ann', emails: ['ann@shared.example'] });
      const b = await admin.post('/api/v1/contacts', { firstName: 'Bob', emails: ['bob@shared.example'] });
      writeContacts('ann@shared.example;bob@shared.example;own@shared.example');
      const created = await admin.post('/api/v1/integrations', { kind: 'csv', label: 'Export', baseUrl: 'export' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await env().app.jobs.drain();
      const run = (await admin.get(`/api/v1/integrations/${created.body.id}`)).body.lastRun;
      assert.equal(run.state, 'succeeded', JSON.stringify(run));
      const reviews = (await admin.get('/api/v1/sync-reviews?status=open')).body.items;
      assert.equal(reviews.length, 1);
      assert.deepEqual(new Set(reviews[0].candidateIds), new Set([a.body.id, b.body.id]));
      const copy = (await admin.get(`/api/v1/contacts/${reviews[0].recordId}`)).body;
      assert.deepEqual(copy.emails, ['own@shared.example']);

      // The export now gives the copy Ann's address and a new one: Ann keeps hers.
      writeContacts('ann@shared.example;new@shared.example');
      await admin.post(`/api/v1/integrations/${created.body.id}/sync`);
      await env().app.jobs.drain();
      const next = (await admin.get(`/api/v1/integrations/${created.body.id}/runs?limit=1`)).body.items[0];
      assert.equal(next.state, 'succeeded', JSON.stringify(next));
      assert.deepEqual((await admin.get(`/api/v1/contacts/${reviews[0].recordId}`)).body.emails, ['new@shared.example']);
      assert.deepEqual((await admin.get(`/api/v1/contacts/${a.body.id}`)).body.emails, ['ann@shared.example']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
