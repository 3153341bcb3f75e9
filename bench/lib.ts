import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../src/db/connection.ts';
import { createEnv, createPostgresDatabase, signUp, type Client, type TestEnv } from '../test/support/helpers.ts';

/**
 * What every benchmark shares: a fresh PostgreSQL database per run (DATABASE_URL names a server
 * where databases may be created), medians over BENCH_RUNS runs (5 by default, the machine is
 * noisy), and results that carry their own in-run baseline.
 */
export const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface BenchResult {
  name: string;
  unit: string;
  /** Median of the runs. */
  value: number;
  baseline: { name: string; value: number } | null;
  /** The comparison with the baseline that the target is stated in. */
  ratio: number | null;
  target: string;
  met: boolean | null;
  runs: number[];
  /** Which of `npm run bench`'s benchmarks took it (set by bench/run.ts). */
  benchmark?: string;
}

export interface BenchEnv {
  env: TestEnv;
  admin: Client;
  databaseUrl: string;
  close(): Promise<void>;
}

/** A new database with the schema and one workspace, served in-process. */
export async function freshWorkspace(): Promise<BenchEnv> {
  const database = await createPostgresDatabase(ADMIN_URL, 'lawful_bench');
  const env = await createEnv({ name: 'postgres', open: () => openDatabase({ databaseUrl: database.url, dataDir: '' }) });
  const admin = await signUp(env);
  return {
    env,
    admin,
    databaseUrl: database.url,
    close: async () => {
      await env.server.close();
      await env.db.close();
      await database.drop();
    },
  };
}

export function printTable(results: BenchResult[]): void {
  const rows = results.map((r) => [
    r.name,
    `${r.value.toFixed(1)} ${r.unit}`,
    r.baseline ? `${r.baseline.value.toFixed(1)} (${r.baseline.name})` : '—',
    r.ratio === null ? '—' : r.ratio.toFixed(2),
    r.target,
    r.met === null ? '—' : r.met ? 'yes' : 'NO',
  ]);
  const header = ['benchmark', `median of ${RUNS}`, 'baseline, same run', 'ratio', 'target', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/**
 * Writes the run's results into bench/results/latest.json, keeping the entries of the benchmarks
 * this run did not take (`npm run bench search` leaves the import figures in place). A benchmark
 * that ran replaces all of its earlier entries: their names carry the run's latencies, so
 * matching by name alone kept every earlier run's.
 */
export function writeResults(results: Array<BenchResult & { benchmark: string }>): string {
  const file = path.join(import.meta.dirname, 'results', 'latest.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const earlier: BenchResult[] = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { results: BenchResult[] }).results
    : [];
  const taken = new Set(results.map((result) => result.name));
  const ran = new Set(results.map((result) => result.benchmark));
  const merged = [...earlier.filter((result) => !taken.has(result.name) && !ran.has(result.benchmark ?? '')), ...results];
  fs.writeFileSync(
    file,
    `${JSON.stringify({ takenAt: new Date().toISOString(), runs: RUNS, node: process.version, results: merged }, null, 2)}\n`,
  );
  return file;
}
