import type { AppContext } from '../app-context.ts';
import { Sealer } from '../crypto/sealer.ts';
import { recordVisible, type Scope } from './visibility.ts';
import type { Tx } from '../db/tenant.ts';
import type { PersonType } from '../db/types-consent.ts';
import { notFound } from '../http/errors.ts';

/** A person record: a contact or a lead. */
export interface PersonRef {
  type: PersonType;
  id: string;
}

/** What consent, campaign and form code needs of a person: who they are and where to write. */
export interface PersonDetails extends PersonRef {
  firstName: string | null;
  lastName: string | null;
  emails: string[];
  ownerId: string;
}

export const TABLE_OF_PERSON = { contact: 'contacts', lead: 'leads' } as const;

/** Decrypts the names and addresses of people; erased people (key destroyed) come back empty. */
export async function loadPeople(app: AppContext, tx: Tx, tenantId: string, refs: PersonRef[]): Promise<Map<string, PersonDetails>> {
  const sealer = new Sealer(app, tx, tenantId);
  await sealer.preload(refs.map((ref) => ref.id));
  const out = new Map<string, PersonDetails>();
  const contactIds = refs.filter((ref) => ref.type === 'contact').map((ref) => ref.id);
  const leadIds = refs.filter((ref) => ref.type === 'lead').map((ref) => ref.id);
  for (let i = 0; i < contactIds.length; i += 1000) {
    const rows = await tx
      .selectFrom('contacts')
      .select(['id', 'first_name_enc', 'last_name_enc', 'emails_enc', 'owner_id'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', contactIds.slice(i, i + 1000))
      .execute();
    for (const row of rows) {
      out.set(row.id, {
        type: 'contact',
        id: row.id,
        firstName: await sealer.open<string>('contacts.first_name', row.first_name_enc),
        lastName: await sealer.open<string>('contacts.last_name', row.last_name_enc),
        emails: (await sealer.open<string[]>('contacts.emails', row.emails_enc)) ?? [],
        ownerId: row.owner_id,
      });
    }
  }
  for (let i = 0; i < leadIds.length; i += 1000) {
    const rows = await tx
      .selectFrom('leads')
      .select(['id', 'first_name_enc', 'last_name_enc', 'email_enc', 'owner_id'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', leadIds.slice(i, i + 1000))
      .execute();
    for (const row of rows) {
      const email = await sealer.open<string>('leads.email', row.email_enc);
      out.set(row.id, {
        type: 'lead',
        id: row.id,
        firstName: await sealer.open<string>('leads.first_name', row.first_name_enc),
        lastName: await sealer.open<string>('leads.last_name', row.last_name_enc),
        emails: email ? [email] : [],
        ownerId: row.owner_id,
      });
    }
  }
  return out;
}

/** A contact or lead the member can see, or 404. */
export async function assertPersonVisible(tx: Tx, tenantId: string, scope: Scope, type: PersonType, id: string): Promise<void> {
  const table = TABLE_OF_PERSON[type];
  const row = await tx
    .selectFrom(table)
    .select(`${table}.id` as 'id')
    .where(`${table}.tenant_id` as 'tenant_id', '=', tenantId)
    .where(`${table}.id` as 'id', '=', id)
    .where(recordVisible(scope, table, type))
    .executeTakeFirst();
  if (!row) throw notFound(type === 'contact' ? 'Contact' : 'Lead');
}
