import { safeCell } from '../shared/csv.ts';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { listAccounts } from '../crm/accounts.ts';
import { listContacts } from '../crm/contacts.ts';
import { gateDecision, gateFacts, gatePurposes, recordRefusals, type Verdict } from '../consent/gate.ts';
import { purposeReference } from '../consent/purposes.ts';
import type { CrmRecordType } from '../db/types.ts';
import type { PersonType } from '../db/types-consent.ts';
import { checkBulkExport } from '../governance/incidents.ts';
import { AppError, badRequest } from '../http/errors.ts';
import { crmWork } from '../crm/context.ts';
import { definitionsOf } from '../crm/custom-fields.ts';
import { listLeads } from '../crm/leads.ts';
import { listOpportunities } from '../crm/opportunities.ts';
import { accountListQuery, contactListQuery, leadListQuery, opportunityListQuery } from '../crm/schema.ts';

export const EXPORT_OBJECTS = ['contacts', 'accounts', 'leads', 'opportunities'] as const;
export type ExportObject = (typeof EXPORT_OBJECTS)[number];

const PAGE = 500;

type Row = Record<string, unknown>;

/** An export takes its list's filters and sort (the list as the user sees it), without the paging. */
const listFilters = <T extends z.ZodObject>(query: T) => query.omit({ limit: true, cursor: true });
export const EXPORT_FILTERS = {
  contacts: listFilters(contactListQuery),
  leads: listFilters(leadListQuery),
  accounts: listFilters(accountListQuery),
  opportunities: listFilters(opportunityListQuery),
};
export type ExportFilters = Partial<z.infer<(typeof EXPORT_FILTERS)[ExportObject]>>;

/** A list's filters from a query string: a 400 naming each bad one. */
export function exportFilters(object: ExportObject, query: Record<string, unknown>): ExportFilters {
  const parsed = EXPORT_FILTERS[object].strict().safeParse(query);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    location: 'querystring',
    path: issue.path.join('.') || ('keys' in issue ? issue.keys.join(', ') : ''),
    message: issue.message,
  }));
  throw new AppError(400, 'validation_error', `Invalid request: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, {
    issues,
  });
}

/** People export oldest first, unless searched (best match first) or sorted otherwise. */
const personSort = (filters: { q?: string | undefined; sort?: string | undefined }) =>
  filters.sort ?? (filters.q ? 'relevance' : 'createdAt');

/** Each object's pages, through the same list functions as the API: same visibility, same filters, same decryption. */
type PageOf = (
  app: AppContext,
  caller: Caller,
  filters: ExportFilters,
  cursor: string | undefined,
) => Promise<{ items: Row[]; nextCursor: string | null }>;
const PAGES: {
  [O in ExportObject]: (
    app: AppContext,
    caller: Caller,
    filters: z.infer<(typeof EXPORT_FILTERS)[O]>,
    cursor: string | undefined,
  ) => Promise<{ items: Row[]; nextCursor: string | null }>;
} = {
  contacts: (app, caller, filters, cursor) =>
    listContacts(app, caller, { ...filters, sort: personSort(filters), limit: PAGE, cursor }, { audit: false }),
  leads: (app, caller, filters, cursor) =>
    listLeads(app, caller, { ...filters, sort: personSort(filters), limit: PAGE, cursor }, { audit: false }),
  accounts: (app, caller, filters, cursor) => listAccounts(app, caller, { sort: 'name', ...filters, limit: PAGE, cursor }),
  opportunities: (app, caller, filters, cursor) => listOpportunities(app, caller, { sort: 'createdAt', ...filters, limit: PAGE, cursor }),
};

const COLUMNS: Record<ExportObject, string[]> = {
  contacts: [
    'id',
    'firstName',
    'lastName',
    'emails',
    'phones',
    'jobTitle',
    'accountId',
    'country',
    'ownerId',
    'provenance.sourceType',
    'provenance.sourceRef',
    'provenance.collectedAt',
    'createdAt',
    'updatedAt',
  ],
  leads: [
    'id',
    'firstName',
    'lastName',
    'email',
    'phone',
    'jobTitle',
    'companyName',
    'companyDomain',
    'status',
    'source',
    'country',
    'ownerId',
    'provenance.sourceType',
    'provenance.sourceRef',
    'provenance.collectedAt',
    'createdAt',
    'updatedAt',
  ],
  accounts: ['id', 'name', 'domain', 'industry', 'size', 'country', 'ownerId', 'createdAt', 'updatedAt'],
  opportunities: [
    'id',
    'name',
    'accountId',
    'stage',
    'amount',
    'currency',
    'expectedCloseDate',
    'probability',
    'ownerId',
    'contactIds',
    'closedAt',
    'createdAt',
    'updatedAt',
  ],
};

function pick(row: Row, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Row)[key] : undefined), row);
}

/**
 * Every export of people passes the gate. With a purpose (e.g. to load into a marketing tool),
 * only those the gate allows for it leave. Without one it is an internal export: restricted
 * people (Art. 18) still stay out, and each row says whether the person objected to direct
 * marketing or is on the suppression list, so nothing downstream mails them by mistake.
 */
export interface ExportGate {
  purposeId: string | null;
  /** Names this export in the refusals it records. */
  ref: string;
}

async function* pages(
  app: AppContext,
  caller: Caller,
  object: ExportObject,
  filters: ExportFilters,
  gate: ExportGate,
  exportId: string,
): AsyncGenerator<Row[]> {
  const personType: PersonType | null = object === 'contacts' ? 'contact' : object === 'leads' ? 'lead' : null;
  let cursor: string | undefined;
  let exported = 0;
  do {
    // exportFilters parsed these filters with this object's list query.
    const page = await (PAGES[object] as PageOf)(app, caller, filters, cursor);
    const items = personType ? await throughGate(app, caller, personType, page.items, gate) : page.items;
    if (personType && items.length > 0) await logExported(app, caller, personType, items, exportId);
    exported += items.length;
    yield items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (personType) await checkBulkExport(app, caller.auth.tenantId, exportId, caller.origin.actorId ?? 'unknown', exported);
}

/** Who left in which export, by id: the breach register computes affected people from it. */
async function logExported(app: AppContext, caller: Caller, type: PersonType, items: Row[], exportId: string): Promise<void> {
  await crmWork(app, caller, (work) =>
    work.tx
      .insertInto('export_items')
      .values(
        items.map((item) => ({
          tenant_id: work.tenantId,
          export_id: exportId,
          person_id: String(item.id),
          person_type: type,
          exported_by: caller.origin.actorId ?? 'unknown',
        })),
      )
      .onConflict((c) => c.columns(['tenant_id', 'export_id', 'person_id']).doNothing())
      .execute(),
  );
}

async function throughGate(app: AppContext, caller: Caller, type: PersonType, items: Row[], gate: ExportGate): Promise<Row[]> {
  return crmWork(app, caller, async (work) => {
    const people = items.map((item) => ({ type, id: String(item.id) }));
    // One load of the facts: the verdicts for the export's purpose, or for an internal export the
    // restrictions, objections and suppressions it shows.
    const purpose = gate.purposeId ? (await gatePurposes(work.tx, work.tenantId, [gate.purposeId])).get(gate.purposeId)! : null;
    const { verdicts, facts } = purpose
      ? await gateDecision(work.tx, work.tenantId, purpose, people, { path: 'export' })
      : {
          verdicts: new Map<string, Verdict>(people.map((person) => [person.id, { allowed: true, basis: 'legal_basis' }])),
          facts: await gateFacts(work.tx, work.tenantId, people),
        };
    for (const person of people) if (facts.restricted.has(person.id)) verdicts.set(person.id, { allowed: false, reason: 'restricted' });
    await recordRefusals(work.tx, work.tenantId, 'export', gate.ref, gate.purposeId, verdicts);
    return items
      .filter((item) => verdicts.get(String(item.id))!.allowed)
      .map((item) => ({
        ...item,
        objectedToMarketing: facts.objectedToMarketing.has(String(item.id)),
        suppressed: facts.suppressed.has(String(item.id)),
      }));
  });
}

/**
 * Streams every record the caller may see, page by page, so memory stays flat whatever the
 * size. Recorded once in the audit trail as an export, before the first byte leaves.
 */
export async function exportRecords(
  app: AppContext,
  caller: Caller,
  object: ExportObject,
  format: 'csv' | 'json',
  purposeId?: string,
  filters: ExportFilters = {},
): Promise<Readable> {
  const singular = object === 'opportunities' ? 'opportunity' : object.slice(0, -1);
  if (purposeId && object !== 'contacts' && object !== 'leads')
    throw badRequest('Only contacts and leads are exported for a purpose.', { field: 'purposeId' });
  const exportId = crypto.randomUUID();
  const gate: ExportGate = { purposeId: purposeId ?? null, ref: `export:${exportId}` };
  const customKeys = await crmWork(app, caller, async (work) => {
    if (purposeId) await purposeReference(work.tx, work.tenantId, purposeId);
    await work.audit({
      action: `${singular}.export`,
      objectType: singular,
      objectId: `export:${exportId}`,
      fields: [format, ...(purposeId ? [`purpose:${purposeId}`] : []), ...Object.keys(filters).map((name) => `filter:${name}`)],
    });
    return (await definitionsOf(work.tx, work.tenantId, singular as CrmRecordType)).map((definition) => definition.key);
  });
  const columns = [...COLUMNS[object], ...(object === 'contacts' || object === 'leads' ? ['objectedToMarketing', 'suppressed'] : [])];
  async function* csv() {
    yield stringify([[...columns, ...customKeys.map((key) => `custom.${key}`)]]);
    for await (const items of pages(app, caller, object, filters, gate, exportId)) {
      yield stringify(
        items.map((item) => [
          ...columns.map((column) => safeCell(pick(item, column))),
          ...customKeys.map((key) => safeCell((item.custom as Row)?.[key])),
        ]),
      );
    }
  }
  async function* json() {
    yield '[';
    let first = true;
    for await (const items of pages(app, caller, object, filters, gate, exportId)) {
      for (const item of items) {
        yield `${first ? '' : ','}\n${JSON.stringify(item)}`;
        first = false;
      }
    }
    yield '\n]\n';
  }
  return Readable.from(format === 'csv' ? csv() : json());
}
