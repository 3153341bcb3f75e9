import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import type pg from 'pg';
import crypto from 'node:crypto';
import { claimState, functionName, settlePrecondition, stateOn, type Precondition, type StatementAtCommit } from './transaction-state.ts';

/** A value for a SQL string literal; only ids and role names ever get here, checked all the same. */
function settingLiteral(value: string): string {
  if (!/^[A-Za-z0-9_.-]*$/.test(value)) throw new Error(`unexpected transaction setting ${JSON.stringify(value)}`);
  return `'${value}'`;
}

const ignore = () => {};

interface Writable {
  write(chunk: Uint8Array): boolean;
}

/**
 * One pooled node-postgres client in pipeline mode. Statements written back to back without
 * waiting for each other's answers share one network write and one round trip; an app
 * transaction's BEGIN waits for its first statement, and its COMMIT takes the statements queued
 * for it (see transaction-state.ts). On this 2-core machine a request's cost was mostly its
 * round trips, each a write and a read on the socket.
 */
class PipelinedConnection implements DatabaseConnection {
  /** BEGIN and the settings, not sent yet: they go out with the first statement. */
  private unsentBegin: string | null = null;
  /** What the unsent BEGIN checks for its request (transaction-state.ts). */
  private beginPrecondition: Precondition | undefined;
  /** A BEGIN sent and not yet answered: a failure there explains every failure after it. */
  private begun: Promise<unknown> | null = null;

  constructor(readonly client: pg.PoolClient) {}

  private get socket(): Writable | null {
    const stream = (this.client as unknown as { connection?: { stream?: Partial<Writable> } }).connection?.stream;
    return typeof stream?.write === 'function' ? (stream as Writable) : null;
  }

  /**
   * Runs fn, which hands the driver several protocol messages, and sends them as one buffer in
   * one write. Corking the socket also made one system call, but a writev of a dozen small
   * buffers (each message of the extended protocol is one); one buffer is the plainest form of
   * the same single write.
   */
  private together<T>(fn: () => T): T {
    const socket = this.socket;
    if (!socket || Object.hasOwn(socket, 'write')) return fn();
    const chunks: Uint8Array[] = [];
    socket.write = (chunk: Uint8Array) => {
      chunks.push(chunk);
      return true;
    };
    try {
      return fn();
    } finally {
      delete (socket as Partial<Writable>).write;
      if (chunks.length > 0) socket.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    }
  }

  beginWithFirstStatement(sql: string, precondition: Precondition | undefined): void {
    this.unsentBegin = sql;
    this.beginPrecondition = precondition;
  }

  /** Sends the statements (after a BEGIN still waiting for them) in one write; answers in order. */
  private send(queries: Array<Pick<StatementAtCommit, 'query' | 'prepared'>>): Promise<pg.QueryResult>[] {
    return this.together(() => {
      if (this.unsentBegin !== null) {
        const begun = this.client.query(this.unsentBegin);
        begun.catch(ignore);
        if (this.beginPrecondition) settlePrecondition(this.beginPrecondition, begun);
        this.begun = begun;
        this.unsentBegin = null;
        this.beginPrecondition = undefined;
      }
      return queries.map((query) => {
        const { sql, parameters } = query.query;
        // A prepared statement is parsed and planned once per connection, not once per use.
        const answer = this.client.query({ name: query.prepared ? statementName(sql) : undefined, text: sql, values: [...parameters] });
        answer.catch(ignore);
        return answer;
      });
    });
  }

  /** The answer to a statement sent after BEGIN; BEGIN's own failure is reported first. */
  private async answer(sent: Promise<pg.QueryResult>): Promise<pg.QueryResult> {
    const begun = this.begun;
    try {
      const result = await sent;
      if (this.begun === begun) this.begun = null;
      return result;
    } catch (error) {
      if (begun) await begun;
      throw error;
    }
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return toKysely<R>(await this.answer(this.send([{ query }])[0]!));
  }

  /** COMMIT with the statements queued for it, in one round trip; a failed one fails the commit. */
  async commit(atCommit: StatementAtCommit[]): Promise<QueryResult<unknown>[]> {
    if (this.unsentBegin !== null && atCommit.length === 0 && !this.beginPrecondition) {
      // Nothing was ever sent: there is nothing to commit.
      this.unsentBegin = null;
      return [];
    }
    const sent = this.send([...atCommit, { query: CompiledQuery.raw('commit') }]);
    const results: QueryResult<unknown>[] = [];
    for (const answer of sent) results.push(toKysely(await this.answer(answer)));
    return results.slice(0, atCommit.length);
  }

  async rollback(): Promise<void> {
    if (this.unsentBegin !== null) {
      this.unsentBegin = null;
      this.beginPrecondition = undefined;
      return;
    }
    this.begun = null;
    await this.client.query('rollback');
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not used with PostgreSQL here; read in pages');
  }
}

/**
 * The name a prepared statement goes by on every connection: its text's digest, remembered for
 * the few texts that are prepared (a digest per request was 1 % of a record read's CPU).
 */
const statementNames = new Map<string, string>();
const STATEMENT_NAMES_KEPT = 1_000;
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    if (statementNames.size >= STATEMENT_NAMES_KEPT) statementNames.clear();
    name = `lw_${crypto.createHash('sha1').update(sql).digest('base64url')}`;
    statementNames.set(sql, name);
  }
  return name;
}

function toKysely<R>(result: pg.QueryResult): QueryResult<R> {
  const { command, rowCount, rows } = result;
  const changes = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
  return { rows: (rows ?? []) as R[], ...(changes ? { numAffectedRows: BigInt(rowCount ?? 0) } : {}) };
}

/** Clients whose connection failed; released with an error so that the pool closes them. */
const BROKEN_CLIENTS = new WeakSet<pg.ClientBase>();

export function markBroken(client: pg.ClientBase): void {
  BROKEN_CLIENTS.add(client);
}

export function releaseClient(client: pg.PoolClient): void {
  client.release(BROKEN_CLIENTS.has(client) ? true : undefined);
}

/**
 * Kysely driver over a pg pool whose clients run in pipeline mode. App transactions send their
 * settings with BEGIN, BEGIN with their first statement, and their audit of reads with COMMIT.
 */
export class PipelinedPostgresDriver implements Driver {
  private readonly connections = new WeakMap<pg.PoolClient, PipelinedConnection>();

  constructor(private readonly pool: pg.Pool) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const client = await this.pool.connect();
    let connection = this.connections.get(client);
    if (!connection) {
      connection = new PipelinedConnection(client);
      this.connections.set(client, connection);
    }
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const pipelined = connection as PipelinedConnection;
    const state = settings.isolationLevel || settings.accessMode ? undefined : claimState(connection);
    if (state) {
      const assignments = Object.entries(state.settings).map(
        ([name, value]) => `set_config(${settingLiteral(name)}, ${settingLiteral(value)}, true)`,
      );
      const precondition = state.precondition;
      const check = precondition ? `; select ${functionName(precondition.fn)}(${precondition.args.map(settingLiteral).join(', ')})` : '';
      pipelined.beginWithFirstStatement(`begin; select ${assignments.join(', ')}${check}`, precondition);
      state.settingsApplied = true;
      return;
    }
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    const access = settings.accessMode ? ` ${settings.accessMode}` : '';
    await pipelined.executeQuery(CompiledQuery.raw(`start transaction${isolation}${access}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const atCommit = stateOn(connection)?.atCommit.splice(0) ?? [];
    const results = await (connection as PipelinedConnection).commit(atCommit);
    atCommit.forEach((statement, i) => statement.onResult?.(results[i]!));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const state = stateOn(connection);
    if (state) state.atCommit.length = 0;
    await (connection as PipelinedConnection).rollback();
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    releaseClient((connection as PipelinedConnection).client);
  }

  async destroy(): Promise<void> {
    await this.pool.end();
  }
}
