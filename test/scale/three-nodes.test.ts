import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { listBackups } from '../../src/backup/archive.ts';
import { boot } from '../../src/boot.ts';
import { loadConfig } from '../../src/config.ts';
import { randomKey } from '../../src/crypto/aead.ts';
import { LocalKeyring } from '../../src/crypto/master-keys.ts';
import { SCHEDULES } from '../../src/schedules.ts';
import { FakeHubSpot } from '../support/fakes/hubspot.ts';
import { createPostgresDatabase, FAKES_ON_LOOPBACK, POSTGRES_ADMIN_URL, TEST_PASSWORD } from '../support/helpers.ts';
import { seedHubSpot } from '../sync/sync-fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

async function until<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs: number, what: () => string): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A browser's view of the API: one cookie and CSRF token, sent to whichever node it is given. */
class Browser {
  cookie = '';
  csrf = '';
  async call(base: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (parsed?.csrfToken) this.csrf = parsed.csrfToken;
    return { status: response.status, body: parsed };
  }
}

/** The sign-up token in the one .eml the node wrote to its outbox folder (no SMTP server configured). */
function signupLinkInOutbox(outbox: string): string {
  const [file] = fs.readdirSync(outbox).filter((name) => name.endsWith('.eml'));
  assert.ok(file, 'the sign-up e-mail is in the outbox');
  // Quoted-printable (RFC 2045 §6.7): soft line breaks out, =XX escapes decoded.
  const text = fs
    .readFileSync(path.join(outbox, file), 'utf8')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const token = /confirm-signup#([A-Za-z0-9_-]+)/.exec(text)?.[1];
  assert.ok(token, text);
  return token;
}

describe('three app nodes on one PostgreSQL', { skip: POSTGRES_ADMIN_URL ? false : 'needs DATABASE_URL (a PostgreSQL server)' }, () => {
  it("serves sessions on any node, runs each scheduled job once per tick, and finishes a killed node's job on another", async () => {
    const database = await createPostgresDatabase(POSTGRES_ADMIN_URL!, 'lawful_nodes');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-nodes-'));
    const backupDir = path.join(dataDir, 'backups');
    const key = randomKey();
    const vars: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: database.url,
      LAWFUL_DATA_DIR: dataDir,
      LAWFUL_MASTER_KEY: key.toString('base64'),
      LAWFUL_BACKUP_DIR: backupDir,
      LAWFUL_BACKUP_SCHEDULE: 'on',
      LAWFUL_JOB_POLL_MS: '100',
      // A dead node's job is taken over after 20 seconds instead of a minute. (Shorter leases lose
      // to the restore drill: starting its in-process embedded database holds the event loop for
      // seconds, and on a loaded 2-core machine 10 seconds was once not enough: the heartbeat
      // missed the lease and a second node claimed the drill.)
      LAWFUL_JOB_LEASE_SECONDS: '20',
      ...FAKES_ON_LOOPBACK,
    };
    const fake = new FakeHubSpot();
    await fake.start();
    seedHubSpot(fake, { companies: 500, contacts: 6000, deals: 0, tasks: 0 }, 'nodes');
    const nodes: Array<{ child: ChildProcess; base: string; output: () => string }> = [];
    const sql = new pg.Client({ connectionString: database.url });
    try {
      // Migrated once, as a deployment would, before the nodes start.
      const setup = await boot(loadConfig(vars), { master: new LocalKeyring([key]) });
      await setup.db.close();
      for (let i = 0; i < 3; i++) {
        const child = spawn(
          process.execPath,
          [path.join(ROOT, 'bin/lawful.mjs'), 'serve', '--no-seed', '--port', '0', '--host', '127.0.0.1'],
          { env: vars, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let output = '';
        child.stdout!.on('data', (chunk) => (output += chunk));
        child.stderr!.on('data', (chunk) => (output += chunk));
        const base = await until(
          async () => /listening on (https?:\/\/\S+)/.exec(output)?.[1] ?? (child.exitCode !== null ? 'exited' : null),
          60_000,
          () => `node ${i} to listen: ${output}`,
        );
        assert.notEqual(base, 'exited', output);
        nodes.push({ child, base, output: () => output });
      }
      await sql.connect();
      const [n0, n1, n2] = nodes.map((node) => node.base) as [string, string, string];

      // Sessions live in the database: signed up on one node, used on the others.
      const ada = new Browser();
      const asked = await ada.call(n0, 'POST', '/api/v1/auth/signup', {
        workspaceName: 'Nodes',
        workspaceSlug: `nodes-${process.pid}`,
        name: 'Ada',
        email: `ada-${process.pid}@nodes.example`,
        password: TEST_PASSWORD,
      });
      assert.equal(asked.status, 202, JSON.stringify(asked.body));
      const signup = await ada.call(n1, 'POST', '/api/v1/auth/signup/confirm', { token: signupLinkInOutbox(path.join(dataDir, 'outbox')) });
      assert.equal(signup.status, 201, JSON.stringify(signup.body));
      const contact = await ada.call(n1, 'POST', '/api/v1/contacts', { firstName: 'Noda', emails: ['noda@nodes.example'] });
      assert.equal(contact.status, 201, JSON.stringify(contact.body));
      assert.equal((await ada.call(n2, 'GET', `/api/v1/contacts/${contact.body.id}`)).body.firstName, 'Noda');
      const second = new Browser();
      assert.equal(
        (await second.call(n2, 'POST', '/api/v1/auth/login', { email: `ada-${process.pid}@nodes.example`, password: TEST_PASSWORD }))
          .status,
        200,
      );
      // n0 now holds a hint of this session (src/auth/session-hints.ts) and answers from it.
      assert.equal((await second.call(n0, 'GET', '/api/v1/auth/session')).status, 200);
      assert.equal((await second.call(n0, 'GET', '/api/v1/contacts')).status, 200);
      const signedIn = second.cookie;
      assert.equal((await second.call(n1, 'POST', '/api/v1/auth/logout')).status, 204);
      // The old cookie, as a copy of it kept elsewhere would send it.
      second.cookie = signedIn;
      assert.equal((await second.call(n2, 'GET', '/api/v1/auth/session')).status, 401, 'signed out on one node, signed out on all');
      assert.equal((await second.call(n0, 'GET', '/api/v1/contacts')).status, 401, 'including the node that remembers the session');

      // Three ticks of every schedule at once: each job is enqueued once and claimed once.
      const scheduled = async () =>
        (
          await sql.query<{ queue: string; jobs: number; claims: number; done: number }>(`
          select queue, count(*)::int as jobs, sum(attempts)::int as claims, count(*) filter (where state = 'done')::int as done
          from jobs where singleton_key like 'schedule:%' group by queue order by queue`)
        ).rows;
      for (let tick = 1; tick <= 3; tick++) {
        await sql.query('update job_schedules set next_run_at = now()');
        let seen: unknown = null;
        const settled = await until(
          async () => {
            const rows = await scheduled();
            seen = {
              rows,
              unfinished: (await sql.query(`select queue, state, attempts, last_error from jobs where state <> 'done'`)).rows,
            };
            return rows.length === SCHEDULES.length && rows.every((row) => row.done === tick) ? rows : null;
          },
          120_000,
          () => `tick ${tick} to finish on the nodes: ${JSON.stringify(seen)}`,
        );
        for (const row of settled) {
          assert.equal(row.jobs, tick, `${row.queue}: one job per tick`);
          assert.equal(row.claims, tick, `${row.queue}: each job claimed by one node only`);
        }
      }
      assert.deepEqual(
        (await listBackups(backupDir)).map((b) => b.kind),
        ['full', 'incremental', 'incremental'],
        'one backup per tick',
      );

      // A CRM sync runs on some node; that node is killed; another finishes the run.
      const integration = await ada.call(n0, 'POST', '/api/v1/integrations', {
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
      assert.equal(integration.status, 201, JSON.stringify(integration.body));
      await until(
        async () => fake.requests('GET', '/crm/v3/objects/contacts') >= 15,
        120_000,
        () => 'the sync to reach the contacts',
      );
      const holder = (await sql.query<{ locked_by: string }>(`select locked_by from jobs where queue = 'sync.run' and state = 'running'`))
        .rows[0]!.locked_by;
      const victim = nodes.find((node) => holder.split(':')[1] === String(node.child.pid));
      assert.ok(victim, `the job is held by one of the nodes (${holder})`);
      victim.child.kill('SIGKILL');
      const pagesAtKill = fake.requests('GET', '/crm/v3/objects/contacts');
      assert.ok(pagesAtKill < 60, 'killed before the end');
      const run = await until(
        async () =>
          (
            await sql.query<{ state: string; stats: any; error: string | null }>(
              `select state, stats, error from sync_runs where state <> 'running' and state <> 'queued'`,
            )
          ).rows[0],
        180_000,
        () => `the run to finish on another node (${nodes.map((n) => n.output()).join('\n')})`,
      );
      assert.equal(run.state, 'succeeded', run.error ?? '');
      assert.equal(run.stats.contacts.created, 6000, 'each contact created once across both nodes');
      assert.equal(
        Number((await sql.query(`select count(*) as n from contacts`)).rows[0].n),
        6001,
        'no duplicate (and the contact made by hand)',
      );
      const job = (await sql.query<{ attempts: number; state: string }>(`select attempts, state from jobs where queue = 'sync.run'`))
        .rows[0]!;
      assert.deepEqual(job, { attempts: 2, state: 'done' }, 'claimed by the killed node, then by one other');
    } finally {
      for (const node of nodes) if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGTERM');
      await Promise.all(
        nodes.map((node) =>
          node.child.exitCode !== null || node.child.signalCode !== null
            ? null
            : new Promise((resolve) => node.child.once('exit', resolve)),
        ),
      );
      await sql.end().catch(() => {});
      await fake.stop();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
