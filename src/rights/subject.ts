import { sql, type Expression, type SqlBool } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { Sealer } from '../crypto/sealer.ts';
import { normaliseEmail } from '../shared/normalise.ts';
import type { PersonRef } from '../crm/people.ts';
import { KeyDestroyedError } from '../crypto/keys.ts';
import type { Tx } from '../db/tenant.ts';
import type { PersonalDataColumn, SubjectLink } from '../inventory/inventory.ts';
import { emailTerm, hasAnyTerm } from '../crm/terms.ts';

/** A data subject as the rights code sees them: an address, and the records that carry it. */
export interface Subject {
  email: string;
  emailIndex: string;
  people: PersonRef[];
}

/** The contacts and leads holding an address, by its blind index: everyone it identifies. */
export async function peopleWithEmailIndex(tx: Tx, tenantId: string, emailIndex: string): Promise<PersonRef[]> {
  const contacts = await tx
    .selectFrom('contacts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where(hasAnyTerm('contacts', tenantId, [emailTerm(emailIndex)]))
    .execute();
  const leads = await tx.selectFrom('leads').select('id').where('tenant_id', '=', tenantId).where('email_index', '=', emailIndex).execute();
  return [
    ...contacts.map((row) => ({ type: 'contact' as const, id: row.id })),
    ...leads.map((row) => ({ type: 'lead' as const, id: row.id })),
  ];
}

export async function findSubject(app: AppContext, tx: Tx, tenantId: string, email: string): Promise<Subject> {
  const normalised = normaliseEmail(email);
  const emailIndex = await new Sealer(app, tx, tenantId).index('email', normalised);
  return { email: normalised, emailIndex, people: await peopleWithEmailIndex(tx, tenantId, emailIndex) };
}

const TYPE_OF_TABLE: Record<string, PersonRef['type']> = { contacts: 'contact', leads: 'lead' };

/**
 * The condition selecting a table's rows about the subject, built from the inventory's link.
 * Table and column names come from the inventory (constants), never from a request.
 */
export function rowsOfSubject(table: string, link: SubjectLink, subject: Subject): Expression<SqlBool> {
  const ids = subject.people.map((person) => person.id);
  const none = sql<SqlBool>`false`;
  switch (link.kind) {
    case 'self': {
      const own = subject.people.filter((person) => person.type === TYPE_OF_TABLE[table]).map((person) => person.id);
      return own.length ? sql<SqlBool>`${sql.ref(`${table}.id`)} = any(${own}::uuid[])` : none;
    }
    case 'person_column':
      return ids.length ? sql<SqlBool>`${sql.ref(`${table}.${link.column}`)} = any(${ids}::uuid[])` : none;
    case 'record':
      return ids.length
        ? sql<SqlBool>`${sql.ref(`${table}.${link.typeColumn}`)} in ('contact', 'lead') and ${sql.ref(`${table}.${link.idColumn}`)} = any(${ids}::uuid[])`
        : none;
    case 'email_index':
      return sql<SqlBool>`${sql.ref(`${table}.${link.column}`)} = ${subject.emailIndex}`;
    case 'via':
      return sql<SqlBool>`${sql.ref(`${table}.${link.column}`)} in (select id from ${sql.table(link.table)} where ${rowsOfSubject(link.table, link.link, subject)})`;
  }
}

/** The field name an encrypted column's values are bound to (its AAD): table.column without _enc. */
export function fieldOf(column: Pick<PersonalDataColumn, 'table' | 'column'>): string {
  return `${column.table}.${column.column.replace(/_enc$/, '')}`;
}

/** Decrypts a value; null when its key was destroyed. JSON values (CRM fields) are parsed. */
export async function openValue(app: AppContext, tx: Tx, tenantId: string, field: string, ciphertext: string | null): Promise<unknown> {
  if (ciphertext === null) return null;
  let plain: string;
  try {
    plain = await app.keys.decryptField(tx, tenantId, field, ciphertext);
  } catch (error) {
    if (error instanceof KeyDestroyedError) return null;
    throw error;
  }
  try {
    return JSON.parse(plain);
  } catch {
    return plain;
  }
}
