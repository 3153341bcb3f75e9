import { stringify } from 'csv-stringify/sync';
import { strToU8, zipSync } from 'fflate';
import { safeCell } from '../shared/csv.ts';
import type { AccessReport } from './access-report.ts';

const README = `Your data, as held by the controller named in report.json.

report.json   everything in one file: the data by object and field, why it is held (purposes
              and legal bases), consent history, where it came from, who received it, how long
              it is kept, who accessed it, and your rights. Its schema is published in the API
              documentation (OpenAPI) as AccessReport.
data.csv      one row per value: object, table, column, custom field, record id, value. A field
              holding several values (a contact's e-mails or phones) has one row for each.
consents.csv  one row per consent event: when, purpose, what happened, how, source.

In the CSV files, a value that begins with = + - @ (a phone number such as +49 30 ..., too) is
preceded by an apostrophe, so that a spreadsheet shows it as text instead of running it as a
formula. report.json holds every value unaltered.
`;

function cell(value: unknown): string {
  return safeCell(typeof value === 'object' && value !== null ? JSON.stringify(value) : value);
}

/** A list is one row per element, so every phone or address is guarded the same way. */
function cells(value: unknown): string[] {
  return Array.isArray(value) ? value.map(cell) : [cell(value)];
}

/** Art. 20: the report as a zip of JSON and CSV, machine-readable and stable. */
export function accessReportZip(report: AccessReport): Buffer {
  const data = stringify([
    ['object', 'table', 'column', 'customField', 'category', 'recordId', 'value'],
    ...report.data.flatMap((field) =>
      field.values.flatMap((value) =>
        cells(value.value).map((text) => [
          field.object,
          field.table,
          field.column,
          field.customField ?? '',
          field.category,
          value.recordId,
          text,
        ]),
      ),
    ),
  ]);
  const consents = stringify([
    ['occurredAt', 'purpose', 'event', 'method', 'source', 'formVersion', 'policyVersion', 'text'],
    ...report.consentHistory.map((event) => [
      event.occurredAt,
      event.purposeKey,
      event.kind,
      event.method,
      cell(event.source),
      event.formVersion ?? '',
      cell(event.policyVersion),
      cell(event.text),
    ]),
  ]);
  return Buffer.from(
    zipSync({
      'report.json': strToU8(JSON.stringify(report, null, 2)),
      'data.csv': strToU8(data),
      'consents.csv': strToU8(consents),
      'README.txt': strToU8(README),
    }),
  );
}
