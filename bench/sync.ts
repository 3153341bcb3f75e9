import { FakeHubSpot } from '../test/support/fakes/hubspot.ts';
import { seedHubSpot } from '../test/sync/sync-fixtures.ts';
import { freshWorkspace, median, RUNS, type BenchResult } from './lib.ts';

/**
 * CRM sync from a fake HubSpot: an incremental run after 1 % of the records changed, against the
 * initial run of the same connection in the same run. The ratio of their times should track the
 * change fraction: an incremental run must not rescan the whole CRM.
 */
const RECORDS = Number(process.env.BENCH_SYNC_RECORDS ?? 100_000);
const CHANGED = 0.01;

export async function benchSync(): Promise<BenchResult[]> {
  const initial: number[] = [];
  const incremental: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const fake = new FakeHubSpot();
    await fake.start();
    const bench = await freshWorkspace();
    try {
      const companies = Math.round(RECORDS / 10);
      seedHubSpot(fake, { companies, contacts: RECORDS - companies, deals: 0, tasks: 0 }, `bench${run}`);
      const { admin } = bench;
      let started = performance.now();
      const created = await admin.post('/api/v1/integrations', {
        kind: 'hubspot',
        label: 'HubSpot',
        baseUrl: fake.url,
        credentials: {
          kind: 'oauth2',
          ...fake.issueTokens(),
          tokenUrl: `${fake.url}/oauth/v1/token`,
          clientId: fake.clientId,
          clientSecret: fake.clientSecret,
        },
      });
      if (created.status !== 201) throw new Error(JSON.stringify(created.body));
      await bench.env.app.jobs.drain();
      initial.push((performance.now() - started) / 1000);

      const contacts = [...fake.objects.contacts.values()];
      for (const contact of contacts.slice(0, Math.round(RECORDS * CHANGED)))
        fake.modify('contacts', contact.id, { jobtitle: 'Head of Sales' });
      started = performance.now();
      const queued = await admin.post(`/api/v1/integrations/${created.body.id}/sync`);
      if (queued.status !== 202) throw new Error(JSON.stringify(queued.body));
      await bench.env.app.jobs.drain();
      incremental.push((performance.now() - started) / 1000);
      const last = (await admin.get(`/api/v1/integrations/${created.body.id}/runs?limit=1`)).body.items[0];
      if (last.state !== 'succeeded' || last.stats.contacts.updated !== Math.round(RECORDS * CHANGED))
        throw new Error(`incremental run: ${JSON.stringify(last)}`);
      console.error(
        `sync run ${run + 1}/${RUNS}: initial ${initial.at(-1)!.toFixed(1)} s, incremental ${incremental.at(-1)!.toFixed(2)} s`,
      );
    } finally {
      await bench.close();
      await fake.stop();
    }
  }
  const ratio = median(incremental) / median(initial);
  return [
    {
      name: `sync: incremental run after ${CHANGED * 100} % changes of ${RECORDS.toLocaleString('en')} records`,
      unit: 's',
      value: median(incremental),
      baseline: { name: 'the initial run, s', value: median(initial) },
      ratio,
      target: `time ratio tracks the change fraction (≤ ${2 * CHANGED})`,
      met: ratio <= 2 * CHANGED,
      runs: incremental,
    },
  ];
}
