import crypto from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import { commonConditions, ownersNamed, type ListFilters } from './list-filters.ts';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import type { ContactsTable, ProvenanceSource } from '../db/types.ts';
import { conflict, notFound, unprocessable } from '../http/errors.ts';
import { deleteRecord } from './activities.ts';
import {
  adoptJoinedKeys,
  crmWork,
  openPage,
  definedOnly,
  type JoinedKeyRow,
  provenanceColumns,
  recordListRead,
  type CrmWork,
} from './context.ts';
import { databaseSort, directoryFor, directoryList, directoryOrder, NAME_SORTS } from './people-pages.ts';
import { openJoined } from '../crypto/sealer.ts';
import { sealContact, type ContactPerson } from './contact-sealing.ts';

export { sealContact, type ContactPerson };
import { readAuditIfFound } from '../audit/service.ts';
import { tenantStatements } from '../db/tenant.ts';
import { isoRequired } from '../shared/dates.ts';
import { definitionsOf, splitCustomValues } from './custom-fields.ts';
import { pageBy, resolveSort } from '../http/pagination.ts';
import { assertAssignable } from './members.ts';
import { normaliseEmail } from '../shared/normalise.ts';
import type { contactInput, contactListQuery, contactPatch, contactView } from './schema.ts';
import { recordVisible, scopeKnownFrom } from './visibility.ts';
import { emailTerm, hasAnyTerm } from './terms.ts';
import { lockIdentityKeys } from './addresses.ts';

type ContactView = z.infer<typeof contactView>;
type ContactRow = Selectable<ContactsTable>;

const SORTS = {
  createdAt: { expression: sql`contacts.created_at`, defaultDirection: 'desc' as const },
  updatedAt: { expression: sql`contacts.updated_at`, defaultDirection: 'desc' as const },
};

/** What a list of these can be sorted by (a saved view's sort is checked against it). */
export const CONTACT_SORTS: readonly string[] = [...Object.keys(SORTS), ...NAME_SORTS];

/** The encrypted person fields of a contact row. */
type SealedPerson = Pick<
  ContactRow,
  'first_name_enc' | 'last_name_enc' | 'emails_enc' | 'phones_enc' | 'job_title_enc' | 'custom_personal_enc'
>;

/** Decrypts and parses fields (Sealer.openAll, or openJoined when the key came with the row). */
type FieldOpener = (fields: Array<[field: string, ciphertext: string | null]>) => Promise<unknown[]>;

async function openContactWith(openAll: FieldOpener, row: SealedPerson): Promise<ContactPerson> {
  const [firstName, lastName, emails, phones, jobTitle, customPersonal] = await openAll([
    ['contacts.first_name', row.first_name_enc],
    ['contacts.last_name', row.last_name_enc],
    ['contacts.emails', row.emails_enc],
    ['contacts.phones', row.phones_enc],
    ['contacts.job_title', row.job_title_enc],
    ['contacts.custom_personal', row.custom_personal_enc],
  ]);
  return {
    firstName: firstName as string | null,
    lastName: lastName as string | null,
    emails: (emails as string[] | null) ?? [],
    phones: (phones as string[] | null) ?? [],
    jobTitle: jobTitle as string | null,
    customPersonal: (customPersonal as Record<string, unknown> | null) ?? {},
  };
}

export function openContact(work: Pick<CrmWork, 'sealer'>, row: SealedPerson): Promise<ContactPerson> {
  return openContactWith((fields) => work.sealer.openAll(fields), row);
}

/**
 * The columns a contact's view shows: never the blind-index arrays, which a page would otherwise
 * fetch and parse for nothing.
 */
const VIEW_COLUMNS = [
  'contacts.id',
  'contacts.first_name_enc',
  'contacts.last_name_enc',
  'contacts.emails_enc',
  'contacts.phones_enc',
  'contacts.job_title_enc',
  'contacts.custom_personal_enc',
  'contacts.account_id',
  'contacts.owner_id',
  'contacts.country',
  'contacts.region',
  'contacts.jurisdiction',
  'contacts.custom',
  'contacts.source_type',
  'contacts.source_ref',
  'contacts.collected_at',
  'contacts.collected_by',
  'contacts.obtained_from_person',
  'contacts.reappeared_after_erasure',
  'contacts.created_at',
  'contacts.updated_at',
] as const;
type ViewRow = Pick<ContactRow, (typeof VIEW_COLUMNS)[number] extends `contacts.${infer C extends keyof ContactRow}` ? C : never>;

function viewOf(row: ViewRow, person: ContactPerson): ContactView {
  return {
    id: row.id,
    firstName: person.firstName,
    lastName: person.lastName,
    emails: person.emails,
    phones: person.phones,
    jobTitle: person.jobTitle,
    accountId: row.account_id,
    ownerId: row.owner_id,
    country: row.country,
    region: row.region,
    jurisdiction: row.jurisdiction,
    custom: { ...row.custom, ...person.customPersonal },
    provenance: {
      sourceType: row.source_type,
      sourceRef: row.source_ref,
      collectedAt: isoRequired(row.collected_at),
      collectedBy: row.collected_by,
      fromPerson: row.obtained_from_person,
    },
    reappearedAfterErasure: row.reappeared_after_erasure,
    createdAt: isoRequired(row.created_at),
    updatedAt: isoRequired(row.updated_at),
  };
}

async function toView(work: CrmWork, row: ViewRow): Promise<ContactView> {
  return viewOf(row, await openContact(work, row));
}

function visibleContacts(work: CrmWork) {
  return work.tx
    .selectFrom('contacts')
    .selectAll('contacts')
    .where('contacts.tenant_id', '=', work.tenantId)
    .where(recordVisible(work.scope, 'contacts', 'contact'));
}

export async function findVisibleContact(work: CrmWork, id: string): Promise<ContactRow> {
  const row = await visibleContacts(work).where('contacts.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Contact');
  return row;
}

/** A linked record must exist and be visible to the caller; otherwise the reference is refused. */
async function assertVisibleAccount(work: CrmWork, accountId: string | null | undefined): Promise<void> {
  if (!accountId) return;
  const account = await work.tx
    .selectFrom('accounts')
    .select('id')
    .where('tenant_id', '=', work.tenantId)
    .where('id', '=', accountId)
    .where(recordVisible(work.scope, 'accounts', 'account'))
    .executeTakeFirst();
  if (!account) throw unprocessable('accountId does not name an account you can see.', { field: 'accountId' });
}

/**
 * Other contacts already holding one of these addresses (through the blind index). The addresses
 * stay locked until the transaction ends, so an insert that follows this check is not raced.
 */
export async function contactsWithEmails(work: CrmWork, emails: string[], exceptId?: string) {
  if (emails.length === 0) return [];
  const indexes = await work.sealer.indexAll('email', emails.map(normaliseEmail));
  await lockIdentityKeys(work.tx, work.tenantId, indexes);
  let q = work.tx
    .selectFrom('contacts')
    .select(['id', 'owner_id'])
    .where('tenant_id', '=', work.tenantId)
    .where(hasAnyTerm('contacts', work.tenantId, indexes.map(emailTerm)));
  if (exceptId) q = q.where('id', '!=', exceptId);
  return q.execute();
}

async function assertEmailsFree(work: CrmWork, emails: string[], exceptId?: string): Promise<void> {
  const clash = await contactsWithEmails(work, emails, exceptId);
  if (clash.length > 0) throw conflict('Another contact already has this email address.', { field: 'emails' });
}

export interface ContactCreation {
  person: ContactPerson;
  accountId?: string | null | undefined;
  ownerId?: string | undefined;
  country?: string | null | undefined;
  region?: string | null | undefined;
  jurisdiction?: string | null | undefined;
  custom?: Record<string, unknown> | undefined;
  source: { type: ProvenanceSource; ref?: string | null | undefined; collectedAt?: string | undefined; fromPerson?: boolean | undefined };
}

/** Inserts a contact (the caller audits). Used by the API, lead conversion and CSV import. */
export async function insertContact(work: CrmWork, input: ContactCreation): Promise<ContactRow> {
  const ownerId = input.ownerId ?? work.memberId;
  await assertAssignable(work, ownerId);
  await assertVisibleAccount(work, input.accountId);
  const emails = [...new Set(input.person.emails.map(normaliseEmail))];
  await assertEmailsFree(work, emails);
  const { plain, personal } = splitCustomValues(await definitionsOf(work.tx, work.tenantId, 'contact'), input.custom ?? {}, {
    plain: {},
    personal: input.person.customPersonal,
  });
  const id = crypto.randomUUID();
  const sealed = await sealContact(work, id, { ...input.person, emails, customPersonal: personal });
  return work.tx
    .insertInto('contacts')
    .values({
      tenant_id: work.tenantId,
      id,
      ...sealed,
      account_id: input.accountId ?? null,
      owner_id: ownerId,
      country: input.country ?? null,
      region: input.region ?? null,
      jurisdiction: input.jurisdiction ?? null,
      custom: JSON.stringify(plain),
      ...provenanceColumns(work, input.source),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The contacts the caller may see that pass a list's filters, but for a search by name: that one
 * the directory answers (people-pages.ts), and the ids it finds are confirmed against this query.
 */
export async function matchingContacts(work: CrmWork, query: ListFilters<typeof contactListQuery>) {
  let q = work.tx
    .selectFrom('contacts')
    .select(VIEW_COLUMNS)
    .where('contacts.tenant_id', '=', work.tenantId)
    .where(recordVisible(work.scope, 'contacts', 'contact'));
  if (query.q?.includes('@')) {
    q = q.where(hasAnyTerm('contacts', work.tenantId, [emailTerm(await work.sealer.index('email', normaliseEmail(query.q)))]));
  }
  if (query.email) q = q.where(hasAnyTerm('contacts', work.tenantId, [emailTerm(await work.sealer.index('email', query.email))]));
  if (query.accountId) q = q.where('contacts.account_id', '=', query.accountId);
  if (query.opportunityId) {
    q = q.where(sql<boolean>`exists (select 1 from opportunity_contacts oc where oc.tenant_id = contacts.tenant_id
      and oc.contact_id = contacts.id and oc.opportunity_id = ${query.opportunityId})`);
  }
  if (query.country) q = q.where('contacts.country', '=', query.country);
  if (query.sourceType) q = q.where('contacts.source_type', '=', query.sourceType);
  for (const condition of await commonConditions(work, 'contacts', 'contact', query)) q = q.where(condition);
  return q;
}

export async function listContacts(
  app: AppContext,
  caller: Caller,
  query: z.infer<typeof contactListQuery>,
  options: { audit: boolean } = { audit: true },
) {
  const order = directoryOrder(query);
  const index = await directoryFor(app, caller, order);
  return crmWork(app, caller, async (work) => {
    const q = (await matchingContacts(work, query))
      .leftJoin('subject_keys', (join) =>
        join.onRef('subject_keys.tenant_id', '=', 'contacts.tenant_id').onRef('subject_keys.id', '=', 'contacts.id'),
      )
      .select(['subject_keys.wrapped_key', 'subject_keys.tenant_key_version'])
      // The list's Account column, in the page's own statement (a round trip of its own before):
      // only an account the caller may see is named, as opening it would require.
      .leftJoin('accounts', (join) =>
        join
          .onRef('accounts.tenant_id', '=', 'contacts.tenant_id')
          .onRef('accounts.id', '=', 'contacts.account_id')
          .on(recordVisible(work.scope, 'accounts', 'account')),
      )
      .select('accounts.name as account_name');
    const withKeys = <R extends JoinedKeyRow>(rows: R[]) => adoptJoinedKeys(work, rows);
    const toListItem = async (w: CrmWork, row: ViewRow & { account_name: string | null }) => ({
      ...(await toView(w, row)),
      accountName: row.account_name,
    });
    const owners = await ownersNamed(work, query.ownerId);
    const page =
      order && index
        ? await directoryList(
            work,
            index,
            'contact',
            order,
            { ...query, owners },
            (ids) => q.where('contacts.id', 'in', ids).execute().then(withKeys),
            toListItem,
          )
        : await openPage(
            work,
            withKeys(
              await pageBy(
                q,
                'contacts.id',
                resolveSort(databaseSort(query.sort), SORTS, 'createdAt', NAME_SORTS),
                query.cursor,
                query.limit,
              ).execute(),
            ),
            query.limit,
            (row) => row.id,
            toListItem,
          );
    if (options.audit) {
      await work.auditRead({ action: 'contact.list', objectType: 'contact', fields: query.q ? ['q'] : [] });
      await recordListRead(
        work,
        'contact',
        page.items.map((item) => item.id),
        Boolean(query.q || query.email),
      );
    }
    return page;
  });
}

/**
 * One contact, in one round trip on PostgreSQL: the row with its person's wrapped key, and the
 * audit of the read as an INSERT that finds the same row, go out with BEGIN and COMMIT in one
 * write (tenantStatements). A manager's team is looked up first (crmWork) and costs a second.
 */
export async function getContact(app: AppContext, caller: Caller, id: string): Promise<ContactView> {
  const scope = scopeKnownFrom(caller.auth);
  if (!scope) {
    return crmWork(app, caller, async (work) => {
      const view = await toView(work, await findVisibleContact(work, id));
      await work.auditRead({ action: 'contact.read', objectType: 'contact', objectId: id });
      return view;
    });
  }
  const { tenantId, memberId } = caller.auth;
  const [found] = await tenantStatements(
    app.db,
    tenantId,
    memberId,
    (tx) => {
      const visible = (columns: typeof VIEW_COLUMNS | readonly ['contacts.id']) =>
        tx
          .selectFrom('contacts')
          .select(columns)
          .where('contacts.tenant_id', '=', tenantId)
          .where('contacts.id', '=', id)
          .where(recordVisible(scope, 'contacts', 'contact'));
      const withKey = visible(VIEW_COLUMNS)
        .leftJoin('subject_keys', (join) =>
          join.onRef('subject_keys.tenant_id', '=', 'contacts.tenant_id').onRef('subject_keys.id', '=', 'contacts.id'),
        )
        .select(['subject_keys.wrapped_key', 'subject_keys.tenant_key_version']);
      const audit = { action: 'contact.read', objectType: 'contact', objectId: id };
      return [withKey, readAuditIfFound(tx, tenantId, caller.origin, audit, visible(['contacts.id']))];
    },
    { prepared: true },
  );
  const row = found![0] as (ViewRow & { wrapped_key: Uint8Array | null; tenant_key_version: number | null }) | undefined;
  if (!row) throw notFound('Contact');
  const joined = { subjectId: row.id, wrappedKey: row.wrapped_key, tenantKeyVersion: row.tenant_key_version };
  return viewOf(row, await openContactWith((fields) => openJoined(app, tenantId, joined, fields), row));
}

export function createContact(app: AppContext, caller: Caller, input: z.infer<typeof contactInput>) {
  return crmWork(app, caller, async (work) => {
    const row = await insertContact(work, {
      person: {
        firstName: input.firstName ?? null,
        lastName: input.lastName ?? null,
        emails: input.emails ?? [],
        phones: input.phones ?? [],
        jobTitle: input.jobTitle ?? null,
        customPersonal: {},
      },
      accountId: input.accountId,
      ownerId: input.ownerId,
      country: input.country,
      region: input.region,
      jurisdiction: input.jurisdiction,
      custom: input.custom,
      source: input.source ?? { type: caller.auth.kind === 'api_token' ? 'api' : 'manual' },
    });
    await work.audit({ action: 'contact.create', objectType: 'contact', objectId: row.id, fields: Object.keys(input) });
    return toView(work, row);
  });
}

export function updateContact(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof contactPatch>) {
  return crmWork(app, caller, async (work) => {
    const current = await findVisibleContact(work, id);
    if (patch.ownerId !== undefined && patch.ownerId !== current.owner_id) {
      await assertAssignable(work, patch.ownerId);
    }
    if (patch.accountId !== undefined && patch.accountId !== current.account_id) await assertVisibleAccount(work, patch.accountId);
    const person = await openContact(work, current);
    const emails = patch.emails ? [...new Set(patch.emails.map(normaliseEmail))] : person.emails;
    if (patch.emails) await assertEmailsFree(work, emails, id);
    const custom = splitCustomValues(await definitionsOf(work.tx, work.tenantId, 'contact'), patch.custom ?? {}, {
      plain: current.custom,
      personal: person.customPersonal,
    });
    const sealed = await sealContact(work, id, {
      firstName: patch.firstName !== undefined ? patch.firstName : person.firstName,
      lastName: patch.lastName !== undefined ? patch.lastName : person.lastName,
      emails,
      phones: patch.phones ?? person.phones,
      jobTitle: patch.jobTitle !== undefined ? patch.jobTitle : person.jobTitle,
      customPersonal: custom.personal,
    });
    if (!sealed.first_name_enc && !sealed.last_name_enc && sealed.email_index.length === 0) {
      throw unprocessable('A contact needs a name or an email address.', { field: 'firstName' });
    }
    const row = await work.tx
      .updateTable('contacts')
      .set({
        ...sealed,
        ...definedOnly({
          account_id: patch.accountId,
          owner_id: patch.ownerId,
          country: patch.country,
          region: patch.region,
          jurisdiction: patch.jurisdiction,
        }),
        custom: JSON.stringify(custom.plain),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await work.audit({ action: 'contact.update', objectType: 'contact', objectId: id, fields: Object.keys(patch) });
    return toView(work, row);
  });
}

/**
 * Deleting a contact removes its tasks and notes and destroys its data key, so the copies of
 * its fields in backups become unreadable too.
 */
export function deleteContact(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    await findVisibleContact(work, id);
    await deleteRecord(work, 'contact', id);
  });
}
