import crypto from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { badRequest } from '../http/errors.ts';
import { sealContact } from './contacts.ts';
import { crmWork, type CrmWork } from './context.ts';
import { nameTokens, normaliseEmail } from './normalise.ts';
import { ACCOUNT_SIZES, country, domain, email, phone } from './schema.ts';

export const IMPORT_OBJECTS = ['contacts', 'accounts'] as const;
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
};

export const IMPORT_FIELDS: Record<ImportObject, string[]> = {
  contacts: Object.keys(HEADER_ALIASES.contacts),
  accounts: Object.keys(HEADER_ALIASES.accounts),
};

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
  object: ImportObject;
  dryRun: boolean;
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
  onProgress?: (report: ImportReport) => void;
}

interface ParsedRow {
  line: number;
  values: Record<string, unknown>;
}

class DryRunRollback extends Error {}

/**
 * Streams a CSV file into contacts or accounts, in batches of BATCH_SIZE rows, each batch one
 * transaction. Bad rows are reported by line and never stop the good ones; rows matching an
 * existing record (email blind index for contacts, domain for accounts) are skipped, so running
 * the same file twice creates nothing the second time. A dry run does all of it and rolls back.
 */
export async function importCsv(app: AppContext, caller: Caller, input: Readable, options: ImportOptions): Promise<ImportReport> {
  const importId = crypto.randomUUID();
  const report: ImportReport = {
    object: options.object,
    dryRun: options.dryRun,
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

  const parser = parse({ columns: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true });
  pipeline(input, parser, () => {});
  let mapping: Map<string, string> | undefined;
  let batch: ParsedRow[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await storeBatch(app, caller, options, importId, rows, report, fail, seenInDryRun);
    options.onProgress?.(report);
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
      const values: Record<string, unknown> = {};
      for (const [column, field] of mapping) values[field] = record.record[column];
      batch.push({ line: record.info.lines, values });
      if (batch.length >= BATCH_SIZE) await flush();
    }
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('CSV_')) {
      throw badRequest(`The file is not valid CSV: ${(error as Error).message}`, { rowsRead: report.rows, created: report.created });
    }
    throw error;
  }
  await flush();
  if (!mapping) throw badRequest('The file has no header row or no data rows.');
  return report;
}

async function storeBatch(
  app: AppContext,
  caller: Caller,
  options: ImportOptions,
  importId: string,
  rows: ParsedRow[],
  report: ImportReport,
  fail: (line: number, errors: string[]) => void,
  seenInDryRun: Set<string>,
): Promise<void> {
  const valid: Array<{ line: number; data: any }> = [];
  for (const row of rows) {
    const result = ROW_SCHEMAS[options.object].safeParse(row.values);
    if (result.success) valid.push({ line: row.line, data: result.data });
    else fail(row.line, result.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)));
  }
  const counts = { created: 0, duplicates: 0, accountsCreated: 0 };
  try {
    await crmWork(app, caller, async (work) => {
      if (options.object === 'contacts') Object.assign(counts, await storeContacts(work, valid, options.fileName, options.dryRun ? seenInDryRun : null));
      else Object.assign(counts, await storeAccounts(work, valid, options.dryRun ? seenInDryRun : null));
      await work.audit({ action: `${options.object === 'contacts' ? 'contact' : 'account'}.import`, objectType: 'import', objectId: importId, fields: Object.values(report.mapping) });
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
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

/** Finds or creates the accounts a batch of contacts refers to; domain first, then exact name. */
async function resolveAccounts(work: CrmWork, rows: Array<{ data: any }>) {
  const byKey = new Map<string, string>();
  let created = 0;
  const wanted = new Map<string, { name: string; domain: string | null }>();
  for (const { data } of rows) {
    if (data.accountDomain) wanted.set(`d:${data.accountDomain}`, { name: data.accountName ?? data.accountDomain, domain: data.accountDomain });
    else if (data.accountName) wanted.set(`n:${data.accountName.toLowerCase()}`, { name: data.accountName, domain: null });
  }
  if (wanted.size === 0) return { byKey, created };
  const domains = [...wanted.values()].map((w) => w.domain).filter((d): d is string => Boolean(d));
  const names = [...wanted.values()].filter((w) => !w.domain).map((w) => w.name.toLowerCase());
  const existing = await work.tx
    .selectFrom('accounts')
    .select(['id', 'domain', sql<string>`lower(name)`.as('lower_name')])
    .where('tenant_id', '=', work.tenantId)
    .where((eb) => eb.or([...(domains.length ? [eb('domain', 'in', domains)] : []), ...(names.length ? [eb(sql`lower(name)`, 'in', names)] : [])]))
    .execute();
  for (const account of existing) {
    if (account.domain) byKey.set(`d:${account.domain}`, account.id);
    if (!byKey.has(`n:${account.lower_name}`)) byKey.set(`n:${account.lower_name}`, account.id);
  }
  const missing = [...wanted].filter(([key]) => !byKey.has(key));
  if (missing.length > 0) {
    const inserted = await work.tx
      .insertInto('accounts')
      .values(missing.map(([, w]) => ({ tenant_id: work.tenantId, name: w.name, domain: w.domain, owner_id: work.memberId, created_by: work.memberId })))
      .returning(['id', 'domain', 'name'])
      .execute();
    for (const account of inserted) byKey.set(account.domain ? `d:${account.domain}` : `n:${account.name.toLowerCase()}`, account.id);
    created = inserted.length;
  }
  return { byKey, created };
}

async function storeContacts(work: CrmWork, rows: Array<{ line: number; data: any }>, fileName: string, seenInDryRun: Set<string> | null) {
  // Deduplicate: by any email address (blind index) against the database and within the file;
  // rows without email by the same name at the same company.
  const emailIndexes = await Promise.all(rows.map((row) => work.sealer.indexAll('email', (row.data.email ?? []).map(normaliseEmail))));
  const allIndexes = [...new Set(emailIndexes.flat())];
  // Committed batches are found in the database; a dry run commits nothing, so it keeps one set for the whole file.
  const known = seenInDryRun ?? new Set<string>();
  if (allIndexes.length > 0) {
    const existing = await work.tx
      .selectFrom('contacts')
      .select('email_index')
      .where('tenant_id', '=', work.tenantId)
      .where(sql<boolean>`email_index && ${allIndexes}::text[]`)
      .execute();
    for (const row of existing) for (const index of row.email_index) known.add(index);
  }
  const fresh: Array<{ line: number; data: any; emailIndex: string[] }> = [];
  let duplicates = 0;
  for (const [i, row] of rows.entries()) {
    const indexes = emailIndexes[i]!;
    const nameKey = indexes.length === 0 ? `name:${nameTokens(row.data.firstName, row.data.lastName).join(' ')}@${row.data.accountDomain ?? row.data.accountName?.toLowerCase() ?? ''}` : null;
    if (indexes.some((index) => known.has(index)) || (nameKey && known.has(nameKey))) {
      duplicates++;
      continue;
    }
    for (const index of indexes) known.add(index);
    if (nameKey) known.add(nameKey);
    fresh.push({ ...row, emailIndex: indexes });
  }
  const noEmail = fresh.filter((row) => row.emailIndex.length === 0);
  if (noEmail.length > 0) {
    const nameIndexes = await Promise.all(noEmail.map((row) => work.sealer.indexAll('name', nameTokens(row.data.firstName, row.data.lastName))));
    const candidates = await work.tx
      .selectFrom('contacts')
      .select(['name_index', 'account_id'])
      .where('tenant_id', '=', work.tenantId)
      .where('email_index', '=', sql<string[]>`'{}'::text[]`)
      .where(sql<boolean>`name_index && ${[...new Set(nameIndexes.flat())]}::text[]`)
      .execute();
    const existingNames = new Set(candidates.map((c) => [...c.name_index].sort().join(',')));
    for (const [i, row] of noEmail.entries()) {
      if (existingNames.has([...nameIndexes[i]!].sort().join(','))) {
        fresh.splice(fresh.indexOf(row), 1);
        duplicates++;
      }
    }
  }
  if (fresh.length === 0) return { created: 0, duplicates, accountsCreated: 0 };

  const accounts = await resolveAccounts(work, fresh);
  const ids = fresh.map(() => crypto.randomUUID());
  await work.app.keys.createSubjectKeys(work.tx, work.tenantId, ids);
  const now = new Date();
  const values = [];
  for (const [i, row] of fresh.entries()) {
    const data = row.data;
    const sealed = await sealContact(work, ids[i]!, {
      firstName: data.firstName ?? null,
      lastName: data.lastName ?? null,
      emails: [...new Set<string>((data.email ?? []).map(normaliseEmail))],
      phones: data.phone ? [data.phone] : [],
      jobTitle: data.jobTitle ?? null,
      customPersonal: {},
    });
    const accountKey = data.accountDomain ? `d:${data.accountDomain}` : data.accountName ? `n:${data.accountName.toLowerCase()}` : null;
    values.push({
      tenant_id: work.tenantId,
      id: ids[i]!,
      ...sealed,
      account_id: accountKey ? (accounts.byKey.get(accountKey) ?? null) : null,
      owner_id: work.memberId,
      country: data.country ?? null,
      source_type: 'import' as const,
      source_ref: fileName,
      collected_at: now,
      collected_by: work.memberId,
    });
  }
  await work.tx.insertInto('contacts').values(values).execute();
  return { created: values.length, duplicates, accountsCreated: accounts.created };
}

async function storeAccounts(work: CrmWork, rows: Array<{ line: number; data: any }>, seenInDryRun: Set<string> | null) {
  const known = seenInDryRun ?? new Set<string>();
  const domains = rows.map((row) => row.data.domain).filter(Boolean);
  const names = rows.filter((row) => !row.data.domain).map((row) => row.data.name.toLowerCase());
  if (domains.length + names.length > 0) {
    const existing = await work.tx
      .selectFrom('accounts')
      .select(['domain', sql<string>`lower(name)`.as('lower_name')])
      .where('tenant_id', '=', work.tenantId)
      .where((eb) => eb.or([...(domains.length ? [eb('domain', 'in', domains)] : []), ...(names.length ? [eb(sql`lower(name)`, 'in', names)] : [])]))
      .execute();
    for (const account of existing) {
      if (account.domain) known.add(`d:${account.domain}`);
      known.add(`n:${account.lower_name}`);
    }
  }
  let duplicates = 0;
  const fresh = [];
  for (const row of rows) {
    const key = row.data.domain ? `d:${row.data.domain}` : `n:${row.data.name.toLowerCase()}`;
    if (known.has(key)) {
      duplicates++;
      continue;
    }
    known.add(key);
    fresh.push(row.data);
  }
  if (fresh.length > 0) {
    await work.tx
      .insertInto('accounts')
      .values(
        fresh.map((data) => ({
          tenant_id: work.tenantId,
          name: data.name,
          domain: data.domain ?? null,
          industry: data.industry ?? null,
          size: data.size ?? null,
          country: data.country ?? null,
          owner_id: work.memberId,
          created_by: work.memberId,
        })),
      )
      .execute();
  }
  return { created: fresh.length, duplicates, accountsCreated: 0 };
}
