import { sql, type Selectable } from 'kysely';
import type {
  AccountsTable,
  ContactsTable,
  LeadStatus,
  LeadsTable,
  OnDuplicate,
  OpportunitiesTable,
  OpportunityStage,
} from '../db/types.ts';
import type { CrmWork } from '../crm/context.ts';
import { openContact, sealContact, type ContactPerson } from '../crm/contacts.ts';
import { accountKeyOf, resolveAccounts } from './import-accounts.ts';
import { openLead, sealLead, type LeadPerson } from '../crm/leads.ts';
import { normaliseEmail } from '../shared/normalise.ts';
import type { ImportedValues, RowValues } from './import-fields.ts';
import { recordVisible } from '../crm/visibility.ts';

/**
 * Rows of an import that match an existing record, written over it (on_duplicate=update: the
 * file's non-empty values win) or into its blanks (fill-empty). Several rows matching one record
 * are applied in line order, and the record is written once. A record the importer cannot see is
 * left as it is, and so is a converted lead. Each record written is audited as an update.
 */
export type UpdateMode = Exclude<OnDuplicate, 'skip'>;

/** A row of the file and the record it matched. */
export interface Match<Values = RowValues> {
  line: number;
  data: Values;
  recordId: string;
}

export interface MatchOutcome {
  line: number;
  recordId: string;
  outcome: 'skipped' | 'updated' | 'unchanged' | 'refused';
  reason?: string;
}

export interface UpdateResult {
  updated: number;
  accountsCreated: number;
  outcomes: MatchOutcome[];
}

const blank = (value: unknown): boolean => value === null || value === undefined || value === '';

/** What a record's field becomes: the file's value where update writes it, or where fill-empty finds a blank. */
export function mergedValue<T>(mode: UpdateMode, current: T | null, incoming: T | null | undefined): T | null {
  if (blank(incoming)) return current;
  return mode === 'update' || blank(current) ? (incoming as T) : current;
}

/**
 * A list field (a contact's addresses, phones): update puts the file's values first (the first is
 * the primary) and keeps the record's others, fill-empty only fills an empty list. Nothing is
 * dropped: the value a row was matched by stays.
 */
export function mergedList(mode: UpdateMode, current: string[], incoming: string[]): string[] {
  if (incoming.length === 0) return current;
  if (mode === 'fill-empty') return current.length > 0 ? current : incoming;
  return [...new Set([...incoming, ...current])];
}

export const skippedOutcomes = (matches: Match<unknown>[]): MatchOutcome[] =>
  matches.map(({ line, recordId }) => ({ line, recordId, outcome: 'skipped' }));

/** The matches grouped by record, each group in line order. */
function byRecord<Values>(matches: Match<Values>[]): Map<string, Match<Values>[]> {
  const groups = new Map<string, Match<Values>[]>();
  for (const match of [...matches].sort((a, b) => a.line - b.line)) {
    const group = groups.get(match.recordId) ?? [];
    group.push(match);
    groups.set(match.recordId, group);
  }
  return groups;
}

/**
 * Folds a record's rows into its state in line order. Each returns the names of the fields it
 * changed; a line is 'updated' when it changed any. Records not found are those a dry run's
 * earlier batch would have created (rolled back since): their rows count as updates.
 */
async function applyGroups<Row extends { id: string; visible: boolean }, State, Values>(
  matches: Match<Values>[],
  rows: Row[],
  steps: {
    refusal?: (row: Row) => string | null;
    open: (row: Row) => Promise<State>;
    apply: (state: State, data: Values) => string[];
    write: (row: Row, state: State, fields: string[]) => Promise<void>;
  },
): Promise<UpdateResult> {
  const found = new Map(rows.map((row) => [row.id, row]));
  const result: UpdateResult = { updated: 0, accountsCreated: 0, outcomes: [] };
  for (const [recordId, group] of byRecord(matches)) {
    const row = found.get(recordId);
    if (!row) {
      for (const { line } of group)
        result.outcomes.push({ line, recordId, outcome: 'updated', reason: 'matches a record an earlier line of this file creates' });
      continue;
    }
    const refusal = !row.visible
      ? 'the matching record is not among those you can see, so it was left as it is'
      : (steps.refusal?.(row) ?? null);
    if (refusal) {
      for (const { line } of group) result.outcomes.push({ line, recordId, outcome: 'refused', reason: refusal });
      continue;
    }
    const state = await steps.open(row);
    const changed = new Set<string>();
    for (const { line, data } of group) {
      const fields = steps.apply(state, data);
      for (const field of fields) changed.add(field);
      result.outcomes.push({ line, recordId, outcome: fields.length > 0 ? 'updated' : 'unchanged' });
    }
    if (changed.size > 0) {
      await steps.write(row, state, [...changed]);
      result.updated++;
    }
  }
  return result;
}

/** Sets each field of `into` from `from` as mode says, and names those that changed. */
function mergeFields<T extends Record<string, unknown>>(mode: UpdateMode, into: T, from: Partial<Record<keyof T, unknown>>): string[] {
  const changed: string[] = [];
  for (const key of Object.keys(from) as Array<keyof T & string>) {
    const next = mergedValue(mode, into[key], from[key] as T[typeof key] | undefined);
    if (next !== into[key]) {
      into[key] = next as T[typeof key];
      changed.push(key);
    }
  }
  return changed;
}

type Visible<Row> = Row & { visible: boolean };

function loadVisible<T extends 'contacts' | 'leads' | 'accounts' | 'opportunities'>(
  work: CrmWork,
  table: T,
  recordType: string,
  ids: string[],
) {
  return work.tx
    .selectFrom(table as 'contacts')
    .selectAll()
    .select(sql<boolean>`${recordVisible(work.scope, table, recordType)}`.as('visible'))
    .where('tenant_id', '=', work.tenantId)
    .where('id', 'in', ids.length > 0 ? ids : ['00000000-0000-0000-0000-000000000000'])
    .execute() as unknown as Promise<
    Array<
      Visible<
        Selectable<
          T extends 'contacts' ? ContactsTable : T extends 'leads' ? LeadsTable : T extends 'accounts' ? AccountsTable : OpportunitiesTable
        >
      >
    >
  >;
}

/**
 * Contacts: names, job title, country and region as mode says; the file's addresses and phones
 * joined to the record's, except an address another contact already has (`ownerOfAddress`: the
 * batch's addresses, normalised, to the contact that has each); the account found or created.
 */
export async function updateContacts(
  work: CrmWork,
  matches: Match<ImportedValues['contacts']>[],
  mode: UpdateMode,
  ownerOfAddress: Map<string, string>,
  seenInDryRun: Map<string, string> | null,
): Promise<UpdateResult> {
  const rows = await loadVisible(work, 'contacts', 'contact', [...new Set(matches.map((m) => m.recordId))]);
  type State = {
    id: string;
    person: ContactPerson;
    plain: { country: string | null; region: string | null };
    hasAccount: boolean;
    account: { key: string; data: ImportedValues['contacts'] } | null;
  };
  const changedRecords: Array<{ state: State; fields: string[] }> = [];
  const result = await applyGroups(matches, rows, {
    open: async (row): Promise<State> => ({
      id: row.id,
      person: await openContact(work, row),
      plain: { country: row.country, region: row.region },
      hasAccount: row.account_id !== null,
      account: null,
    }),
    apply: (state, data) => {
      const { person } = state;
      const changed = mergeFields(mode, person as unknown as Record<string, unknown>, {
        firstName: data.firstName,
        lastName: data.lastName,
        jobTitle: data.jobTitle,
      });
      changed.push(...mergeFields(mode, state.plain, { country: data.country, region: data.region }));
      const ownAddresses = [...new Set<string>((data.email ?? []).map(normaliseEmail))].filter(
        (email) => (ownerOfAddress.get(email) ?? state.id) === state.id,
      );
      const emails = mergedList(mode, person.emails, ownAddresses);
      if (emails.join() !== person.emails.join()) {
        person.emails = emails;
        changed.push('emails');
      }
      const phones = mergedList(mode, person.phones, data.phone ?? []);
      if (phones.join() !== person.phones.join()) {
        person.phones = phones;
        changed.push('phones');
      }
      const accountKey = accountKeyOf(data);
      if (accountKey && (mode === 'update' || !state.hasAccount) && accountKey !== state.account?.key) {
        state.account = { key: accountKey, data };
        changed.push('accountId');
      }
      return changed;
    },
    write: async (_row, state, fields) => {
      changedRecords.push({ state, fields });
    },
  });
  // The accounts are found or created once for the batch, then each changed contact is written.
  const accounts = await resolveAccounts(
    work,
    changedRecords.flatMap(({ state }) => (state.account ? [{ data: state.account.data }] : [])),
    seenInDryRun,
  );
  result.accountsCreated = accounts.created;
  for (const { state, fields } of changedRecords) {
    await work.tx
      .updateTable('contacts')
      .set({
        ...(await sealContact(work, state.id, state.person)),
        ...state.plain,
        ...(state.account ? { account_id: accounts.byKey.get(state.account.key) ?? null } : {}),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', state.id)
      .execute();
    await work.audit({ action: 'contact.update', objectType: 'contact', objectId: state.id, fields });
  }
  return result;
}

/** Leads: the person fields but the address (the row was matched by it, or has none), company, status, source, country, region. */
export async function updateLeads(work: CrmWork, matches: Match<ImportedValues['leads']>[], mode: UpdateMode): Promise<UpdateResult> {
  const rows = await loadVisible(work, 'leads', 'lead', [...new Set(matches.map((m) => m.recordId))]);
  type State = {
    person: LeadPerson;
    plain: {
      company_name: string | null;
      company_domain: string | null;
      status: LeadStatus;
      source: string | null;
      country: string | null;
      region: string | null;
    };
  };
  return applyGroups(matches, rows, {
    refusal: (row) => (row.status === 'converted' ? 'the matching lead was converted; change the contact instead' : null),
    open: async (row): Promise<State> => ({
      person: await openLead(work, row),
      plain: {
        company_name: row.company_name,
        company_domain: row.company_domain,
        status: row.status,
        source: row.source,
        country: row.country,
        region: row.region,
      },
    }),
    apply: (state, data) => [
      ...mergeFields(mode, state.person as unknown as Record<string, unknown>, {
        firstName: data.firstName,
        lastName: data.lastName,
        phone: data.phone,
        jobTitle: data.jobTitle,
      }),
      ...mergeFields(mode, state.plain, {
        company_name: data.companyName,
        company_domain: data.companyDomain,
        status: data.status,
        source: data.source,
        country: data.country,
        region: data.region,
      }),
    ],
    write: async (row, state, fields) => {
      await work.tx
        .updateTable('leads')
        .set({ ...(await sealLead(work, row.id, state.person)), ...state.plain, updated_at: new Date() })
        .where('tenant_id', '=', work.tenantId)
        .where('id', '=', row.id)
        .execute();
      await work.audit({ action: 'lead.update', objectType: 'lead', objectId: row.id, fields });
    },
  });
}

/** Accounts: name, industry, size, country; a domain only where the account has none and no other account has it. */
export async function updateAccounts(
  work: CrmWork,
  matches: Match<ImportedValues['accounts']>[],
  mode: UpdateMode,
  ownerOfKey: Map<string, string>,
): Promise<UpdateResult> {
  const rows = await loadVisible(work, 'accounts', 'account', [...new Set(matches.map((m) => m.recordId))]);
  type State = { name: string; domain: string | null; industry: string | null; size: string | null; country: string | null };
  return applyGroups(matches, rows, {
    open: async (row): Promise<State> => ({
      name: row.name,
      domain: row.domain,
      industry: row.industry,
      size: row.size,
      country: row.country,
    }),
    apply: (state, data) => {
      const domainFree = data.domain && (ownerOfKey.get(`d:${data.domain}`) ?? null) === null;
      return mergeFields(mode, state as unknown as Record<string, unknown>, {
        name: data.name,
        industry: data.industry,
        size: data.size,
        country: data.country,
        ...(domainFree && !state.domain ? { domain: data.domain } : {}),
      });
    },
    write: async (row, state, fields) => {
      await work.tx
        .updateTable('accounts')
        .set({ ...state, updated_at: new Date() })
        .where('tenant_id', '=', work.tenantId)
        .where('id', '=', row.id)
        .execute();
      await work.audit({ action: 'account.update', objectType: 'account', objectId: row.id, fields });
    },
  });
}

/** Deals: stage (a closing stage dates the close), amount, currency, expected close date, probability. */
export async function updateOpportunities(
  work: CrmWork,
  matches: Match<ImportedValues['opportunities']>[],
  mode: UpdateMode,
): Promise<UpdateResult> {
  const rows = await loadVisible(work, 'opportunities', 'opportunity', [...new Set(matches.map((m) => m.recordId))]);
  type State = {
    stage: OpportunityStage;
    amount: string;
    currency: string;
    expected_close_date: string | null;
    probability: number | null;
  };
  const closing = (stage: OpportunityStage) => stage === 'closed_won' || stage === 'closed_lost';
  return applyGroups(matches, rows, {
    open: async (row): Promise<State> => ({
      stage: row.stage,
      amount: String(row.amount),
      currency: row.currency,
      expected_close_date: row.expected_close_date ? String(row.expected_close_date).slice(0, 10) : null,
      probability: row.probability,
    }),
    apply: (state, data) =>
      mergeFields(mode, state as unknown as Record<string, unknown>, {
        stage: data.stage,
        amount: data.amount === undefined ? undefined : String(data.amount),
        currency: data.currency,
        expected_close_date: data.expectedCloseDate,
        probability: data.probability,
      }),
    write: async (row, state, fields) => {
      const closedAt = closing(state.stage) ? (row.closed_at ?? new Date()) : null;
      await work.tx
        .updateTable('opportunities')
        .set({ ...state, closed_at: closedAt, updated_at: new Date() })
        .where('tenant_id', '=', work.tenantId)
        .where('id', '=', row.id)
        .execute();
      await work.audit({ action: 'opportunity.update', objectType: 'opportunity', objectId: row.id, fields });
    },
  });
}
