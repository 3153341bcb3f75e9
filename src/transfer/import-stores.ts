import crypto from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { sql } from 'kysely';
import { unnestInsert } from '../db/bulk.ts';
import { sealContact } from '../crm/contacts.ts';
import { provenanceColumns, type CrmWork } from '../crm/context.ts';
import { type NewPeopleSealer } from '../crypto/sealer.ts';
import { sealPeople, type SealedPerson } from './seal-people.ts';
import type { SealingPool } from './sealing-pool.ts';
import { sealLead } from '../crm/leads.ts';
import { nameTokens, normaliseEmail } from '../shared/normalise.ts';
import { emailTerm, hasAnyTerm, nameTerm } from '../crm/terms.ts';
import { lockIdentityKeys } from '../crm/addresses.ts';
import type { ImportedValues, ImportObject, RowValues } from './import-fields.ts';
import type { OnDuplicate } from '../db/types.ts';
import { accountKeyOf, findAccounts, resolveAccounts } from './import-accounts.ts';
import {
  skippedOutcomes,
  updateAccounts,
  updateContacts,
  updateLeads,
  updateOpportunities,
  type Match,
  type MatchOutcome,
  type UpdateResult,
} from './import-updates.ts';

/**
 * Storing one validated batch of an import, per object. Each store matches its rows against the
 * database and, in a dry run (nothing committed between batches), against seenInDryRun; the rows
 * that match a record are skipped or written into it (onDuplicate, import-updates.ts).
 */
export interface ValidRow<Values = RowValues> {
  line: number;
  data: Values;
  /** The row as read, for a report of the rows a failed batch lost. */
  cells?: string[];
  contact?: PreparedContact;
}
export interface StoreContext {
  fileName: string;
  onDuplicate: OnDuplicate;
  /** A record's keys (address blind index, domain, …) to its id, for the rows a dry run created. */
  seenInDryRun: Map<string, string> | null;
  /** The keys of the people prepareContacts sealed. */
  newPeople?: NewPeopleSealer;
}
export interface StoreCounts {
  created: number;
  duplicates: number;
  updated: number;
  accountsCreated: number;
  /** What became of each row that matched a record. */
  matched: MatchOutcome[];
}

/** The rows that matched a record: skipped, or written into it. */
async function settleMatches<Values>(
  context: StoreContext,
  matches: Match<Values>[],
  update: (mode: Exclude<OnDuplicate, 'skip'>) => Promise<UpdateResult>,
) {
  if (context.onDuplicate === 'skip' || matches.length === 0)
    return { duplicates: matches.length, updated: 0, accountsCreated: 0, matched: skippedOutcomes(matches) };
  const result = await update(context.onDuplicate);
  return { duplicates: matches.length, updated: result.updated, accountsCreated: result.accountsCreated, matched: result.outcomes };
}

export type SealedContactRow = Awaited<ReturnType<typeof sealContact>> & {
  id: string;
  account_id: string | null;
  country: string | null;
  region: string | null;
  source_ref: string;
};

/** Where an imported record came from: the file, and its id in the tool that exported it (HubSpot's Record ID, …). */
const importRef = (fileName: string, externalId: string | undefined) => (externalId ? `${fileName}#${externalId}` : fileName);

/**
 * A batch of new contacts as one statement: the per-person columns as arrays, the rest once.
 * The import benchmark's sealed bare insert sends it too.
 */
export function insertContactRows(
  work: Pick<CrmWork, 'tenantId' | 'memberId'>,
  rows: SealedContactRow[],
  collectedAt: Date,
  fileName: string,
) {
  const provenance = provenanceColumns(work, { type: 'import', ref: fileName, collectedAt });
  return unnestInsert<SealedContactRow>(
    'contacts',
    [
      { name: 'tenant_id', type: 'uuid', constant: work.tenantId },
      { name: 'id', type: 'uuid', of: (row) => row.id },
      { name: 'first_name_enc', type: 'text', of: (row) => row.first_name_enc },
      { name: 'last_name_enc', type: 'text', of: (row) => row.last_name_enc },
      { name: 'emails_enc', type: 'text', of: (row) => row.emails_enc },
      { name: 'phones_enc', type: 'text', of: (row) => row.phones_enc },
      { name: 'job_title_enc', type: 'text', of: (row) => row.job_title_enc },
      { name: 'custom_personal_enc', type: 'text', of: (row) => row.custom_personal_enc },
      { name: 'email_index', type: 'text[]', of: (row) => row.email_index },
      { name: 'phone_index', type: 'text[]', of: (row) => row.phone_index },
      { name: 'name_index', type: 'text[]', of: (row) => row.name_index },
      { name: 'account_id', type: 'uuid', of: (row) => row.account_id },
      { name: 'owner_id', type: 'uuid', constant: work.memberId },
      { name: 'country', type: 'text', of: (row) => row.country },
      { name: 'region', type: 'text', of: (row) => row.region },
      { name: 'source_type', type: 'provenance_source', constant: provenance.source_type },
      { name: 'source_ref', type: 'text', of: (row) => row.source_ref },
      { name: 'collected_at', type: 'timestamptz', constant: provenance.collected_at },
      { name: 'collected_by', type: 'uuid', constant: provenance.collected_by },
    ],
    rows,
  );
}

/** What a contact row is recognised by: its addresses' blind indexes, or else its name (at its company, within a file). */
interface ContactKeys {
  emailIndex: string[];
  /** Blind indexes of the name tokens, for a row without an address. */
  nameIndex: string[];
  /** Within a file, rows without an address are the same person by name and company. */
  nameKey: string | null;
}

/** A contact row made ready outside the batch's transaction: its keys, its id and its sealed fields. */
export interface PreparedContact {
  keys: ContactKeys;
  id: string;
  sealed: Awaited<ReturnType<typeof sealContact>>;
}

const PREPARE_SLICE = 25;

/**
 * Validated contact rows, encrypted under new keys: in the sealing workers when there are some
 * (the main thread meanwhile answers the database for the batch before), else here in slices.
 */
export async function prepareContacts(
  sealer: NewPeopleSealer,
  rows: ValidRow<ImportedValues['contacts']>[],
  pool: SealingPool | null,
): Promise<void> {
  const people = rows.map(({ data }) => ({
    firstName: data.firstName ?? null,
    lastName: data.lastName ?? null,
    emails: [...new Set<string>((data.email ?? []).map(normaliseEmail))],
    phones: [...new Set<string>(data.phone ?? [])],
    jobTitle: data.jobTitle ?? null,
    customPersonal: {},
  }));
  let sealed: SealedPerson[];
  if (pool) sealed = await pool.sealAll(sealer.workspace, people);
  else {
    sealed = [];
    for (let at = 0; at < people.length; at += PREPARE_SLICE) {
      // Let the previous batch's answers in, so that its next statement goes out at once.
      await setImmediate();
      sealed.push(...(await sealPeople({ keys: sealer.workspace, people: people.slice(at, at + PREPARE_SLICE) })));
    }
  }
  rows.forEach((row, i) => {
    const { id, key, wrappedKey, sealed: fields } = sealed[i]!;
    sealer.adopt({ id, key: key as Buffer, wrappedKey: wrappedKey as Buffer });
    const data = row.data;
    // The record's own blind indexes are what it is recognised by.
    const noEmail = fields.email_index.length === 0;
    const nameKey = noEmail
      ? `name:${nameTokens(data.firstName, data.lastName).join(' ')}@${data.accountDomain ?? data.accountName?.toLowerCase() ?? ''}`
      : null;
    row.contact = { keys: { emailIndex: fields.email_index, nameIndex: noEmail ? fields.name_index : [], nameKey }, id, sealed: fields };
  });
}

async function storeContacts(work: CrmWork, rows: ValidRow<ImportedValues['contacts']>[], context: StoreContext): Promise<StoreCounts> {
  const { fileName, seenInDryRun, newPeople } = context;
  if (!newPeople) throw new Error('contacts are imported through prepareContacts');
  const prepared = rows.map((row) => {
    if (!row.contact) throw new Error('contacts are imported through prepareContacts');
    return { line: row.line, data: row.data, ...row.contact };
  });
  // Match: by any address (blind index) against the database and within the file; rows without
  // an address by the same name at the same company.
  const allIndexes = [...new Set(prepared.flatMap((row) => row.keys.emailIndex))];
  // Committed batches are found in the database; a dry run commits nothing, so it keeps one map for the whole file.
  const known = seenInDryRun ?? new Map<string, string>();
  // Another import (or a creation) of the same people waits here until this batch commits. Rows
  // without an address lock their name's blind indexes: never a name itself, which a server log
  // of the statement would show.
  await lockIdentityKeys(work.tx, work.tenantId, [
    ...allIndexes,
    ...prepared.flatMap((row) => (row.keys.nameKey ? row.keys.nameIndex : [])),
  ]);
  if (allIndexes.length > 0) {
    const existing = await work.tx
      .selectFrom('contacts')
      .select(['id', 'email_index'])
      .where('tenant_id', '=', work.tenantId)
      .where(hasAnyTerm('contacts', work.tenantId, allIndexes.map(emailTerm)))
      .execute();
    for (const row of existing) for (const index of row.email_index) known.set(index, row.id);
  }
  const sortedNames = (index: string[]) => [...index].sort().join(',');
  const noEmail = prepared.filter((row) => row.keys.nameKey);
  const namedInDatabase = new Map<string, string>();
  if (noEmail.length > 0) {
    const candidates = await work.tx
      .selectFrom('contacts')
      .select(['id', 'name_index'])
      .where('tenant_id', '=', work.tenantId)
      .where('email_index', '=', sql<string[]>`'{}'::text[]`)
      .where(hasAnyTerm('contacts', work.tenantId, [...new Set(noEmail.flatMap((row) => row.keys.nameIndex))].map(nameTerm)))
      .execute();
    for (const candidate of candidates) namedInDatabase.set(sortedNames(candidate.name_index), candidate.id);
  }
  const fresh: typeof prepared = [];
  const matches: Match<(typeof rows)[number]['data']>[] = [];
  for (const row of prepared) {
    const { emailIndex, nameKey, nameIndex } = row.keys;
    const matched =
      emailIndex.map((index) => known.get(index)).find(Boolean) ??
      (nameKey ? (known.get(nameKey) ?? namedInDatabase.get(sortedNames(nameIndex))) : undefined);
    if (matched) {
      matches.push({ line: row.line, data: row.data, recordId: matched });
      continue;
    }
    for (const index of emailIndex) known.set(index, row.id);
    if (nameKey) known.set(nameKey, row.id);
    fresh.push(row);
  }
  const kept = new Set(fresh.map((row) => row.id));
  newPeople.drop(prepared.filter((row) => !kept.has(row.id)).map((row) => row.id));

  const accounts = await resolveAccounts(work, fresh, seenInDryRun);
  if (fresh.length > 0) {
    await work.app.keys.storeSubjectKeys(work.tx, work.tenantId, newPeople.version, newPeople.take(fresh.map((row) => row.id)));
    const values = fresh.map(({ data, id, sealed }) => {
      const accountKey = accountKeyOf(data);
      return {
        id,
        ...sealed,
        account_id: accountKey ? (accounts.byKey.get(accountKey) ?? null) : null,
        country: data.country ?? null,
        region: data.region ?? null,
        source_ref: importRef(fileName, data.externalId),
      };
    });
    await insertContactRows(work, values, new Date(), fileName).execute(work.tx);
  }
  // Each address of the batch and the contact that has it: an update never gives one contact another's address.
  const ownerOfAddress = new Map<string, string>();
  for (const row of prepared) {
    const emails = [...new Set<string>((row.data.email ?? []).map(normaliseEmail))];
    emails.forEach((email, i) => {
      const owner = known.get(row.keys.emailIndex[i]!);
      if (owner) ownerOfAddress.set(email, owner);
    });
  }
  const settled = await settleMatches(context, matches, (mode) => updateContacts(work, matches, mode, ownerOfAddress, seenInDryRun));
  return { ...settled, created: fresh.length, accountsCreated: accounts.created + settled.accountsCreated };
}

/** Accounts are the same by domain, else by name (case-insensitive). */
async function storeAccounts(work: CrmWork, rows: ValidRow<ImportedValues['accounts']>[], context: StoreContext): Promise<StoreCounts> {
  const known = context.seenInDryRun ?? new Map<string, string>();
  const domains = rows.map((row) => row.data.domain).filter((domain): domain is string => Boolean(domain));
  const names = rows.filter((row) => !row.data.domain).map((row) => row.data.name.toLowerCase());
  await findAccounts(work, domains, names, known);
  const matches: Match<(typeof rows)[number]['data']>[] = [];
  const fresh = [];
  for (const { line, data } of rows) {
    const key = data.domain ? `d:${data.domain}` : `n:${data.name.toLowerCase()}`;
    const matched = known.get(key);
    if (matched) {
      matches.push({ line, data, recordId: matched });
      continue;
    }
    const id = crypto.randomUUID();
    known.set(key, id);
    fresh.push({ id, data });
  }
  if (fresh.length > 0) {
    await work.tx
      .insertInto('accounts')
      .values(
        fresh.map(({ id, data }) => ({
          tenant_id: work.tenantId,
          id,
          name: data.name,
          domain: data.domain ?? null,
          industry: data.industry ?? null,
          size: data.size ?? null,
          country: data.country ?? null,
          owner_id: work.memberId,
          created_by: work.memberId,
        })),
      )
      .execute();
  }
  const settled = await settleMatches(context, matches, (mode) => updateAccounts(work, matches, mode, known));
  return { ...settled, created: fresh.length };
}

/** Leads are the same by address (blind index), else by name at the same company. */
async function storeLeads(work: CrmWork, rows: ValidRow<ImportedValues['leads']>[], context: StoreContext): Promise<StoreCounts> {
  const known = context.seenInDryRun ?? new Map<string, string>();
  const emailIndexes = await Promise.all(
    rows.map((row) => (row.data.email ? work.sealer.index('email', normaliseEmail(row.data.email)) : null)),
  );
  const nameKeys = await Promise.all(
    rows.map(
      async (row) =>
        `lead:${(await work.sealer.indexAll('name', nameTokens(row.data.firstName, row.data.lastName))).sort().join(',')}@${row.data.companyName?.toLowerCase() ?? ''}`,
    ),
  );
  const indexes = emailIndexes.filter((index): index is string => index !== null);
  if (indexes.length > 0) {
    const existing = await work.tx
      .selectFrom('leads')
      .select(['id', 'email_index'])
      .where('tenant_id', '=', work.tenantId)
      .where('email_index', 'in', indexes)
      .execute();
    for (const row of existing) known.set(`lead-email:${row.email_index}`, row.id);
  }
  const companies = [...new Set(rows.filter((_, i) => !emailIndexes[i]).map((row) => row.data.companyName?.toLowerCase() ?? ''))];
  if (companies.length > 0) {
    const existing = await work.tx
      .selectFrom('leads')
      .select(['id', 'name_index', sql<string>`coalesce(lower(company_name), '')`.as('company')])
      .where('tenant_id', '=', work.tenantId)
      .where('email_index', 'is', null)
      .where(sql`coalesce(lower(company_name), '')`, 'in', companies)
      .execute();
    for (const row of existing) known.set(`lead:${[...row.name_index].sort().join(',')}@${row.company}`, row.id);
  }
  const matches: Match<(typeof rows)[number]['data']>[] = [];
  const fresh: Array<ValidRow<ImportedValues['leads']> & { id: string }> = [];
  for (const [i, row] of rows.entries()) {
    const key = emailIndexes[i] ? `lead-email:${emailIndexes[i]}` : nameKeys[i]!;
    const matched = known.get(key);
    if (matched) {
      matches.push({ line: row.line, data: row.data, recordId: matched });
      continue;
    }
    const id = crypto.randomUUID();
    known.set(key, id);
    fresh.push({ ...row, id });
  }
  if (fresh.length > 0) {
    await work.app.keys.createSubjectKeys(
      work.tx,
      work.tenantId,
      fresh.map((row) => row.id),
    );
    const now = new Date();
    const values = [];
    for (const { id, data } of fresh) {
      const sealed = await sealLead(work, id, {
        firstName: data.firstName ?? null,
        lastName: data.lastName ?? null,
        email: data.email ?? null,
        phone: data.phone ?? null,
        jobTitle: data.jobTitle ?? null,
        customPersonal: {},
      });
      values.push({
        tenant_id: work.tenantId,
        id,
        ...sealed,
        company_name: data.companyName ?? null,
        company_domain: data.companyDomain ?? null,
        status: data.status ?? 'new',
        source: data.source ?? null,
        owner_id: work.memberId,
        country: data.country ?? null,
        region: data.region ?? null,
        ...provenanceColumns(work, { type: 'import', ref: importRef(context.fileName, data.externalId), collectedAt: now }),
      });
    }
    await work.tx.insertInto('leads').values(values).execute();
  }
  const settled = await settleMatches(context, matches, (mode) => updateLeads(work, matches, mode));
  return { ...settled, created: fresh.length };
}

/** Opportunities are the same deal when name (case-insensitive) and account match. */
async function storeOpportunities(
  work: CrmWork,
  rows: ValidRow<ImportedValues['opportunities']>[],
  context: StoreContext,
): Promise<StoreCounts> {
  const accounts = await resolveAccounts(work, rows, context.seenInDryRun);
  const accountOf = (data: ImportedValues['opportunities']) => {
    const key = accountKeyOf(data);
    return key ? (accounts.byKey.get(key) ?? null) : null;
  };
  const known = context.seenInDryRun ?? new Map<string, string>();
  const names = [...new Set(rows.map((row) => row.data.name.toLowerCase()))];
  const existing = await work.tx
    .selectFrom('opportunities')
    .select(['id', sql<string>`lower(name)`.as('name'), 'account_id'])
    .where('tenant_id', '=', work.tenantId)
    .where(sql`lower(name)`, 'in', names)
    .execute();
  for (const row of existing) known.set(`deal:${row.name}@${row.account_id ?? ''}`, row.id);
  const matches: Match<(typeof rows)[number]['data']>[] = [];
  const values = [];
  for (const { line, data } of rows) {
    const accountId = accountOf(data);
    const key = `deal:${data.name.toLowerCase()}@${accountId ?? ''}`;
    const matched = known.get(key);
    if (matched) {
      matches.push({ line, data, recordId: matched });
      continue;
    }
    const id = crypto.randomUUID();
    known.set(key, id);
    const stage = data.stage ?? 'prospecting';
    values.push({
      tenant_id: work.tenantId,
      id,
      name: data.name,
      account_id: accountId,
      stage,
      amount: data.amount ?? '0',
      currency: data.currency ?? 'EUR',
      expected_close_date: data.expectedCloseDate ?? null,
      probability: data.probability ?? null,
      owner_id: work.memberId,
      closed_at: stage === 'closed_won' || stage === 'closed_lost' ? new Date() : null,
      created_by: work.memberId,
    });
  }
  if (values.length > 0) await work.tx.insertInto('opportunities').values(values).execute();
  const settled = await settleMatches(context, matches, (mode) => updateOpportunities(work, matches, mode));
  return { ...settled, created: values.length, accountsCreated: accounts.created };
}

const STORES: { [O in ImportObject]: (work: CrmWork, rows: ValidRow<ImportedValues[O]>[], context: StoreContext) => Promise<StoreCounts> } =
  {
    contacts: storeContacts,
    accounts: storeAccounts,
    leads: storeLeads,
    opportunities: storeOpportunities,
  };

/** Stores a batch of rows read for this object (readRow checked each against its schema). */
export function storeRows(object: ImportObject, work: CrmWork, rows: ValidRow[], context: StoreContext): Promise<StoreCounts> {
  return (STORES[object] as (work: CrmWork, rows: ValidRow[], context: StoreContext) => Promise<StoreCounts>)(work, rows, context);
}
