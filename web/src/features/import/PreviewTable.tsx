import type { ImportReport } from './types.ts';

const shown = (value: unknown): string =>
  value === undefined || value === null
    ? ''
    : Array.isArray(value)
      ? value.join(', ')
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);

/** The dry run's first rows as they would be stored: normalised phones, country codes, dates. */
export function PreviewTable({ report }: { report: ImportReport }) {
  const fields = [...new Set(Object.values(report.mapping))];
  if (!report.preview || report.preview.length === 0) return <p className="muted">No row would be stored.</p>;
  return (
    <table aria-label="Preview">
      <thead>
        <tr>
          <th>Line</th>
          {fields.map((field) => (
            <th key={field}>{field}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {report.preview.map((row) => (
          <tr key={row.line} title={row.leftOut.join('; ') || undefined}>
            <td>{row.line}</td>
            {fields.map((field) => (
              <td key={field}>{shown(row.values[field])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
