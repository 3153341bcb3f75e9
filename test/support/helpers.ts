import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { AppContext } from '../../src/app-context.ts';
import { boot } from '../../src/boot.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { randomKey } from '../../src/crypto/aead.ts';
import { LocalKeyring } from '../../src/crypto/master-keys.ts';
import { openPGlite, openPostgres, type Database } from '../../src/db/connection.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { buildApp } from '../../src/server.ts';
import type { Mail, Mailer } from '../../src/mail/mailer.ts';

/** The URL tests create their own PostgreSQL databases through; unset means PGlite only. */
export const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;

export interface Backend {
  name: 'pglite' | 'postgres';
  open(): Promise<Database>;
}

/** A fresh database per test file and backend: PGlite in memory, and a new PostgreSQL database when configured. */
export function backends(): Backend[] {
  const list: Backend[] = [{ name: 'pglite', open: () => openPGlite() }];
  if (POSTGRES_ADMIN_URL) list.push({ name: 'postgres', open: () => freshPostgresDatabase(POSTGRES_ADMIN_URL) });
  return list;
}

/** A new, empty PostgreSQL database through the admin URL: its URL, and how to drop it. */
export async function createPostgresDatabase(
  adminUrl: string,
  prefix = 'lawful_test',
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

async function freshPostgresDatabase(adminUrl: string): Promise<Database> {
  const created = await createPostgresDatabase(adminUrl);
  const db = await openPostgres(created.url, 5);
  return {
    ...db,
    async close() {
      await db.close();
      await created.drop();
    },
  };
}

/** Keeps every message; when given a real mailer (e.g. SMTP to a local server) also sends through it. */
/** An empty database of the same kind as the environment's (a restore target). */
export async function scratchDatabase(env: TestEnv): Promise<Database> {
  return env.backend === 'postgres' && POSTGRES_ADMIN_URL ? freshPostgresDatabase(POSTGRES_ADMIN_URL) : openPGlite();
}

export class CapturingMailer implements Mailer {
  readonly sent: Mail[] = [];
  constructor(private readonly forward?: () => Mailer) {}
  get transport() {
    return this.forward ? ('smtp' as const) : ('outbox' as const);
  }
  async send(mail: Mail): Promise<void> {
    if (this.forward) await this.forward().send(mail);
    this.sent.push(mail);
  }
  async forget(subjects: string[]): Promise<number> {
    return (await this.forward?.().forget?.(subjects)) ?? 0;
  }
}

export interface TestEnv {
  backend: Backend['name'];
  app: AppContext;
  server: FastifyInstance;
  mailer: CapturingMailer;
  db: Database;
}

/** The installation settings that let connectors call the CRM fakes listening on loopback. */
export const FAKES_ON_LOOPBACK = { LAWFUL_INTEGRATION_HOSTS: '127.0.0.1,localhost', LAWFUL_INTEGRATION_ALLOW_INTERNAL: 'on' };

export function testConfig(overrides: Partial<Config> = {}): Config {
  // Suites drive thousands of requests from one address; the rate-limit test lowers these itself.
  const rateLimits = { principal: 1_000_000, address: 1_000_000, signIn: 1_000_000 };
  // Scheduled backups are switched on by the tests that check them, with a directory of their own.
  const config = loadConfig({ LAWFUL_DATA_DIR: '/nonexistent-test-data-dir', ...FAKES_ON_LOOPBACK });
  const anchors = path.join(os.tmpdir(), `lawful-test-anchors-${process.pid}`);
  return {
    ...config,
    databaseUrl: undefined,
    rateLimits,
    backupSchedule: false,
    auditAnchorFile: path.join(anchors, 'audit-anchors.jsonl'),
    auditAnchorKeyFile: path.join(anchors, 'key.pem'),
    ...overrides,
  };
}

export interface EnvOptions {
  master?: LocalKeyring;
  configure?: (server: FastifyInstance, app: AppContext) => void;
  /** Send mail through this too (resolved when sending, so a server started in before() works). */
  forwardMail?: () => Mailer;
}

export async function createEnv(backend: Backend, options: EnvOptions = {}): Promise<TestEnv> {
  const db = await backend.open();
  const mailer = new CapturingMailer(options.forwardMail);
  const app = await boot(testConfig(), { db, master: options.master ?? new LocalKeyring([randomKey()]), mailer });
  const server = await buildApp(app);
  options.configure?.(server, app);
  await server.ready();
  return { backend: backend.name, app, server, mailer, db };
}

/** Runs the suite once per backend, each with its own database and server. */
export function describeEachDatabase(title: string, body: (env: () => TestEnv) => void, options: Omit<EnvOptions, 'master'> = {}): void {
  for (const backend of backends()) {
    describe(`${title} [${backend.name}]`, () => {
      let env: TestEnv | undefined;
      before(async () => {
        env = await createEnv(backend, options);
      });
      after(async () => {
        await env?.server.close();
        await env?.db.close();
      });
      body(() => {
        if (!env) throw new Error('test environment not ready');
        return env;
      });
    });
  }
}

export interface Response<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

/** A browser-like client: keeps the session cookie and sends the CSRF token. */
export class Client {
  cookie: string | undefined;
  csrf: string | undefined;
  bearer: string | undefined;
  info: any;

  constructor(
    readonly server: FastifyInstance,
    readonly ip = '203.0.113.10',
  ) {}

  async request<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response<T>> {
    const allHeaders: Record<string, string> = { 'user-agent': 'lawful-tests', ...headers };
    if (this.bearer) allHeaders.authorization = `Bearer ${this.bearer}`;
    else if (this.cookie) allHeaders.cookie = this.cookie;
    if (this.csrf && !this.bearer && !('x-csrf-token' in headers)) allHeaders['x-csrf-token'] = this.csrf;
    const response = await this.server.inject({
      method: method as 'GET',
      url,
      headers: allHeaders,
      remoteAddress: this.ip,
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    const setCookie = response.headers['set-cookie'];
    for (const value of [setCookie ?? []].flat()) {
      const pair = String(value).split(';')[0]!;
      if (pair.endsWith('=')) this.cookie = undefined;
      else this.cookie = pair;
    }
    const text = response.body;
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    if ((parsed as any)?.csrfToken) {
      this.csrf = (parsed as any).csrfToken;
      this.info = parsed;
    }
    return { status: response.statusCode, body: parsed as T, headers: response.headers };
  }

  get = (url: string) => this.request('GET', url);
  post = (url: string, body?: unknown) => this.request('POST', url, body ?? {});
  patch = (url: string, body?: unknown) => this.request('PATCH', url, body ?? {});
  put = (url: string, body?: unknown) => this.request('PUT', url, body ?? {});
  delete = (url: string) => this.request('DELETE', url);
}

export const TEST_PASSWORD = 'a long and unguessable passphrase 42';

let counter = 0;
export function uniqueSlug(prefix = 'ws'): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}-${crypto.randomBytes(2).toString('hex')}`;
}

export async function signUp(env: TestEnv, slug = uniqueSlug()): Promise<Client> {
  const client = new Client(env.server);
  const email = `admin@${slug}.example`;
  sentMail(env);
  const response = await client.post('/api/v1/auth/signup', {
    workspaceName: `Workspace ${slug}`,
    workspaceSlug: slug,
    name: 'Ada Admin',
    email,
    password: TEST_PASSWORD,
  });
  if (response.status !== 202) throw new Error(`signup failed: ${response.status} ${JSON.stringify(response.body)}`);
  const confirmed = await client.post('/api/v1/auth/signup/confirm', { token: signupToken(env, email) });
  if (confirmed.status !== 201) throw new Error(`signup confirmation failed: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return client;
}

/**
 * The messages the environment's app sent. An app booted by a test with the real mailer (a
 * process-like environment) gets a capturing one in front of it, forwarding every message.
 */
function sentMail(env: TestEnv): Mail[] {
  if (env.mailer) return env.mailer.sent;
  if (!(env.app.mailer instanceof CapturingMailer)) {
    const real = env.app.mailer;
    env.app.mailer = new CapturingMailer(() => real);
  }
  return (env.app.mailer as CapturingMailer).sent;
}

/** The token of the last sign-up link mailed to the address. */
export function signupToken(env: TestEnv, email: string): string {
  const mail = sentMail(env)
    .filter((message) => message.to === email && message.text.includes('/confirm-signup#'))
    .at(-1);
  const token = mail && /confirm-signup#(\S+)/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no sign-up link mailed to ${email}`);
  return token;
}

/** The tokens of the invitations mailed to the address, oldest first (the link goes only by e-mail). */
export function invitationTokens(env: TestEnv, email: string): string[] {
  return sentMail(env)
    .filter((message) => message.to === email)
    .flatMap((message) => /accept-invitation#(\S+)/.exec(message.text)?.[1] ?? []);
}

export function invitationToken(env: TestEnv, email: string): string {
  const token = invitationTokens(env, email).at(-1);
  if (!token) throw new Error(`no invitation mailed to ${email}`);
  return token;
}

/** Invites a member with the role, accepts as them, and returns their signed-in client. */
export async function addMember(
  env: TestEnv,
  admin: Client,
  role: string,
  options: { isDpo?: boolean; email?: string } = {},
): Promise<Client> {
  const email = options.email ?? `${role}-${crypto.randomBytes(4).toString('hex')}@example.org`;
  const invited = await admin.post('/api/v1/invitations', { email, role, isDpo: options.isDpo ?? false });
  if (invited.status !== 201) throw new Error(`invite failed: ${invited.status} ${JSON.stringify(invited.body)}`);
  const token = invitationToken(env, email);
  const member = new Client(env.server, '198.51.100.20');
  let accepted = await member.post('/api/v1/auth/invitations/accept', { token, name: `Member ${role}`, password: TEST_PASSWORD });
  if (accepted.status === 409 && accepted.body.error === 'sign_in_to_accept') {
    // An existing account signs in first and accepts from its session.
    const login = await member.post('/api/v1/auth/login', { email, password: TEST_PASSWORD });
    if (login.status !== 200) throw new Error(`sign-in to accept failed: ${login.status} ${JSON.stringify(login.body)}`);
    accepted = await member.post('/api/v1/invitations/accept', { token });
  }
  if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  return member;
}

/**
 * Dates the workspace's creation days back, so a test can log a request received before today
 * (a request cannot be dated before its workspace existed).
 */
export async function ageWorkspace(env: TestEnv, tenantId: string, days: number): Promise<void> {
  await env.db.kysely
    .updateTable('tenants')
    .set({ created_at: new Date(Date.now() - days * 86_400_000) })
    .where('id', '=', tenantId)
    .execute();
}

export async function auditCount(env: TestEnv, tenantId: string): Promise<number> {
  const row = await withTenant(env.db, tenantId, (tx) =>
    tx.selectFrom('audit_chain_heads').select('last_seq').where('tenant_id', '=', tenantId).executeTakeFirst(),
  );
  return row ? Number(row.last_seq) : 0;
}
