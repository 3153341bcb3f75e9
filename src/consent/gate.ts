import type { Tx } from '../db/tenant.ts';
import type { ConsentState, PersonType, RefusalPath } from '../db/types-consent.ts';
import { PROFILES } from '../jurisdiction/profiles.ts';
import { jurisdictionsOf, type ResolvedJurisdiction } from '../jurisdiction/service.ts';
import type { PersonRef } from './ledger.ts';
import type { PurposeRow } from './purposes.ts';
import { saleSharingOptedOut } from './sale-sharing.ts';

export type Refusal =
  | 'purpose_inactive'
  | 'no_consent'
  | 'consent_pending'
  | 'consent_withdrawn'
  | 'consent_expired'
  | 'objected'
  | 'restricted'
  | 'suppressed'
  // The person opted out of the sale and sharing of their personal information (CCPA, GPC).
  | 'opted_out_of_sale'
  // The person's record exists only as the customer's data processed on their behalf (Art. 28).
  | 'processor_data';

export type Verdict = { allowed: true } | { allowed: false; reason: Refusal };

const CHUNK = 1000;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** When consent granted at `since` stops being valid for this purpose; null when it does not age. */
export function consentValidUntil(purpose: Pick<PurposeRow, 'consent_valid_days'>, since: Date | null): Date | null {
  if (!since || !purpose.consent_valid_days) return null;
  return new Date(new Date(since).getTime() + purpose.consent_valid_days * 86_400_000);
}

/** What the gate needs to know about people, loaded once for any number of purposes. */
export interface GateFacts {
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
  /** The jurisdiction profile governing each person. */
  jurisdictions: Map<string, ResolvedJurisdiction>;
}

function emptyFacts(): GateFacts {
  return { restricted: new Set(), suppressed: new Set(), states: new Map(), objectedToMarketing: new Set(), heldForCustomer: new Set(), saleOptedOut: new Set(), jurisdictions: new Map() };
}

export async function gateFacts(tx: Tx, tenantId: string, people: PersonRef[]): Promise<GateFacts> {
  const facts = emptyFacts();
  facts.jurisdictions = await jurisdictionsOf(tx, tenantId, people);
  for (const batch of chunks(people)) {
    const ids = batch.map((person) => person.id);
    for (const row of await tx.selectFrom('processing_restrictions').select('person_id').where('tenant_id', '=', tenantId).where('person_id', 'in', ids).execute()) {
      facts.restricted.add(row.person_id);
    }
    for (const id of await suppressedPeople(tx, tenantId, batch)) facts.suppressed.add(id);
    for (const id of await saleSharingOptedOut(tx, tenantId, ids)) facts.saleOptedOut.add(id);
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
  }
  return facts;
}

/**
 * Whether, for this person, the purpose is governed by an opt-out regime rather than by its
 * legal basis: marketing under a law where it is allowed until the person says no (CCPA), and
 * selling or sharing under a law that gives an opt-out rather than requiring a basis (CCPA).
 */
function optOutGoverns(purpose: PurposeRow, jurisdiction: ResolvedJurisdiction | undefined): boolean {
  if (!jurisdiction) return false;
  const profile = PROFILES[jurisdiction.jurisdiction];
  return (purpose.sells_or_shares && profile.saleSharing.regime === 'opt_out') || (purpose.direct_marketing && !purpose.sells_or_shares && profile.marketing.regime === 'opt_out');
}

/** The gate's answer for one person and purpose, from facts loaded with gateFacts. */
export function gateVerdict(purpose: PurposeRow, facts: GateFacts, personId: string, now = new Date()): Verdict {
  if (purpose.status !== 'active') return { allowed: false, reason: 'purpose_inactive' };
  if (purpose.direct_marketing && facts.heldForCustomer.has(personId)) return { allowed: false, reason: 'processor_data' };
  return verdictFor(purpose, facts.states.get(personId)?.get(purpose.id), {
    restricted: facts.restricted.has(personId),
    suppressed: facts.suppressed.has(personId),
    objectedToMarketing: purpose.direct_marketing && facts.objectedToMarketing.has(personId),
    optedOutOfSale: purpose.sells_or_shares && facts.saleOptedOut.has(personId),
    optOutRegime: optOutGoverns(purpose, facts.jurisdictions.get(personId)),
    now,
  });
}

/**
 * The processing gate: may these people be processed for this purpose? Yes only when the purpose
 * is active, its legal basis holds for the person (a valid, confirmed, unexpired consent, or for
 * the other bases no objection), and the person is neither restricted (Art. 18) nor on the
 * suppression list. A purpose that sells or shares is refused for anyone who opted out of sale
 * and sharing. Where the person's jurisdiction makes marketing or sale opt-out (CCPA), a purpose
 * based on consent is allowed until the person withdraws, objects or opts out. An objection to
 * any direct-marketing purpose stops all direct marketing (Art. 21(3)). A person whose record
 * came from a CRM connection in processor mode is the customer's data: no direct marketing of
 * ours reaches them. Evaluated for many people at once: a few queries per thousand people.
 */
export async function evaluateGate(tx: Tx, tenantId: string, purpose: PurposeRow, people: PersonRef[], now = new Date()): Promise<Map<string, Verdict>> {
  const facts = purpose.status === 'active' ? await gateFacts(tx, tenantId, people) : emptyFacts();
  return new Map(people.map((person) => [person.id, gateVerdict(purpose, facts, person.id, now)]));
}

function verdictFor(
  purpose: PurposeRow,
  own: { state: ConsentState; since: Date } | undefined,
  flags: { restricted: boolean; suppressed: boolean; objectedToMarketing: boolean; optedOutOfSale: boolean; optOutRegime: boolean; now: Date },
): Verdict {
  if (flags.restricted) return { allowed: false, reason: 'restricted' };
  if (own?.state === 'objected' || flags.objectedToMarketing) return { allowed: false, reason: 'objected' };
  if (flags.optedOutOfSale) return { allowed: false, reason: 'opted_out_of_sale' };
  if (flags.suppressed) return { allowed: false, reason: 'suppressed' };
  if (purpose.legal_basis !== 'consent') return { allowed: true };
  switch (own?.state) {
    // Under an opt-out regime silence is not a refusal; a withdrawn or expired consent still is.
    case undefined:
      return flags.optOutRegime ? { allowed: true } : { allowed: false, reason: 'no_consent' };
    case 'pending':
      return flags.optOutRegime ? { allowed: true } : { allowed: false, reason: 'consent_pending' };
    case 'withdrawn':
      return { allowed: false, reason: 'consent_withdrawn' };
    case 'expired':
      return { allowed: false, reason: 'consent_expired' };
    case 'granted': {
      const until = consentValidUntil(purpose, own.since);
      return until && until <= flags.now ? { allowed: false, reason: 'consent_expired' } : { allowed: true };
    }
  }
  return { allowed: false, reason: 'no_consent' };
}

/** The people any of whose addresses is on the suppression list. */
async function suppressedPeople(tx: Tx, tenantId: string, people: PersonRef[]): Promise<Set<string>> {
  const indexes = await emailIndexesOf(tx, tenantId, people);
  const all = [...new Set([...indexes.values()].flat())];
  if (all.length === 0) return new Set();
  const listed = new Set(
    (await tx.selectFrom('suppressions').select('email_index').where('tenant_id', '=', tenantId).where('email_index', 'in', all).execute()).map((row) => row.email_index),
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
    const rows = await tx.selectFrom('contacts').select(['id', 'email_index']).where('tenant_id', '=', tenantId).where('id', 'in', contactIds).execute();
    for (const row of rows) out.set(row.id, row.email_index);
  }
  const leadIds = byType('lead');
  if (leadIds.length > 0) {
    const rows = await tx.selectFrom('leads').select(['id', 'email_index']).where('tenant_id', '=', tenantId).where('id', 'in', leadIds).execute();
    for (const row of rows) out.set(row.id, row.email_index ? [row.email_index] : []);
  }
  return out;
}

export async function canProcess(tx: Tx, tenantId: string, person: PersonRef, purpose: PurposeRow): Promise<Verdict> {
  return (await evaluateGate(tx, tenantId, purpose, [person])).get(person.id)!;
}

/** Records the refusals of one processing run, so "who was not contacted, and why" can be shown. */
export async function recordRefusals(tx: Tx, tenantId: string, path: RefusalPath, ref: string | null, purposeId: string, verdicts: Map<string, Verdict>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const rows = [];
  for (const [personId, verdict] of verdicts) {
    if (verdict.allowed) continue;
    counts[verdict.reason] = (counts[verdict.reason] ?? 0) + 1;
    rows.push({ tenant_id: tenantId, person_id: personId, purpose_id: purposeId, path, ref, reason: verdict.reason });
  }
  for (const batch of chunks(rows)) await tx.insertInto('processing_refusals').values(batch).execute();
  return counts;
}
