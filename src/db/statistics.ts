import { sql } from 'kysely';
import type { Database } from './connection.ts';
import type { DB } from './types.ts';

/** Below this many new rows the planner's estimates are off by too little to matter. */
const FIRST_REFRESH = 1_000;

/**
 * Refreshes the planner's statistics of the tables a bulk job fills, each time they have grown
 * by as many rows again as at the last refresh (after 1,000, 2,000, 4,000, … rows), so about
 * log₂ of the rows times per job.
 *
 * Why: a table filled faster than autovacuum analyses it (a first import, the initial sync of
 * a connection, a new workspace the statistics do not know yet) is planned as if it were still
 * small: `tenant_id = $1` looks selective, and the planner reads the whole workspace through the
 * first index on tenant_id and filters it, instead of finding 200 rows by primary key. Measured
 * on PostgreSQL 15 after importing 20,000 contacts: a retention batch 85 ms instead of a few, the
 * sweep falling from 3,000 to 900 contacts/s as the workspace grew. PostgreSQL's manual advises
 * ANALYZE after bulk loads; this is that, at the pace of the load.
 *
 * ANALYZE runs as the connection's own role (the schema owner, which runs the migrations) and
 * takes no lock that blocks reads or writes. Not on PGlite: it runs on the server's own thread,
 * so an ANALYZE there would hold every request and every connector call of the process for its
 * duration (half a second at 30,000 contacts, measured), and the embedded database is meant for
 * workspaces small enough that the plans it gets do not matter.
 */
export class StatisticsRefresher {
  private sinceRefresh = 0;
  private threshold = FIRST_REFRESH;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly db: Database,
    private readonly tables: Array<keyof DB & string>,
  ) {}

  /** Counts rows written; refreshes when they reach the threshold. */
  async grew(rows: number): Promise<void> {
    this.sinceRefresh += rows;
    if (this.sinceRefresh < this.threshold) return;
    await this.refresh();
    this.threshold *= 2;
  }

  /**
   * As grew, but the refresh runs beside the job instead of holding it (an import's next batch
   * does not wait for ANALYZE, which takes no lock its inserts wait for); one at a time, a failed
   * one only skipped. finish() waits for it.
   */
  grewMeanwhile(rows: number): void {
    this.sinceRefresh += rows;
    if (this.sinceRefresh < this.threshold || this.running) return;
    this.threshold *= 2;
    this.running = this.refresh()
      .catch(() => undefined)
      .finally(() => (this.running = null));
  }

  /** At the end of the job: the rows since the last refresh, if there are enough to matter. */
  async finish(): Promise<void> {
    await this.running;
    if (this.sinceRefresh >= FIRST_REFRESH) await this.refresh();
  }

  private async refresh(): Promise<void> {
    this.sinceRefresh = 0;
    if (this.db.kind === 'pglite') return;
    await sql`analyze ${sql.join(this.tables.map((table) => sql.table(table)))}`.execute(this.db.kysely);
  }
}
