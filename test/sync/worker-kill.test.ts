import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { boot } from '../../src/boot.ts';
import { loadConfig } from '../../src/config.ts';
import { randomKey } from '../../src/crypto/aead.ts';
import { LocalKeyring } from '../../src/crypto/master-keys.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { buildApp } from '../../src/server.ts';
import { FakeHubSpot } from '../support/fakes/hubspot.ts';
import { createPostgresDatabase, FAKES_ON_LOOPBACK, POSTGRES_ADMIN_URL, signUp, type TestEnv } from '../support/helpers.ts';
import { fakeState, seedHubSpot, syncedState } from './sync-fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const backend of ['pglite', ...(POSTGRES_ADMIN_URL ? ['postgres'] : [])] as const) {
  describe(`sync worker killed mid-run [${backend}]`, () => {
    it('a new process resumes from the checkpoint: nothing duplicated, nothing lost', async () => {
      const fake = new FakeHubSpot();
      await fake.start();
      seedHubSpot(fake, { companies: 1000, contacts: 6000, deals: 0, tasks: 0 }, 'kill');
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-kill-'));
      const database = backend === 'postgres' ? await createPostgresDatabase(POSTGRES_ADMIN_URL!, 'lawful_kill') : null;
      const key = randomKey();
      const vars: NodeJS.ProcessEnv = {
        ...process.env,
        LAWFUL_DATA_DIR: dataDir,
        LAWFUL_MASTER_KEY: key.toString('base64'),
        LAWFUL_JOB_POLL_MS: '50',
        DATABASE_URL: database?.url ?? '',
        ...FAKES_ON_LOOPBACK,
      };
      const open = async () => {
        const app = await boot(loadConfig(vars), { master: new LocalKeyring([key]) });
        const server = await buildApp(app);
        return { app, server, db: app.db, backend, mailer: undefined } as unknown as TestEnv;
      };
      try {
        // Connect in one process, as a member would, then stop it.
        let env = await open();
        const admin = await signUp(env);
        const tenantId = admin.info.workspace.id;
        const tokens = fake.issueTokens();
        const created = await admin.post('/api/v1/integrations', {
          kind: 'hubspot',
          label: 'HubSpot',
          baseUrl: fake.url,
          credentials: {
            kind: 'oauth2',
            ...tokens,
            tokenUrl: `${fake.url}/oauth/v1/token`,
            clientId: fake.clientId,
            clientSecret: fake.clientSecret,
          },
        });
        assert.equal(created.status, 201);
        const integrationId = created.body.id;
        await env.server.close();
        await env.db.close();

        // The server process picks the sync up and is killed (SIGKILL: no cleanup of any kind) a third of the way into the contacts.
        const child = spawn(
          process.execPath,
          [path.join(ROOT, 'bin/lawful.mjs'), 'serve', '--no-seed', '--port', '0', '--host', '127.0.0.1'],
          { env: vars, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
        await until(
          () => fake.requests('GET', '/crm/v3/objects/contacts') >= 20 || child.exitCode !== null,
          120_000,
          `contacts pages (server output: ${output})`,
        );
        child.kill('SIGKILL');
        assert.equal(await exited, 'SIGKILL', output);
        const pagesBeforeKill = fake.requests('GET', '/crm/v3/objects/contacts');
        assert.ok(pagesBeforeKill < 60, 'killed before the end');

        env = await open();
        try {
          const interrupted = await withTenant(env.db, tenantId, (tx) =>
            tx.selectFrom('sync_runs').selectAll().where('tenant_id', '=', tenantId).executeTakeFirstOrThrow(),
          );
          assert.equal(interrupted.state, 'running');
          assert.equal(interrupted.checkpoint.objectIndex, 1, 'the checkpoint is inside the contacts');
          const storedBeforeKill = interrupted.stats.contacts!.fetched;
          assert.ok(storedBeforeKill > 0 && storedBeforeKill % 100 === 0, `whole pages were stored: ${storedBeforeKill}`);
          // The dead node's lease would run out after a minute; let it run out now.
          await sql`update jobs set locked_until = now() - interval '1 second' where state = 'running'`.execute(env.db.kysely);
          await env.app.jobs.drain();

          const run = await withTenant(env.db, tenantId, (tx) =>
            tx.selectFrom('sync_runs').selectAll().where('tenant_id', '=', tenantId).executeTakeFirstOrThrow(),
          );
          assert.equal(run.state, 'succeeded', run.error ?? '');
          assert.equal(run.stats.contacts!.created, 6000, 'each contact created once over both processes');
          assert.equal(run.stats.companies!.created, 1000);
          // The page in flight when the process died is fetched again; every other page once.
          const pages = fake.requests('GET', '/crm/v3/objects/contacts');
          assert.ok(pages >= 60 && pages <= 61, `${pages} contact pages fetched`);
          assert.equal(pages - pagesBeforeKill, 60 - storedBeforeKill / 100);

          const { state, links } = await syncedState(env.app, tenantId, integrationId);
          assert.equal(links.length, 7000);
          const expected = fakeState(fake);
          assert.deepEqual(state.companies, expected.companies);
          for (const [id, contact] of expected.contacts)
            assert.deepEqual({ ...state.contacts!.get(id), accountId: undefined }, { ...contact, accountId: undefined });
          const count = await withTenant(env.db, tenantId, async (tx) =>
            Number((await sql<{ n: string }>`select count(*) as n from contacts`.execute(tx)).rows[0]!.n),
          );
          assert.equal(count, 6000, 'no duplicate contact');
        } finally {
          await env.server.close();
          await env.db.close();
        }
      } finally {
        await fake.stop();
        await database?.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
