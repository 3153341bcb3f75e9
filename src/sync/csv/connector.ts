import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { Connector, ConnectorSettings, ExternalRecord, ObjectMapping } from '../connector.ts';

/**
 * A CSV drop folder: another system exports its records as full snapshots, one file per object
 * (accounts.csv, contacts.csv, leads.csv, opportunities.csv, tasks.csv), each row with the
 * record's id in that system. Every sync reads the files whole (a snapshot has no "changed since");
 * unchanged rows cost a comparison, not a write, and a row that is gone from its file was deleted.
 * Records pushed from Lawful CRM are appended to the file, as the exporting system would see them.
 */

const MAPPINGS: readonly ObjectMapping[] = [
  { object: 'accounts', recordType: 'account' },
  { object: 'contacts', recordType: 'contact' },
  { object: 'leads', recordType: 'lead' },
  { object: 'opportunities', recordType: 'opportunity' },
  { object: 'tasks', recordType: 'task' },
];
const PAGE = 1000;

/** The columns of each file, named as the internal fields (snake_case), after the id. */
export const CSV_COLUMNS: Record<string, string[]> = {
  accounts: ['id', 'name', 'domain', 'industry', 'country'],
  contacts: ['id', 'first_name', 'last_name', 'email', 'phone', 'job_title', 'country', 'account_id'],
  leads: ['id', 'first_name', 'last_name', 'email', 'phone', 'job_title', 'company_name', 'company_domain', 'country'],
  opportunities: ['id', 'name', 'amount', 'currency', 'stage', 'expected_close_date', 'account_id'],
  tasks: ['id', 'title', 'due_at', 'done'],
};

const blank = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value.trim());
const list = (value: string | undefined) =>
  blank(value)
    ? value!
        .split(/[;,]/)
        .map((v) => v.trim())
        .filter(Boolean)
    : [];

function fieldsIn(object: string, row: Record<string, string>): Record<string, unknown> {
  switch (object) {
    case 'accounts':
      return { name: blank(row.name), domain: blank(row.domain), industry: blank(row.industry), country: blank(row.country) };
    case 'contacts':
      return {
        firstName: blank(row.first_name),
        lastName: blank(row.last_name),
        emails: list(row.email),
        phones: list(row.phone),
        jobTitle: blank(row.job_title),
        country: blank(row.country),
        accountRef: blank(row.account_id),
      };
    case 'leads':
      return {
        firstName: blank(row.first_name),
        lastName: blank(row.last_name),
        email: blank(row.email),
        phone: blank(row.phone),
        jobTitle: blank(row.job_title),
        companyName: blank(row.company_name),
        companyDomain: blank(row.company_domain),
        country: blank(row.country),
      };
    case 'opportunities':
      return {
        name: blank(row.name),
        amount: blank(row.amount),
        currency: blank(row.currency),
        stage: blank(row.stage),
        expectedCloseDate: blank(row.expected_close_date),
        accountRef: blank(row.account_id),
      };
    case 'tasks':
      return { title: blank(row.title), dueAt: blank(row.due_at), done: ['true', '1', 'yes'].includes((row.done ?? '').toLowerCase()) };
  }
  throw new Error(`A CSV drop has no object "${object}"`);
}

function rowOut(object: string, id: string, f: Record<string, unknown>): string[] {
  const values: Record<string, unknown> = {
    id,
    name: f.name,
    domain: f.domain,
    industry: f.industry,
    country: f.country,
    first_name: f.firstName,
    last_name: f.lastName,
    email: Array.isArray(f.emails) ? f.emails.join(';') : f.email,
    phone: Array.isArray(f.phones) ? f.phones.join(';') : f.phone,
    job_title: f.jobTitle,
    account_id: f.accountRef,
    company_name: f.companyName,
    company_domain: f.companyDomain,
    amount: f.amount,
    currency: f.currency,
    stage: f.stage,
    expected_close_date: f.expectedCloseDate,
    title: f.title,
    due_at: f.dueAt,
    done: f.done === undefined ? undefined : String(Boolean(f.done)),
  };
  return CSV_COLUMNS[object]!.map((column) => (values[column] === null || values[column] === undefined ? '' : String(values[column])));
}

/** The folder, which must lie inside the drop root (an administrator cannot point it at /etc). */
export function dropFolder(folder: string, root: string): string {
  const resolved = path.resolve(root, folder);
  const relative = path.relative(path.resolve(root), resolved);
  if (relative.startsWith('..') || path.isAbsolute(relative)) throw new Error(`The drop folder must lie inside ${root}`);
  return resolved;
}

/** Rows [offset, offset + PAGE) of a file, and whether more follow; a missing file is empty. */
async function readPage(file: string, offset: number): Promise<{ rows: Array<Record<string, string>>; more: boolean }> {
  if (!fs.existsSync(file)) return { rows: [], more: false };
  const parser = fs
    .createReadStream(file)
    .pipe(parse({ columns: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }));
  const rows: Array<Record<string, string>> = [];
  let index = 0;
  let more = false;
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    if (index >= offset + PAGE) {
      more = true;
      break;
    }
    if (index >= offset) rows.push(row);
    index += 1;
  }
  parser.destroy();
  return { rows, more };
}

export function csvConnector(settings: ConnectorSettings): Connector {
  const folder = dropFolder(settings.baseUrl, settings.dropRoot ?? process.cwd());
  const stats = { requests: 0, rateLimited: 0, serverErrors: 0, refreshes: 0, waitedMs: 0 };
  const fileOf = (object: string) => {
    if (!(object in CSV_COLUMNS)) throw new Error(`A CSV drop has no object "${object}"`);
    return path.join(folder, `${object}.csv`);
  };
  const page = async (object: string, cursor: string | null) => {
    stats.requests += 1;
    const offset = Number(cursor ?? 0);
    const { rows, more } = await readPage(fileOf(object), offset);
    const records: ExternalRecord[] = rows
      .filter((row) => blank(row.id))
      .map((row) => ({ id: row.id!.trim(), updatedAt: null, fields: fieldsIn(object, row) }));
    return { records, next: more ? String(offset + PAGE) : null };
  };
  const all = async (object: string) => {
    const out: ExternalRecord[] = [];
    for (let cursor: string | null = null; ;) {
      const next = await page(object, cursor);
      out.push(...next.records);
      if (!next.next) return out;
      cursor = next.next;
    }
  };
  /** Rewrites a file atomically (write aside, then rename), so a reader never sees half of it. */
  const rewrite = async (object: string, transform: (rows: string[][]) => string[][]) => {
    const file = fileOf(object);
    const current = (await all(object)).map((record) => rowOut(object, record.id, record.fields));
    const temporary = `${file}.${process.pid}.tmp`;
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(temporary, stringify([CSV_COLUMNS[object]!, ...transform(current)]));
    fs.renameSync(temporary, file);
  };
  return {
    kind: 'csv',
    mappings: MAPPINGS,
    stats,
    snapshot: true,
    async snapshotProblem(object) {
      const file = fileOf(object);
      if (!fs.existsSync(file)) return `${object}.csv is missing from the drop folder`;
      try {
        fs.accessSync(file, fs.constants.R_OK);
      } catch {
        return `${object}.csv cannot be read`;
      }
      return null;
    },
    listAll: (object, cursor) => page(object, cursor),
    listChanged: (object, _since, cursor) => page(object, cursor),
    // Deletions are what a complete listing no longer holds; the engine works them out.
    listDeleted: async () => ({ ids: [], next: null }),
    async get(object, id) {
      return (await all(object)).find((record) => record.id === id) ?? null;
    },
    async create(object, fields) {
      const id = `lawful-${crypto.randomUUID()}`;
      await rewrite(object, (rows) => [...rows, rowOut(object, id, fields)]);
      return { id, updatedAt: null, fields };
    },
    async update(object, id, fields) {
      await rewrite(object, (rows) => rows.map((row) => (row[0] === id ? rowOut(object, id, fields) : row)));
      return { id, updatedAt: null, fields };
    },
    async remove(object, id) {
      await rewrite(object, (rows) => rows.filter((row) => row[0] !== id));
    },
    async erase(object, id) {
      await this.remove(object, id);
      return {
        method: 'delete',
        permanent: true,
        note: 'the row was removed from the export file (copies of the file elsewhere are not reached)',
      };
    },
    async optOut() {
      return { answer: 'the export file has no marketing preference column: nothing to unsubscribe there' };
    },
  };
}
