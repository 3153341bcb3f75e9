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

/** Rows of table (under its own name) carrying any of the terms. */
export function hasAnyTerm(table: PersonTable, tenantId: string, terms: string[]): Expression<SqlBool> {
  if (terms.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`${sql.ref(`${table}.id`)} in (
    select person_id from person_terms where tenant_id = ${tenantId} and person_type = ${TYPE[table]} and term = any(${terms}::text[]))`;
}

/** Rows of table carrying every one of the terms (all tokens of a name search). */
export function hasAllTerms(table: PersonTable, tenantId: string, terms: string[]): Expression<SqlBool> {
  const distinct = [...new Set(terms)];
  if (distinct.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`${sql.ref(`${table}.id`)} in (
    select person_id from person_terms where tenant_id = ${tenantId} and person_type = ${TYPE[table]} and term = any(${distinct}::text[])
    group by person_id having count(*) = ${distinct.length})`;
}
