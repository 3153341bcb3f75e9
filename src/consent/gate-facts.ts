import { sql } from 'kysely';
import type { Tx } from '../db/tenant.ts';
import type { ConsentState, PersonType } from '../db/types-consent.ts';
import type { Jurisdiction, MarketingExceptionKey } from '../jurisdiction/profiles.ts';
import { resolveJurisdiction, type ResolvedJurisdiction } from '../jurisdiction/service.ts';
import type { PersonRef } from '../crm/people.ts';
import type { PurposeRow } from './purposes.ts';
import { saleSharingOptedOut } from './sale-sharing.ts';

/**
 * What the processing gate needs to know, loaded in the transaction that decides, so a decision
 * is always about the present: the purposes as they stand (with their balancing test), the
 * workspace's settings, and each person's state. A few queries per thousand people.
 */

/** A purpose as the gate sees it: its row and whether its balancing test is in force. */
export interface GatePurpose extends PurposeRow {
  /** Legitimate interest only: the outcome of the latest balancing test; null when there is none. */
  balancingTest: 'passed' | 'failed' | null;
}

/** What a person's own record says, beyond consent: where they live and whether they are a business contact. */
export interface PersonPlace {
  jurisdiction: ResolvedJurisdiction;
  country: string | null;
  /** A contact at an account, or a lead with a company: someone reached at work. */
  businessContact: boolean;
}

export interface GateFacts {
  workspace: { defaultJurisdiction: Jurisdiction; marketingExceptions: ReadonlySet<MarketingExceptionKey> };
  restricted: Set<string>;
  suppressed: Set<string>;
  /** Consent state per person, per purpose. */
  states: Map<string, Map<string, { state: ConsentState; since: Date }>>;
  /** People who objected to at least one direct-marketing purpose. */
  objectedToMarketing: Set<string>;
  /** People whose record a connection in processor mode brought in: the customer's data, not ours. */
  heldForCustomer: Set<string>;
  /** People who opted out of the sale and sharing of their personal information. */
  saleOptedOut: Set<string>;
  /** People with a recorded soft opt-in (src/consent/soft-opt-in.ts). */
  softOptIn: Set<string>;
  /** Per person, the purposes whose latest consent came through a double opt-in never confirmed. */
  unconfirmed: Map<string, Set<string>>;
  /** Per person, the purposes a form offered them whose box they left unticked. */
  declined: Map<string, Set<string>>;
  places: Map<string, PersonPlace>;
}

const CHUNK = 1000;

export function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** The purposes with their latest balancing test, read now. */
export async function gatePurposes(tx: Tx, tenantId: string, purposeIds: string[]): Promise<Map<string, GatePurpose>> {
  const out = new Map<string, GatePurpose>();
  if (purposeIds.length === 0) return out;
  const rows = await tx.selectFrom('purposes').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', purposeIds).execute();
  const tests = await tx
    .selectFrom('legitimate_interest_assessments')
    .select(['purpose_id', 'outcome'])
    .distinctOn('purpose_id')
    .where('tenant_id', '=', tenantId)
    .where('purpose_id', 'in', purposeIds)
    .orderBy('purpose_id')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const latest = new Map(tests.map((test) => [test.purpose_id, test.outcome]));
  for (const row of rows) out.set(row.id, { ...row, balancingTest: latest.get(row.id) ?? null });
  return out;
}

export function emptyFacts(workspace: GateFacts['workspace']): GateFacts {
  return {
    workspace,
    restricted: new Set(),
    suppressed: new Set(),
    states: new Map(),
    objectedToMarketing: new Set(),
    heldForCustomer: new Set(),
    saleOptedOut: new Set(),
    softOptIn: new Set(),
    unconfirmed: new Map(),
    declined: new Map(),
    places: new Map(),
  };
}

export async function workspaceFacts(tx: Tx, tenantId: string): Promise<GateFacts['workspace']> {
  const row = await tx
    .selectFrom('tenants')
    .select(['default_jurisdiction', 'marketing_exceptions'])
    .where('id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return {
    defaultJurisdiction: row.default_jurisdiction as Jurisdiction,
    marketingExceptions: new Set(row.marketing_exceptions as MarketingExceptionKey[]),
  };
}

export async function gateFacts(
  tx: Tx,
  tenantId: string,
  people: PersonRef[],
  options: { unconfirmedFor?: string } = {},
): Promise<GateFacts> {
  const facts = emptyFacts(await workspaceFacts(tx, tenantId));
  for (const batch of chunks(people)) {
    const ids = batch.map((person) => person.id);
    await loadPlaces(tx, tenantId, batch, facts);
    for (const row of await tx
      .selectFrom('processing_restrictions')
      .select('person_id')
      .where('tenant_id', '=', tenantId)
      .where('person_id', 'in', ids)
      .execute()) {
      facts.restricted.add(row.person_id);
    }
    for (const id of await suppressedPeople(tx, tenantId, batch)) facts.suppressed.add(id);
    for (const id of await saleSharingOptedOut(tx, tenantId, ids)) facts.saleOptedOut.add(id);
    for (const row of await tx
      .selectFrom('soft_opt_ins')
      .select('person_id')
      .where('tenant_id', '=', tenantId)
      .where('person_id', 'in', ids)
      .execute()) {
      facts.softOptIn.add(row.person_id);
    }
    const processed = await tx
      .selectFrom('sync_links as l')
      .innerJoin('integrations as i', (join) => join.onRef('i.tenant_id', '=', 'l.tenant_id').onRef('i.id', '=', 'l.integration_id'))
      .select('l.record_id')
      .where('l.tenant_id', '=', tenantId)
      .where('l.record_id', 'in', ids)
      .where('l.origin', '=', 'created')
      .where('i.acting_as', '=', 'processor')
      .execute();
    for (const row of processed) facts.heldForCustomer.add(row.record_id);
    const states = await tx
      .selectFrom('consent_states as s')
      .innerJoin('purposes as p', (join) => join.onRef('p.tenant_id', '=', 's.tenant_id').onRef('p.id', '=', 's.purpose_id'))
      .select(['s.person_id', 's.purpose_id', 's.state', 's.since', 'p.direct_marketing'])
      .where('s.tenant_id', '=', tenantId)
      .where('s.person_id', 'in', ids)
      .execute();
    for (const row of states) {
      if (!facts.states.has(row.person_id)) facts.states.set(row.person_id, new Map());
      facts.states.get(row.person_id)!.set(row.purpose_id, { state: row.state, since: row.since });
      if (row.state === 'objected' && row.direct_marketing) facts.objectedToMarketing.add(row.person_id);
    }
    if (options.unconfirmedFor) await loadUnconfirmed(tx, tenantId, ids, options.unconfirmedFor, facts);
    await loadDeclined(tx, tenantId, ids, facts);
  }
  return facts;
}

/** Jurisdiction, country and whether the person is reached at work, from their own records. */
async function loadPlaces(tx: Tx, tenantId: string, people: PersonRef[], facts: GateFacts): Promise<void> {
  const ids = (type: PersonType) => people.filter((person) => person.type === type).map((person) => person.id);
  const rows = [
    ...(ids('contact').length === 0
      ? []
      : await tx
          .selectFrom('contacts')
          .select(['id', 'country', 'region', 'jurisdiction', sql<boolean>`account_id is not null`.as('business')])
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', ids('contact'))
          .execute()),
    ...(ids('lead').length === 0
      ? []
      : await tx
          .selectFrom('leads')
          .select(['id', 'country', 'region', 'jurisdiction', sql<boolean>`company_name is not null`.as('business')])
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', ids('lead'))
          .execute()),
  ];
  for (const row of rows) {
    facts.places.set(row.id, {
      jurisdiction: resolveJurisdiction(row, facts.workspace.defaultJurisdiction),
      country: row.country?.trim().toUpperCase() || null,
      businessContact: row.business,
    });
  }
}

/**
 * People whose latest consent to the purpose was given through a double opt-in and never
 * confirmed (pending, or expired for want of confirmation): nobody has shown the address is theirs.
 */
async function loadUnconfirmed(tx: Tx, tenantId: string, ids: string[], purposeId: string, facts: GateFacts): Promise<void> {
  const rows = await tx
    .selectFrom('consent_events as e')
    .select('e.person_id')
    .where('e.tenant_id', '=', tenantId)
    .where('e.person_id', 'in', ids)
    .where('e.purpose_id', '=', purposeId)
    .where('e.kind', '=', 'given')
    .where('e.requires_confirmation', '=', true)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('consent_events as later')
            .select('later.id')
            .whereRef('later.tenant_id', '=', 'e.tenant_id')
            .whereRef('later.person_id', '=', 'e.person_id')
            .whereRef('later.purpose_id', '=', 'e.purpose_id')
            .where('later.kind', 'in', ['given', 'confirmed'])
            .whereRef('later.seq', '>', 'e.seq'),
        ),
      ),
    )
    .execute();
  for (const row of rows) {
    if (!facts.unconfirmed.has(row.person_id)) facts.unconfirmed.set(row.person_id, new Set());
    facts.unconfirmed.get(row.person_id)!.add(purposeId);
  }
}

/**
 * The consents people were offered on a form and did not tick: an unticked box is a "no"
 * (CJEU C-673/17 Planet49; GDPR Recital 32), which even an opt-out law does not turn into a yes.
 */
async function loadDeclined(tx: Tx, tenantId: string, ids: string[], facts: GateFacts): Promise<void> {
  const rows = await sql<{ person_id: string; purpose_id: string }>`
    select distinct s.person_id, offered.value->>'purposeId' as purpose_id
    from form_submissions s
    join form_versions v on v.tenant_id = s.tenant_id and v.form_id = s.form_id and v.version = s.form_version
    cross join lateral jsonb_array_elements(v.consents) as offered
    where s.tenant_id = ${tenantId} and s.person_id = any(${ids}::uuid[])
      and not ((offered.value->>'purposeId')::uuid = any(s.purpose_ids))`.execute(tx);
  for (const row of rows.rows) {
    if (!facts.declined.has(row.person_id)) facts.declined.set(row.person_id, new Set());
    facts.declined.get(row.person_id)!.add(row.purpose_id);
  }
}

/** The people any of whose addresses is on the suppression list. */
async function suppressedPeople(tx: Tx, tenantId: string, people: PersonRef[]): Promise<Set<string>> {
  const indexes = await emailIndexesOf(tx, tenantId, people);
  const all = [...new Set([...indexes.values()].flat())];
  if (all.length === 0) return new Set();
  const listed = new Set(
    (
      await tx.selectFrom('suppressions').select('email_index').where('tenant_id', '=', tenantId).where('email_index', 'in', all).execute()
    ).map((row) => row.email_index),
  );
  const out = new Set<string>();
  for (const [personId, personIndexes] of indexes) if (personIndexes.some((index) => listed.has(index))) out.add(personId);
  return out;
}

/** Blind indexes of the addresses of each person (contacts have several, leads one). */
export async function emailIndexesOf(tx: Tx, tenantId: string, people: PersonRef[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const byType = (type: PersonType) => people.filter((person) => person.type === type).map((person) => person.id);
  const contactIds = byType('contact');
  if (contactIds.length > 0) {
    const rows = await tx
      .selectFrom('contacts')
      .select(['id', 'email_index'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', contactIds)
      .execute();
    for (const row of rows) out.set(row.id, row.email_index);
  }
  const leadIds = byType('lead');
  if (leadIds.length > 0) {
    const rows = await tx
      .selectFrom('leads')
      .select(['id', 'email_index'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', leadIds)
      .execute();
    for (const row of rows) out.set(row.id, row.email_index ? [row.email_index] : []);
  }
  return out;
}
