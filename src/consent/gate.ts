import type { Tx } from '../db/tenant.ts';
import type { ConsentState, RefusalPath } from '../db/types-consent.ts';
import { PROFILES, type JurisdictionProfile, type MarketingExceptionKey } from '../jurisdiction/profiles.ts';
import { chunks, emptyFacts, gateFacts, gatePurposes, workspaceFacts, type GateFacts, type GatePurpose } from './gate-facts.ts';
import type { PersonRef } from '../crm/people.ts';
import type { PurposeRow } from './purposes.ts';

export { emailIndexesOf, gateFacts, gatePurposes, type GateFacts, type GatePurpose } from './gate-facts.ts';

export const REFUSALS = [
  /** The purpose is not active, or rests on legitimate interest without a passed balancing test in force. */
  'purpose_inactive',
  'no_consent',
  /** Offered the consent on a form, the person left the box unticked. */
  'consent_declined',
  'consent_pending',
  'consent_withdrawn',
  'consent_expired',
  /** Electronic marketing under an opt-in law with neither consent, nor a soft opt-in, nor an enabled exception. */
  'opt_in_required',
  /** Selling or sharing, under a law where that needs consent, for a purpose that does not rest on consent. */
  'sale_needs_consent',
  /** Re-permission: the person never confirmed their double opt-in, so the address may not be theirs. */
  'address_unconfirmed',
  'objected',
  'restricted',
  'suppressed',
  /** The person opted out of the sale and sharing of their personal information (CCPA, GPC). */
  'opted_out_of_sale',
  /** The person's record exists only as the customer's data processed on their behalf (Art. 28). */
  'processor_data',
] as const;
export type Refusal = (typeof REFUSALS)[number];

/** Why processing is allowed: shown to staff as the person's basis for the purpose. */
export type Basis =
  | 'consent' // a valid consent to the purpose
  | 'soft_opt_in' // an existing customer, for similar products (ePrivacy Art. 13(2), PECR reg. 22(3))
  | 'b2b_exception' // an exception the workspace enabled (e.g. France's B2B rule)
  | 'opt_out_regime' // the person's law allows it until they say no (CCPA, CAN-SPAM)
  | 'legal_basis'; // contract, legitimate interest or legal obligation, with no objection

export type Verdict = { allowed: true; basis: Basis; exception?: MarketingExceptionKey } | { allowed: false; reason: Refusal };

/**
 * The processing path asking, which the gate does not take on trust from the purpose: a
 * campaign or re-permission send is direct marketing whatever its purpose says, and a push to a
 * connection flagged as selling or sharing is a sale or share.
 */
export interface GateUse {
  path: RefusalPath | 'view';
  sellsOrShares?: boolean;
}

const VIEW: GateUse = { path: 'view' };

/** When consent granted at `since` stops being valid for this purpose; null when it does not age. */
export function consentValidUntil(purpose: Pick<PurposeRow, 'consent_valid_days'>, since: Date | null): Date | null {
  if (!since || !purpose.consent_valid_days) return null;
  return new Date(new Date(since).getTime() + purpose.consent_valid_days * 86_400_000);
}

export function purposeInForce(purpose: GatePurpose): boolean {
  return purpose.status === 'active' && (purpose.legal_basis !== 'legitimate_interest' || purpose.balancingTest === 'passed');
}

type OwnConsent = { state: ConsentState; since: Date } | undefined;

/** What the person's own consent to a consent-based purpose says. */
function consentVerdict(purpose: GatePurpose, own: OwnConsent, now: Date, declined = false): Verdict {
  switch (own?.state) {
    case undefined:
      return { allowed: false, reason: declined ? 'consent_declined' : 'no_consent' };
    case 'pending':
      return { allowed: false, reason: 'consent_pending' };
    case 'withdrawn':
      return { allowed: false, reason: 'consent_withdrawn' };
    case 'expired':
      return { allowed: false, reason: 'consent_expired' };
    case 'objected':
      return { allowed: false, reason: 'objected' };
    case 'granted': {
      const until = consentValidUntil(purpose, own.since);
      return until && until <= now ? { allowed: false, reason: 'consent_expired' } : { allowed: true, basis: 'consent' };
    }
  }
}

/**
 * Electronic direct marketing follows the channel rule of the person's law, whatever the
 * purpose's legal basis says (DESIGN.md §7).
 * - Opt-in law (ePrivacy Directive Art. 13(1), PECR reg. 22(2), LGPD): a purpose on consent needs
 *   that consent; any other purpose reaches only an existing customer with a recorded soft opt-in
 *   (Art. 13(2), reg. 22(3)) when it markets similar products, or a business contact under a B2B
 *   exception the workspace enabled.
 * - Opt-out law (CAN-SPAM): allowed until the person says no. A withdrawn or expired consent is a
 *   no. A double opt-in still pending is the workspace's own promise ("nothing will be sent to
 *   you unless you confirm"), so it refuses too.
 */
function marketingVerdict(
  purpose: GatePurpose,
  profile: JurisdictionProfile,
  facts: GateFacts,
  personId: string,
  own: OwnConsent,
  use: GateUse,
  now: Date,
): Verdict {
  const declined = facts.declined.get(personId)?.has(purpose.id) ?? false;
  if (profile.marketing.regime === 'opt_out') {
    if (purpose.legal_basis !== 'consent' || (own === undefined && !declined)) return { allowed: true, basis: 'opt_out_regime' };
    const consent = consentVerdict(purpose, own, now, declined);
    // Asking again someone whose consent lapsed is allowed where marketing is opt-out, unless the
    // address was never confirmed.
    if (!consent.allowed && consent.reason === 'consent_expired' && use.path === 'repermission') {
      return facts.unconfirmed.get(personId)?.has(purpose.id)
        ? { allowed: false, reason: 'address_unconfirmed' }
        : { allowed: true, basis: 'opt_out_regime' };
    }
    return consent;
  }
  if (purpose.legal_basis === 'consent') return consentVerdict(purpose, own, now, declined);
  if (purpose.soft_opt_in && profile.marketing.softOptIn && facts.softOptIn.has(personId)) return { allowed: true, basis: 'soft_opt_in' };
  const place = facts.places.get(personId);
  if (purpose.about_recipients_profession && place?.businessContact) {
    const exception = profile.marketing.exceptions.find(
      (candidate) =>
        facts.workspace.marketingExceptions.has(candidate.key) && place.country !== null && candidate.countries.includes(place.country),
    );
    if (exception) return { allowed: true, basis: 'b2b_exception', exception: exception.key };
  }
  return { allowed: false, reason: 'opt_in_required' };
}

/** The gate's answer for one person and purpose, from facts loaded with gateFacts. */
export function gateVerdict(purpose: GatePurpose, facts: GateFacts, personId: string, use: GateUse = VIEW, now = new Date()): Verdict {
  if (!purposeInForce(purpose)) return { allowed: false, reason: 'purpose_inactive' };
  const marketing = purpose.direct_marketing || use.path === 'campaign' || use.path === 'repermission';
  const sells = purpose.sells_or_shares || Boolean(use.sellsOrShares);
  const own = facts.states.get(personId)?.get(purpose.id);
  if (marketing && facts.heldForCustomer.has(personId)) return { allowed: false, reason: 'processor_data' };
  if (facts.restricted.has(personId)) return { allowed: false, reason: 'restricted' };
  // Art. 21: an objection to this purpose ends it; one to any direct marketing ends all of it (21(3)).
  if (own?.state === 'objected' || (marketing && facts.objectedToMarketing.has(personId))) return { allowed: false, reason: 'objected' };
  if (sells && facts.saleOptedOut.has(personId)) return { allowed: false, reason: 'opted_out_of_sale' };
  // The suppression list is a list of addresses marketing mail never goes to; it does not stop a contract.
  if (marketing && facts.suppressed.has(personId)) return { allowed: false, reason: 'suppressed' };
  const profile = PROFILES[facts.places.get(personId)?.jurisdiction.jurisdiction ?? facts.workspace.defaultJurisdiction];
  if (sells && profile.saleSharing.regime === 'consent') {
    if (purpose.legal_basis !== 'consent') return { allowed: false, reason: 'sale_needs_consent' };
    const consent = consentVerdict(purpose, own, now, facts.declined.get(personId)?.has(purpose.id));
    if (!consent.allowed) return consent;
  }
  if (marketing) return marketingVerdict(purpose, profile, facts, personId, own, use, now);
  if (purpose.legal_basis !== 'consent') return { allowed: true, basis: 'legal_basis' };
  // Selling or sharing where the law makes it opt-out (CCPA): silence is not a refusal.
  const declined = facts.declined.get(personId)?.has(purpose.id) ?? false;
  if (sells && profile.saleSharing.regime === 'opt_out' && own === undefined && !declined)
    return { allowed: true, basis: 'opt_out_regime' };
  return consentVerdict(purpose, own, now, declined);
}

/**
 * The processing gate: may these people be processed for this purpose, on this path? It reads
 * the purpose, the workspace settings and every person's state in the caller's transaction, so
 * each batch of a long run is decided on the present. Allowed only when the purpose is in force
 * (active; on legitimate interest, with a passed balancing test), the person is neither
 * restricted (Art. 18) nor objecting (Art. 21; to any direct marketing, all of it, 21(3)), and
 * the basis holds for them: their consent for a purpose on consent; for marketing, the channel
 * rule of their law (marketingVerdict); for selling or sharing, consent or the opt-out their law
 * gives. Marketing also stops at the suppression list, at an opt-out of sale when it sells, and
 * for people whose record a processor-mode connection brought in (the customer's data).
 */
export async function evaluateGate(
  tx: Tx,
  tenantId: string,
  purpose: Pick<PurposeRow, 'id'>,
  people: PersonRef[],
  use: GateUse = VIEW,
  now = new Date(),
): Promise<Map<string, Verdict>> {
  const current = (await gatePurposes(tx, tenantId, [purpose.id])).get(purpose.id);
  if (!current) throw new Error(`purpose ${purpose.id} vanished`);
  return (await gateDecision(tx, tenantId, current, people, use, now)).verdicts;
}

/**
 * The gate's verdicts for a purpose the caller has just read in this transaction (a send's batch
 * reads it once for its own checks), with the facts they rest on (an export shows some of them).
 */
export async function gateDecision(
  tx: Tx,
  tenantId: string,
  purpose: GatePurpose,
  people: PersonRef[],
  use: GateUse = VIEW,
  now = new Date(),
): Promise<{ verdicts: Map<string, Verdict>; facts: GateFacts }> {
  const facts = purposeInForce(purpose)
    ? await gateFacts(tx, tenantId, people, use.path === 'repermission' ? { unconfirmedFor: purpose.id } : {})
    : emptyFacts(await workspaceFacts(tx, tenantId));
  return { facts, verdicts: new Map(people.map((person) => [person.id, gateVerdict(purpose, facts, person.id, use, now)])) };
}

export async function canProcess(
  tx: Tx,
  tenantId: string,
  person: PersonRef,
  purpose: Pick<PurposeRow, 'id'>,
  use: GateUse = VIEW,
): Promise<Verdict> {
  return (await evaluateGate(tx, tenantId, purpose, [person], use)).get(person.id)!;
}

/** Records the refusals of one processing run, so "who was not contacted, and why" can be shown. */
export async function recordRefusals(
  tx: Tx,
  tenantId: string,
  path: RefusalPath,
  ref: string | null,
  purposeId: string | null,
  verdicts: Map<string, Verdict>,
): Promise<Record<string, number>> {
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
