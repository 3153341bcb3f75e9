import type { AppContext } from '../app-context.ts';
import type { Tx } from '../db/tenant.ts';
import type { ConsentMethod } from '../db/types-consent.ts';
import { currentState, recordConsentEvent } from './ledger.ts';
import type { PersonRef } from '../crm/people.ts';
import { findPurpose } from './purposes.ts';
import { liftSuppressionByOptIn } from './suppression.ts';

export interface Preference {
  purposeId: string;
  name: string;
  description: string;
  legalBasis: string;
  state: string;
  /** Consent purposes can be switched on and off; legitimate-interest ones can be objected to. */
  control: 'consent' | 'object';
}

/** Every active purpose a person can act on themselves, with its state for them. */
export async function preferenceItems(tx: Tx, tenantId: string, personId: string): Promise<Preference[]> {
  const purposes = await tx
    .selectFrom('purposes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .orderBy('name')
    .execute();
  const items: Preference[] = [];
  for (const purpose of purposes) {
    const control =
      purpose.legal_basis === 'consent'
        ? 'consent'
        : purpose.legal_basis === 'legitimate_interest' || purpose.direct_marketing
          ? 'object'
          : null;
    if (!control) continue;
    items.push({
      purposeId: purpose.id,
      name: purpose.name,
      description: purpose.description,
      legalBasis: purpose.legal_basis,
      state: (await currentState(tx, tenantId, personId, purpose.id)).state,
      control,
    });
  }
  return items;
}

export interface Chooser {
  ip: string;
  userAgent: string | null;
}

/** What the person is told when their own opt-in took their address off the suppression list. */
export const SUPPRESSION_LIFTED =
  'You had asked us not to send you marketing e-mail; since you have now subscribed again yourself, your address is off our do-not-mail list.';

export interface PreferenceChanges {
  /** Events written to the ledger. */
  changes: number;
  /** Addresses taken off the suppression list because the person opted in again. */
  liftedSuppressions: number;
}

/**
 * Applies a person's own choices: a ticked consent purpose is given, an unticked one withdrawn,
 * an objection recorded. A new consent is the person's own new opt-in, which alone lifts a
 * suppression of their addresses. The caller audits.
 */
export async function applyPreferences(
  app: AppContext,
  tx: Tx,
  tenantId: string,
  person: PersonRef,
  wanted: Set<string>,
  objections: Set<string>,
  chooser: Chooser,
  where: { method: ConsentMethod; source: string },
): Promise<PreferenceChanges> {
  let changes = 0;
  let optedIn = false;
  for (const item of await preferenceItems(tx, tenantId, person.id)) {
    let kind: 'given' | 'withdrawn' | 'objected' | null = null;
    if (item.control === 'consent') {
      if (wanted.has(item.purposeId) && item.state !== 'granted') kind = 'given';
      else if (!wanted.has(item.purposeId) && (item.state === 'granted' || item.state === 'pending')) kind = 'withdrawn';
    } else if (objections.has(item.purposeId) && item.state !== 'objected') {
      kind = 'objected';
    }
    if (!kind) continue;
    const purpose = await findPurpose(tx, tenantId, item.purposeId);
    await recordConsentEvent(app, tx, tenantId, {
      person,
      purpose,
      kind,
      method: where.method,
      source: where.source,
      ip: chooser.ip,
      userAgent: chooser.userAgent,
      text: kind === 'given' ? `${where.source}: yes to "${purpose.name}"${purpose.description ? ` (${purpose.description})` : ''}` : null,
      actor: { type: 'data_subject', id: person.id },
    });
    changes += 1;
    if (kind === 'given') optedIn = true;
  }
  return { changes, liftedSuppressions: optedIn ? await liftSuppressionByOptIn(tx, tenantId, person) : 0 };
}
