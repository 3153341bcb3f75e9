import { Readable } from 'node:stream';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import pg from 'pg';
import { operatorCaller } from '../src/auth/operator.ts';
import { importCsv } from '../src/transfer/import.ts';
import { csv } from './import.ts';
import { freshWorkspace, median, RUNS, type BenchResult } from './lib.ts';

/**
 * The API under load against the floor: a bare Fastify handler doing the same indexed SELECT
 * through a pg pool, in the same process, on the same database, in the same run. The API does
 * what a real request does on top: session lookup, abuse-limit counters, permission check,
 * decryption of the personal fields, the response schema.
 */
const CONTACTS = 10_000;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const CONNECTIONS = 10;

async function load(url: string, headers: Record<string, string>, rate?: number) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers, ...(rate ? { overallRate: rate } : {}) });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

export async function benchHttp(): Promise<BenchResult[]> {
  const bench = await freshWorkspace();
  const bare = Fastify();
  const pool = new pg.Pool({ connectionString: bench.databaseUrl, max: CONNECTIONS });
  try {
    const { app } = bench.env;
    const tenantId = bench.admin.info.workspace.id;
    const caller = await operatorCaller(app, bench.admin.info.workspace.slug, bench.admin.info.user.email);
    await importCsv(app, caller, Readable.from([csv(CONTACTS, true)]), { object: 'contacts', fileName: 'bench.csv', dryRun: false });
    const { rows } = await pool.query<{ id: string }>('select id from contacts where tenant_id = $1 order by id limit 1', [tenantId]);
    const contactId = rows[0]!.id;

    const api = await bench.env.server.listen({ port: 0, host: '127.0.0.1' });
    bare.get<{ Params: { id: string } }>(
      '/contacts/:id',
      async (request) =>
        (await pool.query('select * from contacts where tenant_id = $1 and id = $2', [tenantId, request.params.id])).rows[0],
    );
    bare.get(
      '/contacts',
      async () =>
        (await pool.query('select * from contacts where tenant_id = $1 order by created_at desc, id desc limit 50', [tenantId])).rows,
    );
    const floor = await bare.listen({ port: 0, host: '127.0.0.1' });
    const session = { cookie: bench.admin.cookie! };

    const cases = [
      { name: 'GET /api/v1/contacts/:id', api: `${api}/api/v1/contacts/${contactId}`, floor: `${floor}/contacts/${contactId}` },
      { name: 'GET /api/v1/contacts (page of 50)', api: `${api}/api/v1/contacts?limit=50`, floor: `${floor}/contacts` },
    ];
    const measured = cases.map(() => ({
      api: [] as number[],
      floor: [] as number[],
      p50: [] as number[],
      p99: [] as number[],
      p99At500: [] as number[],
    }));
    // Warm both sides up once, unmeasured.
    for (const c of cases) {
      await autocannon({ url: c.api, connections: CONNECTIONS, amount: 500, headers: session });
      await autocannon({ url: c.floor, connections: CONNECTIONS, amount: 500 });
    }
    for (let run = 0; run < RUNS; run++) {
      for (const [i, c] of cases.entries()) {
        const ours = await load(c.api, session);
        const theirs = await load(c.floor, {});
        const paced = await load(c.api, session, 500);
        measured[i]!.api.push(ours.rps);
        measured[i]!.floor.push(theirs.rps);
        measured[i]!.p50.push(ours.p50);
        measured[i]!.p99.push(ours.p99);
        measured[i]!.p99At500.push(paced.p99);
        console.error(
          `http run ${run + 1}/${RUNS} ${c.name}: ${ours.rps.toFixed(0)} req/s (p50 ${ours.p50} ms, p99 ${ours.p99} ms), bare ${theirs.rps.toFixed(0)} req/s, p99 at 500 req/s ${paced.p99} ms`,
        );
      }
    }
    return cases.flatMap((c, i) => {
      const m = measured[i]!;
      const rps = median(m.api);
      const floorRps = median(m.floor);
      return [
        {
          name: `${c.name}, ${CONNECTIONS} connections (p50 ${median(m.p50)} ms, p99 ${median(m.p99)} ms)`,
          unit: 'req/s',
          value: rps,
          baseline: { name: 'bare Fastify + pg, req/s', value: floorRps },
          ratio: rps / floorRps,
          target: 'ratio ≥ 0.5',
          met: rps / floorRps >= 0.5,
          runs: m.api,
        },
        {
          name: `${c.name}, p99 at 500 req/s`,
          unit: 'ms',
          value: median(m.p99At500),
          baseline: null,
          ratio: null,
          target: '< 25 ms',
          met: median(m.p99At500) < 25,
          runs: m.p99At500,
        },
      ];
    });
  } finally {
    await bare.close();
    await pool.end();
    await bench.close();
  }
}
