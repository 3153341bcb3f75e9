import type { PGlite } from '@electric-sql/pglite';
import { isBackground } from './priority.ts';
import { claimState, stateOn } from './transaction-state.ts';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * PGlite is one in-process connection. Kysely asks for a connection per query and per
 * transaction; handing out the single connection one holder at a time serialises them, so a
 * transaction never sees statements of another request interleaved with its own.
 *
 * Requests go before background work (priority.ts). A request is several transactions in a row
 * with a little JavaScript between them; in strict arrival order a retention sweep got the
 * connection back at every one of those gaps, and a request waited for one batch per step
 * (one list request answered after the whole 3,000-person sweep). So background work waits
 * until no request has held the connection for BACKGROUND_GRACE_MS, but never more than
 * BACKGROUND_MAX_WAIT_MS: jobs still advance under a steady stream of requests.
 */
const BACKGROUND_GRACE_MS = 20;
const BACKGROUND_MAX_WAIT_MS = 1_000;

class PGliteDriver implements Driver {
  private readonly connection: DatabaseConnection;
  private held = false;
  private heldByRequest = false;
  private readonly requests: Array<() => void> = [];
  private readonly jobs: Array<{ grant: () => void; since: number }> = [];
  private lastRequestAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private drained: (() => void) | undefined;

  constructor(private readonly pglite: PGlite) {
    this.connection = {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        const result = await this.pglite.query<R>(query.sql, query.parameters as unknown[]);
        const affected = result.affectedRows;
        return {
          rows: result.rows,
          ...(affected !== undefined ? { numAffectedRows: BigInt(affected) } : {}),
        };
      },
      streamQuery: () => {
        throw new Error('streaming queries are not supported on PGlite');
      },
    };
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const request = !isBackground();
    await new Promise<void>((grant) => {
      if (request) this.requests.push(grant);
      else this.jobs.push({ grant, since: Date.now() });
      this.dispatch();
    });
    this.heldByRequest = request;
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    if (this.heldByRequest) this.lastRequestAt = Date.now();
    this.held = false;
    this.dispatch();
  }

  private dispatch(): void {
    if (this.held) return;
    const request = this.requests.shift();
    if (request) {
      this.held = true;
      request();
      return;
    }
    const job = this.jobs[0];
    if (!job) {
      this.drained?.();
      return;
    }
    const now = Date.now();
    const wait = Math.min(this.lastRequestAt + BACKGROUND_GRACE_MS - now, job.since + BACKGROUND_MAX_WAIT_MS - now);
    if (wait <= 0) {
      this.jobs.shift();
      this.held = true;
      job.grant();
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.dispatch(), wait);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    claimState(connection);
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(`begin${isolation}`));
  }

  /** One connection, no round trips to save: the statements queued for COMMIT simply run before it. */
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    for (const statement of stateOn(connection)?.atCommit.splice(0) ?? []) {
      const result = await connection.executeQuery(statement.query);
      statement.onResult?.(result);
    }
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const state = stateOn(connection);
    if (state) state.atCommit.length = 0;
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    if (!this.held && this.requests.length === 0 && this.jobs.length === 0) return;
    await new Promise<void>((resolve) => (this.drained = resolve));
    clearTimeout(this.timer);
  }
}

export class PGliteDialect implements Dialect {
  constructor(private readonly pglite: PGlite) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pglite);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Dialect interface declares it so
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
