import { stringify } from 'csv-stringify/sync';
import { strToU8, zipSync } from 'fflate';
import { safeCell } from '../crm/export.ts';
import type { AccessReport } from './access-report.ts';

const README = `Your data, as held by the controller named in report.json.

report.json   everything in one file: the data by object and field, why it is held (purposes
              and legal bases), consent history, where it came from, who received it, how long
              it is kept, who accessed it, and your rights. Its schema is published in the API
              documentation (OpenAPI) as AccessReport.
data.csv      one row per value: object, table, column, custom field, record id, value.
consents.csv  one row per consent event: when, purpose, what happened, how, source.
`;

function cell(value: unknown): string {
  return safeCell(typeof value === 'object' && value !== null ? JSON.stringify(value) : value);
}

/** Art. 20: the report as a zip of JSON and CSV, machine-readable and stable. */
export function accessReportZip(report: AccessReport): Buffer {
  const data = stringify([
    ['object', 'table', 'column', 'customField', 'category', 'recordId', 'value'],
    ...report.data.flatMap((field) => field.values.map((value) => [field.object, field.table, field.column, field.customField ?? '', field.category, value.recordId, cell(value.value)])),
  ]);
  const consents = stringify([
    ['occurredAt', 'purpose', 'event', 'method', 'source', 'formVersion', 'policyVersion', 'text'],
    ...report.consentHistory.map((event) => [event.occurredAt, event.purposeKey, event.kind, event.method, cell(event.source), event.formVersion ?? '', cell(event.policyVersion), cell(event.text)]),
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
