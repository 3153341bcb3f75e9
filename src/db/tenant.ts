import { sql, type Compilable, type Transaction } from 'kysely';
import type { Database } from './connection.ts';
import {
  appTransactionState,
  functionName,
  preconditionToCarry,
  settlePrecondition,
  type AppTransactionState,
} from './transaction-state.ts';
import type { DB } from './types.ts';

export type Tx = Transaction<DB>;

/** The role every application transaction runs as; it cannot bypass row-level security. */
export const APP_ROLE = 'lawful_app';

function appTransaction<T>(db: Database, values: Record<string, string>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  let precondition: AppTransactionState['precondition'];
  try {
    precondition = preconditionToCarry();
  } catch (error) {
    return Promise.reject(error);
  }
  const state: AppTransactionState = {
    settings: { role: APP_ROLE, ...values },
    settingsApplied: false,
    connection: null,
    tx: null,
    atCommit: [],
    afterCommit: [],
    precondition,
  };
  return appTransactionState.run(state, async () => {
    const result = await db.kysely.transaction().execute(async (tx) => {
      state.tx = tx;
      if (!state.settingsApplied) {
        state.settingsApplied = true;
        const assignments = Object.entries(state.settings).map(([name, value]) => sql`set_config(${name}, ${value}, true)`);
        await sql`select ${sql.join(assignments)}`.execute(tx);
        const precondition = state.precondition;
        if (precondition) {
          const checked = sql`select ${sql.raw(functionName(precondition.fn))}(${sql.join(precondition.args)})`.execute(tx);
          settlePrecondition(precondition, checked);
          await checked;
        }
      }
      return fn(tx);
    });
    // Best effort by design: what is registered here is also done by a job if it fails.
    for (const work of state.afterCommit) await work().catch(() => undefined);
    return result;
  });
}

/**
 * Runs work once the app transaction tx committed, before its caller goes on (an e-mail the
 * transaction queued goes out at once, while the request waits). Only for work a job also
 * does, because a crash can come between the commit and this: false when tx is not an app
 * transaction, and then the job alone does it.
 */
export function afterCommit(tx: Tx, work: () => Promise<void>): boolean {
  const state = appTransactionState.getStore();
  if (state?.tx !== tx) return false;
  state.afterCommit.push(work);
  return true;
}

/**
 * Queues a write to go out with the transaction's COMMIT instead of on its own: on PostgreSQL
 * the two share one round trip. The transaction fails, and so the request, if the write does.
 * Used for writes nothing in the transaction reads back (the audit of reads).
 */
export async function writeAtCommit(tx: Tx, statement: Compilable, options: { prepared?: boolean } = {}): Promise<void> {
  const state = appTransactionState.getStore();
  if (state?.tx === tx) state.atCommit.push({ query: statement.compile(), prepared: options.prepared });
  else await tx.executeQuery(statement.compile());
}

/**
 * Statements in an app transaction of their own, as one round trip on PostgreSQL: BEGIN with its
 * settings (and the request's session check), the statements and COMMIT go out in one write, and
 * nothing waits on the client between them. The answers come back in order.
 */
async function appStatements(
  db: Database,
  values: Record<string, string>,
  build: (tx: Tx) => Compilable[],
  options: { prepared?: boolean } = {},
): Promise<unknown[][]> {
  const answers: unknown[][] = [];
  await appTransaction(db, values, async (tx) => {
    const state = appTransactionState.getStore()!;
    build(tx).forEach((statement, i) => {
      answers[i] = [];
      state.atCommit.push({ query: statement.compile(), onResult: (result) => (answers[i] = result.rows), prepared: options.prepared });
    });
  });
  return answers;
}

async function appStatement<R>(db: Database, values: Record<string, string>, build: (tx: Tx) => Compilable<R>): Promise<R[]> {
  const [rows] = await appStatements(db, values, (tx) => [build(tx)]);
  return rows as R[];
}

/** appStatement scoped to one tenant (see withTenant). */
export function tenantStatement<R>(db: Database, tenantId: string, build: (tx: Tx) => Compilable<R>): Promise<R[]> {
  return appStatement(db, { 'app.tenant_id': tenantId }, build);
}

/**
 * Statements in one tenant transaction of their own, in one round trip on PostgreSQL (see
 * appStatements): for a read and its audit, when the audit depends only on what the database finds.
 */
export function tenantStatements(
  db: Database,
  tenantId: string,
  memberId: string,
  build: (tx: Tx) => Compilable[],
  options: { prepared?: boolean } = {},
): Promise<unknown[][]> {
  return appStatements(db, { 'app.tenant_id': tenantId, 'app.member_id': memberId }, build, options);
}

/** appStatement as the app role with no tenant (see withUser). */
export function userStatement<R>(db: Database, userId: string | null, build: (tx: Tx) => Compilable<R>): Promise<R[]> {
  return appStatement(db, { 'app.user_id': userId ?? '' }, build);
}

/**
 * Runs fn in a transaction as the app role, scoped to one tenant by row-level security.
 * This is the only way request handlers reach tenant data: the settings are transaction-local
 * (set_config(..., true)), so nothing leaks to the next user of a pooled connection.
 */
export function withTenant<T>(db: Database, tenantId: string, fn: (tx: Tx) => Promise<T>, memberId?: string): Promise<T> {
  // The member acting, for the triggers that keep a history (migration 0049); set in the same statement as the workspace.
  return appTransaction(db, { 'app.tenant_id': tenantId, ...(memberId ? { 'app.member_id': memberId } : {}) }, fn);
}

/**
 * Runs fn as the app role with no tenant, seeing global tables (users, sessions) and, when
 * userId is given, that user's own memberships and workspaces across tenants.
 */
export function withUser<T>(db: Database, userId: string | null, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return appTransaction(db, { 'app.user_id': userId ?? '' }, fn);
}

/** Switches an open app-role transaction to another tenant (sign-up creates one, then works in it). */
export async function enterTenant(tx: Tx, tenantId: string): Promise<void> {
  await sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('app.user_id', '', true)`.execute(tx);
}

export class UnsafeAppRoleError extends Error {}

/**
 * Row-level security means nothing if the working role bypasses it: refuse to start when the
 * app role is a superuser or has BYPASSRLS, or when switching to it does not take effect.
 */
export async function assertAppRoleIsConfined(db: Database): Promise<void> {
  const { rows } = await sql<{ rolsuper: boolean; rolbypassrls: boolean }>`
    select rolsuper, rolbypassrls from pg_roles where rolname = ${APP_ROLE}`.execute(db.kysely);
  const role = rows[0];
  if (!role) throw new UnsafeAppRoleError(`Role ${APP_ROLE} does not exist; run "lawful migrate" first.`);
  if (role.rolsuper || role.rolbypassrls) {
    throw new UnsafeAppRoleError(
      `Role ${APP_ROLE} has ${role.rolsuper ? 'SUPERUSER' : 'BYPASSRLS'}, which would bypass tenant isolation. ` +
        `Run: ALTER ROLE ${APP_ROLE} NOSUPERUSER NOBYPASSRLS;`,
    );
  }
  const current = await withUser(db, null, async (tx) => {
    const result = await sql<{ user: string }>`select current_user as user`.execute(tx);
    return result.rows[0]?.user;
  });
  if (current !== APP_ROLE) {
    throw new UnsafeAppRoleError(`Transactions run as ${current}, not ${APP_ROLE}.`);
  }
}
