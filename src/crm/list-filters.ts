import { sql, type Expression, type SqlBool } from 'kysely';
import type { CrmRecordType } from '../db/types.ts';
import { badRequest } from '../http/errors.ts';
import type { CrmWork } from './context.ts';
import { definitionsOf, type CustomFieldDefinition } from './custom-fields.ts';
import type { CONSENT_STATES } from '../consent/schema.ts';
import type { z } from 'zod';

type RecordTable = 'accounts' | 'contacts' | 'leads' | 'opportunities';

/** What a list query filters on: all of it but the paging and the order. */
export type ListFilters<Query extends z.ZodType> = Omit<z.output<Query>, 'cursor' | 'limit' | 'sort'>;

export type CommonFilters = {
  ids?: string[] | undefined;
  ownerId?: string | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
  updatedAfter?: string | undefined;
  updatedBefore?: string | undefined;
  inactiveDays?: number | undefined;
  custom?: string[] | undefined;
  consentPurpose?: string | undefined;
  consentState?: (typeof CONSENT_STATES)[number] | undefined;
};

/** The members whose records an owner filter names: one member, the caller, or the caller's team. */
export async function ownersNamed(work: CrmWork, ownerId: string | undefined): Promise<string[] | undefined> {
  if (ownerId === undefined) return undefined;
  if (ownerId === 'me') return [work.memberId];
  if (ownerId !== 'team') return [ownerId];
  const team = await work.tx
    .selectFrom('members as me')
    .innerJoin('members as mate', (join) => join.onRef('mate.tenant_id', '=', 'me.tenant_id').onRef('mate.team', '=', 'me.team'))
    .select('mate.id')
    .where('me.tenant_id', '=', work.tenantId)
    .where('me.id', '=', work.memberId)
    .execute();
  return [...new Set([work.memberId, ...team.map((row) => row.id)])];
}

function customCondition(table: RecordTable, definitions: CustomFieldDefinition[], filter: string): Expression<SqlBool> {
  const at = filter.indexOf(':');
  const key = at > 0 ? filter.slice(0, at) : '';
  const value = filter.slice(at + 1);
  const definition = definitions.find((field) => field.key === key);
  if (!definition) {
    throw badRequest(`custom: "${key || filter}" is not a custom field of this list; write key:value.`, {
      field: 'custom',
      allowed: definitions.filter((field) => !field.personal).map((field) => field.key),
    });
  }
  if (definition.personal) {
    throw badRequest(`custom: ${key} is personal data, stored encrypted; lists cannot be filtered on it.`, { field: 'custom' });
  }
  const column = sql`${sql.ref(`${table}.custom`)}`;
  switch (definition.type) {
    case 'multi_select':
      return sql<SqlBool>`${column} -> ${key} @> ${JSON.stringify([value])}::jsonb`;
    case 'number': {
      const number = Number(value);
      if (value.trim() === '' || !Number.isFinite(number)) {
        throw badRequest(`custom: ${key} is a number; "${value}" is not.`, { field: 'custom' });
      }
      return sql<SqlBool>`${column} -> ${key} = to_jsonb(${number}::numeric)`;
    }
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw badRequest(`custom: ${key} is true or false.`, { field: 'custom' });
      return sql<SqlBool>`${column} -> ${key} = ${value}::jsonb`;
    default:
      return sql<SqlBool>`${column} ->> ${key} = ${value}`;
  }
}

function activitySince(table: RecordTable, type: CrmRecordType, since: Date): Expression<SqlBool> {
  const record = sql.ref(`${table}.id`);
  const tenant = sql.ref(`${table}.tenant_id`);
  return sql<SqlBool>`(exists (select 1 from notes n where n.tenant_id = ${tenant} and n.record_type = ${type}::crm_record_type
      and n.record_id = ${record} and n.occurred_at >= ${since})
    or exists (select 1 from tasks t where t.tenant_id = ${tenant} and t.record_type = ${type}::crm_record_type
      and t.record_id = ${record} and t.done_at >= ${since}))`;
}

function consentCondition(table: RecordTable, purposeId: string, state: CommonFilters['consentState']): Expression<SqlBool> {
  const inState = (condition: ReturnType<typeof sql>) => sql`exists (select 1 from consent_states cs
    where cs.tenant_id = ${sql.ref(`${table}.tenant_id`)} and cs.person_id = ${sql.ref(`${table}.id`)}
      and cs.purpose_id = ${purposeId} and ${condition})`;
  return state === 'none' ? sql<SqlBool>`not ${inState(sql`true`)}` : sql<SqlBool>`${inState(sql`cs.state = ${state ?? 'granted'}`)}`;
}

/**
 * The conditions of the common filters on one record table, to add to its list query. Custom
 * fields are checked against the workspace's definitions, so a typo answers a 400 naming the
 * fields there are, not an empty list.
 */
export async function commonConditions(
  work: CrmWork,
  table: RecordTable,
  type: CrmRecordType,
  filters: CommonFilters,
): Promise<Array<Expression<SqlBool>>> {
  const conditions: Array<Expression<SqlBool>> = [];
  const column = (name: string) => sql.ref(`${table}.${name}`);
  if (filters.ids) conditions.push(sql<SqlBool>`${column('id')} = any(${filters.ids}::uuid[])`);
  const owners = await ownersNamed(work, filters.ownerId);
  if (owners) conditions.push(sql<SqlBool>`${column('owner_id')} = any(${owners}::uuid[])`);
  if (filters.createdAfter) conditions.push(sql<SqlBool>`${column('created_at')} >= ${new Date(filters.createdAfter)}`);
  if (filters.createdBefore) conditions.push(sql<SqlBool>`${column('created_at')} < ${new Date(filters.createdBefore)}`);
  if (filters.updatedAfter) conditions.push(sql<SqlBool>`${column('updated_at')} >= ${new Date(filters.updatedAfter)}`);
  if (filters.updatedBefore) conditions.push(sql<SqlBool>`${column('updated_at')} < ${new Date(filters.updatedBefore)}`);
  if (filters.inactiveDays) {
    const since = new Date(Date.now() - filters.inactiveDays * 86_400_000);
    conditions.push(sql<SqlBool>`${column('created_at')} < ${since} and not ${activitySince(table, type, since)}`);
  }
  if (filters.custom?.length) {
    const definitions = await definitionsOf(work.tx, work.tenantId, type);
    for (const filter of filters.custom) conditions.push(customCondition(table, definitions, filter));
  }
  if (filters.consentState && !filters.consentPurpose) {
    throw badRequest('consentState needs consentPurpose: the purpose whose consent is filtered on.', { field: 'consentPurpose' });
  }
  if (filters.consentPurpose) conditions.push(consentCondition(table, filters.consentPurpose, filters.consentState));
  return conditions;
}
