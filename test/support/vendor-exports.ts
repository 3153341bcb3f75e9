import iconv from 'iconv-lite';

/**
 * Contact exports in the layouts HubSpot, Salesforce (report export and Data Loader) and
 * Pipedrive write, and Excel's European variant, generated: byte order marks, CRLF, quoted
 * commas, multi-line notes, accented names, the same address again in another case, phone
 * extensions, ; in UTF-8 and in Windows-1252, UTF-16 with tabs. Used by the import tests and by
 * `npm run bench files` (rows/s of each through the API and the CLI).
 */

export const ROWS = 2000;
const NAMES = [
  ['Björn', 'Müller'],
  ['François', 'Lefèvre'],
  ['Zoë', 'Ørsted'],
  ['José', 'Peña'],
  ['Anna', "O'Keefe, Jr."],
];

export interface Person {
  id: string;
  first: string;
  last: string;
  email: string;
  phone: string;
  company: string;
  country: string;
}

/** Every 50th person repeats an earlier one's address in capitals: a duplicate, not a new contact. */
export function people(tag: string): Person[] {
  return Array.from({ length: ROWS }, (_, i) => {
    const [first, last] = NAMES[i % NAMES.length]!;
    const email = i % 50 === 49 ? `${tag}.${i - 1}@Vendor-Files.example`.toUpperCase() : `${tag}.${i}@vendor-files.example`;
    return {
      id: String(900000 + i),
      first: `${first}${i}`,
      last: last!,
      email,
      phone: i % 10 === 0 ? '+1 617-555-0100 ext. 12' : `+49 30 ${1000000 + i}`,
      company: `Firma ${i % 40}, GmbH`,
      country: 'Germany',
    };
  });
}
export const DUPLICATES = ROWS / 50;

const quote = (value: string) => (/[",;\t\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
const lines = (rows: string[][], delimiter: string, eol: string) => rows.map((row) => row.map(quote).join(delimiter)).join(eol) + eol;

export const LAYOUTS: Record<string, { make: (p: Person[]) => Buffer; query?: string; skipped?: number }> = {
  // HubSpot's contacts export: UTF-8 with BOM, CRLF, its column names, a multi-line notes column.
  hubspot: {
    make: (p) =>
      Buffer.from(
        '\uFEFF' +
          lines(
            [
              [
                'Record ID',
                'First Name',
                'Last Name',
                'Email',
                'Phone Number',
                'Job Title',
                'Company Name',
                'Country/Region',
                'Contact owner',
                'Lifecycle Stage',
                'Create Date',
                'Notes',
              ],
              ...p.map((x, i) => [
                x.id,
                x.first,
                x.last,
                x.email,
                x.phone,
                'Buyer',
                x.company,
                x.country,
                'Sam Sales',
                'Lead',
                '2026-03-01 09:00',
                i % 7 === 0 ? 'Met at the fair\r\nCall back in May' : '',
              ]),
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
        lines(
          [
            [
              'Contact ID',
              'First Name',
              'Last Name',
              'Title',
              'Account Name',
              'Email',
              'Phone',
              'Mobile',
              'Mailing Country',
              'Contact Owner',
              'Lead Source',
            ],
            ...p.map((x) => [`003${x.id}`, x.first, x.last, 'Buyer', x.company, x.email, x.phone, '', 'Deutschland', 'Sam Sales', 'Web']),
          ],
          ',',
          '\r\n',
        ) +
          '\r\n"Confidential Information - Do Not Distribute"\r\n"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n"Acme GmbH"\r\n',
        'windows-1252',
      ),
    skipped: 4,
  },
  // Data Loader: upper-case API names, UTF-8 without BOM, LF.
  'salesforce-data-loader': {
    make: (p) =>
      Buffer.from(
        lines(
          [
            ['ID', 'FIRSTNAME', 'LASTNAME', 'EMAIL', 'PHONE', 'MOBILEPHONE', 'TITLE', 'MAILINGCOUNTRY'],
            ...p.map((x) => [`003${x.id}`, x.first, x.last, x.email, x.phone, '', 'Buyer', 'DE']),
          ],
          ',',
          '\n',
        ),
      ),
  },
  // Pipedrive's people export: "Person - …" columns, work and home addresses in two columns.
  pipedrive: {
    make: (p) =>
      Buffer.from(
        lines(
          [
            [
              'Person - ID',
              'Person - Name',
              'Person - First name',
              'Person - Last name',
              'Person - Email - Work',
              'Person - Email - Home',
              'Person - Phone - Work',
              'Person - Organization',
              'Person - Owner',
            ],
            ...p.map((x, i) => [
              x.id,
              `${x.first} ${x.last}`,
              x.first,
              x.last,
              x.email,
              i % 3 === 0 ? `home.${i}@private.example` : '',
              x.phone,
              x.company,
              'Sam Sales',
            ]),
          ],
          ',',
          '\n',
        ),
      ),
  },
  // Excel in Germany: ; between cells, national numbers, country names in German; once in UTF-8, once in Windows-1252.
  'excel-de-utf8': {
    make: (p) =>
      Buffer.from(
        lines(
          [
            ['Vorname', 'Nachname', 'E-Mail', 'Telefon', 'Firma', 'Land'],
            ...p.map((x) => [x.first, x.last, x.email, `030 ${1000000 + Number(x.id)}`, x.company, 'Deutschland']),
          ],
          ';',
          '\r\n',
        ),
      ),
  },
  'excel-de-1252': {
    make: (p) =>
      iconv.encode(
        lines(
          [
            ['Vorname', 'Nachname', 'E-Mail', 'Telefon', 'Firma', 'Land'],
            ...p.map((x) => [x.first, x.last, x.email, `030 ${1000000 + Number(x.id)}`, x.company, 'Deutschland']),
          ],
          ';',
          '\r\n',
        ),
        'windows-1252',
      ),
  },
  // Excel's "Unicode text": UTF-16 little-endian with its mark, tab-separated.
  'excel-utf16': {
    make: (p) =>
      iconv.encode(
        '\uFEFF' +
          lines([['First Name', 'Last Name', 'Email', 'Company'], ...p.map((x) => [x.first, x.last, x.email, x.company])], '\t', '\r\n'),
        'utf-16le',
        { addBOM: false },
      ),
  },
};

export const EXPECTED_FORMAT: Record<string, { encoding: string; delimiter: string }> = {
  hubspot: { encoding: 'utf-8', delimiter: 'comma' },
  'salesforce-report': { encoding: 'windows-1252', delimiter: 'comma' },
  'salesforce-data-loader': { encoding: 'utf-8', delimiter: 'comma' },
  pipedrive: { encoding: 'utf-8', delimiter: 'comma' },
  'excel-de-utf8': { encoding: 'utf-8', delimiter: 'semicolon' },
  'excel-de-1252': { encoding: 'windows-1252', delimiter: 'semicolon' },
  'excel-utf16': { encoding: 'utf-16le', delimiter: 'tab' },
};
