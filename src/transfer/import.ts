import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { CsvError } from 'csv-parse';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { StatisticsRefresher } from '../db/statistics.ts';
import { withTenant } from '../db/tenant.ts';
import type { DB } from '../db/types.ts';
import { databaseUnavailable } from '../db/unavailable.ts';
import { AppError, badRequest, conflict } from '../http/errors.ts';
import type { ImportTotals, OnDuplicate } from '../db/types.ts';
import { closeImportRun, recordProgress, startImportRun, type BatchProgress } from './import-runs.ts';
import { crmWork } from '../crm/context.ts';
import { NewPeopleSealer } from '../crypto/sealer.ts';
import { SealingWorkerCrashed, sharedSealingPool, type SealingPool } from './sealing-pool.ts';
import { prepareContacts, storeRows, type StoreCounts, type StoreContext, type ValidRow } from './import-stores.ts';
import type { MatchOutcome } from './import-updates.ts';
import {
  defaultPhoneRegion,
  fieldValues,
  IMPORT_FIELDS,
  readRow,
  resolveMapping,
  type ColumnMapping,
  type ImportedValues,
  type ImportObject,
} from './import-fields.ts';
import { csvRows, JunkRows } from './import-rows.ts';
import { DELIMITERS, openCsvText, type DelimiterName, type TextFormat } from './import-text.ts';

export { IMPORT_FIELDS, IMPORT_OBJECTS, type ImportObject } from './import-fields.ts';

/** Rows per transaction: large enough for multi-row inserts, small enough to keep requests flowing on PGlite. */
export const BATCH_SIZE = 500;
const MAX_REPORTED = 1000;

/** What an import writes to, for the planner's statistics (StatisticsRefresher). */
const TABLES_FILLED = {
  contacts: ['contacts', 'person_terms', 'subject_keys', 'accounts'],
  accounts: ['accounts'],
  leads: ['leads', 'person_terms', 'subject_keys'],
  opportunities: ['opportunities', 'accounts'],
} satisfies Record<ImportObject, Array<keyof DB>>;

const SINGULAR: Record<ImportObject, string> = { contacts: 'contact', accounts: 'account', leads: 'lead', opportunities: 'opportunity' };

/** Lines by number with what was said about them; counted in full, the first MAX_REPORTED kept. */
export interface LineNotes<Line = { line: number; errors: string[] }> {
  count: number;
  lines: Line[];
  truncated: boolean;
}

/** A failed row: its line, the reasons (each "field: reason" where a field is to blame), and with includeRows its cells as read. */
export interface RowError {
  line: number;
  errors: string[];
  cells?: string[];
}

/** How a row of a dry run would be stored: its values by field, as read and normalised. */
export interface PreviewRow {
  line: number;
  values: Record<string, unknown>;
  leftOut: string[];
}

const PREVIEW_ROWS = 20;

export const ON_DUPLICATE = ['skip', 'update', 'fill-empty'] as const satisfies readonly OnDuplicate[];

export interface ImportReport {
  /** The run (GET /imports); send the same file with resumes=<id> to continue an interrupted one. */
  importId: string | null;
  object: ImportObject;
  dryRun: boolean;
  /** For a resumption: the run continued, the rows it had gone through (skipped here), and the totals of this run and those before it. */
  resumed: { from: string; rowsSkipped: number; inAll: ImportTotals } | null;
  rows: number;
  created: number;
  /** Rows that matched an existing record (or an earlier row of the file); see matched. */
  duplicates: number;
  /** Records written over or filled in by matching rows (onDuplicate update or fill-empty). */
  updated: number;
  /** Each row that matched a record: which record, and whether it was skipped, updated, unchanged or refused. */
  matched: LineNotes<MatchOutcome>;
  onDuplicate: OnDuplicate;
  accountsCreated: number;
  failed: number;
  errors: RowError[];
  errorsTruncated: boolean;
  /** Rows imported without some of their values (each named with the reason); strict imports fail such rows instead. */
  leftOut: LineNotes;
  /** Rows that are not records: blank rows, a report's footer. */
  skipped: LineNotes;
  /** How the file was read. */
  format: TextFormat | null;
  mapping: Record<string, string>;
  ignoredColumns: string[];
  /** The header row as read. */
  columns: string[];
  /** The fields a column can be mapped to. */
  fields: readonly string[];
  /** A dry run's first rows as they would be stored; null for an import. */
  preview: PreviewRow[] | null;
}

export interface ImportOptions {
  object: ImportObject;
  fileName: string;
  mapping?: Record<string, string> | undefined;
  dryRun: boolean;
  /** An interrupted run of the same file to continue. */
  resumes?: string | undefined;
  /** The file's encoding and delimiter, when not to be detected. */
  encoding?: string | undefined;
  delimiter?: DelimiterName | undefined;
  /** A row with any invalid value fails whole, instead of being imported without that value. */
  strict?: boolean | undefined;
  /** What to do with a row matching an existing record; skip by default. */
  onDuplicate?: OnDuplicate | undefined;
  /** The run's id, chosen by the client so that it can follow the run (GET /imports/:id) while it goes. */
  importId?: string | undefined;
  /** Failed rows carry their cells, for a report of the failing lines. */
  includeRows?: boolean | undefined;
  onProgress?: (report: ImportReport) => void;
  /** The workers that seal contacts (the process's pool by default). */
  sealing?: SealingPool | null;
}

class DryRunRollback extends Error {}

/**
 * Streams a CSV file into contacts, accounts, leads or opportunities, in batches of BATCH_SIZE
 * rows, each batch one transaction. Bad rows are reported by line and never stop the good ones;
 * rows matching an existing record (email blind index for contacts, domain for accounts) are
 * skipped, so running the same file twice creates nothing the second time. A dry run does all of
 * it and rolls back.
 *
 * Contacts are validated, indexed and encrypted before their batch's transaction, while the
 * previous batch is being stored: on PostgreSQL the database and the encryption then keep both
 * cores busy instead of taking turns. Transactions still follow one another, so each batch is
 * deduplicated against everything stored before it.
 */
export async function importCsv(app: AppContext, caller: Caller, input: Readable, options: ImportOptions): Promise<ImportReport> {
  const importId = options.importId ?? crypto.randomUUID();
  const onDuplicate = options.onDuplicate ?? 'skip';
  if (options.dryRun && options.resumes) throw badRequest('A dry run cannot resume an import.', { field: 'resumes' });
  // A file that cannot be read as text is refused before any run is recorded.
  const { text, format } = await openCsvText(input, { encoding: options.encoding, delimiter: options.delimiter });
  const run = options.dryRun
    ? null
    : await startImportRun(app, caller, {
        id: importId,
        object: options.object,
        fileName: options.fileName,
        onDuplicate,
        resumes: options.resumes,
      });
  const notes = (): LineNotes => ({ count: 0, lines: [], truncated: false });
  const report: ImportReport = {
    importId: run ? importId : null,
    object: options.object,
    dryRun: options.dryRun,
    resumed: null,
    rows: 0,
    created: 0,
    duplicates: 0,
    updated: 0,
    matched: { count: 0, lines: [], truncated: false },
    onDuplicate,
    accountsCreated: 0,
    failed: 0,
    errors: [],
    errorsTruncated: false,
    leftOut: notes(),
    skipped: notes(),
    format,
    mapping: {},
    ignoredColumns: [],
    columns: [],
    fields: IMPORT_FIELDS[options.object],
    preview: options.dryRun ? [] : null,
  };
  const fail = (line: number, errors: string[], cells?: string[]) => {
    report.failed++;
    if (report.errors.length < MAX_REPORTED) report.errors.push(options.includeRows && cells ? { line, errors, cells } : { line, errors });
    else report.errorsTruncated = true;
  };
  const note = <Line>(into: LineNotes<Line>, entry: Line) => {
    into.count++;
    if (into.lines.length < MAX_REPORTED) into.lines.push(entry);
    else into.truncated = true;
  };
  const tenant = await withTenant(app.db, caller.auth.tenantId, (tx) =>
    tx.selectFrom('tenants').select('default_jurisdiction').where('id', '=', caller.auth.tenantId).executeTakeFirst(),
  );
  const reading = {
    phoneRegion: defaultPhoneRegion(tenant?.default_jurisdiction ?? 'gdpr'),
    european: format.delimiter === 'semicolon',
    strict: Boolean(options.strict),
  };
  // In a dry run nothing is committed, so duplicates within the file are remembered here.
  const seenInDryRun = new Map<string, string>();
  const newPeople = options.object === 'contacts' ? new NewPeopleSealer(await app.keys.offline(app.db, caller.auth.tenantId)) : undefined;
  // PGlite runs on this thread: sealing beside it would only take the core the requests still
  // get, so an embedded database seals in slices between its batches (prepareContacts).
  const sealing = options.sealing !== undefined ? options.sealing : app.db.kind === 'postgres' ? sharedSealingPool() : null;
  let storing: Promise<void> = Promise.resolve();
  const statistics = options.dryRun ? null : new StatisticsRefresher(app.db, TABLES_FILLED[options.object]);

  let mapping: ColumnMapping | undefined;
  let batch: ValidRow[] = [];
  const junk = new JunkRows();
  // The file's rows as read, hashed: a resumption recognises the file by the rows it skips.
  const rowsDigest = crypto.createHash('sha256');
  const skip = run?.skip ?? null;
  // Failures of rows that could not be stored (a failed batch), apart from those read as invalid.
  let storeFailures = 0;
  const failStored: typeof fail = (line, errors, cells) => {
    storeFailures++;
    fail(line, errors, cells);
  };
  /**
   * Three stages overlap, each on a batch of its own: while batch N is stored (the database),
   * batch N+1 is sealed (the sealing workers) and batch N+2 is read and validated (this thread).
   * Batches are still stored one after the other, so each is deduplicated against all before it.
   */
  const flush = async () => {
    if (batch.length === 0) return;
    const valid = batch;
    batch = [];
    const rowsDone = report.rows;
    const digest = rowsDigest.copy().digest('hex');
    const readFailures = report.failed - storeFailures;
    // newPeople exists for contacts only, whose rows readRow read as contacts.
    const sealed = newPeople ? prepareContacts(newPeople, valid as ValidRow<ImportedValues['contacts']>[], sealing) : Promise.resolve();
    sealed.catch(() => {});
    const before = storing;
    storing = (async () => {
      await before;
      await sealed;
      // Exactly the rows up to this batch's last: those read as invalid up to it, and those of earlier batches that failed to store.
      const progress = run ? { rowsDone, digest, failedThrough: readFailures + storeFailures } : null;
      const createdBefore = report.created;
      const context: StoreContext = {
        fileName: options.fileName,
        onDuplicate,
        seenInDryRun: options.dryRun ? seenInDryRun : null,
        newPeople,
      };
      const matched = await storeBatch(app, caller, options, importId, valid, report, failStored, context, progress);
      for (const outcome of matched) note(report.matched, outcome);
      statistics?.grewMeanwhile(report.created - createdBefore);
      options.onProgress?.(report);
    })();
    // Awaited before the next batch is read or at the end; until then a failure must not count as unhandled.
    storing.catch(() => {});
    // At most one batch stored and one sealed while the next is read.
    await before;
  };

  try {
    for await (const { line, cells } of csvRows(text, DELIMITERS[format.delimiter])) {
      if (!mapping) {
        if (cells.every((cell) => cell === '')) continue;
        mapping = resolveMapping(options.object, cells, options.mapping);
        report.mapping = mapping.named;
        report.ignoredColumns = mapping.ignored;
        report.columns = cells;
        continue;
      }
      const junkReason = junk.reason(cells);
      if (junkReason) {
        note(report.skipped, { line, errors: [junkReason] });
        continue;
      }
      report.rows++;
      rowsDigest.update(JSON.stringify(cells) + '\n');
      if (skip && report.rows <= skip.rows) {
        if (report.rows === skip.rows) assertSameRows(skip, rowsDigest);
        continue;
      }
      const read = readRow(options.object, fieldValues(options.object, mapping, cells), reading);
      if (!read.ok) {
        fail(line, read.errors, cells);
        continue;
      }
      if (read.leftOut.length > 0) note(report.leftOut, { line, errors: read.leftOut });
      if (report.preview && report.preview.length < PREVIEW_ROWS) report.preview.push({ line, values: read.data, leftOut: read.leftOut });
      batch.push({ line, data: read.data, cells });
      if (batch.length >= BATCH_SIZE) await flush();
    }
    await flush();
    if (skip && report.rows < skip.rows) assertSameRows(skip, null);
    await storing;
  } catch (error) {
    await storing.catch(() => undefined);
    if (run) await closeImportRun(app, caller.auth.tenantId, importId, 'interrupted').catch(() => undefined);
    if (error instanceof SealingWorkerCrashed) {
      // The batch being sealed was never stored; those before it were, each whole.
      throw new AppError(
        503,
        'import_interrupted',
        `The import stopped after ${report.created} row(s) because the server lost a worker while encrypting the next rows; ` +
          `nothing of those rows was stored.${run ? ' Send the same file again with resumes set to this import to go on where it stopped.' : ''}`,
        { created: report.created, rowsRead: report.rows, importId: report.importId },
        { 'retry-after': '5' },
      );
    }
    // Every csv-parse error (CSV_…, INVALID_OPENING_QUOTE, …) is the file's fault: a 400 naming the line.
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw badRequest(`The file is not valid CSV${line ? ` at line ${line}` : ''}: ${error.message}`, {
        code: error.code,
        line: line ?? null,
        rowsRead: report.rows,
        created: report.created,
        importId: report.importId,
      });
    }
    throw error;
  }
  if (run) {
    await closeImportRun(app, caller.auth.tenantId, importId, 'finished', report.failed);
    if (options.resumes) {
      const { carried } = run;
      report.resumed = {
        from: options.resumes,
        rowsSkipped: skip?.rows ?? 0,
        inAll: {
          created: carried.created + report.created,
          duplicates: carried.duplicates + report.duplicates,
          updated: carried.updated + report.updated,
          failed: carried.failed + report.failed,
          accountsCreated: carried.accountsCreated + report.accountsCreated,
        },
      };
    }
  }
  if (!mapping) throw badRequest('The file has no header row or no data rows.');
  await statistics?.finish();
  report.errors.sort((a, b) => a.line - b.line);
  report.matched.lines.sort((a, b) => a.line - b.line);
  return report;
}

/** A resumption must be sent the file it resumes: the rows it skips are those the run went through. */
function assertSameRows(skip: { rows: number; digest: string | null }, digest: crypto.Hash | null): void {
  if (!digest || digest.copy().digest('hex') !== skip.digest) {
    throw conflict(`This is not the file of the interrupted import: its first ${skip.rows} rows differ from those already imported.`, {
      field: 'resumes',
    });
  }
}

async function storeBatch(
  app: AppContext,
  caller: Caller,
  options: ImportOptions,
  importId: string,
  valid: ValidRow[],
  report: ImportReport,
  fail: (line: number, errors: string[], cells?: string[]) => void,
  context: StoreContext,
  progress: BatchProgress | null,
): Promise<MatchOutcome[]> {
  const counts: StoreCounts = { created: 0, duplicates: 0, updated: 0, accountsCreated: 0, matched: [] };
  try {
    await crmWork(app, caller, async (work) => {
      Object.assign(counts, await storeRows(options.object, work, valid, context));
      if (progress) await recordProgress(work.tx, work.tenantId, importId, progress, counts);
      await work.audit({
        action: `${SINGULAR[options.object]}.import`,
        objectType: 'import',
        objectId: importId,
        fields: Object.values(report.mapping),
      });
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    const unavailable = databaseUnavailable(error);
    if (unavailable) {
      // The database is gone or full: every later batch would fail the same way. Stop here;
      // the batches stored before stay (each is whole), and the answer says how far it got.
      const line = valid[0]?.line ?? null;
      throw new AppError(
        unavailable.status,
        unavailable.code,
        `${unavailable.message} The import stopped at line ${line ?? '?'}; ${report.created} row(s) were imported before and stay imported.`,
        { stoppedAtLine: line, created: report.created, rowsRead: report.rows, importId: report.importId },
        { 'retry-after': String(unavailable.retryAfterSeconds) },
      );
    }
    if (!(error instanceof DryRunRollback)) {
      // The batch is rolled back as a whole; its rows are reported rather than lost silently.
      for (const row of valid)
        fail(
          row.line,
          [`could not be stored (${(error as { code?: string }).code ?? 'error'}); nothing of this batch was imported`],
          row.cells,
        );
      return [];
    }
  }
  report.created += counts.created;
  report.duplicates += counts.duplicates;
  report.updated += counts.updated;
  report.accountsCreated += counts.accountsCreated;
  return counts.matched;
}
