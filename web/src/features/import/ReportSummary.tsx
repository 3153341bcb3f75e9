import { useEffect, useMemo } from 'react';
import { errorReportUrl } from './errorReport.ts';
import type { ImportReport } from './types.ts';

/** What a dry run would do, or what the import did, with the failing lines to download. */
export function ReportSummary({ report, fileName }: { report: ImportReport; fileName: string }) {
  const download = useMemo(() => (report.errors.length > 0 ? errorReportUrl(report) : null), [report]);
  useEffect(() => () => (download ? URL.revokeObjectURL(download) : undefined), [download]);
  const verb = report.dryRun ? 'would be' : 'were';
  const matched =
    report.onDuplicate === 'skip'
      ? `${report.duplicates} match an existing record and ${verb} skipped`
      : `${report.duplicates} match an existing record, ${report.updated} of which ${verb} updated`;
  return (
    <section aria-label={report.dryRun ? 'Dry run' : 'Import result'}>
      <p>
        {report.rows} rows: {report.created} {verb} created, {matched}, {report.failed} {report.dryRun ? 'would fail' : 'failed'}.
        {report.accountsCreated > 0 && ` ${report.accountsCreated} accounts ${verb} created.`}
      </p>
      {report.leftOut.count > 0 && (
        <p className="muted">
          {report.leftOut.count} rows {verb} imported without a value that is not valid.
        </p>
      )}
      {report.skipped.count > 0 && (
        <p className="muted">{report.skipped.count} rows are not records (blank rows, a report's footer) and are skipped.</p>
      )}
      {download && (
        <>
          <ul className="error">
            {report.errors.slice(0, 10).map((error) => (
              <li key={error.line}>
                Line {error.line}: {error.errors.join('; ')}
              </li>
            ))}
            {report.failed > 10 && <li>… and {report.failed - 10} more in the error report</li>}
          </ul>
          <a className="button secondary" href={download} download={fileName.replace(/\.csv$/i, '') + '-errors.csv'}>
            Download error report
          </a>
        </>
      )}
    </section>
  );
}
