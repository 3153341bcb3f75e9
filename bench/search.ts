import { Readable } from 'node:stream';
import Fastify from 'fastify';
import pg from 'pg';
import { operatorCaller } from '../src/auth/operator.ts';
import { importCsv } from '../src/transfer/import.ts';
import { freshWorkspace, median, RUNS, type BenchResult } from './lib.ts';

/**
 * Search and name order over encrypted names (#29), at BENCH_SEARCH_PEOPLE contacts (100,000 by
 * default; the issue's target is stated at 1,000,000). The baseline is the same query over a
 * plaintext copy of the names in a scratch table, with the indexes a plaintext CRM would have
 * (text_pattern_ops for prefixes, a B-tree for the order), served by a bare Fastify + pg handler.
 */
const PEOPLE = Number(process.env.BENCH_SEARCH_PEOPLE ?? 100_000);
const QUERIES = 200;
const PAGES = 40;

/**
 * Deterministic names with a skewed spread like real ones: about 2,000 first names and 100,000
 * last names, the common ones far more frequent (a power law), built from syllables so that
 * prefixes are shared as in real names.
 */
function nameMaker(seed: number) {
  let state = seed;
  const next = () => {
    // In BigInt: the product passes 2^53, where floats lose precision and the names repeat
    // (14,413 distinct words per million people instead of about 107,000).
    state = Number((BigInt(state) * 1_103_515_245n + 12_345n) % 2_147_483_648n);
    return state / 2_147_483_648;
  };
  const syllables = [
    'ka',
    'le',
    'mi',
    'no',
    'ru',
    'sa',
    'te',
    'vi',
    'lo',
    'an',
    'el',
    'is',
    'or',
    'be',
    'da',
    'fi',
    'go',
    'ha',
    'jo',
    'ke',
  ];
  const more = [
    'ma',
    'ne',
    'pe',
    'ri',
    'si',
    'tu',
    'wa',
    'ye',
    'zo',
    'ch',
    'sch',
    'ei',
    'ber',
    'ton',
    'son',
    'man',
    'ler',
    'ez',
    'ova',
    'ski',
  ];
  const all = [...syllables, ...more];
  const wordOf = (index: number, parts: number) => {
    let text = '';
    let rest = index;
    for (let i = 0; i < parts; i++) {
      text += all[rest % all.length];
      rest = Math.floor(rest / all.length);
    }
    return text[0]!.toUpperCase() + text.slice(1);
  };
  return () => ({ first: wordOf(Math.floor(2_000 * next() ** 2), 3), last: wordOf(Math.floor(100_000 * next() ** 1.5), 4) });
}

function peopleCsv(count: number): { file: string; names: Array<{ first: string; last: string }> } {
  const make = nameMaker(42);
  const names: Array<{ first: string; last: string }> = [];
  const lines = ['First name,Last name,Email'];
  for (let i = 0; i < count; i++) {
    const name = make();
    names.push(name);
    lines.push(`${name.first},${name.last},${name.first.toLowerCase()}.${name.last.toLowerCase()}.${i}@company${i % 5_000}.example`);
  }
  return { file: `${lines.join('\n')}\n`, names };
}

async function timed(
  url: string,
  headers: Record<string, string>,
): Promise<{ ms: number; body: { items?: unknown[]; nextCursor?: string | null } }> {
  const started = performance.now();
  const response = await fetch(url, { headers });
  const body = (await response.json()) as { items?: unknown[]; nextCursor?: string | null };
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - started, body };
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

export async function benchSearch(): Promise<BenchResult[]> {
  const bench = await freshWorkspace();
  const bare = Fastify();
  const pool = new pg.Pool({ connectionString: bench.databaseUrl, max: 4 });
  try {
    const { app } = bench.env;
    const tenantId: string = bench.admin.info.workspace.id;
    const caller = await operatorCaller(app, bench.admin.info.workspace.slug, bench.admin.info.user.email);
    const { file, names } = peopleCsv(PEOPLE);
    const imported = performance.now();
    const report = await importCsv(app, caller, Readable.from([file]), { object: 'contacts', fileName: 'people.csv', dryRun: false });
    console.error(`search: imported ${report.created} contacts in ${((performance.now() - imported) / 1000).toFixed(0)} s`);

    // The option not taken, measured on the same people: a blind-index term per word prefix of two
    // characters or more (first name, last name, each word of the address), stored as person_terms
    // rows are today.
    const stored = await pool.query<{ bytes: string; terms: string }>(
      'select pg_total_relation_size($1) as bytes, (select count(*) from person_terms) as terms',
      ['person_terms'],
    );
    const bytesPerTerm = Number(stored.rows[0]!.bytes) / Number(stored.rows[0]!.terms);
    const prefixTerms = names.reduce((sum, name, i) => {
      const words = [name.first, name.last, name.first, name.last, `company${i % 5_000}`, 'example'].map((w) => w.toLowerCase());
      return sum + words.reduce((n, word) => n + Math.max(0, word.length - 1), 0);
    }, 0);
    const prefixGb = (prefixTerms * bytesPerTerm) / 1024 ** 3;
    console.error(
      `search: prefix terms would be ${(prefixTerms / PEOPLE).toFixed(0)} per person (${stored.rows[0]!.terms} terms today, ${bytesPerTerm.toFixed(0)} bytes each with indexes): ${prefixGb.toFixed(1)} GB`,
    );

    await pool.query('create table bench_plain_names (tenant_id uuid, id uuid, first_name text, last_name text, email text)');
    await pool.query(
      `insert into bench_plain_names select $1, gen_random_uuid(), f, l, e from unnest($2::text[], $3::text[], $4::text[]) as t (f, l, e)`,
      [
        tenantId,
        names.map((n) => n.first),
        names.map((n) => n.last),
        names.map((n, i) => `${n.first.toLowerCase()}.${n.last.toLowerCase()}.${i}@company${i % 5_000}.example`),
      ],
    );
    await pool.query('create index on bench_plain_names (tenant_id, lower(first_name) text_pattern_ops)');
    await pool.query('create index on bench_plain_names (tenant_id, lower(last_name) text_pattern_ops)');
    await pool.query('create index on bench_plain_names (tenant_id, lower(last_name), lower(first_name), id)');
    await pool.query('analyze bench_plain_names');
    bare.get<{ Querystring: { q: string } }>('/search', async (request) => {
      const prefix = `${request.query.q.toLowerCase()}%`;
      const { rows } = await pool.query(
        `select id, first_name, last_name, email from bench_plain_names where tenant_id = $1 and (lower(first_name) like $2 or lower(last_name) like $2)
          order by lower(last_name), lower(first_name), id limit 10`,
        [tenantId, prefix],
      );
      return { items: rows };
    });
    bare.get<{ Querystring: { after?: string } }>('/sorted', async (request) => {
      const after = request.query.after ? (JSON.parse(request.query.after) as [string, string, string]) : null;
      const { rows } = await pool.query(
        `select id, first_name, last_name, email, lower(last_name) as l, lower(first_name) as f from bench_plain_names where tenant_id = $1
          ${after ? 'and (lower(last_name), lower(first_name), id) > ($2, $3, $4)' : ''} order by lower(last_name), lower(first_name), id limit 50`,
        after ? [tenantId, ...after] : [tenantId],
      );
      const last = rows[rows.length - 1];
      return { items: rows, nextCursor: last ? JSON.stringify([last.l, last.f, last.id]) : null };
    });
    const api = await bench.env.server.listen({ port: 0, host: '127.0.0.1' });
    const floor = await bare.listen({ port: 0, host: '127.0.0.1' });
    const session = { cookie: bench.admin.cookie! };

    // Run with --expose-gc for a heap figure without the import's garbage in it.
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const built = performance.now();
    await app.people.of(tenantId);
    const buildMs = performance.now() - built;
    const stats = await app.people.stats(tenantId);
    gc?.();
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    console.error(
      `search: directory of ${stats?.people} people, ${stats?.words} words, built in ${buildMs.toFixed(0)} ms, heap +${heapMb.toFixed(0)} MB`,
    );

    const make = nameMaker(7);
    const queries = Array.from({ length: QUERIES }, (_, i) => {
      const name = make();
      return i % 2 ? name.first.slice(0, 3) : `${name.first} ${name.last.slice(0, 2)}`;
    });
    const runs = { search: [] as number[], searchFloor: [] as number[], sorted: [] as number[], sortedFloor: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      const search: number[] = [];
      const searchFloor: number[] = [];
      for (const q of queries) {
        search.push((await timed(`${api}/api/v1/contacts?limit=10&q=${encodeURIComponent(q)}`, session)).ms);
        searchFloor.push((await timed(`${floor}/search?q=${encodeURIComponent(q.split(' ')[0]!)}`, {})).ms);
      }
      const sorted: number[] = [];
      const sortedFloor: number[] = [];
      let cursor: string | null | undefined;
      let plainCursor: string | null | undefined;
      for (let page = 0; page < PAGES; page++) {
        const ours = await timed(`${api}/api/v1/contacts?limit=50&sort=lastName${cursor ? `&cursor=${cursor}` : ''}`, session);
        const theirs = await timed(`${floor}/sorted${plainCursor ? `?after=${encodeURIComponent(plainCursor)}` : ''}`, {});
        sorted.push(ours.ms);
        sortedFloor.push(theirs.ms);
        cursor = ours.body.nextCursor;
        plainCursor = theirs.body.nextCursor;
      }
      runs.search.push(percentile(search, 0.95));
      runs.searchFloor.push(percentile(searchFloor, 0.95));
      runs.sorted.push(percentile(sorted, 0.95));
      runs.sortedFloor.push(percentile(sortedFloor, 0.95));
      console.error(
        `search run ${run + 1}/${RUNS}: type-ahead p95 ${runs.search.at(-1)!.toFixed(1)} ms (plaintext ${runs.searchFloor.at(-1)!.toFixed(1)} ms), name-sorted page p95 ${runs.sorted.at(-1)!.toFixed(1)} ms (plaintext ${runs.sortedFloor.at(-1)!.toFixed(1)} ms)`,
      );
    }
    const result = (name: string, values: number[], floorValues: number[], limit: number): BenchResult => {
      const value = median(values);
      const baseline = median(floorValues);
      return {
        name,
        unit: 'ms',
        value,
        baseline: { name: 'plaintext copy, bare handler', value: baseline },
        ratio: value / baseline,
        target: `p95 < ${limit} ms at ${PEOPLE.toLocaleString('en')} people`,
        met: value < limit,
        runs: values,
      };
    };
    return [
      result(`search type-ahead p95 (${PEOPLE / 1000}k people)`, runs.search, runs.searchFloor, 50),
      result(`search name-sorted page of 50 p95 (${PEOPLE / 1000}k)`, runs.sorted, runs.sortedFloor, 100),
      {
        name: `search option not taken: prefix blind-index terms (${PEOPLE / 1000}k)`,
        unit: 'GB',
        value: prefixGb,
        baseline: null,
        ratio: null,
        target: `stated: ${(prefixTerms / PEOPLE).toFixed(0)} term rows per person at ${bytesPerTerm.toFixed(0)} bytes (person_terms today)`,
        met: null,
        runs: [prefixGb],
      },
      {
        name: `search directory build (${PEOPLE / 1000}k people)`,
        unit: 's',
        value: buildMs / 1000,
        baseline: null,
        ratio: null,
        target: `stated; heap ${heapMb.toFixed(0)} MB (${((heapMb * 100_000) / PEOPLE).toFixed(0)} MB per 100k people), ${stats?.words} distinct words`,
        met: null,
        runs: [buildMs / 1000],
      },
    ];
  } finally {
    await bare.close();
    await pool.end();
    await bench.close();
  }
}
