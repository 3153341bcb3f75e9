import assert from 'node:assert/strict';
import { it } from 'node:test';
import iconv from 'iconv-lite';
import { withTenant } from '../../src/db/tenant.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';
import { DUPLICATES, EXPECTED_FORMAT, LAYOUTS, people, ROWS } from '../support/vendor-exports.ts';

/**
 * Issue 26: contact exports in the layouts CRMs and spreadsheets write (test/support/vendor-exports.ts).
 * Each imports with no mapping, with nothing turned into replacement characters.
 */

const upload = (client: Client, body: Buffer, query = '') =>
  client.request('POST', `/api/v1/imports/contacts?fileName=export.csv${query}`, body, { 'content-type': 'text/csv' });

describeEachDatabase('Importing the files CRMs and spreadsheets export', (env) => {
  for (const [layout, { make, skipped = 0 }] of Object.entries(LAYOUTS)) {
    it(`${layout}: detected, mapped without --map, nothing lost or garbled`, async () => {
      const admin = await signUp(env());
      const tenantId = admin.info.workspace.id;
      const tag = layout.replace(/[^a-z0-9]/g, '');
      const started = performance.now();
      const report = await upload(admin, make(people(tag)));
      const seconds = (performance.now() - started) / 1000;
      assert.equal(report.status, 200, JSON.stringify(report.body).slice(0, 600));
      const body = report.body;
      assert.deepEqual({ encoding: body.format.encoding, delimiter: body.format.delimiter }, EXPECTED_FORMAT[layout]);
      assert.equal(body.failed, 0, JSON.stringify(body.errors.slice(0, 3)));
      assert.equal(body.rows, ROWS);
      assert.equal(body.duplicates, DUPLICATES, 'an address again in capitals is the same person');
      assert.equal(body.created, ROWS - DUPLICATES);
      assert.equal(body.skipped.count, skipped, JSON.stringify(body.skipped));
      assert.equal(body.leftOut.count, 0, JSON.stringify(body.leftOut.lines.slice(0, 3)));
      console.log(`# ${layout}: ${Math.round(ROWS / seconds)} rows/s through the API`);

      const found = (await admin.get(`/api/v1/contacts?q=${encodeURIComponent(`${tag}.0@vendor-files.example`)}`)).body.items[0];
      assert.equal(found.firstName, 'Björn0');
      assert.equal(found.lastName, 'Müller');
      if (!['excel-utf16', 'pipedrive'].includes(layout)) assert.equal(found.country, 'DE', 'countries by name, in English and German');
      if (layout.startsWith('excel-de')) assert.deepEqual(found.phones, ['+49 30 1900000'], 'a national number read in the row’s country');
      if (['hubspot', 'salesforce-report', 'pipedrive', 'salesforce-data-loader'].includes(layout))
        assert.deepEqual(found.phones, ['+1 617 555 0100 ext. 12'], 'an extension is part of the number');
      const anna = (await admin.get(`/api/v1/contacts?q=${encodeURIComponent(`${tag}.4@vendor-files.example`)}`)).body.items[0];
      assert.equal(anna.lastName, "O'Keefe, Jr.", 'a quoted comma stays in the cell');
      if (layout === 'pipedrive') {
        const withHome = (await admin.get(`/api/v1/contacts?q=${encodeURIComponent(`${tag}.3@vendor-files.example`)}`)).body.items[0];
        assert.deepEqual(withHome.emails, [`${tag}.3@vendor-files.example`, 'home.3@private.example'], 'two e-mail columns both land');
      }
      const stored = await withTenant(env().db, tenantId, (tx) => tx.selectFrom('contacts').select(['source_ref']).execute());
      if (layout === 'hubspot')
        assert.ok(
          stored.some((row) => row.source_ref === 'export.csv#900000'),
          "the export's record id is kept in provenance",
        );
      const everything = JSON.stringify((await admin.get('/api/v1/exports/contacts?format=json')).body);
      assert.equal(everything.includes('\uFFFD'), false, 'no replacement character anywhere');
    });
  }

  it('refuses a file that is not valid in the encoding named, and never stores replacement characters', async () => {
    const admin = await signUp(env());
    const file = iconv.encode('First Name,Last Name,Email\nBjörn,Müller,bjorn@example.de\n', 'windows-1252');
    const refused = await upload(admin, file, '&encoding=utf-8');
    assert.equal(refused.status, 400);
    assert.equal(refused.body.details.line, 2);
    assert.match(refused.body.message, /not valid utf-8 text at line 2/);
    const damaged = await upload(admin, Buffer.from('First Name,Email\nBj\uFFFDrn,b@example.de\n'));
    assert.equal(damaged.status, 400, 'a file already damaged by a conversion is refused');
    assert.equal((await admin.get('/api/v1/contacts')).body.items.length, 0);
    assert.equal((await upload(admin, file, '&encoding=klingon')).status, 400);
    const overridden = await upload(admin, Buffer.from('First Name|Email\nPipe|pipe@example.de\n'), '&delimiter=pipe');
    assert.deepEqual(overridden.body.format, { encoding: 'utf-8', encodingFrom: 'valid-utf-8', delimiter: 'pipe', delimiterFrom: 'given' });
    assert.equal(overridden.body.created, 1);
  });

  it('a semicolon file with quotes in the middle of a cell is a 400 naming the line, not a 500', async () => {
    const admin = await signUp(env());
    const answer = await upload(
      admin,
      Buffer.from('Vorname;Nachname;E-Mail\r\nAnna;Alt;anna@example.de\r\nBert;Be"rt" x;bert@example.de\r\n'),
    );
    assert.equal(answer.status, 200, 'a quote inside an unquoted cell is text (csv-parse reads it as such)');
    const broken = await upload(
      admin,
      Buffer.from('Vorname;Nachname;E-Mail\r\nAnna;Alt;anna@example.de\r\nCarl;"Cee"x;carl@example.de\r\n'),
    );
    assert.equal(broken.status, 400, JSON.stringify(broken.body));
    assert.equal(broken.body.details.line, 3);
  });

  it('reports the line a row starts on when quoted cells hold CRLF, and imports a row without the value it could not read', async () => {
    const admin = await signUp(env());
    const csv =
      'First Name,Last Name,Email,Phone,Notes\r\nAda,One,ada@example.org,+49 30 1234567,"two\r\nlines"\r\nBea,Two,bea@example.org,not a phone,"three\r\nlines\r\nhere"\r\n,,broken-address,,\r\nCid,Three,cid@example.org,,\r\n';
    const report = await upload(admin, Buffer.from(csv));
    assert.equal(report.status, 200);
    assert.deepEqual(report.body.errors, [
      { line: 7, errors: ['email: must be a valid email address', 'needs a name or an email address'] },
    ]);
    assert.deepEqual(report.body.leftOut.lines, [
      { line: 4, errors: ['phone: must be a phone number (digits, spaces, + ( ) . - /, and an extension such as "ext. 12")'] },
    ]);
    assert.equal(report.body.created, 3);
    const strict = await upload(admin, Buffer.from(csv), '&strict=true&dryRun=true');
    assert.deepEqual(
      strict.body.errors.map((error: { line: number }) => error.line),
      [4, 7],
    );
  });
});
