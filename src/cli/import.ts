import fs from 'node:fs';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { AppContext } from '../app-context.ts';
import { importCsv, type ImportObject, type ImportReport } from '../transfer/import.ts';
import { parseMapping } from '../transfer/routes.ts';
import type { DelimiterName } from '../transfer/import-text.ts';
import type { OnDuplicate } from '../db/types.ts';
import { operatorCaller } from '../auth/operator.ts';

export interface ImportCommandOptions {
  workspace: string;
  as?: string;
  map?: string;
  dryRun?: boolean;
  report?: string;
  resumes?: string;
  encoding?: string;
  delimiter?: string;
  strict?: boolean;
  onDuplicate?: string;
}

export async function runImport(app: AppContext, object: ImportObject, file: string, options: ImportCommandOptions): Promise<ImportReport> {
  if (!/\.csv$/i.test(file)) throw new Error('Only .csv files can be imported.');
  const size = fs.statSync(file).size;
  const caller = await operatorCaller(app, options.workspace, options.as);
  const bar = new SingleBar(
    {
      format: ' {bar} {percentage}% | {rows} rows, {created} new, {duplicates} duplicate, {failed} failed | {eta_formatted} left',
      hideCursor: true,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  bar.start(size, 0, { rows: 0, created: 0, duplicates: 0, failed: 0 });
  const input = fs.createReadStream(file);
  let read = 0;
  input.on('data', (chunk) => {
    read += chunk.length;
  });
  try {
    const report = await importCsv(app, caller, input, {
      object,
      fileName: path.basename(file),
      mapping: parseMapping(options.map),
      dryRun: Boolean(options.dryRun),
      resumes: options.resumes,
      encoding: options.encoding,
      delimiter: options.delimiter as DelimiterName | undefined,
      strict: options.strict,
      onDuplicate: options.onDuplicate as OnDuplicate | undefined,
      onProgress: (progress) =>
        bar.update(read, { rows: progress.rows, created: progress.created, duplicates: progress.duplicates, failed: progress.failed }),
    });
    bar.update(size, { rows: report.rows, created: report.created, duplicates: report.duplicates, failed: report.failed });
    if (options.report) fs.writeFileSync(options.report, JSON.stringify(report, null, 2) + '\n');
    return report;
  } finally {
    bar.stop();
  }
}
