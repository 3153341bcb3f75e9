import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { withTenant, writeAtCommit, type Tx } from '../db/tenant.ts';
import type { ImportRunsTable, ImportTotals, OnDuplicate } from '../db/types.ts';
import { conflict, isUniqueViolation, notFound, unprocessable } from '../http/errors.ts';
import { decodeCursor, encodeCursor } from '../http/pagination.ts';
import { iso, isoRequired } from '../shared/dates.ts';

/**
 * The runs of imports (migration 0036): each batch records its progress in its own transaction,
 * so a run stopped anywhere says exactly how far it got, and the same file sent again with
 * resumes=<run> continues after those rows.
 */

type ImportRunRow = Selectable<ImportRunsTable>;

/** An import request beats at every batch of 500 rows; five minutes of silence is a dead process. */
export const IMPORT_STALE_MS = 5 * 60_000;

export interface RunStart {
  id: string;
  /** For a resumption: the rows the interrupted runs went through, and their digest. */
  skip: { rows: number; digest: string | null } | null;
  carried: ImportTotals;
}

/** What a committed batch adds, as of its last row. */
export interface BatchProgress {
  rowsDone: number;
  digest: string;
  /** Rows failed up to the batch's last row, all batches before included. */
  failedThrough: number;
}

const NO_TOTALS: ImportTotals = { created: 0, duplicates: 0, updated: 0, failed: 0, accountsCreated: 0 };

const totalsOf = (row: ImportRunRow): ImportTotals => ({
  created: (row.carried.created ?? 0) + row.created,
  duplicates: (row.carried.duplicates ?? 0) + row.duplicates,
  updated: (row.carried.updated ?? 0) + row.updated,
  failed: (row.carried.failed ?? 0) + row.failed,
  accountsCreated: (row.carried.accountsCreated ?? 0) + row.accounts_created,
});

export function runState(
  row: Pick<ImportRunRow, 'finished_at' | 'interrupted_at' | 'heartbeat_at' | 'started_at'>,
  now = Date.now(),
): 'running' | 'finished' | 'interrupted' {
  if (row.finished_at) return 'finished';
  if (row.interrupted_at) return 'interrupted';
  return now - new Date(row.heartbeat_at ?? row.started_at).getTime() > IMPORT_STALE_MS ? 'interrupted' : 'running';
}

/** Opens the run of an import; with resumes, checks that run may be continued and closes it. */
export function startImportRun(
  app: AppContext,
  caller: Caller,
  input: { id: string; object: ImportRunsTable['object']; fileName: string; onDuplicate: OnDuplicate; resumes?: string | undefined },
): Promise<RunStart> {
  return asCaller(app, caller, async (tx) => {
    const tenantId = caller.auth.tenantId;
    let skip: RunStart['skip'] = null;
    let carried = NO_TOTALS;
    if (input.resumes) {
      const previous = await tx
        .selectFrom('import_runs')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', input.resumes)
        .forUpdate()
        .executeTakeFirst();
      if (!previous) throw notFound('Import run');
      if (previous.object !== input.object)
        throw unprocessable(`That run imported ${previous.object}, not ${input.object}.`, { field: 'resumes' });
      const state = runState(previous);
      if (state === 'finished') throw conflict('That import finished; there is nothing to resume.', { field: 'resumes' });
      if (state === 'running')
        throw conflict('That import is still running.', { field: 'resumes', heartbeatAt: iso(previous.heartbeat_at) });
      if (!previous.interrupted_at) {
        await tx
          .updateTable('import_runs')
          .set({ interrupted_at: sql`coalesce(heartbeat_at, started_at)` })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', previous.id)
          .execute();
      }
      skip = { rows: previous.rows_done, digest: previous.rows_digest };
      carried = totalsOf(previous);
    }
    try {
      await tx
        .insertInto('import_runs')
        .values({
          tenant_id: tenantId,
          id: input.id,
          object: input.object,
          file_name: input.fileName,
          on_duplicate: input.onDuplicate,
          started_by: caller.auth.memberId ?? null,
          resumes: input.resumes ?? null,
          carried: JSON.stringify(carried),
        })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error, 'import_runs_pkey'))
        throw conflict('An import with this id already exists; choose another importId.', { field: 'importId' });
      if (isUniqueViolation(error, 'import_runs_resumed_once'))
        throw conflict('That import was already resumed; resume the run that continued it.', { field: 'resumes' });
      throw error;
    }
    return { id: input.id, skip, carried };
  });
}

/** Written in the batch's own transaction: the progress is exactly what committed. */
export async function recordProgress(
  tx: Tx,
  tenantId: string,
  id: string,
  progress: BatchProgress,
  counts: { created: number; duplicates: number; updated: number; accountsCreated: number },
): Promise<void> {
  // Read back by nothing in the batch: it goes out with COMMIT, and commits with the batch or not at all.
  await writeAtCommit(
    tx,
    tx
      .updateTable('import_runs')
      .set({
        rows_done: progress.rowsDone,
        rows_digest: progress.digest,
        failed: progress.failedThrough,
        created: sql`created + ${counts.created}`,
        duplicates: sql`duplicates + ${counts.duplicates}`,
        updated: sql`updated + ${counts.updated}`,
        accounts_created: sql`accounts_created + ${counts.accountsCreated}`,
        heartbeat_at: sql`now()`,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id),
    { prepared: true },
  );
}

/**
 * Closes a run: finished, or interrupted by an error (the next run may resume it). An
 * interrupted run that committed no batch is removed instead: there is nothing to resume, and a
 * resumption refused (another file) must leave the run it named free to be resumed.
 */
export async function closeImportRun(
  app: AppContext,
  tenantId: string,
  id: string,
  outcome: 'finished' | 'interrupted',
  failedThrough?: number,
): Promise<void> {
  await withTenant(app.db, tenantId, async (tx) => {
    if (outcome === 'interrupted') {
      const removed = await tx
        .deleteFrom('import_runs')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('heartbeat_at', 'is', null)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) > 0) return;
    }
    await tx
      .updateTable('import_runs')
      .set({
        ...(outcome === 'finished' ? { finished_at: sql`now()` } : { interrupted_at: sql`now()` }),
        ...(failedThrough !== undefined ? { failed: failedThrough } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  });
}

function toView(row: ImportRunRow) {
  return {
    id: row.id,
    object: row.object,
    fileName: row.file_name,
    state: runState(row),
    startedAt: isoRequired(row.started_at),
    lastBatchAt: iso(row.heartbeat_at),
    finishedAt: iso(row.finished_at),
    interruptedAt: iso(row.interrupted_at),
    resumes: row.resumes,
    onDuplicate: row.on_duplicate,
    rowsDone: row.rows_done,
    run: {
      created: row.created,
      duplicates: row.duplicates,
      updated: row.updated,
      failed: row.failed,
      accountsCreated: row.accounts_created,
    },
    inAll: totalsOf(row),
  };
}

/** One run, as its batches commit: what a client polls while its import request is under way. */
export function getImportRun(app: AppContext, caller: Caller, id: string) {
  return asCaller(app, caller, async (tx) => {
    const row = await tx
      .selectFrom('import_runs')
      .selectAll()
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('Import run');
    return toView(row);
  });
}

/** The workspace's imports, newest first. */
export function listImportRuns(app: AppContext, caller: Caller, page: { limit: number; cursor?: string | undefined }) {
  return asCaller(app, caller, async (tx) => {
    const tenantId = caller.auth.tenantId;
    // The cursor keeps the time at the database's precision (microseconds), not the API's.
    let q = tx
      .selectFrom('import_runs')
      .selectAll()
      .select(sql<string>`started_at::text`.as('started_key'))
      .where('tenant_id', '=', tenantId);
    const after = decodeCursor(page.cursor, 2);
    if (after) q = q.where(sql<boolean>`(started_at, id) < (${String(after[0])}::timestamptz, ${String(after[1])}::uuid)`);
    const rows = await q
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    const items = rows.slice(0, page.limit);
    const last = items.at(-1);
    return { items: items.map(toView), nextCursor: rows.length > page.limit && last ? encodeCursor([last.started_key, last.id]) : null };
  });
}
