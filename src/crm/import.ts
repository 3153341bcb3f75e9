import crypto from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { StatisticsRefresher } from '../db/statistics.ts';
import type { DB } from '../db/types.ts';
import { databaseUnavailable } from '../db/unavailable.ts';
import { AppError, badRequest, conflict } from '../http/errors.ts';
import type { ImportTotals } from '../db/types.ts';
import { closeImportRun, recordProgress, startImportRun, type BatchProgress } from './import-runs.ts';
import { crmWork, NewPeopleSealer } from './context.ts';
import { prepareContacts, STORES, type StoreContext, type ValidRow } from './import-stores.ts';
import { region } from '../jurisdiction/schema.ts';
import { ACCOUNT_SIZES, amount, country, currency, domain, email, isoDate, LEAD_STATUSES, phone, STAGES } from './schema.ts';

export const IMPORT_OBJECTS = ['contacts', 'accounts', 'leads', 'opportunities'] as const;
export type ImportObject = (typeof IMPORT_OBJECTS)[number];

/** Rows per transaction: large enough for multi-row inserts, small enough to keep requests flowing on PGlite. */
const BATCH_SIZE = 500;
const MAX_REPORTED_ERRORS = 1000;

/** Empty cells are absent; the quote our export puts before formula-like cells (=, +, -, @) is removed. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    if (value.trim() === '') return undefined;
    return /^'[=+\-@]/.test(value) ? value.slice(1) : value;
  }, schema.optional());

const emailList = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(/[;,\s]+/).filter(Boolean) : value),
  z.array(email).max(10),
);

const ROW_SCHEMAS = {
  contacts: z
    .object({
      firstName: optional(z.string().trim().max(100)),
      lastName: optional(z.string().trim().max(100)),
      email: optional(emailList),
      phone: optional(phone),
      jobTitle: optional(z.string().trim().max(200)),
      country: optional(country),
      region: optional(region),
      accountName: optional(z.string().trim().max(300)),
      accountDomain: optional(domain),
    })
    .refine((row) => row.firstName || row.lastName || (row.email && row.email.length > 0), 'needs a name or an email address'),
  accounts: z.object({
    name: z.string({ message: 'is required' }).trim().min(1, 'is required').max(300),
    domain: optional(domain),
    industry: optional(z.string().trim().max(100)),
    size: optional(z.enum(ACCOUNT_SIZES)),
    country: optional(country),
  }),
  leads: z
    .object({
      firstName: optional(z.string().trim().max(100)),
      lastName: optional(z.string().trim().max(100)),
      email: optional(email),
      phone: optional(phone),
      jobTitle: optional(z.string().trim().max(200)),
      companyName: optional(z.string().trim().max(300)),
      companyDomain: optional(domain),
      status: optional(z.enum(LEAD_STATUSES).exclude(['converted'])),
      source: optional(z.string().trim().max(100)),
      country: optional(country),
      region: optional(region),
    })
    .refine((row) => row.firstName || row.lastName || row.email || row.companyName, 'needs a name, an email address or a company'),
  opportunities: z.object({
    name: z.string({ message: 'is required' }).trim().min(1, 'is required').max(300),
    accountName: optional(z.string().trim().max(300)),
    accountDomain: optional(domain),
    stage: optional(z.enum(STAGES)),
    amount: optional(amount),
    currency: optional(currency),
    expectedCloseDate: optional(isoDate),
    probability: optional(z.coerce.number().int().min(0).max(100)),
  }),
};

/** Header spellings recognised without an explicit mapping (compared lower-case, letters and digits only). */
const HEADER_ALIASES: Record<ImportObject, Record<string, string[]>> = {
  contacts: {
    firstName: ['firstname', 'first', 'givenname', 'forename', 'vorname', 'prenom'],
    lastName: ['lastname', 'last', 'surname', 'familyname', 'nachname', 'nom'],
    email: ['email', 'emails', 'emailaddress', 'mail', 'email1'],
    phone: ['phone', 'phonenumber', 'mobile', 'telephone', 'tel'],
    jobTitle: ['jobtitle', 'title', 'position', 'role'],
    country: ['country', 'countrycode'],
    region: ['region', 'regioncode', 'statecode', 'subdivision'],
    accountName: ['company', 'companyname', 'account', 'accountname', 'organisation', 'organization'],
    accountDomain: ['domain', 'website', 'companydomain', 'accountdomain', 'companywebsite'],
  },
  accounts: {
    name: ['name', 'company', 'companyname', 'accountname'],
    domain: ['domain', 'website', 'url'],
    industry: ['industry', 'sector'],
    size: ['size', 'employees', 'companysize'],
    country: ['country', 'countrycode'],
  },
  leads: {
    firstName: ['firstname', 'first', 'givenname', 'forename', 'vorname', 'prenom'],
    lastName: ['lastname', 'last', 'surname', 'familyname', 'nachname', 'nom'],
    email: ['email', 'emailaddress', 'mail'],
    phone: ['phone', 'phonenumber', 'mobile', 'telephone', 'tel'],
    jobTitle: ['jobtitle', 'title', 'position', 'role'],
    companyName: ['company', 'companyname', 'organisation', 'organization'],
    companyDomain: ['domain', 'website', 'companydomain', 'companywebsite'],
    status: ['status', 'leadstatus'],
    source: ['source', 'leadsource'],
    country: ['country', 'countrycode'],
    region: ['region', 'regioncode', 'statecode', 'subdivision'],
  },
  opportunities: {
    name: ['name', 'deal', 'dealname', 'opportunity', 'opportunityname'],
    accountName: ['account', 'accountname', 'company', 'companyname'],
    accountDomain: ['domain', 'website', 'accountdomain', 'companydomain'],
    stage: ['stage', 'dealstage'],
    amount: ['amount', 'value', 'dealvalue'],
    currency: ['currency'],
    expectedCloseDate: ['expectedclosedate', 'closedate', 'close'],
    probability: ['probability'],
  },
};

export const IMPORT_FIELDS = Object.fromEntries(IMPORT_OBJECTS.map((object) => [object, Object.keys(HEADER_ALIASES[object])])) as Record<ImportObject, string[]>;

/** What an import writes to, for the planner's statistics (StatisticsRefresher). */
const TABLES_FILLED = {
  contacts: ['contacts', 'person_terms', 'subject_keys', 'accounts'],
  accounts: ['accounts'],
  leads: ['leads', 'person_terms', 'subject_keys'],
  opportunities: ['opportunities', 'accounts'],
} satisfies Record<ImportObject, Array<keyof DB>>;

const SINGULAR: Record<ImportObject, string> = { contacts: 'contact', accounts: 'account', leads: 'lead', opportunities: 'opportunity' };

const headerKey = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Resolves which CSV column feeds which field: explicit mapping first, then known header spellings. */
export function resolveMapping(object: ImportObject, headers: string[], explicit: Record<string, string> = {}) {
  const fields = IMPORT_FIELDS[object];
  const unknownFields = Object.values(explicit).filter((field) => !fields.includes(field));
  if (unknownFields.length > 0) throw badRequest(`Unknown import fields: ${unknownFields.join(', ')}; ${object} take ${fields.join(', ')}`, { field: 'map', unknownFields });
  const missingColumns = Object.keys(explicit).filter((column) => !headers.includes(column));
  if (missingColumns.length > 0) throw badRequest(`The file has no column ${missingColumns.join(', ')}`, { field: 'map', missingColumns, headers });
  const mapping = new Map<string, string>();
  for (const [column, field] of Object.entries(explicit)) mapping.set(column, field);
  for (const header of headers) {
    if (mapping.has(header)) continue;
    const field = Object.entries(HEADER_ALIASES[object]).find(([, aliases]) => aliases.includes(headerKey(header)))?.[0];
    if (field && ![...mapping.values()].includes(field)) mapping.set(header, field);
  }
  if (mapping.size === 0) throw badRequest(`No column could be mapped; name them (${fields.join(', ')}) or pass a mapping.`, { field: 'map', headers });
  return { mapping, ignored: headers.filter((header) => !mapping.has(header)) };
}

export interface ImportReport {
  /** The run (GET /imports); send the same file with resumes=<id> to continue an interrupted one. */
  importId: string | null;
  object: ImportObject;
  dryRun: boolean;
  /** For a resumption: the run continued, the rows it had gone through (skipped here), and the totals of this run and those before it. */
  resumed: { from: string; rowsSkipped: number; inAll: ImportTotals } | null;
  rows: number;
  created: number;
  duplicates: number;
  accountsCreated: number;
  failed: number;
  errors: Array<{ line: number; errors: string[] }>;
  errorsTruncated: boolean;
  mapping: Record<string, string>;
  ignoredColumns: string[];
}

export interface ImportOptions {
  object: ImportObject;
  fileName: string;
  mapping?: Record<string, string> | undefined;
  dryRun: boolean;
  /** An interrupted run of the same file to continue. */
  resumes?: string | undefined;
  onProgress?: (report: ImportReport) => void;
}

interface ParsedRow {
  line: number;
  values: Record<string, unknown>;
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
  const importId = crypto.randomUUID();
  if (options.dryRun && options.resumes) throw badRequest('A dry run cannot resume an import.', { field: 'resumes' });
  const run = options.dryRun ? null : await startImportRun(app, caller, { id: importId, object: options.object, fileName: options.fileName, resumes: options.resumes });
  const report: ImportReport = {
    importId: run ? importId : null,
    object: options.object,
    dryRun: options.dryRun,
    resumed: null,
    rows: 0,
    created: 0,
    duplicates: 0,
    accountsCreated: 0,
    failed: 0,
    errors: [],
    errorsTruncated: false,
    mapping: {},
    ignoredColumns: [],
  };
  const fail = (line: number, errors: string[]) => {
    report.failed++;
    if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push({ line, errors });
    else report.errorsTruncated = true;
  };
  // In a dry run nothing is committed, so duplicates within the file are remembered here.
  const seenInDryRun = new Set<string>();
  const newPeople = options.object === 'contacts' ? new NewPeopleSealer(await app.keys.offline(app.db, caller.auth.tenantId)) : undefined;
  let storing: Promise<void> = Promise.resolve();
  const statistics = options.dryRun ? null : new StatisticsRefresher(app.db, TABLES_FILLED[options.object]);

  const parser = parse({ columns: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true });
  pipeline(input, parser, () => {});
  let mapping: Map<string, string> | undefined;
  let batch: ParsedRow[] = [];
  // The file's rows as read, hashed: a resumption recognises the file by the rows it skips.
  const rowsDigest = crypto.createHash('sha256');
  const skip = run?.skip ?? null;
  const flush = async () => {
    if (batch.length === 0) return;
    const valid = validRows(options.object, batch, fail);
    batch = [];
    const rowsDone = report.rows;
    const digest = rowsDigest.copy().digest('hex');
    if (newPeople) await prepareContacts(newPeople, valid);
    await storing;
    // Taken once the batch before is stored and before the next one is read: exactly the rows up to this batch's last.
    const progress = run ? { rowsDone, digest, failedThrough: report.failed } : null;
    const createdBefore = report.created;
    storing = storeBatch(app, caller, options, importId, valid, report, fail, { fileName: options.fileName, seenInDryRun: options.dryRun ? seenInDryRun : null, newPeople }, progress).then(async () => {
      await statistics?.grew(report.created - createdBefore);
      options.onProgress?.(report);
    });
    // Awaited before the next batch or at the end; until then a failure must not count as unhandled.
    storing.catch(() => {});
  };

  try {
    for await (const record of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      if (!mapping) {
        const resolved = resolveMapping(options.object, Object.keys(record.record), options.mapping);
        mapping = resolved.mapping;
        report.mapping = Object.fromEntries(mapping);
        report.ignoredColumns = resolved.ignored;
      }
      report.rows++;
      rowsDigest.update(JSON.stringify(record.record) + '\n');
      if (skip && report.rows <= skip.rows) {
        if (report.rows === skip.rows) assertSameRows(skip, rowsDigest);
        continue;
      }
      const values: Record<string, unknown> = {};
      for (const [column, field] of mapping) values[field] = record.record[column];
      batch.push({ line: record.info.lines, values });
      if (batch.length >= BATCH_SIZE) await flush();
    }
    await flush();
    if (skip && report.rows < skip.rows) assertSameRows(skip, null);
    await storing;
  } catch (error) {
    await storing.catch(() => undefined);
    if (run) await closeImportRun(app, caller.auth.tenantId, importId, 'interrupted').catch(() => undefined);
    // Every csv-parse error (CSV_…, INVALID_OPENING_QUOTE, …) is the file's fault: a 400 naming the line.
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw badRequest(`The file is not valid CSV${line ? ` at line ${line}` : ''}: ${error.message}`, { code: error.code, line: line ?? null, rowsRead: report.rows, created: report.created, importId: report.importId });
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
        inAll: { created: carried.created + report.created, duplicates: carried.duplicates + report.duplicates, failed: carried.failed + report.failed, accountsCreated: carried.accountsCreated + report.accountsCreated },
      };
    }
  }
  if (!mapping) throw badRequest('The file has no header row or no data rows.');
  await statistics?.finish();
  report.errors.sort((a, b) => a.line - b.line);
  return report;
}

/** A resumption must be sent the file it resumes: the rows it skips are those the run went through. */
function assertSameRows(skip: { rows: number; digest: string | null }, digest: crypto.Hash | null): void {
  if (!digest || digest.copy().digest('hex') !== skip.digest) {
    throw conflict(`This is not the file of the interrupted import: its first ${skip.rows} rows differ from those already imported.`, { field: 'resumes' });
  }
}

function validRows(object: ImportObject, rows: ParsedRow[], fail: (line: number, errors: string[]) => void): ValidRow[] {
  const valid: ValidRow[] = [];
  for (const row of rows) {
    const result = ROW_SCHEMAS[object].safeParse(row.values);
    if (result.success) valid.push({ line: row.line, data: result.data });
    else fail(row.line, result.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)));
  }
  return valid;
}

async function storeBatch(
  app: AppContext,
  caller: Caller,
  options: ImportOptions,
  importId: string,
  valid: ValidRow[],
  report: ImportReport,
  fail: (line: number, errors: string[]) => void,
  context: StoreContext,
  progress: BatchProgress | null,
): Promise<void> {
  const counts = { created: 0, duplicates: 0, accountsCreated: 0 };
  try {
    await crmWork(app, caller, async (work) => {
      Object.assign(counts, await STORES[options.object](work, valid, context));
      if (progress) await recordProgress(work.tx, work.tenantId, importId, progress, counts);
      await work.audit({ action: `${SINGULAR[options.object]}.import`, objectType: 'import', objectId: importId, fields: Object.values(report.mapping) });
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
      for (const row of valid) fail(row.line, [`could not be stored (${(error as { code?: string }).code ?? 'error'}); nothing of this batch was imported`]);
      return;
    }
  }
  report.created += counts.created;
  report.duplicates += counts.duplicates;
  report.accountsCreated += counts.accountsCreated;
}
