import { sql, type Expression, type SqlBool } from 'kysely';

/**
 * Lookups of contacts and leads by blind index go through person_terms (migration 0019): its
 * text equality can use an index under row-level security, the array operators on
 * email_index / name_index cannot.
 */
export type PersonTable = 'contacts' | 'leads';
const TYPE: Record<PersonTable, 'contact' | 'lead'> = { contacts: 'contact', leads: 'lead' };

export const emailTerm = (index: string) => `email:${index}`;
export const nameTerm = (index: string) => `name:${index}`;

/**
 * The people of one type carrying each of the terms: a lookup of the primary key per term. It is
 * written as a LATERAL join (OFFSET 0 keeps the planner from flattening it into a plain join)
 * because that plan does not depend on statistics: with `term = ANY`
 * over the whole table, statistics taken while the table was small (or a new workspace that
 * they do not know yet) made the planner read every term of the workspace instead (migration
 * 0024), and an import slowed down as it grew.
 */
function termOwners(table: PersonTable, tenantId: string, terms: string[]) {
  return sql`select p.person_id from unnest(${terms}::text[]) as wanted(term)
    cross join lateral (select person_id from person_terms where tenant_id = ${tenantId} and term = wanted.term and person_type = ${TYPE[table]} offset 0) as p`;
}

/** Rows of table (under its own name) carrying any of the terms. */
export function hasAnyTerm(table: PersonTable, tenantId: string, terms: string[]): Expression<SqlBool> {
  if (terms.length === 0) return sql<SqlBool>`false`;
  // = any(array(…)) runs the lookup once (an InitPlan): with `in (…)` the planner may run it again
  // for every row of a workspace its statistics do not know yet, minutes for one import batch.
  return sql<SqlBool>`${sql.ref(`${table}.id`)} = any(array(${termOwners(table, tenantId, terms)}))`;
}
