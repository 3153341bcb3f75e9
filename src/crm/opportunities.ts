import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import { commonConditions, type ListFilters } from './list-filters.ts';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import type { OpportunitiesTable, OpportunityStage } from '../db/types.ts';
import { notFound, unprocessable } from '../http/errors.ts';
import { deleteRecord } from './activities.ts';
import { crmWork, definedOnly, type CrmWork } from './context.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import { definitionsOf, splitCustomValues } from './custom-fields.ts';
import { finishPage, pageBy, resolveSort } from '../http/pagination.ts';
import { assertAssignable } from './members.ts';
import { escapeLike } from '../shared/normalise.ts';
import { assertRecordReference } from './records.ts';
import type { opportunityInput, opportunityListQuery, opportunityPatch, opportunityView } from './schema.ts';
import { recordVisible } from './visibility.ts';

type OpportunityRow = Selectable<OpportunitiesTable>;
type OpportunityView = z.infer<typeof opportunityView>;

const CLOSED: readonly OpportunityStage[] = ['closed_won', 'closed_lost'];

const SORTS = {
  name: { expression: sql`lower(opportunities.name)`, defaultDirection: 'asc' as const },
  amount: { expression: sql`opportunities.amount`, defaultDirection: 'desc' as const },
  closeDate: { expression: sql`coalesce(opportunities.expected_close_date, '9999-12-31'::date)`, defaultDirection: 'asc' as const },
  createdAt: { expression: sql`opportunities.created_at`, defaultDirection: 'desc' as const },
  updatedAt: { expression: sql`opportunities.updated_at`, defaultDirection: 'desc' as const },
};

/** What a list of these can be sorted by (a saved view's sort is checked against it). */
export const OPPORTUNITY_SORTS: readonly string[] = Object.keys(SORTS);

/** Dates come back as Date from node-postgres and as strings from PGlite; the API speaks YYYY-MM-DD. */
function dateOnly(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}

async function contactIdsOf(work: CrmWork, ids: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return map;
  const rows = await work.tx
    .selectFrom('opportunity_contacts')
    .select(['opportunity_id', 'contact_id'])
    .where('tenant_id', '=', work.tenantId)
    .where('opportunity_id', 'in', ids)
    .orderBy('contact_id')
    .execute();
  for (const row of rows) map.get(row.opportunity_id)?.push(row.contact_id);
  return map;
}

function toView(row: OpportunityRow, contactIds: string[]): OpportunityView {
  return {
    id: row.id,
    name: row.name,
    accountId: row.account_id,
    stage: row.stage,
    amount: Number(row.amount).toFixed(2),
    currency: row.currency,
    expectedCloseDate: dateOnly(row.expected_close_date),
    probability: row.probability,
    ownerId: row.owner_id,
    contactIds,
    custom: row.custom,
    closedAt: iso(row.closed_at),
    createdAt: isoRequired(row.created_at),
    updatedAt: isoRequired(row.updated_at),
  };
}

function visibleOpportunities(work: CrmWork) {
  return work.tx
    .selectFrom('opportunities')
    .selectAll('opportunities')
    .where('opportunities.tenant_id', '=', work.tenantId)
    .where(recordVisible(work.scope, 'opportunities', 'opportunity'));
}

async function findVisibleOpportunity(work: CrmWork, id: string): Promise<OpportunityRow> {
  const row = await visibleOpportunities(work).where('opportunities.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Opportunity');
  return row;
}

async function checkReferences(work: CrmWork, accountId: string | null | undefined, contactIds: string[] | undefined) {
  if (accountId) await assertRecordReference(work, { type: 'account', id: accountId });
  for (const contactId of new Set(contactIds ?? [])) {
    try {
      await assertRecordReference(work, { type: 'contact', id: contactId });
    } catch {
      throw unprocessable(`contactIds: ${contactId} is not a contact you can see.`, { field: 'contactIds' });
    }
  }
}

async function setContacts(work: CrmWork, opportunityId: string, contactIds: string[]) {
  await work.tx
    .deleteFrom('opportunity_contacts')
    .where('tenant_id', '=', work.tenantId)
    .where('opportunity_id', '=', opportunityId)
    .execute();
  const unique = [...new Set(contactIds)];
  if (unique.length > 0) {
    await work.tx
      .insertInto('opportunity_contacts')
      .values(unique.map((contactId) => ({ tenant_id: work.tenantId, opportunity_id: opportunityId, contact_id: contactId })))
      .execute();
  }
}

export async function insertOpportunity(work: CrmWork, input: z.infer<typeof opportunityInput>): Promise<OpportunityRow> {
  const ownerId = input.ownerId ?? work.memberId;
  await assertAssignable(work, ownerId);
  await checkReferences(work, input.accountId, input.contactIds);
  const { plain } = splitCustomValues(await definitionsOf(work.tx, work.tenantId, 'opportunity'), input.custom ?? {});
  const stage = input.stage ?? 'prospecting';
  const row = await work.tx
    .insertInto('opportunities')
    .values({
      tenant_id: work.tenantId,
      name: input.name,
      account_id: input.accountId ?? null,
      stage,
      amount: input.amount ?? '0',
      currency: input.currency ?? 'EUR',
      expected_close_date: input.expectedCloseDate ?? null,
      probability: input.probability ?? null,
      owner_id: ownerId,
      custom: JSON.stringify(plain),
      closed_at: CLOSED.includes(stage) ? new Date() : null,
      created_by: work.memberId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await setContacts(work, row.id, input.contactIds ?? []);
  return row;
}

/** The deals the caller may see that pass a list's filters: the list pages them, bulk actions act on them. */
export async function matchingOpportunities(work: CrmWork, query: ListFilters<typeof opportunityListQuery>) {
  let q = visibleOpportunities(work);
  if (query.q) {
    const pattern = `%${escapeLike(query.q.toLowerCase())}%`;
    q = q.where(
      sql<boolean>`(lower(opportunities.name) like ${pattern} or opportunities.account_id in (
        select a.id from accounts a where a.tenant_id = opportunities.tenant_id and lower(a.name) like ${pattern}))`,
    );
  }
  if (query.stage) q = q.where('opportunities.stage', '=', query.stage);
  if (query.accountId) q = q.where('opportunities.account_id', '=', query.accountId);
  if (query.closingBefore) q = q.where('opportunities.expected_close_date', '<', query.closingBefore);
  if (query.closingAfter) q = q.where('opportunities.expected_close_date', '>=', query.closingAfter);
  if (query.contactId) {
    q = q.where(sql<boolean>`exists (select 1 from opportunity_contacts oc where oc.tenant_id = opportunities.tenant_id
      and oc.opportunity_id = opportunities.id and oc.contact_id = ${query.contactId})`);
  }
  for (const condition of await commonConditions(work, 'opportunities', 'opportunity', query)) q = q.where(condition);
  return q;
}

export function listOpportunities(app: AppContext, caller: Caller, query: z.infer<typeof opportunityListQuery>) {
  return crmWork(app, caller, async (work) => {
    const q = await matchingOpportunities(work, query);
    const rows = await pageBy(q, 'opportunities.id', resolveSort(query.sort, SORTS, 'closeDate'), query.cursor, query.limit).execute();
    const page = finishPage(rows, query.limit, (row) => row);
    const contacts = await contactIdsOf(
      work,
      page.items.map((row) => row.id),
    );
    return { items: page.items.map((row) => toView(row, contacts.get(row.id) ?? [])), nextCursor: page.nextCursor };
  });
}

export function getOpportunity(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    const row = await findVisibleOpportunity(work, id);
    return toView(row, (await contactIdsOf(work, [id])).get(id) ?? []);
  });
}

export function createOpportunity(app: AppContext, caller: Caller, input: z.infer<typeof opportunityInput>) {
  return crmWork(app, caller, async (work) => {
    const row = await insertOpportunity(work, input);
    await work.audit({ action: 'opportunity.create', objectType: 'opportunity', objectId: row.id, fields: Object.keys(input) });
    return toView(row, [...new Set(input.contactIds ?? [])].sort());
  });
}

export function updateOpportunity(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof opportunityPatch>) {
  return crmWork(app, caller, async (work) => {
    const current = await findVisibleOpportunity(work, id);
    if (patch.ownerId !== undefined && patch.ownerId !== current.owner_id) {
      await assertAssignable(work, patch.ownerId);
    }
    await checkReferences(work, patch.accountId !== current.account_id ? patch.accountId : undefined, patch.contactIds);
    const custom = patch.custom
      ? splitCustomValues(await definitionsOf(work.tx, work.tenantId, 'opportunity'), patch.custom, { plain: current.custom, personal: {} })
          .plain
      : undefined;
    const stage = patch.stage ?? current.stage;
    const closedAt = CLOSED.includes(stage) ? (CLOSED.includes(current.stage) ? current.closed_at : new Date()) : null;
    const row = await work.tx
      .updateTable('opportunities')
      .set({
        ...definedOnly({
          name: patch.name,
          account_id: patch.accountId,
          stage: patch.stage,
          amount: patch.amount,
          currency: patch.currency,
          expected_close_date: patch.expectedCloseDate,
          probability: patch.probability,
          owner_id: patch.ownerId,
        }),
        ...(custom ? { custom: JSON.stringify(custom) } : {}),
        closed_at: closedAt,
        updated_at: new Date(),
      })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (patch.contactIds) await setContacts(work, id, patch.contactIds);
    await work.audit({ action: 'opportunity.update', objectType: 'opportunity', objectId: id, fields: Object.keys(patch) });
    return toView(row, (await contactIdsOf(work, [id])).get(id) ?? []);
  });
}

export function deleteOpportunity(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    await findVisibleOpportunity(work, id);
    await deleteRecord(work, 'opportunity', id);
  });
}
