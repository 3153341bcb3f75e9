import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import type { Job } from '../jobs/queue.ts';

/**
 * After an erasure: VACUUM the tables it deleted from, so the dead tuples holding the person's
 * rows are removed from the heap and its indexes. It runs on the installation's own connection
 * (the tables' owner; the app role may not vacuum), outside any transaction, as VACUUM requires.
 * A plain VACUUM frees the space for reuse without rewriting the file; `VACUUM FULL` (which locks
 * the table) is what rewrites it, and is left to the operator's maintenance window (README).
 */
export async function vacuumAfterErasure(app: AppContext, job: Job): Promise<string[]> {
  const known = new Set(
    (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(app.db.kysely)).rows.map(
      (row) => row.name,
    ),
  );
  const tables = (Array.isArray(job.payload.tables) ? job.payload.tables : []).filter(
    (table): table is string => typeof table === 'string' && known.has(table),
  );
  for (const table of tables) await sql`vacuum ${sql.table(table)}`.execute(app.db.kysely);
  return tables;
}
