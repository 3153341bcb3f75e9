import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type Transaction } from 'kysely';
import type { Database } from './connection.ts';
import type { DB } from './types.ts';

export type Tx = Transaction<DB>;

/** The role every application transaction runs as; it cannot bypass row-level security. */
export const APP_ROLE = 'lawful_app';

/**
 * The transaction-local settings an app transaction starts with. A driver that can (the
 * PostgreSQL one, see connection.ts) sends them with BEGIN in one round trip and marks them
 * applied; otherwise the transaction sets them in its first statement.
 */
export interface PendingSettings {
  values: Record<string, string>;
  applied: boolean;
}
export const pendingSettings = new AsyncLocalStorage<PendingSettings>();

function appTransaction<T>(db: Database, values: Record<string, string>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const settings: PendingSettings = { values: { role: APP_ROLE, ...values }, applied: false };
  return pendingSettings.run(settings, () =>
    db.kysely.transaction().execute(async (tx) => {
      if (!settings.applied) {
        settings.applied = true;
        const assignments = Object.entries(settings.values).map(([name, value]) => sql`set_config(${name}, ${value}, true)`);
        await sql`select ${sql.join(assignments)}`.execute(tx);
      }
      return fn(tx);
    }),
  );
}

/**
 * Runs fn in a transaction as the app role, scoped to one tenant by row-level security.
 * This is the only way request handlers reach tenant data: the settings are transaction-local
 * (set_config(..., true)), so nothing leaks to the next user of a pooled connection.
 */
export function withTenant<T>(db: Database, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return appTransaction(db, { 'app.tenant_id': tenantId }, fn);
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
