import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runImport } from '../src/cli/import.ts';
import { LAYOUTS, people, ROWS } from '../test/support/vendor-exports.ts';
import { freshWorkspace, median, RUNS, type BenchResult } from './lib.ts';

/**
 * Each vendor's export layout (test/support/vendor-exports.ts, 2,000 contacts) through the API (one
 * request, as the web app sends it) and through the CLI (`lawful import`, its progress bar
 * included), on PostgreSQL: rows/s, median of RUNS, a fresh workspace per import. No target:
 * these are the figures the README quotes for issue 26.
 */
export async function benchImportFiles(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-bench-files-'));
  for (const [layout, { make }] of Object.entries(LAYOUTS)) {
    const rates: Record<'API' | 'CLI', number[]> = { API: [], CLI: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const via of ['API', 'CLI'] as const) {
        const bench = await freshWorkspace();
        const body = make(people(`${layout.replace(/[^a-z0-9]/g, '')}${run}`));
        try {
          const started = performance.now();
          if (via === 'API') {
            const answer = await bench.admin.request('POST', `/api/v1/imports/contacts?fileName=${layout}.csv`, body, {
              'content-type': 'text/csv',
            });
            if (answer.status !== 200)
              throw new Error(`${layout} through the API: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
          } else {
            const file = path.join(dir, `${layout}.csv`);
            fs.writeFileSync(file, body);
            await runImport(bench.env.app, 'contacts', file, {
              workspace: bench.admin.info.workspace.slug,
              as: bench.admin.info.user.email,
            });
          }
          rates[via].push(ROWS / ((performance.now() - started) / 1000));
        } finally {
          await bench.close();
        }
      }
    }
    for (const via of ['API', 'CLI'] as const) {
      console.error(`${layout} via ${via}: ${rates[via].map((rate) => rate.toFixed(0)).join(', ')} rows/s`);
      results.push({
        name: `import ${layout} export (${ROWS.toLocaleString('en')} contacts) via ${via}`,
        unit: 'rows/s',
        value: median(rates[via]),
        baseline: null,
        ratio: null,
        target: '—',
        met: null,
        runs: rates[via],
      });
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return results;
}
