import type { ImportReport } from './types.ts';

/** Spreadsheets run cells starting with = + - @ as formulas; the server's export guards the same way. */
const cell = (value: string): string => {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** The failing lines as a CSV: the file's columns, then the line number and each reason (field: why). */
export function errorReportCsv(report: ImportReport): string {
  const lines = [[...report.columns, 'Line', 'Errors']];
  for (const error of report.errors)
    lines.push([...report.columns.map((_, index) => error.cells?.[index] ?? ''), String(error.line), error.errors.join('; ')]);
  return lines.map((line) => line.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function errorReportUrl(report: ImportReport): string {
  return URL.createObjectURL(new Blob(['\uFEFF', errorReportCsv(report)], { type: 'text/csv;charset=utf-8' }));
}
