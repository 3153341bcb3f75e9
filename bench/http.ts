import { fork } from 'node:child_process';
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import pg from 'pg';
import { operatorCaller } from '../src/auth/operator.ts';
import { importCsv } from '../src/transfer/import.ts';
import { csv } from './import.ts';
import { freshWorkspace, median, RUNS, type BenchResult } from './lib.ts';
import type { LoadRequest, LoadSummary } from './load.ts';

/**
 * The API under load against two floors measured in the same run, in the same process, on the
 * same database, each a bare Fastify handler on a pg pool:
 * - the guarded bare read and list: exactly the SQL the guarantees need (BEGIN, the app role and
 *   the workspace, the SELECT of the columns shown, the read audit, COMMIT), sent as one message,
 *   the rows returned still encrypted;
 * - the bare autocommit SELECT (the earlier baseline, kept for history).
 * The API does what a real request does on top: session check, abuse-limit counters, permission,
 * decryption of the personal fields, the account names, the response schema.
 * The load generator runs in a process of its own (bench/load.ts).
 */
const CONTACTS = 10_000;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const CONNECTIONS = 10;

function load(request: Omit<LoadRequest, 'connections'>): Promise<LoadSummary> {
  const child = fork(new URL('./load.ts', import.meta.url), { execArgv: ['--import', 'tsx'] });
  return new Promise<LoadSummary>((resolve, reject) => {
    child.once('message', (summary: LoadSummary) => resolve(summary));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the load generator exited with ${code}`)));
    child.send({ ...request, connections: CONNECTIONS, duration: SECONDS });
  }).then((summary) => {
    if (summary.non2xx > 0 || summary.errors > 0)
      throw new Error(`${request.url}: ${summary.non2xx} non-2xx answers, ${summary.errors} errors`);
    return summary;
  });
}

/** The columns the contact view shows (src/crm/contacts.ts VIEW_COLUMNS). */
const COLUMNS = `id, first_name_enc, last_name_enc, emails_enc, phones_enc, job_title_enc, custom_personal_enc, account_id, owner_id,
  country, region, jurisdiction, custom, source_type, source_ref, collected_at, collected_by, obtained_from_person, reappeared_after_erasure, created_at, updated_at`;
const UUID = /^[0-9a-f-]{36}$/;

/** BEGIN with the settings row-level security needs, as the product sends them. */
const begin = (tenantId: string, memberId: string) =>
  `begin; select set_config('role', 'lawful_app', true), set_config('app.tenant_id', '${tenantId}', true), set_config('app.member_id', '${memberId}', true)`;

/** The read audit (audit_read_log), written only if the record was found. */
const auditRead = (tenantId: string, memberId: string, action: string, objectId: string | null, exists: string) =>
  `insert into audit_read_log (tenant_id, occurred_at, actor_type, actor_id, action, object_type, object_id, fields, ip, user_agent, request_id)
   select '${tenantId}', now(), 'member', '${memberId}', '${action}', 'contact', ${objectId ? `'${objectId}'` : 'null'}, '{}', '127.0.0.1', 'bench', null
   where exists (${exists})`;

export function guardedRead(tenantId: string, memberId: string, id: string): string {
  if (!UUID.test(id)) throw new Error('not an id');
  const where = `from contacts where tenant_id = '${tenantId}' and id = '${id}'`;
  return `${begin(tenantId, memberId)}; select ${COLUMNS} ${where}; ${auditRead(tenantId, memberId, 'contact.read', id, `select 1 ${where}`)}; commit`;
}

function guardedList(tenantId: string, memberId: string): string {
  const page = `select ${COLUMNS} from contacts where tenant_id = '${tenantId}' order by created_at desc, id desc limit 50`;
  return `${begin(tenantId, memberId)};
    with page as (${page}), reads as (
      insert into record_reads (tenant_id, person_id, person_type, action, searched, actor_type, actor_id)
      select '${tenantId}', id, 'contact', 'contact.list', false, 'member', '${memberId}' from page)
    select * from page;
    ${auditRead(tenantId, memberId, 'contact.list', null, 'select 1')}; commit`;
}

interface Case {
  name: string;
  api: string;
  guarded: string;
  bare: string;
  pacedRate: number;
  guardedTarget: number;
  bareTarget: number | null;
  p99Target: number;
}

export async function benchHttp(): Promise<BenchResult[]> {
  const bench = await freshWorkspace();
  const floor = Fastify();
  const pool = new pg.Pool({ connectionString: bench.databaseUrl, max: CONNECTIONS });
  try {
    const { app } = bench.env;
    const tenantId = bench.admin.info.workspace.id as string;
    const memberId = bench.admin.info.member.id as string;
    const caller = await operatorCaller(app, bench.admin.info.workspace.slug, bench.admin.info.user.email);
    await importCsv(app, caller, Readable.from([csv(CONTACTS, true)]), { object: 'contacts', fileName: 'bench.csv', dryRun: false });
    const { rows } = await pool.query<{ id: string }>('select id from contacts where tenant_id = $1 order by id limit 1', [tenantId]);
    const contactId = rows[0]!.id;

    const api = await bench.env.server.listen({ port: 0, host: '127.0.0.1' });
    floor.get<{ Params: { id: string } }>(
      '/bare/contacts/:id',
      async (request) =>
        (await pool.query('select * from contacts where tenant_id = $1 and id = $2', [tenantId, request.params.id])).rows[0],
    );
    floor.get(
      '/bare/contacts',
      async () =>
        (await pool.query('select * from contacts where tenant_id = $1 order by created_at desc, id desc limit 50', [tenantId])).rows,
    );
    const guarded = async (text: string, answer: number) => {
      const results = (await pool.query(text)) as unknown as pg.QueryResult[];
      return results[answer]!.rows;
    };
    floor.get<{ Params: { id: string } }>('/guarded/contacts/:id', async (request, reply) => {
      const [row] = await guarded(guardedRead(tenantId, memberId, request.params.id), 2);
      return row ?? reply.code(404).send();
    });
    floor.get('/guarded/contacts', async () => guarded(guardedList(tenantId, memberId), 2));
    const bare = await floor.listen({ port: 0, host: '127.0.0.1' });
    const session = { cookie: bench.admin.cookie! };

    const cases: Case[] = [
      {
        name: 'GET /api/v1/contacts/:id',
        api: `${api}/api/v1/contacts/${contactId}`,
        guarded: `${bare}/guarded/contacts/${contactId}`,
        bare: `${bare}/bare/contacts/${contactId}`,
        pacedRate: 500,
        guardedTarget: 0.8,
        bareTarget: 0.35,
        p99Target: 25,
      },
      {
        name: 'GET /api/v1/contacts (page of 50)',
        api: `${api}/api/v1/contacts?limit=50`,
        guarded: `${bare}/guarded/contacts`,
        bare: `${bare}/bare/contacts`,
        pacedRate: 200,
        guardedTarget: 0.6,
        bareTarget: null,
        p99Target: 50,
      },
    ];
    const measured = cases.map(() => ({
      api: [] as number[],
      guarded: [] as number[],
      bare: [] as number[],
      p50: [] as number[],
      p99: [] as number[],
      paced: [] as number[],
    }));
    // Warm every side up once, unmeasured.
    for (const c of cases) for (const url of [c.api, c.guarded, c.bare]) await load({ url, headers: session, amount: 500 });
    for (let run = 0; run < RUNS; run++) {
      for (const [i, c] of cases.entries()) {
        const ours = await load({ url: c.api, headers: session });
        const guardedRun = await load({ url: c.guarded, headers: {} });
        const bareRun = await load({ url: c.bare, headers: {} });
        const paced = await load({ url: c.api, headers: session, overallRate: c.pacedRate });
        const m = measured[i]!;
        m.api.push(ours.rps);
        m.guarded.push(guardedRun.rps);
        m.bare.push(bareRun.rps);
        m.p50.push(ours.p50);
        m.p99.push(ours.p99);
        m.paced.push(paced.p99);
        console.error(
          `http run ${run + 1}/${RUNS} ${c.name}: ${ours.rps.toFixed(0)} req/s (p50 ${ours.p50} ms, p99 ${ours.p99} ms), guarded bare ${guardedRun.rps.toFixed(0)}, bare ${bareRun.rps.toFixed(0)}, p99 at ${c.pacedRate} req/s ${paced.p99} ms`,
        );
      }
    }
    return cases.flatMap((c, i) => {
      const m = measured[i]!;
      const rps = median(m.api);
      const guardedRps = median(m.guarded);
      const bareRps = median(m.bare);
      const label = `${c.name}, ${CONNECTIONS} connections (p50 ${median(m.p50)} ms, p99 ${median(m.p99)} ms)`;
      return [
        {
          name: label,
          unit: 'req/s',
          value: rps,
          baseline: { name: 'guarded bare handler (RLS transaction + read audit, one message), req/s', value: guardedRps },
          ratio: rps / guardedRps,
          target: `ratio ≥ ${c.guardedTarget}`,
          met: rps / guardedRps >= c.guardedTarget,
          runs: m.api,
        },
        {
          name: `${label}, against the bare autocommit SELECT`,
          unit: 'req/s',
          value: rps,
          baseline: { name: 'bare Fastify + pg, req/s', value: bareRps },
          ratio: rps / bareRps,
          target: c.bareTarget === null ? 'history (was ≥ 0.5)' : `ratio ≥ ${c.bareTarget} (was 0.5)`,
          met: c.bareTarget === null ? null : rps / bareRps >= c.bareTarget,
          runs: m.api,
        },
        {
          name: `${c.name}, p99 at ${c.pacedRate} req/s`,
          unit: 'ms',
          value: median(m.paced),
          baseline: null,
          ratio: null,
          target: `< ${c.p99Target} ms`,
          met: median(m.paced) < c.p99Target,
          runs: m.paced,
        },
      ];
    });
  } finally {
    await floor.close();
    await pool.end();
    await bench.close();
  }
}
