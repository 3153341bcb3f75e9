import { AsyncLocalStorage } from 'node:async_hooks';
import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';

/** A statement that goes out together with its transaction's COMMIT. */
export interface StatementAtCommit {
  query: CompiledQuery;
  onResult?: (result: QueryResult<unknown>) => void;
  /**
   * Prepared once per connection on PostgreSQL, for the hot reads whose text does not vary.
   * Only for statements naming their columns: a prepared `SELECT *` fails once another node's
   * migration adds a column.
   */
  prepared?: boolean;
}

/**
 * What an app transaction (withTenant / withUser) tells the driver, carried in AsyncLocalStorage
 * because Kysely's transaction API has no place for it:
 * - the transaction-local settings (role, tenant) it starts with. The PostgreSQL driver sends
 *   them with BEGIN, in the same round trip as the first statement; otherwise the transaction
 *   sets them in its first statement;
 * - statements to send with COMMIT (audit of reads): on PostgreSQL they and COMMIT share one
 *   round trip, and the transaction fails if one of them does.
 */
export interface AppTransactionState {
  settings: Record<string, string>;
  settingsApplied: boolean;
  /** The connection the transaction runs on; a plain transaction opened inside it claims nothing. */
  connection: DatabaseConnection | null;
  /** The Kysely transaction object, once the callback runs. */
  tx: unknown;
  atCommit: StatementAtCommit[];
  /** Work to start once the transaction committed (an e-mail it queued); never run on rollback. */
  afterCommit: Array<() => Promise<void>>;
  /** Checked with BEGIN (see Precondition). */
  precondition: Precondition | undefined;
}

export const appTransactionState = new AsyncLocalStorage<AppTransactionState>();

/** The state of the app transaction that runs on this connection, if any. */
export function stateOn(connection: DatabaseConnection): AppTransactionState | undefined {
  const state = appTransactionState.getStore();
  return state && state.connection === connection ? state : undefined;
}

/** Claims the current app transaction's state for a connection that begins a transaction. */
export function claimState(connection: DatabaseConnection): AppTransactionState | undefined {
  const state = appTransactionState.getStore();
  if (!state || state.connection) return undefined;
  state.connection = connection;
  return state;
}

/**
 * A check the work of one request depends on (the session it was authenticated by is still
 * what it was), made by the database in the first app transaction of the request: sent with
 * that transaction's BEGIN, it costs no round trip of its own. Until it is met, every app
 * transaction carries it; once it failed, none starts.
 */
export interface Precondition {
  /** A function raising unless the request may go on, and its arguments (ids, names, numbers). */
  fn: string;
  args: string[];
  state: 'pending' | 'met' | 'failed';
  error: unknown;
  /** Whether a failure of the transaction's first statement is this check failing. */
  failedBy(error: unknown): boolean;
}

/** A precondition's function name, checked: it is written into SQL. */
export function functionName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected function name ${name}`);
  return name;
}

export const requestPrecondition = new AsyncLocalStorage<{ precondition: Precondition | null }>();

/** The precondition a new app transaction has to carry, if any; throws if it already failed. */
export function preconditionToCarry(): Precondition | undefined {
  const precondition = requestPrecondition.getStore()?.precondition;
  if (!precondition) return undefined;
  if (precondition.state === 'failed') throw precondition.error;
  return precondition.state === 'pending' ? precondition : undefined;
}

/** Records how the transaction that carried the precondition began. */
export function settlePrecondition(precondition: Precondition, begun: Promise<unknown>): void {
  begun.then(
    () => {
      if (precondition.state === 'pending') precondition.state = 'met';
    },
    (error: unknown) => {
      if (precondition.failedBy(error)) {
        precondition.state = 'failed';
        precondition.error = error;
      }
    },
  );
}
