import { benchBulk } from './bulk.ts';
import { benchHttp } from './http.ts';
import { benchImport } from './import.ts';
import { benchImportFiles } from './import-files.ts';
import { printTable, writeResults, type BenchResult } from './lib.ts';
import { benchRetention, benchRights } from './rights.ts';
import { benchSearch } from './search.ts';
import { benchSync } from './sync.ts';

/** npm run bench [-- name ...]: every benchmark, or those named (import, files, http, dsr, sync, retention, search, bulk). */
const BENCHES: Record<string, () => Promise<BenchResult[]>> = {
  import: benchImport,
  files: benchImportFiles,
  http: benchHttp,
  dsr: benchRights,
  sync: benchSync,
  retention: benchRetention,
  search: benchSearch,
  bulk: benchBulk,
};

const chosen = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = chosen.filter((name) => !(name in BENCHES));
if (unknown.length > 0) throw new Error(`Unknown benchmark ${unknown.join(', ')}; there are ${Object.keys(BENCHES).join(', ')}`);
const results: Array<BenchResult & { benchmark: string }> = [];
for (const [name, bench] of Object.entries(BENCHES))
  if (chosen.length === 0 || chosen.includes(name)) results.push(...(await bench()).map((result) => ({ ...result, benchmark: name })));
printTable(results);
console.log(`\nwritten to ${writeResults(results)}`);
process.exit(0);
