import crypto from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { sql } from 'kysely';
import { unnestInsert } from '../db/bulk.ts';
import { sealContact } from './contacts.ts';
import { provenanceColumns, type CrmWork, type NewPeopleSealer } from './context.ts';
import { sealLead } from './leads.ts';
import { nameTokens, normaliseEmail } from './normalise.ts';
import { emailTerm, hasAnyTerm, nameTerm } from './terms.ts';
import { lockIdentityKeys } from './addresses.ts';

/**
 * Storing one validated batch of an import, per object. Each store deduplicates against the
 * database and, in a dry run (nothing committed between batches), against seenInDryRun.
 */
export interface ValidRow {
  line: number;
  data: any;
  contact?: PreparedContact;
}
export interface StoreContext {
  fileName: string;
  seenInDryRun: Set<string> | null;
  /** The keys of the people prepareContacts sealed. */
  newPeople?: NewPeopleSealer;
}
export interface StoreCounts {
  created: number;
  duplicates: number;
  accountsCreated: number;
}

/** Finds or creates the accounts a batch of contacts refers to; domain first, then exact name. */
async function resolveAccounts(work: CrmWork, rows: Array<{ data: any }>) {
  const byKey = new Map<string, string>();
  let created = 0;
  const wanted = new Map<string, { name: string; domain: string | null }>();
  for (const { data } of rows) {
    if (data.accountDomain) wanted.set(`d:${data.accountDomain}`, { name: data.accountName ?? data.accountDomain, domain: data.accountDomain });
    else if (data.accountName) wanted.set(`n:${data.accountName.toLowerCase()}`, { name: data.accountName, domain: null });
  }
  if (wanted.size === 0) return { byKey, created };
  const domains = [...wanted.values()].map((w) => w.domain).filter((d): d is string => Boolean(d));
  const names = [...wanted.values()].filter((w) => !w.domain).map((w) => w.name.toLowerCase());
  const existing = await work.tx
    .selectFrom('accounts')
    .select(['id', 'domain', sql<string>`lower(name)`.as('lower_name')])
    .where('tenant_id', '=', work.tenantId)
    .where((eb) => eb.or([...(domains.length ? [eb('domain', 'in', domains)] : []), ...(names.length ? [eb(sql`lower(name)`, 'in', names)] : [])]))
    .execute();
  for (const account of existing) {
    if (account.domain) byKey.set(`d:${account.domain}`, account.id);
    if (!byKey.has(`n:${account.lower_name}`)) byKey.set(`n:${account.lower_name}`, account.id);
  }
  const missing = [...wanted].filter(([key]) => !byKey.has(key));
  if (missing.length > 0) {
    const inserted = await work.tx
      .insertInto('accounts')
      .values(missing.map(([, w]) => ({ tenant_id: work.tenantId, name: w.name, domain: w.domain, owner_id: work.memberId, created_by: work.memberId })))
      .returning(['id', 'domain', 'name'])
      .execute();
    for (const account of inserted) byKey.set(account.domain ? `d:${account.domain}` : `n:${account.name.toLowerCase()}`, account.id);
    created = inserted.length;
  }
  return { byKey, created };
}

type SealedContactRow = Awaited<ReturnType<typeof sealContact>> & { id: string; account_id: string | null; country: string | null; region: string | null; source_ref: string };

/** Where an imported record came from: the file, and its id in the tool that exported it (HubSpot's Record ID, …). */
const importRef = (fileName: string, externalId: string | undefined) => (externalId ? `${fileName}#${externalId}` : fileName);

/** A batch of new contacts as one statement: the per-person columns as arrays, the rest once. */
function insertContactRows(work: CrmWork, rows: SealedContactRow[], collectedAt: Date, fileName: string) {
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

/** Validated contact rows, encrypted under new keys (the import prepares a batch while the previous one is stored). */
export async function prepareContacts(sealer: NewPeopleSealer, rows: ValidRow[]): Promise<void> {
  for (const [i, row] of rows.entries()) {
    // Let the previous batch's answers in, so that its next statement goes out at once: without
    // a turn of the event loop it would wait for this whole batch.
    if (i % PREPARE_SLICE === 0) await setImmediate();
    const data = row.data;
    const id = sealer.newPerson();
    const sealed = await sealContact({ sealer }, id, {
      firstName: data.firstName ?? null,
      lastName: data.lastName ?? null,
      emails: [...new Set<string>((data.email ?? []).map(normaliseEmail))],
      phones: [...new Set<string>(data.phone ?? [])],
      jobTitle: data.jobTitle ?? null,
      customPersonal: {},
    });
    // The record's own blind indexes are what it is recognised by.
    const noEmail = sealed.email_index.length === 0;
    const nameKey = noEmail ? `name:${nameTokens(data.firstName, data.lastName).join(' ')}@${data.accountDomain ?? data.accountName?.toLowerCase() ?? ''}` : null;
    row.contact = { keys: { emailIndex: sealed.email_index, nameIndex: noEmail ? sealed.name_index : [], nameKey }, id, sealed };
  }
}

async function storeContacts(work: CrmWork, rows: ValidRow[], { fileName, seenInDryRun, newPeople }: StoreContext): Promise<StoreCounts> {
  if (!newPeople) throw new Error('contacts are imported through prepareContacts');
  const prepared = rows.map((row) => {
    if (!row.contact) throw new Error('contacts are imported through prepareContacts');
    return { data: row.data, ...row.contact };
  });
  // Deduplicate: by any email address (blind index) against the database and within the file;
  // rows without email by the same name at the same company.
  const allIndexes = [...new Set(prepared.flatMap((row) => row.keys.emailIndex))];
  // Committed batches are found in the database; a dry run commits nothing, so it keeps one set for the whole file.
  const known = seenInDryRun ?? new Set<string>();
  // Another import (or a creation) of the same people waits here until this batch commits. Rows
  // without an address lock their name's blind indexes: never a name itself, which a server log
  // of the statement would show.
  await lockIdentityKeys(work.tx, work.tenantId, [...allIndexes, ...prepared.flatMap((row) => (row.keys.nameKey ? row.keys.nameIndex : []))]);
  if (allIndexes.length > 0) {
    const existing = await work.tx
      .selectFrom('contacts')
      .select('email_index')
      .where('tenant_id', '=', work.tenantId)
      .where(hasAnyTerm('contacts', work.tenantId, allIndexes.map(emailTerm)))
      .execute();
    for (const row of existing) for (const index of row.email_index) known.add(index);
  }
  let fresh: typeof prepared = [];
  for (const row of prepared) {
    const { emailIndex, nameKey } = row.keys;
    if (emailIndex.some((index) => known.has(index)) || (nameKey && known.has(nameKey))) continue;
    for (const index of emailIndex) known.add(index);
    if (nameKey) known.add(nameKey);
    fresh.push(row);
  }
  const noEmail = fresh.filter((row) => row.keys.emailIndex.length === 0);
  if (noEmail.length > 0) {
    const candidates = await work.tx
      .selectFrom('contacts')
      .select('name_index')
      .where('tenant_id', '=', work.tenantId)
      .where('email_index', '=', sql<string[]>`'{}'::text[]`)
      .where(hasAnyTerm('contacts', work.tenantId, [...new Set(noEmail.flatMap((row) => row.keys.nameIndex))].map(nameTerm)))
      .execute();
    const existingNames = new Set(candidates.map((c) => [...c.name_index].sort().join(',')));
    fresh = fresh.filter((row) => row.keys.emailIndex.length > 0 || !existingNames.has([...row.keys.nameIndex].sort().join(',')));
  }
  const kept = new Set(fresh.map((row) => row.id));
  newPeople.drop(prepared.filter((row) => !kept.has(row.id)).map((row) => row.id));
  const duplicates = prepared.length - fresh.length;
  if (fresh.length === 0) return { created: 0, duplicates, accountsCreated: 0 };

  const accounts = await resolveAccounts(work, fresh);
  await work.app.keys.storeSubjectKeys(work.tx, work.tenantId, newPeople.version, newPeople.take(fresh.map((row) => row.id)));
  const values = fresh.map(({ data, id, sealed }) => {
    const accountKey = data.accountDomain ? `d:${data.accountDomain}` : data.accountName ? `n:${data.accountName.toLowerCase()}` : null;
    return { id, ...sealed, account_id: accountKey ? (accounts.byKey.get(accountKey) ?? null) : null, country: data.country ?? null, region: data.region ?? null, source_ref: importRef(fileName, data.externalId) };
  });
  await insertContactRows(work, values, new Date(), fileName).execute(work.tx);
  return { created: values.length, duplicates, accountsCreated: accounts.created };
}

async function storeAccounts(work: CrmWork, rows: ValidRow[], { seenInDryRun }: StoreContext): Promise<StoreCounts> {
  const known = seenInDryRun ?? new Set<string>();
  const domains = rows.map((row) => row.data.domain).filter(Boolean);
  const names = rows.filter((row) => !row.data.domain).map((row) => row.data.name.toLowerCase());
  if (domains.length + names.length > 0) {
    const existing = await work.tx
      .selectFrom('accounts')
      .select(['domain', sql<string>`lower(name)`.as('lower_name')])
      .where('tenant_id', '=', work.tenantId)
      .where((eb) => eb.or([...(domains.length ? [eb('domain', 'in', domains)] : []), ...(names.length ? [eb(sql`lower(name)`, 'in', names)] : [])]))
      .execute();
    for (const account of existing) {
      if (account.domain) known.add(`d:${account.domain}`);
      known.add(`n:${account.lower_name}`);
    }
  }
  let duplicates = 0;
  const fresh = [];
  for (const row of rows) {
    const key = row.data.domain ? `d:${row.data.domain}` : `n:${row.data.name.toLowerCase()}`;
    if (known.has(key)) {
      duplicates++;
      continue;
    }
    known.add(key);
    fresh.push(row.data);
  }
  if (fresh.length > 0) {
    await work.tx
      .insertInto('accounts')
      .values(
        fresh.map((data) => ({
          tenant_id: work.tenantId,
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
  return { created: fresh.length, duplicates, accountsCreated: 0 };
}

async function storeLeads(work: CrmWork, rows: ValidRow[], { fileName, seenInDryRun }: StoreContext): Promise<StoreCounts> {
  const known = seenInDryRun ?? new Set<string>();
  const emailIndexes = await Promise.all(rows.map((row) => (row.data.email ? work.sealer.index('email', normaliseEmail(row.data.email)) : null)));
  const nameKeys = await Promise.all(
    rows.map(async (row) => `lead:${(await work.sealer.indexAll('name', nameTokens(row.data.firstName, row.data.lastName))).sort().join(',')}@${row.data.companyName?.toLowerCase() ?? ''}`),
  );
  const indexes = emailIndexes.filter((index): index is string => index !== null);
  if (indexes.length > 0) {
    const existing = await work.tx.selectFrom('leads').select('email_index').where('tenant_id', '=', work.tenantId).where('email_index', 'in', indexes).execute();
    for (const row of existing) known.add(`lead-email:${row.email_index}`);
  }
  const companies = [...new Set(rows.filter((_, i) => !emailIndexes[i]).map((row) => row.data.companyName?.toLowerCase() ?? ''))];
  if (companies.length > 0) {
    const existing = await work.tx
      .selectFrom('leads')
      .select(['name_index', sql<string>`coalesce(lower(company_name), '')`.as('company')])
      .where('tenant_id', '=', work.tenantId)
      .where('email_index', 'is', null)
      .where(sql`coalesce(lower(company_name), '')`, 'in', companies)
      .execute();
    for (const row of existing) known.add(`lead:${[...row.name_index].sort().join(',')}@${row.company}`);
  }
  let duplicates = 0;
  const fresh: ValidRow[] = [];
  for (const [i, row] of rows.entries()) {
    const key = emailIndexes[i] ? `lead-email:${emailIndexes[i]}` : nameKeys[i]!;
    if (known.has(key)) {
      duplicates++;
      continue;
    }
    known.add(key);
    fresh.push(row);
  }
  if (fresh.length === 0) return { created: 0, duplicates, accountsCreated: 0 };
  const ids = fresh.map(() => crypto.randomUUID());
  await work.app.keys.createSubjectKeys(work.tx, work.tenantId, ids);
  const now = new Date();
  const values = [];
  for (const [i, { data }] of fresh.entries()) {
    const sealed = await sealLead(work, ids[i]!, {
      firstName: data.firstName ?? null,
      lastName: data.lastName ?? null,
      email: data.email ?? null,
      phone: data.phone ?? null,
      jobTitle: data.jobTitle ?? null,
      customPersonal: {},
    });
    values.push({
      tenant_id: work.tenantId,
      id: ids[i]!,
      ...sealed,
      company_name: data.companyName ?? null,
      company_domain: data.companyDomain ?? null,
      status: data.status ?? 'new',
      source: data.source ?? null,
      owner_id: work.memberId,
      country: data.country ?? null,
      region: data.region ?? null,
      ...provenanceColumns(work, { type: 'import', ref: importRef(fileName, data.externalId), collectedAt: now }),
    });
  }
  await work.tx.insertInto('leads').values(values).execute();
  return { created: values.length, duplicates, accountsCreated: 0 };
}

/** Opportunities are the same deal when name (case-insensitive) and account match. */
async function storeOpportunities(work: CrmWork, rows: ValidRow[], { seenInDryRun }: StoreContext): Promise<StoreCounts> {
  const accounts = await resolveAccounts(work, rows);
  const accountOf = (data: any) =>
    data.accountDomain ? (accounts.byKey.get(`d:${data.accountDomain}`) ?? null) : data.accountName ? (accounts.byKey.get(`n:${data.accountName.toLowerCase()}`) ?? null) : null;
  const known = seenInDryRun ?? new Set<string>();
  const names = [...new Set(rows.map((row) => row.data.name.toLowerCase()))];
  const existing = await work.tx
    .selectFrom('opportunities')
    .select([sql<string>`lower(name)`.as('name'), 'account_id'])
    .where('tenant_id', '=', work.tenantId)
    .where(sql`lower(name)`, 'in', names)
    .execute();
  for (const row of existing) known.add(`deal:${row.name}@${row.account_id ?? ''}`);
  let duplicates = 0;
  const values = [];
  for (const { data } of rows) {
    const accountId = accountOf(data);
    const key = `deal:${data.name.toLowerCase()}@${accountId ?? ''}`;
    if (known.has(key)) {
      duplicates++;
      continue;
    }
    known.add(key);
    const stage = data.stage ?? 'prospecting';
    values.push({
      tenant_id: work.tenantId,
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
  return { created: values.length, duplicates, accountsCreated: accounts.created };
}

export const STORES = {
  contacts: storeContacts,
  accounts: storeAccounts,
  leads: storeLeads,
  opportunities: storeOpportunities,
} satisfies Record<string, (work: CrmWork, rows: ValidRow[], context: StoreContext) => Promise<StoreCounts>>;
