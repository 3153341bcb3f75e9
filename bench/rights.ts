import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { operatorCaller } from '../src/auth/operator.ts';
import { importCsv } from '../src/transfer/import.ts';
import { runRule } from '../src/retention/service.ts';
import { withTenant } from '../src/db/tenant.ts';
import { csv } from './import.ts';
import { freshWorkspace, median, RUNS, type BenchResult } from './lib.ts';

/**
 * A data subject request in a small and in a large workspace: the access report and the erasure
 * of one person, each run on a different person, among 10,000 and among 1,000,000 contacts. The
 * small workspace is the baseline of the large one: the time must not grow with the workspace.
 * The filler contacts are generated inside PostgreSQL (INSERT ... SELECT generate_series), with
 * their own blind-index values, so the indexes are as large as a real workspace's.
 */
const SIZES = (process.env.BENCH_DSR_SIZES ?? '10000,1000000').split(',').map(Number);

async function timedDsr(size: number): Promise<{ access: number[]; erasure: number[] }> {
  const bench = await freshWorkspace();
  try {
    const { admin } = bench;
    const tenantId = admin.info.workspace.id;
    const memberId = admin.info.member.id;
    await withTenant(bench.env.db, tenantId, (tx) =>
      sql`insert into contacts (tenant_id, id, owner_id, collected_by, collected_at, source_type, email_index, name_index)
          select ${tenantId}, gen_random_uuid(), ${memberId}, ${memberId}, now(), 'import', array[md5('e' || g)], array[md5('n' || g)]
          from generate_series(1, ${size - RUNS}) g`.execute(tx),
    );
    await sql`analyze`.execute(bench.env.db.kysely);
    const access: number[] = [];
    const erasure: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const email = `subject${run}@dsr-bench.example`;
      const contact = await admin.post('/api/v1/contacts', {
        firstName: `Subject${run}`,
        lastName: 'Bench',
        emails: [email],
        phones: ['+49 30 5550100'],
        jobTitle: 'Buyer',
      });
      await admin.post('/api/v1/notes', { body: `Met Subject${run}`, record: { type: 'contact', id: contact.body.id } });
      const accessRequest = (
        await admin.post('/api/v1/dsr-requests', { type: 'access', channel: 'email', email, identityStatus: 'verified' })
      ).body;
      let started = performance.now();
      const report = await admin.post(`/api/v1/dsr-requests/${accessRequest.id}/execute`);
      access.push(performance.now() - started);
      if (report.status !== 200) throw new Error(`access report: ${report.status} ${JSON.stringify(report.body)}`);
      const erasureRequest = (
        await admin.post('/api/v1/dsr-requests', { type: 'erasure', channel: 'email', email, identityStatus: 'verified' })
      ).body;
      started = performance.now();
      const erased = await admin.post(`/api/v1/dsr-requests/${erasureRequest.id}/execute`);
      erasure.push(performance.now() - started);
      if (erased.body.status !== 'completed') throw new Error(`erasure: ${erased.status} ${JSON.stringify(erased.body)}`);
    }
    console.error(
      `dsr at ${size.toLocaleString('en')} contacts: access ${access.map((ms) => ms.toFixed(0)).join(', ')} ms; erasure ${erasure.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    );
    return { access, erasure };
  } finally {
    await bench.close();
  }
}

export async function benchRights(): Promise<BenchResult[]> {
  const bySize = new Map<number, { access: number[]; erasure: number[] }>();
  for (const size of SIZES) bySize.set(size, await timedDsr(size));
  const [small, large] = [Math.min(...SIZES), Math.max(...SIZES)];
  return (['access', 'erasure'] as const).map((kind) => {
    const base = median(bySize.get(small)![kind]);
    const value = median(bySize.get(large)![kind]);
    return {
      name: `DSR ${kind === 'access' ? 'access report' : 'erasure'} of one person among ${large.toLocaleString('en')} contacts`,
      unit: 'ms',
      value,
      baseline: { name: `the same among ${small.toLocaleString('en')}, ms`, value: base },
      ratio: base / value,
      target: 'within 2× of the small one (ratio ≥ 0.5) and < 200 ms',
      met: value <= 2 * base && value < 200,
      runs: bySize.get(large)![kind],
    };
  });
}

/** Retention: contacts past their rule deleted by the sweep, with their tasks, notes and keys. */
const RETENTION_ROWS = Number(process.env.BENCH_RETENTION_ROWS ?? 20_000);

export async function benchRetention(): Promise<BenchResult[]> {
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const bench = await freshWorkspace();
    try {
      const { app } = bench.env;
      const tenantId = bench.admin.info.workspace.id;
      const caller = await operatorCaller(app, bench.admin.info.workspace.slug, bench.admin.info.user.email);
      await importCsv(app, caller, Readable.from([csv(RETENTION_ROWS, true)]), {
        object: 'contacts',
        fileName: 'bench.csv',
        dryRun: false,
      });
      const then = new Date(Date.now() - 800 * 86_400_000);
      await withTenant(bench.env.db, tenantId, (tx) =>
        sql`update contacts set created_at = ${then}, updated_at = ${then}, collected_at = ${then} where tenant_id = ${tenantId}`.execute(
          tx,
        ),
      );
      const rule = await bench.admin.post('/api/v1/retention-rules', {
        name: 'Idle two years',
        target: 'contact',
        afterDays: 730,
        action: 'delete',
      });
      if (rule.status !== 201) throw new Error(JSON.stringify(rule.body));
      const started = performance.now();
      const done = await runRule(app, tenantId, rule.body.id);
      const seconds = (performance.now() - started) / 1000;
      if (done !== RETENTION_ROWS) throw new Error(`the sweep handled ${done} of ${RETENTION_ROWS}`);
      rates.push(done / seconds);
      console.error(`retention run ${run + 1}/${RUNS}: ${done} contacts in ${seconds.toFixed(2)} s`);
    } finally {
      await bench.close();
    }
  }
  return [
    {
      name: `retention sweep, ${RETENTION_ROWS.toLocaleString('en')} contacts deleted`,
      unit: 'records/s',
      value: median(rates),
      baseline: null,
      ratio: null,
      target: 'throughput (no target set)',
      met: null,
      runs: rates,
    },
  ];
}
