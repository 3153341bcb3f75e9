import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { ACCOUNT_SORTS } from '../crm/accounts.ts';
import { CONTACT_SORTS } from '../crm/contacts.ts';
import { crmWork, type CrmWork } from '../crm/context.ts';
import { LIST_FILTERS } from '../crm/schema.ts';
import { LEAD_SORTS } from '../crm/leads.ts';
import { OPPORTUNITY_SORTS } from '../crm/opportunities.ts';
import type { CrmRecordType, SavedViewsTable } from '../db/types.ts';
import { badRequest, conflict, forbidden, isUniqueViolation, notFound } from '../http/errors.ts';
import { isoRequired } from '../shared/dates.ts';
import { defaultViews } from './defaults.ts';
import type { viewInput, viewPatch, viewView } from './schema.ts';

type ViewRow = Selectable<SavedViewsTable>;
type View = z.infer<typeof viewView>;

/** "relevance" orders a search of people: a view with a search may keep it. */
const SORTS_OF: Record<CrmRecordType, readonly string[]> = {
  account: ACCOUNT_SORTS,
  contact: [...CONTACT_SORTS, 'relevance'],
  lead: [...LEAD_SORTS, 'relevance'],
  opportunity: OPPORTUNITY_SORTS,
};

/** A view is saved only with filters and a sort its list takes: opening it later never answers a 400. */
function checked(object: CrmRecordType, filters: Record<string, unknown>, sort: string | null | undefined) {
  const parsed = LIST_FILTERS[object].safeParse(filters);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: ['filters', ...issue.path].join('.'),
      message: issue.code === 'unrecognized_keys' ? `${issue.keys.join(', ')}: not a filter of this list` : issue.message,
    }));
    throw badRequest(`Invalid view: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, { issues });
  }
  if (sort) {
    const allowed = SORTS_OF[object].flatMap((name) => [name, `-${name}`]);
    if (!allowed.includes(sort)) throw badRequest(`Invalid view: sort ${sort} is not an order of this list.`, { field: 'sort', allowed });
  }
  return parsed.data as Record<string, unknown>;
}

const mayEdit = (work: CrmWork, row: ViewRow) => row.owner_id === work.memberId || work.caller.auth.role === 'administrator';

function toView(work: CrmWork, row: ViewRow): View {
  return {
    id: row.id,
    object: row.object,
    name: row.name,
    shared: row.shared,
    builtIn: false,
    ownerId: row.owner_id,
    editable: mayEdit(work, row),
    filters: row.filters,
    sort: row.sort,
    columns: row.columns,
    createdAt: isoRequired(row.created_at),
    updatedAt: isoRequired(row.updated_at),
  };
}

function nameTaken(error: unknown): never {
  if (isUniqueViolation(error, 'saved_views_name_idx')) {
    throw conflict('You already have a view of this list with this name.', { field: 'name' });
  }
  throw error;
}

/** The caller's own views of a list, those shared with the workspace, and the default views first. */
export function listViews(app: AppContext, caller: Caller, object: CrmRecordType) {
  return crmWork(app, caller, async (work) => {
    const rows = await work.tx
      .selectFrom('saved_views')
      .selectAll()
      .where('tenant_id', '=', work.tenantId)
      .where('object', '=', object)
      .where((eb) => eb.or([eb('owner_id', '=', work.memberId), eb('shared', '=', true)]))
      .orderBy('name')
      .orderBy('id')
      .execute();
    return { items: [...defaultViews(object, caller.auth.role), ...rows.map((row) => toView(work, row))] };
  });
}

export function createView(app: AppContext, caller: Caller, input: z.infer<typeof viewInput>) {
  return crmWork(app, caller, async (work) => {
    const filters = checked(input.object, input.filters, input.sort);
    const row = await work.tx
      .insertInto('saved_views')
      .values({
        tenant_id: work.tenantId,
        object: input.object,
        name: input.name,
        owner_id: work.memberId,
        shared: input.shared ?? false,
        filters: JSON.stringify(filters),
        sort: input.sort ?? null,
        columns: input.columns ?? [],
      })
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch(nameTaken);
    await work.audit({ action: 'view.create', objectType: 'view', objectId: row.id, fields: Object.keys(input) });
    return toView(work, row);
  });
}

async function findEditableView(work: CrmWork, id: string): Promise<ViewRow> {
  if (id.startsWith('default:')) throw forbidden('The default views cannot be changed: save a view of your own instead.');
  const row = await work.tx
    .selectFrom('saved_views')
    .selectAll()
    .where('tenant_id', '=', work.tenantId)
    .where('id', '=', id)
    .where((eb) => eb.or([eb('owner_id', '=', work.memberId), eb('shared', '=', true)]))
    .executeTakeFirst();
  if (!row) throw notFound('View');
  if (!mayEdit(work, row)) throw forbidden('Only the member who saved this view, or an administrator, can change it.');
  return row;
}

export function updateView(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof viewPatch>) {
  return crmWork(app, caller, async (work) => {
    const current = await findEditableView(work, id);
    const sort = patch.sort !== undefined ? patch.sort : current.sort;
    const filters = checked(current.object, patch.filters ?? current.filters, sort);
    const row = await work.tx
      .updateTable('saved_views')
      .set({
        name: patch.name ?? current.name,
        shared: patch.shared ?? current.shared,
        filters: JSON.stringify(filters),
        sort,
        columns: patch.columns ?? current.columns,
        updated_at: new Date(),
      })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch(nameTaken);
    await work.audit({ action: 'view.update', objectType: 'view', objectId: id, fields: Object.keys(patch) });
    return toView(work, row);
  });
}

export function deleteView(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    await findEditableView(work, id);
    await work.tx.deleteFrom('saved_views').where('tenant_id', '=', work.tenantId).where('id', '=', id).execute();
    await work.audit({ action: 'view.delete', objectType: 'view', objectId: id });
  });
}
