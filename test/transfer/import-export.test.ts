import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { withTenant } from '../../src/db/tenant.ts';
import { addMember, describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

function csvUpload(client: Client, object: string, csv: string, query = '') {
  return client.request('POST', `/api/v1/imports/${object}?fileName=leads-2026.csv${query}`, csv, { 'content-type': 'text/csv' });
}

/** 10,000 rows, every 33rd broken in one of three ways (3%). */
function generatedContacts(): { csv: string; badLines: number[] } {
  const lines = ['First Name,Last Name,E-mail,Company,Website,Country,Title'];
  const badLines: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const line = i + 2; // the header is line 1
    if (i % 33 === 0) {
      badLines.push(line);
      const kind = (i / 33) % 3;
      if (kind === 0) lines.push(`Bad${i},Row,not-an-email,Co ${i % 50},co${i % 50}.example,DE,Buyer`);
      else if (kind === 1) lines.push(`,,,Co ${i % 50},co${i % 50}.example,DE,Buyer`);
      else lines.push(`Bad${i},Country,bad${i}@example.org,Co ${i % 50},co${i % 50}.example,Atlantis,Buyer`);
      continue;
    }
    lines.push(`Person${i},Sample${i},person${i}@example.org,Co ${i % 50},co${i % 50}.example,${i % 2 ? 'FR' : 'de'},Buyer ${i % 7}`);
  }
  return { csv: lines.join('\n') + '\n', badLines };
}

describeEachDatabase('CSV import and export', (env) => {
  it('imports 10k contacts, reports the 3% bad rows by line (strict), and is idempotent on re-run', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const { csv, badLines } = generatedContacts();

    const dry = await csvUpload(admin, 'contacts', csv, '&dryRun=true&strict=true');
    assert.equal(dry.status, 200, JSON.stringify(dry.body).slice(0, 500));
    assert.equal(dry.body.dryRun, true);
    assert.equal(dry.body.created, 10_000 - badLines.length);
    const afterDry = await withTenant(env().db, tenantId, (tx) => tx.selectFrom('contacts').select('id').execute());
    assert.equal(afterDry.length, 0, 'a dry run writes nothing');

    const first = await csvUpload(admin, 'contacts', csv, '&strict=true');
    assert.equal(first.status, 200);
    assert.equal(first.body.rows, 10_000);
    assert.equal(first.body.created, 10_000 - badLines.length);
    assert.equal(first.body.failed, badLines.length);
    assert.equal(first.body.accountsCreated, 50);
    assert.deepEqual(
      first.body.errors.map((error: any) => error.line),
      badLines,
    );
    assert.match(first.body.errors[0].errors.join(), /email/);
    assert.match(first.body.errors[2].errors.join(), /country/);
    assert.deepEqual(first.body.mapping, {
      'First Name': 'firstName',
      'Last Name': 'lastName',
      'E-mail': 'email',
      Company: 'accountName',
      Website: 'accountDomain',
      Country: 'country',
      Title: 'jobTitle',
    });

    const second = await csvUpload(admin, 'contacts', csv, '&strict=true');
    assert.equal(second.body.created, 0);
    assert.equal(second.body.duplicates, 10_000 - badLines.length);
    assert.equal(second.body.accountsCreated, 0);

    const stored = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('contacts').select(['source_type', 'source_ref', 'account_id']).execute(),
    );
    assert.equal(stored.length, 10_000 - badLines.length);
    assert.ok(stored.every((row) => row.source_type === 'import' && row.source_ref === 'leads-2026.csv' && row.account_id));
    const found = await admin.get('/api/v1/contacts?q=person4242%40example.org');
    assert.equal(found.body.items[0].lastName, 'Sample4242');
    assert.equal(found.body.items[0].country, 'DE');
  });

  it('takes an explicit column mapping, dedupes within the file, and rejects bad mappings before reading', async () => {
    const admin = await signUp(env());
    const csv = 'Mail,Given,Family\nsame@example.org,Ann,One\nSAME@example.org,Ann,Again\nother@example.org,Bo,Two\n';
    const report = await csvUpload(admin, 'contacts', csv, `&map=${encodeURIComponent('Mail=email,Given=firstName,Family=lastName')}`);
    assert.equal(report.status, 200, JSON.stringify(report.body));
    assert.equal(report.body.created, 2);
    assert.equal(report.body.duplicates, 1);
    const unknown = await csvUpload(admin, 'contacts', csv, `&map=${encodeURIComponent('Mail=password')}`);
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.details.unknownFields, ['password']);
    const missing = await csvUpload(admin, 'contacts', csv, `&map=${encodeURIComponent('Nope=email')}`);
    assert.equal(missing.status, 400);
  });

  it('imports accounts deduplicated on domain', async () => {
    const admin = await signUp(env());
    await admin.post('/api/v1/accounts', { name: 'Existing', domain: 'existing.example' });
    const csv =
      'Company,Website,Industry,Size\nExisting Inc,https://existing.example,IT,11-50\nFresh,fresh.example,IT,huge\nFresh Two,fresh2.example,Retail,1-10\n';
    const sizeError = 'size: Invalid option: expected one of "1-10"|"11-50"|"51-200"|"201-1000"|"1001-5000"|"5001+"';
    const strict = await csvUpload(admin, 'accounts', csv, '&strict=true&dryRun=true');
    assert.equal(strict.body.created, 1);
    assert.deepEqual(strict.body.errors, [{ line: 3, errors: [sizeError] }], 'strict: the row with a bad value fails');
    const report = await csvUpload(admin, 'accounts', csv);
    assert.equal(report.body.created, 2, 'the row is imported without the size it could not read');
    assert.equal(report.body.duplicates, 1);
    assert.deepEqual(report.body.errors, []);
    assert.deepEqual(report.body.leftOut, { count: 1, lines: [{ line: 3, errors: [sizeError] }], truncated: false });
  });

  it('round-trips leads and opportunities through CSV export and import, deduplicated on re-run', async () => {
    const source = await signUp(env());
    await source.post('/api/v1/leads', {
      firstName: 'Lia',
      lastName: 'Lead',
      email: 'lia@leads.example',
      companyName: 'Lead Co',
      status: 'working',
      source: 'event',
    });
    await source.post('/api/v1/leads', { companyName: 'Company Only Ltd' });
    const account = (await source.post('/api/v1/accounts', { name: 'Deal Co', domain: 'deal.example' })).body;
    await source.post('/api/v1/opportunities', {
      name: 'Big deal',
      accountId: account.id,
      amount: '1234.50',
      currency: 'GBP',
      stage: 'proposal',
      expectedCloseDate: '2027-05-31',
      probability: 40,
    });

    const target = await signUp(env());
    const leadsCsv = (await source.get('/api/v1/exports/leads?format=csv')).body as unknown as string;
    const leads = await csvUpload(target, 'leads', leadsCsv);
    assert.equal(leads.status, 200, JSON.stringify(leads.body));
    assert.equal(leads.body.created, 2, JSON.stringify(leads.body));
    assert.equal((await csvUpload(target, 'leads', leadsCsv)).body.duplicates, 2, 'a re-run creates nothing');
    const lia = (await target.get('/api/v1/leads?email=lia%40leads.example')).body.items[0];
    assert.deepEqual(
      [lia.firstName, lia.lastName, lia.companyName, lia.status, lia.source, lia.provenance.sourceType],
      ['Lia', 'Lead', 'Lead Co', 'working', 'event', 'import'],
    );

    // The deal's account travels by domain: export the accounts first, then map accountId away.
    await csvUpload(target, 'accounts', (await source.get('/api/v1/exports/accounts?format=csv')).body as unknown as string);
    const dealsCsv = ((await source.get('/api/v1/exports/opportunities?format=csv')).body as unknown as string).replace(
      /^id,name,accountId/,
      'id,name,accountRef',
    );
    const withDomain = dealsCsv.replace(/\n/, ',domain\n').replace(/(\n[^\n]+)/, '$1,deal.example');
    const deals = await csvUpload(target, 'opportunities', withDomain);
    assert.equal(deals.status, 200, JSON.stringify(deals.body));
    assert.equal(deals.body.created, 1, JSON.stringify(deals.body));
    assert.equal((await csvUpload(target, 'opportunities', withDomain)).body.duplicates, 1);
    const deal = (await target.get('/api/v1/opportunities')).body.items[0];
    const targetAccount = (await target.get('/api/v1/accounts?q=deal.example')).body.items[0];
    assert.deepEqual(
      [deal.name, deal.amount, deal.currency, deal.stage, deal.expectedCloseDate, deal.probability, deal.accountId],
      ['Big deal', '1234.50', 'GBP', 'proposal', '2027-05-31', 40, targetAccount.id],
    );
  });

  it('checks uploads: content type, extension whatever its case, binary content, malformed CSV', async () => {
    const admin = await signUp(env());
    const json = await admin.request('POST', '/api/v1/imports/contacts', { a: 1 });
    assert.equal(json.status, 415);
    const upper = await admin.request('POST', '/api/v1/imports/contacts?fileName=LIST.CSV', 'email\nx@example.org\n', {
      'content-type': 'text/csv',
    });
    assert.equal(upper.status, 200);
    const exe = await admin.request('POST', '/api/v1/imports/contacts?fileName=list.exe', 'email\nx@example.org\n', {
      'content-type': 'text/csv',
    });
    assert.equal(exe.status, 415);
    const binary = await admin.request('POST', '/api/v1/imports/contacts?fileName=book.csv', 'PK\u0003\u0004\u0000\u0000binary', {
      'content-type': 'text/csv',
    });
    assert.equal(binary.status, 415);
    const broken = await admin.request('POST', '/api/v1/imports/contacts?fileName=b.csv', 'email,name\n"unterminated,x\n', {
      'content-type': 'text/csv',
    });
    assert.equal(broken.status, 400);
    assert.match(broken.body.message, /not valid CSV/);
    const empty = await admin.request('POST', '/api/v1/imports/contacts?fileName=e.csv', '', { 'content-type': 'text/csv' });
    assert.equal(empty.status, 400);
  });

  it('exports what the member may see, as CSV (formula-safe) and JSON, audited as an export', async () => {
    const admin = await signUp(env());
    const manager = await addMember(env(), admin, 'sales_manager');
    await admin.patch(`/api/v1/members/${manager.info.member.id}`, { team: 'west' });
    await admin.post('/api/v1/contacts', { firstName: '=HYPERLINK("evil")', lastName: 'Admin-owned', emails: ['a@export.example'] });
    await manager.post('/api/v1/contacts', { firstName: 'Mona', lastName: 'Manager', emails: ['m@export.example'], phones: ['+33 1 23'] });

    const all = await admin.get('/api/v1/exports/contacts?format=csv');
    assert.equal(all.status, 200);
    assert.match(String(all.headers['content-disposition']), /attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"/);
    const rows = parse(all.body as unknown as string, { columns: true }) as Array<Record<string, string>>;
    assert.equal(rows.length, 2);
    assert.ok(
      rows.some((row) => row.firstName === `'=HYPERLINK("evil")`),
      'formula cells are neutralised',
    );
    assert.ok(
      rows.some((row) => row.emails === 'm@export.example' && row.phones === "'+33 1 23"),
      'a leading + is a formula too',
    );

    const mine = await manager.get('/api/v1/exports/contacts?format=json');
    assert.equal(mine.status, 200);
    assert.deepEqual(
      mine.body.map((contact: any) => contact.lastName),
      ['Manager'],
    );
    assert.equal((await admin.get('/api/v1/audit-events?action=contact.export')).body.items.length, 2, 'both exports are audited');

    // What was exported re-imports: the protective quote is removed again.
    const other = await signUp(env());
    const reimport = await csvUpload(
      other,
      'contacts',
      all.body as unknown as string,
      `&map=${encodeURIComponent('firstName=firstName,lastName=lastName,emails=email,phones=phone')}`,
    );
    assert.equal(reimport.body.created, 2, JSON.stringify(reimport.body));
    const mona = (await other.get('/api/v1/contacts?q=m%40export.example')).body.items[0];
    assert.deepEqual(mona.phones, ['+33 1 23']);

    const sales = await addMember(env(), admin, 'salesperson');
    assert.equal((await sales.get('/api/v1/exports/contacts')).status, 403);
  });
});
