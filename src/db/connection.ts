import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type Driver } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
import { markBroken, PipelinedPostgresDriver, releaseClient } from './pg-driver.ts';
import { listenOnPGlite, listenOnPostgres, type NotificationHandler, type StopListening } from './notifications.ts';
import type { DB } from './types.ts';

/** One database session used for raw, possibly multi-statement SQL (migrations, maintenance). */
export interface RawSession {
  exec(script: string): Promise<void>;
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** Connected as the schema owner. Application code reaches data through withTenant/withUser. */
  readonly kysely: Kysely<DB>;
  /** Runs fn on one dedicated session, exclusive of all other work on PGlite. */
  withSession<T>(fn: (session: RawSession) => Promise<T>): Promise<T>;
  /** LISTEN on a channel (src/db/notifications.ts); closing the database stops every listener. */
  listen(channel: string, handler: NotificationHandler): Promise<StopListening>;
  close(): Promise<void>;
}

// int8 and numeric arrive as strings from node-postgres; counts and sequence numbers fit a double.
pg.types.setTypeParser(20, (value) => Number(value));

/** PostgreSQL's dialect with the pipelining driver (pg-driver.ts). */
class PipelinedPostgresDialect extends PostgresDialect {
  constructor(private readonly pool: pg.Pool) {
    super({ pool });
  }
  override createDriver(): Driver {
    return new PipelinedPostgresDriver(this.pool);
  }
}

export async function openPostgres(connectionString: string, poolSize = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: poolSize, pipeline: true } as pg.PoolConfig);
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  // A client that loses its connection while checked out (a restart, pg_terminate_backend)
  // emits 'error' with no listener of the pool's: without this one the process would crash.
  // The query in flight fails on its own (503 for a request, a retry for a job), and the client
  // is marked so that it is discarded instead of going back to the pool.
  pool.on('connect', (client) => {
    client.on('error', () => markBroken(client));
  });
  const kysely = new Kysely<DB>({ dialect: new PipelinedPostgresDialect(pool) });
  const listeners = new Set<StopListening>();
  return {
    kind: 'postgres',
    kysely,
    async listen(channel, handler) {
      const stop = await listenOnPostgres(connectionString, channel, handler);
      listeners.add(stop);
      return async () => {
        listeners.delete(stop);
        await stop();
      };
    },
    async withSession(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          exec: async (script) => {
            await client.query(script);
          },
          query: async (text, params) => (await client.query(text, params)).rows,
        });
      } finally {
        releaseClient(client);
      }
    },
    async close() {
      await Promise.all([...listeners].map((stop) => stop()));
      await kysely.destroy();
    },
  };
}

/** Opens PGlite in dataDir (file-backed) or in memory when dataDir is undefined. */
export async function openPGlite(dataDir?: string): Promise<Database> {
  let releaseLock = () => {};
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    releaseLock = lockDataDir(dataDir);
  }
  const pglite = await PGlite.create(dataDir ? { dataDir } : {});
  const kysely = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    kind: 'pglite',
    kysely,
    listen: (channel, handler) => listenOnPGlite(pglite, kysely as unknown as Kysely<never>, channel, handler),
    async withSession(fn) {
      // Holding a Kysely connection holds the PGlite mutex, so nothing else runs meanwhile.
      return kysely.connection().execute(() =>
        fn({
          exec: async (script) => {
            await pglite.exec(script);
          },
          query: async <R>(text: string, params?: unknown[]) => (await pglite.query<R>(text, params)).rows,
        }),
      );
    },
    async close() {
      await kysely.destroy();
      await pglite.close();
      releaseLock();
    },
  };
}

/**
 * Opening one PGlite data directory from two processes corrupts it: refuse while another live
 * process holds the lock, take over a lock left by a crashed one.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = path.join(path.dirname(path.resolve(dataDir)), `${path.basename(dataDir)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(lockFile, 'utf8'));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `The embedded database in ${dataDir} is in use by process ${holder}. ` +
            'Stop it first, or set DATABASE_URL to use a PostgreSQL server shared by several processes.',
          { cause: error },
        );
      }
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not lock ${lockFile}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function openDatabase(options: { databaseUrl?: string; dataDir?: string }): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPGlite(options.dataDir);
}
