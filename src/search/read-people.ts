import { sql } from 'kysely';
import type { KeyService } from '../crypto/keys.ts';
import type { Tx } from '../db/tenant.ts';
import type { PersonRecord, PersonType } from './people-index.ts';

/** How many people one query reads while the directory is built. */
export const READ_CHUNK = 2_000;

type Decrypt = KeyService['decryptFields'];

interface SealedPerson {
  id: string;
  first_name_enc: string | null;
  last_name_enc: string | null;
  emails: string | null;
  company: string | null;
  account_id: string | null;
  owner_id: string | null;
}

function contactsQuery(tx: Tx, tenantId: string) {
  return tx
    .selectFrom('contacts as c')
    .leftJoin('accounts as a', (join) => join.onRef('a.tenant_id', '=', 'c.tenant_id').onRef('a.id', '=', 'c.account_id'))
    .select(['c.id', 'c.first_name_enc', 'c.last_name_enc', 'c.emails_enc as emails', 'a.name as company', 'c.account_id', 'c.owner_id'])
    .where('c.tenant_id', '=', tenantId);
}

function leadsQuery(tx: Tx, tenantId: string) {
  return tx
    .selectFrom('leads as l')
    .select([
      'l.id',
      'l.first_name_enc',
      'l.last_name_enc',
      'l.email_enc as emails',
      'l.company_name as company',
      sql<string | null>`null::uuid`.as('account_id'),
      'l.owner_id',
    ])
    .where('l.tenant_id', '=', tenantId);
}

const TABLE = { contact: 'contacts', lead: 'leads' } as const;

/**
 * Decrypts the searchable fields of a batch of people with one key query, caching no key. A
 * person whose key is destroyed (erased, kept only under a legal hold) is left out.
 */
async function openPeople(decrypt: Decrypt, tx: Tx, tenantId: string, type: PersonType, rows: SealedPerson[]): Promise<PersonRecord[]> {
  const table = TABLE[type];
  const emailField = type === 'contact' ? 'contacts.emails' : 'leads.email';
  const clear = await decrypt(
    tx,
    tenantId,
    rows.flatMap((row) => [
      { field: `${table}.first_name`, ciphertext: row.first_name_enc },
      { field: `${table}.last_name`, ciphertext: row.last_name_enc },
      { field: emailField, ciphertext: row.emails },
    ]),
    { cache: false },
  );
  return rows.flatMap((row, i) => {
    const [firstName, lastName, emails] = clear.slice(i * 3, i * 3 + 3).map((text) => (text === null ? null : JSON.parse(text)));
    const sealed = [row.first_name_enc, row.last_name_enc, row.emails].filter((value) => value !== null).length;
    const opened = [firstName, lastName, emails].filter((value) => value !== null).length;
    if (opened < sealed) return [];
    return [
      {
        id: row.id,
        type,
        firstName: (firstName as string | null) ?? null,
        lastName: (lastName as string | null) ?? null,
        emails: emails === null ? [] : Array.isArray(emails) ? (emails as string[]) : [emails as string],
        company: row.company,
        accountId: row.account_id,
        ownerId: row.owner_id,
      },
    ];
  });
}

type Selection = { after: string | null } | { ids: string[] };

/** Either a chunk in id order after an id, or the people with these ids. */
function sealedPeople(tx: Tx, tenantId: string, type: PersonType, selection: Selection): Promise<SealedPerson[]> {
  if (type === 'contact') {
    const q = contactsQuery(tx, tenantId);
    if ('ids' in selection) return q.where('c.id', 'in', selection.ids).execute();
    return (selection.after ? q.where('c.id', '>', selection.after) : q).orderBy('c.id').limit(READ_CHUNK).execute();
  }
  const q = leadsQuery(tx, tenantId);
  if ('ids' in selection) return q.where('l.id', 'in', selection.ids).execute();
  return (selection.after ? q.where('l.id', '>', selection.after) : q).orderBy('l.id').limit(READ_CHUNK).execute();
}

/** A workspace's people of one type in id order, a chunk after the id given. */
export async function readPeopleAfter(
  decrypt: Decrypt,
  tx: Tx,
  tenantId: string,
  type: PersonType,
  afterId: string | null,
): Promise<{ people: PersonRecord[]; lastId: string | null }> {
  const rows = await sealedPeople(tx, tenantId, type, { after: afterId });
  return {
    people: await openPeople(decrypt, tx, tenantId, type, rows),
    lastId: rows.length === READ_CHUNK ? rows[rows.length - 1]!.id : null,
  };
}

/** These people as they are now; those missing or unreadable are absent from the answer. */
export async function readPeople(decrypt: Decrypt, tx: Tx, tenantId: string, type: PersonType, ids: string[]): Promise<PersonRecord[]> {
  return openPeople(decrypt, tx, tenantId, type, await sealedPeople(tx, tenantId, type, { ids }));
}

/** The contacts of these accounts (whose name, their company, changed). */
export async function contactIdsOfAccounts(tx: Tx, tenantId: string, accountIds: string[]): Promise<string[]> {
  const rows = await tx
    .selectFrom('contacts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('account_id', 'in', accountIds)
    .execute();
  return rows.map((row) => row.id);
}
