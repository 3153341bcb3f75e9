import { sql } from 'kysely';
import type { z } from 'zod';
import { commonConditions, type ListFilters } from './list-filters.ts';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import type { Tx } from '../db/tenant.ts';
import { conflict, isUniqueViolation, notFound } from '../http/errors.ts';
import { crmWork, definedOnly, type CrmWork } from './context.ts';
import { isoRequired } from '../shared/dates.ts';
import { definitionsOf, splitCustomValues } from './custom-fields.ts';
import { finishPage, pageBy, resolveSort } from '../http/pagination.ts';
import { escapeLike } from '../shared/normalise.ts';
import { deleteRecord } from './activities.ts';
import { assertAssignable } from './members.ts';
import type { accountInput, accountListQuery, accountPatch, accountView } from './schema.ts';
import { recordVisible } from './visibility.ts';

type AccountView = z.infer<typeof accountView>;

const SORTS = {
  name: { expression: sql`lower(accounts.name)`, defaultDirection: 'asc' as const },
  createdAt: { expression: sql`accounts.created_at`, defaultDirection: 'desc' as const },
  updatedAt: { expression: sql`accounts.updated_at`, defaultDirection: 'desc' as const },
};

/** What a list of these can be sorted by (a saved view's sort is checked against it). */
export const ACCOUNT_SORTS: readonly string[] = Object.keys(SORTS);

type AccountRow = {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  size: string | null;
  country: string | null;
  owner_id: string;
  custom: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
};

function view(row: AccountRow): AccountView {
  return {
    id: row.id,
    name: row.name,
    domain: row.domain,
    industry: row.industry,
    size: row.size,
    country: row.country,
    ownerId: row.owner_id,
    custom: row.custom,
    createdAt: isoRequired(row.created_at),
    updatedAt: isoRequired(row.updated_at),
  };
}

function visibleAccounts(work: CrmWork) {
  return work.tx
    .selectFrom('accounts')
    .selectAll('accounts')
    .where('accounts.tenant_id', '=', work.tenantId)
    .where(recordVisible(work.scope, 'accounts', 'account'));
}

/** The account if the caller may see it; 404 otherwise (whether it exists elsewhere or not). */
export async function findVisibleAccount(work: CrmWork, id: string): Promise<AccountRow> {
  const row = await visibleAccounts(work).where('accounts.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Account');
  return row;
}

/** The accounts the caller may see that pass a list's filters: the list pages them, bulk actions act on them. */
export async function matchingAccounts(work: CrmWork, query: ListFilters<typeof accountListQuery>) {
  let q = visibleAccounts(work);
  if (query.q) {
    const pattern = `%${escapeLike(query.q.toLowerCase())}%`;
    q = q.where((eb) => eb.or([eb(sql`lower(accounts.name)`, 'like', pattern), eb('accounts.domain', 'like', pattern)]));
  }
  if (query.industry) q = q.where('accounts.industry', '=', query.industry);
  if (query.country) q = q.where('accounts.country', '=', query.country);
  if (query.size) q = q.where('accounts.size', '=', query.size);
  for (const condition of await commonConditions(work, 'accounts', 'account', query)) q = q.where(condition);
  return q;
}

export function listAccounts(app: AppContext, caller: Caller, query: z.infer<typeof accountListQuery>) {
  return crmWork(app, caller, async (work) => {
    const q = await matchingAccounts(work, query);
    const rows = await pageBy(q, 'accounts.id', resolveSort(query.sort, SORTS, 'name'), query.cursor, query.limit).execute();
    return finishPage(rows, query.limit, view);
  });
}

export function getAccount(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => view(await findVisibleAccount(work, id)));
}

async function withDomainConflict<T>(domain: string | null | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isUniqueViolation(error, 'accounts_domain_key'))
      throw conflict(`An account with the domain ${domain} already exists.`, { field: 'domain' });
    throw error;
  }
}

export async function insertAccount(work: CrmWork, input: z.infer<typeof accountInput>): Promise<AccountRow> {
  const ownerId = input.ownerId ?? work.memberId;
  await assertAssignable(work, ownerId);
  const { plain } = splitCustomValues(await definitionsOf(work.tx, work.tenantId, 'account'), input.custom ?? {});
  return work.tx
    .insertInto('accounts')
    .values({
      tenant_id: work.tenantId,
      name: input.name,
      domain: input.domain ?? null,
      industry: input.industry ?? null,
      size: input.size ?? null,
      country: input.country ?? null,
      owner_id: ownerId,
      custom: JSON.stringify(plain),
      created_by: work.memberId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function createAccount(app: AppContext, caller: Caller, input: z.infer<typeof accountInput>) {
  return withDomainConflict(input.domain, () =>
    crmWork(app, caller, async (work) => {
      const row = await insertAccount(work, input);
      await work.audit({ action: 'account.create', objectType: 'account', objectId: row.id, fields: Object.keys(input) });
      return view(row);
    }),
  );
}

export function updateAccount(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof accountPatch>) {
  return withDomainConflict(patch.domain, () =>
    crmWork(app, caller, async (work) => {
      const current = await findVisibleAccount(work, id);
      if (patch.ownerId !== undefined && patch.ownerId !== current.owner_id) {
        await assertAssignable(work, patch.ownerId);
      }
      const custom = patch.custom
        ? splitCustomValues(await definitionsOf(work.tx, work.tenantId, 'account'), patch.custom, { plain: current.custom, personal: {} })
            .plain
        : undefined;
      const row = await work.tx
        .updateTable('accounts')
        .set({
          ...definedOnly({
            name: patch.name,
            domain: patch.domain,
            industry: patch.industry,
            size: patch.size,
            country: patch.country,
            owner_id: patch.ownerId,
          }),
          ...(custom ? { custom: JSON.stringify(custom) } : {}),
          updated_at: new Date(),
        })
        .where('tenant_id', '=', work.tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await work.audit({ action: 'account.update', objectType: 'account', objectId: id, fields: Object.keys(patch) });
      return view(row);
    }),
  );
}

export function deleteAccount(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    await findVisibleAccount(work, id);
    await deleteRecord(work, 'account', id);
  });
}

/** Exact match on the normalised domain (lead conversion, import deduplication). */
export async function accountByDomain(tx: Tx, tenantId: string, domain: string) {
  return tx.selectFrom('accounts').selectAll().where('tenant_id', '=', tenantId).where('domain', '=', domain).executeTakeFirst();
}
