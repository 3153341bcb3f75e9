import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { operatorCaller } from '../src/auth/operator.ts';
import { withTenant } from '../src/db/tenant.ts';
import { importCsv } from '../src/transfer/import.ts';
import { addMember } from '../test/support/helpers.ts';
import { freshWorkspace, median, RUNS, type BenchResult } from './lib.ts';

/**
 * A bulk assignment of a whole view (#29): every contact of one country given to one owner, at
 * BENCH_BULK_RECORDS contacts (10,000 by default, half of them in the view). The baseline, in the
 * same run, is the cheapest code with the same guarantees: the one UPDATE under the workspace's
 * row-level security, in its own transaction, without the visibility rule, the bulk_actions
 * record or the audit event.
 */
const RECORDS = Number(process.env.BENCH_BULK_RECORDS ?? 10_000);

function contactsCsv(count: number): string {
  const lines = ['First name,Last name,Email,Country'];
  for (let i = 0; i < count; i += 1) lines.push(`Person${i},Bulk${i % 97},person${i}@bulk.example,${i % 2 ? 'DE' : 'FR'}`);
  return `${lines.join('\n')}\n`;
}

export async function benchBulk(): Promise<BenchResult[]> {
  const bench = await freshWorkspace();
  try {
    const { app } = bench.env;
    const tenantId: string = bench.admin.info.workspace.id;
    const caller = await operatorCaller(app, bench.admin.info.workspace.slug, bench.admin.info.user.email);
    await importCsv(app, caller, Readable.from([contactsCsv(RECORDS)]), { object: 'contacts', fileName: 'bulk.csv', dryRun: false });
    const seller = await addMember(bench.env, bench.admin, 'salesperson');
    const owners = [seller.info.member.id as string, bench.admin.info.member.id as string];

    const product: number[] = [];
    const bare: number[] = [];
    let count = 0;
    for (let run = 0; run < RUNS * 2; run += 1) {
      const ownerId = owners[run % 2]!;
      const started = performance.now();
      if (run % 2 === 0) {
        const response = await bench.admin.post('/api/v1/contacts/bulk/assign', { filters: { country: 'DE' }, ownerId });
        if (response.status !== 200) throw new Error(`bulk assign: ${response.status} ${JSON.stringify(response.body)}`);
        count = response.body.count;
        product.push(performance.now() - started);
      } else {
        await withTenant(app.db, tenantId, (tx) =>
          sql`update contacts set owner_id = ${ownerId}, updated_at = now() where tenant_id = ${tenantId} and country = 'DE'`.execute(tx),
        );
        bare.push(performance.now() - started);
      }
    }
    const value = median(product);
    const baseline = median(bare);
    return [
      {
        name: `bulk assign of a whole view (${count.toLocaleString('en')} of ${RECORDS.toLocaleString('en')} contacts)`,
        unit: 'ms',
        value,
        baseline: { name: 'guarded bare UPDATE', value: baseline },
        ratio: value / baseline,
        target: 'stated (no target in the issue)',
        met: null,
        runs: product,
      },
    ];
  } finally {
    await bench.close();
  }
}
