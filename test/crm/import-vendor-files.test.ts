import assert from 'node:assert/strict';
import { it } from 'node:test';
import iconv from 'iconv-lite';
import { withTenant } from '../../src/db/tenant.ts';
import { describeEachDatabase, signUp, type Client } from '../helpers.ts';

/**
 * Issue 26: contact exports in the layouts HubSpot, Salesforce (report export and Data Loader)
 * and Pipedrive write, and Excel's European variant, generated here: byte order marks, CRLF,
 * quoted commas, multi-line notes, accented names, the same address again in another case,
 * phone extensions, ; in UTF-8 and in Windows-1252, UTF-16 with tabs. Each imports with no
 * mapping, with nothing turned into replacement characters.
 */

const ROWS = 2000;
const NAMES = [
  ['Björn', 'Müller'],
  ['François', 'Lefèvre'],
  ['Zoë', 'Ørsted'],
  ['José', 'Peña'],
  ['Anna', "O'Keefe, Jr."],
];

interface Person {
  id: string;
  first: string;
  last: string;
  email: string;
  phone: string;
  company: string;
  country: string;
}

/** Every 50th person repeats an earlier one's address in capitals: a duplicate, not a new contact. */
function people(tag: string): Person[] {
  return Array.from({ length: ROWS }, (_, i) => {
    const [first, last] = NAMES[i % NAMES.length]!;
    const email = i % 50 === 49 ? `${tag}.${i - 1}@Vendor-Files.example`.toUpperCase() : `${tag}.${i}@vendor-files.example`;
    return { id: String(900000 + i), first: `${first}${i}`, last: last!, email, phone: i % 10 === 0 ? '+1 617-555-0100 ext. 12' : `+49 30 ${1000000 + i}`, company: `Firma ${i % 40}, GmbH`, country: 'Germany' };
  });
}
const DUPLICATES = ROWS / 50;

const quote = (value: string) => (/[",;\t\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
const lines = (rows: string[][], delimiter: string, eol: string) => rows.map((row) => row.map(quote).join(delimiter)).join(eol) + eol;

const LAYOUTS: Record<string, { make: (p: Person[]) => Buffer; query?: string; skipped?: number }> = {
  // HubSpot's contacts export: UTF-8 with BOM, CRLF, its column names, a multi-line notes column.
  hubspot: {
    make: (p) =>
      Buffer.from(
        '\uFEFF' +
          lines(
            [
              ['Record ID', 'First Name', 'Last Name', 'Email', 'Phone Number', 'Job Title', 'Company Name', 'Country/Region', 'Contact owner', 'Lifecycle Stage', 'Create Date', 'Notes'],
              ...p.map((x, i) => [x.id, x.first, x.last, x.email, x.phone, 'Buyer', x.company, x.country, 'Sam Sales', 'Lead', '2026-03-01 09:00', i % 7 === 0 ? 'Met at the fair\r\nCall back in May' : '']),
            ],
            ',',
            '\r\n',
          ),
      ),
  },
  // A Salesforce report exported as CSV on Windows: Windows-1252, and the notice it ends with.
  'salesforce-report': {
    make: (p) =>
      iconv.encode(
        lines([['Contact ID', 'First Name', 'Last Name', 'Title', 'Account Name', 'Email', 'Phone', 'Mobile', 'Mailing Country', 'Contact Owner', 'Lead Source'], ...p.map((x) => [`003${x.id}`, x.first, x.last, 'Buyer', x.company, x.email, x.phone, '', 'Deutschland', 'Sam Sales', 'Web'])], ',', '\r\n') +
          '\r\n"Confidential Information - Do Not Distribute"\r\n"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n"Acme GmbH"\r\n',
        'windows-1252',
      ),
    skipped: 4,
  },
  // Data Loader: upper-case API names, UTF-8 without BOM, LF.
  'salesforce-data-loader': {
    make: (p) => Buffer.from(lines([['ID', 'FIRSTNAME', 'LASTNAME', 'EMAIL', 'PHONE', 'MOBILEPHONE', 'TITLE', 'MAILINGCOUNTRY'], ...p.map((x) => [`003${x.id}`, x.first, x.last, x.email, x.phone, '', 'Buyer', 'DE'])], ',', '\n')),
  },
  // Pipedrive's people export: "Person - …" columns, work and home addresses in two columns.
  pipedrive: {
    make: (p) =>
      Buffer.from(
        lines(
          [['Person - ID', 'Person - Name', 'Person - First name', 'Person - Last name', 'Person - Email - Work', 'Person - Email - Home', 'Person - Phone - Work', 'Person - Organization', 'Person - Owner'], ...p.map((x, i) => [x.id, `${x.first} ${x.last}`, x.first, x.last, x.email, i % 3 === 0 ? `home.${i}@private.example` : '', x.phone, x.company, 'Sam Sales'])],
          ',',
          '\n',
        ),
      ),
  },
  // Excel in Germany: ; between cells, national numbers, country names in German; once in UTF-8, once in Windows-1252.
  'excel-de-utf8': {
    make: (p) => Buffer.from(lines([['Vorname', 'Nachname', 'E-Mail', 'Telefon', 'Firma', 'Land'], ...p.map((x) => [x.first, x.last, x.email, `030 ${1000000 + Number(x.id)}`, x.company, 'Deutschland'])], ';', '\r\n')),
  },
  'excel-de-1252': {
    make: (p) => iconv.encode(lines([['Vorname', 'Nachname', 'E-Mail', 'Telefon', 'Firma', 'Land'], ...p.map((x) => [x.first, x.last, x.email, `030 ${1000000 + Number(x.id)}`, x.company, 'Deutschland'])], ';', '\r\n'), 'windows-1252'),
  },
  // Excel's "Unicode text": UTF-16 little-endian with its mark, tab-separated.
  'excel-utf16': {
    make: (p) => iconv.encode('\uFEFF' + lines([['First Name', 'Last Name', 'Email', 'Company'], ...p.map((x) => [x.first, x.last, x.email, x.company])], '\t', '\r\n'), 'utf-16le', { addBOM: false }),
  },
};

const EXPECTED_FORMAT: Record<string, { encoding: string; delimiter: string }> = {
  hubspot: { encoding: 'utf-8', delimiter: 'comma' },
  'salesforce-report': { encoding: 'windows-1252', delimiter: 'comma' },
  'salesforce-data-loader': { encoding: 'utf-8', delimiter: 'comma' },
  pipedrive: { encoding: 'utf-8', delimiter: 'comma' },
  'excel-de-utf8': { encoding: 'utf-8', delimiter: 'semicolon' },
  'excel-de-1252': { encoding: 'windows-1252', delimiter: 'semicolon' },
  'excel-utf16': { encoding: 'utf-16le', delimiter: 'tab' },
};

const upload = (client: Client, body: Buffer, query = '') => client.request('POST', `/api/v1/imports/contacts?fileName=export.csv${query}`, body, { 'content-type': 'text/csv' });

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
      if (['hubspot', 'salesforce-report', 'pipedrive', 'salesforce-data-loader'].includes(layout)) assert.deepEqual(found.phones, ['+1 617 555 0100 ext. 12'], 'an extension is part of the number');
      const anna = (await admin.get(`/api/v1/contacts?q=${encodeURIComponent(`${tag}.4@vendor-files.example`)}`)).body.items[0];
      assert.equal(anna.lastName, "O'Keefe, Jr.", 'a quoted comma stays in the cell');
      if (layout === 'pipedrive') {
        const withHome = (await admin.get(`/api/v1/contacts?q=${encodeURIComponent(`${tag}.3@vendor-files.example`)}`)).body.items[0];
        assert.deepEqual(withHome.emails, [`${tag}.3@vendor-files.example`, 'home.3@private.example'], 'two e-mail columns both land');
      }
      const stored = await withTenant(env().db, tenantId, (tx) => tx.selectFrom('contacts').select(['source_ref']).execute());
      if (layout === 'hubspot') assert.ok(stored.some((row) => row.source_ref === 'export.csv#900000'), "the export's record id is kept in provenance");
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
    const answer = await upload(admin, Buffer.from('Vorname;Nachname;E-Mail\r\nAnna;Alt;anna@example.de\r\nBert;Be"rt" x;bert@example.de\r\n'));
    assert.equal(answer.status, 200, 'a quote inside an unquoted cell is text (csv-parse reads it as such)');
    const broken = await upload(admin, Buffer.from('Vorname;Nachname;E-Mail\r\nAnna;Alt;anna@example.de\r\nCarl;"Cee"x;carl@example.de\r\n'));
    assert.equal(broken.status, 400, JSON.stringify(broken.body));
    assert.equal(broken.body.details.line, 3);
  });

  it('reports the line a row starts on when quoted cells hold CRLF, and imports a row without the value it could not read', async () => {
    const admin = await signUp(env());
    const csv = 'First Name,Last Name,Email,Phone,Notes\r\nAda,One,ada@example.org,+49 30 1234567,"two\r\nlines"\r\nBea,Two,bea@example.org,not a phone,"three\r\nlines\r\nhere"\r\n,,broken-address,,\r\nCid,Three,cid@example.org,,\r\n';
    const report = await upload(admin, Buffer.from(csv));
    assert.equal(report.status, 200);
    assert.deepEqual(report.body.errors, [{ line: 7, errors: ['email: must be a valid email address', 'needs a name or an email address'] }]);
    assert.deepEqual(report.body.leftOut.lines, [{ line: 4, errors: ['phone: must be a phone number (digits, spaces, + ( ) . - /, and an extension such as "ext. 12")'] }]);
    assert.equal(report.body.created, 3);
    const strict = await upload(admin, Buffer.from(csv), '&strict=true&dryRun=true');
    assert.deepEqual(strict.body.errors.map((error: { line: number }) => error.line), [4, 7]);
  });
});
