import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { operatorCaller } from '../src/auth/operator.ts';
import { importCsv } from '../src/transfer/import.ts';
import { freshWorkspace, median, RUNS, type BenchResult } from './lib.ts';

/**
 * Bulk import of contacts with all of the bookkeeping (validation, encryption under each
 * person's key, blind indexes, provenance, the consent ledger's source event, the audit trail)
 * against the floor: raw COPY of the same plaintext rows into an unindexed table, in the same
 * database and the same run.
 */
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);

export function csv(rows: number, header: boolean): string {
  const lines = header ? ['First name,Last name,Email,Phone,Job title'] : [];
  for (let i = 0; i < rows; i++)
    lines.push(`Person${i},Bench${i % 977},person${i}@bench${i % 101}.example,+49 30 ${String(5_000_000 + i)},Engineer ${i % 13}`);
  return `${lines.join('\n')}\n`;
}

export async function benchImport(): Promise<BenchResult[]> {
  const imports: number[] = [];
  const copies: number[] = [];
  const file = csv(ROWS, true);
  const plain = csv(ROWS, false);
  for (let run = 0; run < RUNS; run++) {
    const bench = await freshWorkspace();
    try {
      const caller = await operatorCaller(bench.env.app, bench.admin.info.workspace.slug, bench.admin.info.user.email);
      const started = performance.now();
      const report = await importCsv(bench.env.app, caller, Readable.from([file]), {
        object: 'contacts',
        fileName: 'bench.csv',
        dryRun: false,
      });
      imports.push((performance.now() - started) / 1000);
      if (report.created !== ROWS)
        throw new Error(`the import created ${report.created} of ${ROWS} contacts: ${JSON.stringify(report.errors.slice(0, 3))}`);

      const client = new pg.Client({ connectionString: bench.databaseUrl });
      await client.connect();
      try {
        await client.query('create table bench_plain (first_name text, last_name text, email text, phone text, job_title text)');
        const copyStarted = performance.now();
        await pipeline(Readable.from([plain]), client.query(copyFrom('copy bench_plain from stdin with (format csv)')));
        copies.push((performance.now() - copyStarted) / 1000);
      } finally {
        await client.end();
      }
    } finally {
      await bench.close();
    }
    console.error(`import run ${run + 1}/${RUNS}: ${imports.at(-1)!.toFixed(2)} s, COPY ${copies.at(-1)!.toFixed(3)} s`);
  }
  const rate = ROWS / median(imports);
  const copyRate = ROWS / median(copies);
  return [
    {
      name: `import ${ROWS.toLocaleString('en')} contacts, full bookkeeping`,
      unit: 'contacts/s',
      value: rate,
      baseline: { name: 'raw COPY, rows/s', value: copyRate },
      ratio: rate / copyRate,
      target: 'ratio ≥ 0.3 and ≥ 20,000/s',
      met: rate / copyRate >= 0.3 && rate >= 20_000,
      runs: imports.map((seconds) => ROWS / seconds),
    },
  ];
}
