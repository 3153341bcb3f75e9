import crypto from 'node:crypto';
import { unnestUpdate } from '../db/bulk.ts';
import { sql, type Selectable } from 'kysely';
import { hasOwnKey, keyFor, removeActivitiesOf } from '../crm/activities.ts';
import { openContact, sealContact, type ContactPerson } from '../crm/contacts.ts';
import { provenanceColumns, type CrmWork } from '../crm/context.ts';
import { openLead, sealLead } from '../crm/leads.ts';
import type { CrmRecordType } from '../db/types.ts';
import type { IntegrationsTable, MatchRule, SyncLinksTable, SyncRecordType } from '../db/types-sync.ts';
import type { SyncFields } from './fields.ts';
import { AccountMatcher, type MatchDecision } from './match.ts';
import { addressHolders } from '../crm/addresses.ts';

/**
 * Writing external objects as CRM records, per record type: creating (after matching, for
 * accounts and contacts), updating what a link points at, and removing. A record the connection
 * created takes every mapped field from it; a record it was matched to keeps its own values and
 * takes from the connection only the fields that were empty (filled_fields), which are the only
 * ones later changes there overwrite, and the only ones a disconnect removes.
 */

export type IntegrationRow = Selectable<IntegrationsTable>;
export type LinkRow = Selectable<SyncLinksTable>;

export interface SyncScope {
  work: CrmWork;
  integration: IntegrationRow;
  /** Built on first use in a run, then told of every account the run creates. */
  accounts?: AccountMatcher;
}

export interface Incoming<K extends SyncRecordType> {
  externalId: string;
  updatedAt: string | null;
  fields: SyncFields[K];
  hash: string;
}

export interface Placed {
  externalId: string;
  recordId: string;
  origin: 'created' | 'matched';
  rule: MatchRule | null;
  filled: string[];
  review: Extract<MatchDecision, { kind: 'review' }> | null;
}

export interface RecordStore<K extends SyncRecordType> {
  create(scope: SyncScope, items: Array<Incoming<K>>): Promise<Placed[]>;
  update(scope: SyncScope, items: Array<{ item: Incoming<K>; link: LinkRow }>): Promise<void>;
}

const tenantOf = (scope: SyncScope) => scope.work.tenantId;

/** How many external objects of each kind a connection links, e.g. { contacts: 120 }. */
export async function linkCounts(tx: CrmWork['tx'], tenantId: string, integrationId: string): Promise<Record<string, number>> {
  const rows = await tx
    .selectFrom('sync_links')
    .select(['object', sql<number>`count(*)::int`.as('count')])
    .where('tenant_id', '=', tenantId)
    .where('integration_id', '=', integrationId)
    .groupBy('object')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.object, row.count]));
}

/** Internal ids of the records of one type the connection synced under these external ids. */
async function recordsByRef(scope: SyncScope, type: SyncRecordType, refs: Array<string | null | undefined>): Promise<Map<string, string>> {
  const wanted = [...new Set(refs.filter((ref): ref is string => Boolean(ref)))];
  if (wanted.length === 0) return new Map();
  const rows = await scope.work.tx
    .selectFrom('sync_links')
    .select(['external_id', 'record_id'])
    .where('tenant_id', '=', tenantOf(scope))
    .where('integration_id', '=', scope.integration.id)
    .where('record_type', '=', type)
    .where('external_id', 'in', wanted)
    .execute();
  return new Map(rows.map((row) => [row.external_id, row.record_id]));
}

const accountsByRef = (scope: SyncScope, refs: Array<string | null>) => recordsByRef(scope, 'account', refs);

/** Fields of `current` that are empty and that `incoming` has, by name. */
function emptyFieldsFilled<N extends string>(current: Record<string, unknown>, incoming: Record<N, unknown>, names: readonly N[]): N[] {
  const isEmpty = (value: unknown) => value === null || value === undefined || (Array.isArray(value) && value.length === 0);
  return names.filter((name) => isEmpty(current[name]) && !isEmpty(incoming[name]));
}

async function accountMatcher(scope: SyncScope): Promise<AccountMatcher> {
  if (!scope.accounts) {
    const rows = await scope.work.tx
      .selectFrom('accounts')
      .select(['id', 'name', 'domain'])
      .where('tenant_id', '=', tenantOf(scope))
      .execute();
    scope.accounts = new AccountMatcher(rows);
  }
  return scope.accounts;
}

const ACCOUNT_FIELDS = ['domain', 'industry', 'country'] as const;

/** Domains held by other accounts: an update must not take one (the domain is unique per workspace). */
async function domainsTaken(scope: SyncScope, domains: string[]): Promise<Map<string, string>> {
  if (domains.length === 0) return new Map();
  const rows = await scope.work.tx
    .selectFrom('accounts')
    .select(['id', 'domain'])
    .where('tenant_id', '=', tenantOf(scope))
    .where('domain', 'in', domains)
    .execute();
  return new Map(rows.map((row) => [row.domain!, row.id]));
}

const accounts: RecordStore<'account'> = {
  async create(scope, items) {
    // The matcher reads every account of the workspace: not for a page with nothing new.
    if (items.length === 0) return [];
    const matcher = await accountMatcher(scope);
    const placed: Placed[] = [];
    const fresh: Array<{ id: string; fields: SyncFields['account'] }> = [];
    const linked: Array<{ index: number; id: string }> = [];
    for (const item of items) {
      const decision = matcher.match(item.fields);
      if (decision.kind === 'linked') {
        linked.push({ index: placed.length, id: decision.id });
        placed.push({
          externalId: item.externalId,
          recordId: decision.id,
          origin: 'matched',
          rule: decision.rule,
          filled: [],
          review: null,
        });
        continue;
      }
      const id = crypto.randomUUID();
      fresh.push({ id, fields: item.fields });
      matcher.add({ id, name: item.fields.name, domain: item.fields.domain });
      placed.push({
        externalId: item.externalId,
        recordId: id,
        origin: 'created',
        rule: null,
        filled: [],
        review: decision.kind === 'review' ? decision : null,
      });
    }
    if (fresh.length > 0) {
      await scope.work.tx
        .insertInto('accounts')
        .values(
          fresh.map(({ id, fields }) => ({
            tenant_id: tenantOf(scope),
            id,
            name: fields.name,
            domain: fields.domain,
            industry: fields.industry,
            country: fields.country,
            owner_id: scope.integration.connected_by,
            created_by: scope.integration.connected_by,
          })),
        )
        .execute();
    }
    // A matched account keeps its values; the connection fills only what it lacks.
    if (linked.length > 0) {
      const current = await scope.work.tx
        .selectFrom('accounts')
        .select(['id', ...ACCOUNT_FIELDS])
        .where('tenant_id', '=', tenantOf(scope))
        .where('id', 'in', [...new Set(linked.map((l) => l.id))])
        .execute();
      const byId = new Map(current.map((row) => [row.id, row as Record<string, unknown>]));
      const taken = await domainsTaken(
        scope,
        items.map((item) => item.fields.domain).filter((d): d is string => Boolean(d)),
      );
      for (const { index, id } of linked) {
        const row = byId.get(id);
        const fields = items[index]!.fields;
        if (!row) continue;
        const filled = emptyFieldsFilled(row, fields, ACCOUNT_FIELDS).filter((name) => name !== 'domain' || !taken.has(fields.domain!));
        if (filled.length === 0) continue;
        for (const name of filled) row[name] = fields[name];
        await scope.work.tx
          .updateTable('accounts')
          .set({ ...Object.fromEntries(filled.map((name) => [name, fields[name]])), updated_at: new Date() })
          .where('tenant_id', '=', tenantOf(scope))
          .where('id', '=', id)
          .execute();
        placed[index]!.filled = filled;
      }
    }
    return placed;
  },
  async update(scope, items) {
    const taken = await domainsTaken(
      scope,
      items.map(({ item }) => item.fields.domain).filter((d): d is string => Boolean(d)),
    );
    for (const { item, link } of items) {
      const names = link.origin === 'created' ? ['name', ...ACCOUNT_FIELDS] : link.filled_fields;
      const values: Record<string, unknown> = {};
      for (const name of names) values[name] = item.fields[name as keyof SyncFields['account']];
      if (
        'domain' in values &&
        values.domain &&
        taken.has(values.domain as string) &&
        taken.get(values.domain as string) !== link.record_id
      )
        delete values.domain;
      if (Object.keys(values).length === 0) continue;
      await scope.work.tx
        .updateTable('accounts')
        .set({ ...values, updated_at: new Date() })
        .where('tenant_id', '=', tenantOf(scope))
        .where('id', '=', link.record_id)
        .execute();
    }
  },
};

const CONTACT_FIELDS = ['firstName', 'lastName', 'phones', 'jobTitle'] as const;

function contactPerson(fields: SyncFields['contact'], base?: ContactPerson, only?: string[]): ContactPerson {
  const from = (name: (typeof CONTACT_FIELDS)[number] | 'emails') => !only || only.includes(name);
  return {
    firstName: from('firstName') ? fields.firstName : (base?.firstName ?? null),
    lastName: from('lastName') ? fields.lastName : (base?.lastName ?? null),
    emails: from('emails') ? fields.emails : (base?.emails ?? []),
    phones: from('phones') ? fields.phones : (base?.phones ?? []),
    jobTitle: from('jobTitle') ? fields.jobTitle : (base?.jobTitle ?? null),
    customPersonal: base?.customPersonal ?? {},
  };
}

const contacts: RecordStore<'contact'> = {
  async create(scope, items) {
    const { work } = scope;
    if (items.length === 0) return [];
    const indexes = await Promise.all(items.map((item) => work.sealer.indexAll('email', item.fields.emails)));
    const holders = await addressHolders(work.tx, work.tenantId, [...new Set(indexes.flat())]);
    const hold = (index: string, id: string) => (holders.get(index) ?? holders.set(index, new Set()).get(index)!).add(id);
    const refs = await accountsByRef(
      scope,
      items.map((item) => item.fields.accountRef),
    );
    const placed: Placed[] = [];
    const fresh: Array<{ id: string; item: Incoming<'contact'> }> = [];
    const linked: Array<{ index: number; id: string }> = [];
    for (const [i, item] of items.entries()) {
      const found = new Set(indexes[i]!.flatMap((index) => [...(holders.get(index) ?? [])]));
      if (found.size === 1) {
        const id = [...found][0]!;
        linked.push({ index: placed.length, id });
        placed.push({ externalId: item.externalId, recordId: id, origin: 'matched', rule: 'email', filled: [], review: null });
        continue;
      }
      // A person whose addresses are held by several contacts is kept apart for review; the copy
      // holds only the addresses nobody else does, because an address has one holder (0033).
      const id = crypto.randomUUID();
      const emails = item.fields.emails.filter((_, at) => !holders.has(indexes[i]![at]!));
      for (const index of indexes[i]!) if (!holders.has(index)) hold(index, id);
      fresh.push({ id, item: { ...item, fields: { ...item.fields, emails } } });
      const review =
        found.size > 1
          ? {
              kind: 'review' as const,
              candidates: [...found],
              rule: 'email' as const,
              explanation: `${found.size} contacts share an address of this person`,
            }
          : null;
      placed.push({ externalId: item.externalId, recordId: id, origin: 'created', rule: null, filled: [], review });
    }
    if (fresh.length > 0) {
      await work.app.keys.createSubjectKeys(
        work.tx,
        work.tenantId,
        fresh.map((f) => f.id),
      );
      const now = new Date();
      const values = [];
      for (const { id, item } of fresh) {
        values.push({
          tenant_id: work.tenantId,
          id,
          ...(await sealContact(work, id, contactPerson(item.fields))),
          account_id: item.fields.accountRef ? (refs.get(item.fields.accountRef) ?? null) : null,
          owner_id: scope.integration.connected_by,
          country: item.fields.country,
          ...provenanceColumns(work, { type: 'connector', ref: scope.integration.id, collectedAt: now }),
        });
      }
      await work.tx.insertInto('contacts').values(values).execute();
    }
    if (linked.length > 0) {
      const rows = await work.tx
        .selectFrom('contacts')
        .selectAll()
        .where('tenant_id', '=', work.tenantId)
        .where('id', 'in', [...new Set(linked.map((l) => l.id))])
        .execute();
      const byId = new Map(rows.map((row) => [row.id, row]));
      await work.sealer.preload(byId.keys());
      for (const { index, id } of linked) {
        const row = byId.get(id);
        if (!row) continue;
        const fields = items[index]!.fields;
        const current = await openContact(work, row);
        const filled = emptyFieldsFilled(current as unknown as Record<string, unknown>, fields, CONTACT_FIELDS);
        const accountId = fields.accountRef ? (refs.get(fields.accountRef) ?? null) : null;
        const plain: Record<string, unknown> = {};
        if (!row.account_id && accountId) plain.account_id = accountId;
        if (!row.country && fields.country) plain.country = fields.country;
        if (filled.length === 0 && Object.keys(plain).length === 0) continue;
        const person = { ...current, ...Object.fromEntries(filled.map((name) => [name, fields[name]])) } as ContactPerson;
        await work.tx
          .updateTable('contacts')
          .set({ ...(await sealContact(work, id, person)), ...plain, updated_at: new Date() })
          .where('tenant_id', '=', work.tenantId)
          .where('id', '=', id)
          .execute();
        placed[index]!.filled = [...filled, ...Object.keys(plain)];
      }
    }
    return placed;
  },
  async update(scope, items) {
    const { work } = scope;
    const rows = await work.tx
      .selectFrom('contacts')
      .selectAll()
      .where('tenant_id', '=', work.tenantId)
      .where(
        'id',
        'in',
        items.map(({ link }) => link.record_id),
      )
      .execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    await work.sealer.preload(byId.keys());
    const refs = await accountsByRef(
      scope,
      items.map(({ item }) => item.fields.accountRef),
    );
    const indexes = await Promise.all(items.map(({ item }) => work.sealer.indexAll('email', item.fields.emails)));
    const holders = await addressHolders(work.tx, work.tenantId, [...new Set(indexes.flat())]);
    const updates: ContactUpdate[] = [];
    for (const [i, { item, link }] of items.entries()) {
      const row = byId.get(link.record_id);
      if (!row) continue;
      const created = link.origin === 'created';
      const owned = created ? null : link.filled_fields;
      // An address the CRM added that another contact here already holds stays with that contact.
      const heldElsewhere = (at: number) => [...(holders.get(indexes[i]![at]!) ?? [])].some((holder) => holder !== row.id);
      const fields = { ...item.fields, emails: item.fields.emails.filter((_, at) => !heldElsewhere(at)) };
      for (const index of indexes[i]!) if (!holders.has(index)) holders.set(index, new Set([row.id]));
      const person = contactPerson(fields, await openContact(work, row), owned ?? undefined);
      updates.push({
        id: row.id,
        sealed: await sealContact(work, row.id, person),
        accountId:
          created || owned!.includes('account_id')
            ? item.fields.accountRef
              ? (refs.get(item.fields.accountRef) ?? null)
              : null
            : undefined,
        country: created || owned!.includes('country') ? item.fields.country : undefined,
      });
    }
    if (updates.length > 0) await updateContactRows(work.tenantId, updates).execute(work.tx);
  },
};

interface ContactUpdate {
  id: string;
  sealed: Awaited<ReturnType<typeof sealContact>>;
  /** undefined: the field is not the connection's to change. */
  accountId: string | null | undefined;
  country: string | null | undefined;
}

/** A page of changed contacts as one statement, not a round trip each. */
function updateContactRows(tenantId: string, updates: ContactUpdate[]) {
  const sealedColumn = (name: keyof ContactUpdate['sealed'], type = 'text') => ({
    name,
    type,
    of: (row: ContactUpdate) => row.sealed[name],
  });
  return unnestUpdate<ContactUpdate>(
    'contacts',
    {
      where: { tenant_id: tenantId },
      key: { name: 'id', type: 'uuid', of: (row) => row.id },
      columns: [
        sealedColumn('first_name_enc'),
        sealedColumn('last_name_enc'),
        sealedColumn('emails_enc'),
        sealedColumn('phones_enc'),
        sealedColumn('job_title_enc'),
        sealedColumn('custom_personal_enc'),
        sealedColumn('email_index', 'text[]'),
        sealedColumn('phone_index', 'text[]'),
        sealedColumn('name_index', 'text[]'),
      ],
      unlessUndefined: [
        { name: 'account_id', type: 'uuid', of: (row) => row.accountId },
        { name: 'country', type: 'text', of: (row) => row.country },
      ],
      also: { updated_at: sql`now()` },
    },
    updates,
  );
}

function leadPerson(fields: SyncFields['lead'], customPersonal: Record<string, unknown> = {}) {
  return {
    firstName: fields.firstName,
    lastName: fields.lastName,
    email: fields.email,
    phone: fields.phone,
    jobTitle: fields.jobTitle,
    customPersonal,
  };
}

const leads: RecordStore<'lead'> = {
  async create(scope, items) {
    const { work } = scope;
    if (items.length === 0) return [];
    const ids = items.map(() => crypto.randomUUID());
    await work.app.keys.createSubjectKeys(work.tx, work.tenantId, ids);
    const now = new Date();
    const values = [];
    for (const [i, item] of items.entries()) {
      values.push({
        tenant_id: work.tenantId,
        id: ids[i]!,
        ...(await sealLead(work, ids[i]!, leadPerson(item.fields))),
        company_name: item.fields.companyName,
        company_domain: item.fields.companyDomain,
        owner_id: scope.integration.connected_by,
        country: item.fields.country,
        ...provenanceColumns(work, { type: 'connector', ref: scope.integration.id, collectedAt: now }),
      });
    }
    await work.tx.insertInto('leads').values(values).execute();
    return items.map((item, i) => ({
      externalId: item.externalId,
      recordId: ids[i]!,
      origin: 'created' as const,
      rule: null,
      filled: [],
      review: null,
    }));
  },
  async update(scope, items) {
    const { work } = scope;
    const rows = await work.tx
      .selectFrom('leads')
      .selectAll()
      .where('tenant_id', '=', work.tenantId)
      .where(
        'id',
        'in',
        items.map(({ link }) => link.record_id),
      )
      .execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    await work.sealer.preload(byId.keys());
    for (const { item, link } of items) {
      const row = byId.get(link.record_id);
      if (!row) continue;
      const current = await openLead(work, row);
      await work.tx
        .updateTable('leads')
        .set({
          ...(await sealLead(work, row.id, leadPerson(item.fields, current.customPersonal))),
          company_name: item.fields.companyName,
          company_domain: item.fields.companyDomain,
          country: item.fields.country,
          updated_at: new Date(),
        })
        .where('tenant_id', '=', work.tenantId)
        .where('id', '=', row.id)
        .execute();
    }
  },
};

const CLOSED = ['closed_won', 'closed_lost'];

function dealValues(fields: SyncFields['opportunity'], accountId: string | null) {
  const stage = fields.stage ?? 'prospecting';
  return {
    name: fields.name,
    account_id: accountId,
    stage,
    amount: fields.amount ?? '0',
    currency: fields.currency ?? 'EUR',
    expected_close_date: fields.expectedCloseDate,
    closed_at: CLOSED.includes(stage) ? new Date() : null,
  };
}

/**
 * Adds the synced people a deal names there to its contacts. None is taken away: people added
 * here stay, and a person taken off the deal there stays on it here until someone removes them.
 */
async function addDealContacts(scope: SyncScope, deals: Array<{ dealId: string; refs: string[] }>): Promise<void> {
  const people = await recordsByRef(
    scope,
    'contact',
    deals.flatMap((deal) => deal.refs),
  );
  const rows = deals.flatMap((deal) =>
    [...new Set(deal.refs.map((ref) => people.get(ref)).filter((id): id is string => Boolean(id)))].map((contactId) => ({
      tenant_id: tenantOf(scope),
      opportunity_id: deal.dealId,
      contact_id: contactId,
    })),
  );
  if (rows.length === 0) return;
  await scope.work.tx
    .insertInto('opportunity_contacts')
    .values(rows)
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}

const opportunities: RecordStore<'opportunity'> = {
  async create(scope, items) {
    if (items.length === 0) return [];
    const refs = await accountsByRef(
      scope,
      items.map((item) => item.fields.accountRef),
    );
    const ids = items.map(() => crypto.randomUUID());
    await scope.work.tx
      .insertInto('opportunities')
      .values(
        items.map((item, i) => ({
          tenant_id: tenantOf(scope),
          id: ids[i]!,
          ...dealValues(item.fields, item.fields.accountRef ? (refs.get(item.fields.accountRef) ?? null) : null),
          owner_id: scope.integration.connected_by,
          created_by: scope.integration.connected_by,
        })),
      )
      .execute();
    await addDealContacts(
      scope,
      items.map((item, i) => ({ dealId: ids[i]!, refs: item.fields.contactRefs })),
    );
    return items.map((item, i) => ({
      externalId: item.externalId,
      recordId: ids[i]!,
      origin: 'created' as const,
      rule: null,
      filled: [],
      review: null,
    }));
  },
  async update(scope, items) {
    const refs = await accountsByRef(
      scope,
      items.map(({ item }) => item.fields.accountRef),
    );
    await addDealContacts(
      scope,
      items.map(({ item, link }) => ({ dealId: link.record_id, refs: item.fields.contactRefs })),
    );
    for (const { item, link } of items) {
      const values = dealValues(item.fields, item.fields.accountRef ? (refs.get(item.fields.accountRef) ?? null) : null);
      // A deal that stays closed keeps the moment it closed.
      await scope.work.tx
        .updateTable('opportunities')
        .set({ ...values, closed_at: CLOSED.includes(values.stage) ? sql`coalesce(closed_at, now())` : null, updated_at: new Date() })
        .where('tenant_id', '=', tenantOf(scope))
        .where('id', '=', link.record_id)
        .execute();
    }
  },
};

/** The record each task is about here: the one the connection synced under the task's `about` there, if any. */
async function subjectsOf(
  scope: SyncScope,
  abouts: Array<SyncFields['task']['about']>,
): Promise<Array<{ type: CrmRecordType; id: string } | null>> {
  const found = new Map<string, Map<string, string>>();
  for (const type of new Set(abouts.flatMap((about) => (about ? [about.type] : [])))) {
    found.set(
      type,
      await recordsByRef(
        scope,
        type,
        abouts.map((about) => (about?.type === type ? about.ref : null)),
      ),
    );
  }
  return abouts.map((about) => {
    const id = about ? found.get(about.type)?.get(about.ref) : undefined;
    return about && id ? { type: about.type, id } : null;
  });
}

const tasks: RecordStore<'task'> = {
  async create(scope, items) {
    const { work } = scope;
    if (items.length === 0) return [];
    const ids = items.map(() => crypto.randomUUID());
    const subjects = await subjectsOf(
      scope,
      items.map((item) => item.fields.about),
    );
    const keyIds = ids.map((id, i) => keyFor(id, subjects[i]));
    await work.app.keys.createSubjectKeys(
      work.tx,
      work.tenantId,
      keyIds.filter((keyId, i) => keyId === ids[i]),
    );
    const values = [];
    for (const [i, item] of items.entries()) {
      values.push({
        tenant_id: work.tenantId,
        id: ids[i]!,
        title_enc: (await work.sealer.seal(keyIds[i]!, 'tasks.title', item.fields.title))!,
        key_id: keyIds[i]!,
        due_at: item.fields.dueAt,
        assignee_id: scope.integration.connected_by,
        done: item.fields.done,
        done_at: item.fields.done ? new Date() : null,
        record_type: subjects[i]?.type ?? null,
        record_id: subjects[i]?.id ?? null,
        created_by: scope.integration.connected_by,
      });
    }
    await work.tx.insertInto('tasks').values(values).execute();
    return items.map((item, i) => ({
      externalId: item.externalId,
      recordId: ids[i]!,
      origin: 'created' as const,
      rule: null,
      filled: [],
      review: null,
    }));
  },
  async update(scope, items) {
    const { work } = scope;
    const subjects = await subjectsOf(
      scope,
      items.map(({ item }) => item.fields.about),
    );
    for (const [i, { item, link }] of items.entries()) {
      const row = await work.tx
        .selectFrom('tasks')
        .select(['key_id', 'record_id', 'done'])
        .where('tenant_id', '=', work.tenantId)
        .where('id', '=', link.record_id)
        .executeTakeFirst();
      if (!row) continue;
      // A task moves to the record it is about there once that one is synced; none takes it off the record it has here.
      const subject = subjects[i];
      const keyId = subject ? keyFor(link.record_id, subject, row) : row.key_id;
      await work.tx
        .updateTable('tasks')
        .set({
          title_enc: (await work.sealer.seal(keyId, 'tasks.title', item.fields.title))!,
          key_id: keyId,
          ...(subject ? { record_type: subject.type, record_id: subject.id } : {}),
          due_at: item.fields.dueAt,
          done: item.fields.done,
          done_at: item.fields.done ? (row.done ? sql`done_at` : new Date()) : null,
          updated_at: new Date(),
        })
        .where('tenant_id', '=', work.tenantId)
        .where('id', '=', link.record_id)
        .execute();
      if (hasOwnKey(row) && keyId !== row.key_id) await work.sealer.destroy(row.key_id);
    }
  },
};

export const RECORD_STORES: { [K in SyncRecordType]: RecordStore<K> } = {
  account: accounts,
  contact: contacts,
  lead: leads,
  opportunity: opportunities,
  task: tasks,
};

const TABLES: Record<SyncRecordType, 'accounts' | 'contacts' | 'leads' | 'opportunities' | 'tasks'> = {
  account: 'accounts',
  contact: 'contacts',
  lead: 'leads',
  opportunity: 'opportunities',
  task: 'tasks',
};
export const tableOf = (type: SyncRecordType) => TABLES[type];

/** People, whose data key is their own id: destroying it makes every copy unreadable, backups included. */
const PEOPLE: readonly SyncRecordType[] = ['contact', 'lead'];

/** Deletes synced records of one type with their tasks, notes and links, and destroys their data keys. */
export async function removeSyncedRecords(work: CrmWork, type: SyncRecordType, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const keys: string[] = PEOPLE.includes(type) ? [...ids] : [];
  if (type === 'task') {
    // A task about a person is sealed under the person's key, which stays theirs.
    const removed = await work.tx
      .deleteFrom('tasks')
      .where('tenant_id', '=', work.tenantId)
      .where('id', 'in', ids)
      .returning(['key_id', 'record_id'])
      .execute();
    keys.push(...removed.filter(hasOwnKey).map((row) => row.key_id));
  } else {
    keys.push(...(await removeActivitiesOf(work, type, ids)));
    await work.tx.deleteFrom(TABLES[type]).where('tenant_id', '=', work.tenantId).where('id', 'in', ids).execute();
  }
  await work.tx
    .deleteFrom('sync_links')
    .where('tenant_id', '=', work.tenantId)
    .where('record_type', '=', type)
    .where('record_id', 'in', ids)
    .execute();
  await work.app.keys.destroySubjectKeys(work.tx, work.tenantId, keys);
}

/** Empties the fields a connection filled in on a record that was not its own. */
export async function clearFilledFields(work: CrmWork, link: LinkRow): Promise<void> {
  const fields = link.filled_fields;
  if (fields.length === 0) return;
  if (link.record_type === 'account') {
    const values = Object.fromEntries(fields.map((name) => [name, null]));
    await work.tx
      .updateTable('accounts')
      .set({ ...values, updated_at: new Date() })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', link.record_id)
      .execute();
    return;
  }
  if (link.record_type !== 'contact') return;
  const row = await work.tx
    .selectFrom('contacts')
    .selectAll()
    .where('tenant_id', '=', work.tenantId)
    .where('id', '=', link.record_id)
    .executeTakeFirst();
  if (!row) return;
  const current = await openContact(work, row);
  const person: ContactPerson = {
    ...current,
    ...(fields.includes('firstName') ? { firstName: null } : {}),
    ...(fields.includes('lastName') ? { lastName: null } : {}),
    ...(fields.includes('phones') ? { phones: [] } : {}),
    ...(fields.includes('jobTitle') ? { jobTitle: null } : {}),
  };
  await work.tx
    .updateTable('contacts')
    .set({
      ...(await sealContact(work, row.id, person)),
      ...(fields.includes('account_id') ? { account_id: null } : {}),
      ...(fields.includes('country') ? { country: null } : {}),
      updated_at: new Date(),
    })
    .where('tenant_id', '=', work.tenantId)
    .where('id', '=', row.id)
    .execute();
}
