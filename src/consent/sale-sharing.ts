import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import type { Tx } from '../db/tenant.ts';
import type { ActorType, ConsentMethod } from '../db/types-consent.ts';
import type { PersonRef } from '../crm/people.ts';

/**
 * The opt-out of sale and sharing (Cal. Civ. Code 1798.120), kept in the consent ledger as
 * events without a purpose: it covers every purpose and connection that sells or shares, now and
 * later. The processing gate refuses those for a person who opted out, whatever their
 * jurisdiction; for people under an opt-out law (CCPA) it is what stands between them and a sale.
 */

/** How a Global Privacy Control signal is named as the source of the events it causes. */
export const GPC_SOURCE = 'Global Privacy Control signal (Sec-GPC: 1)';

export interface SaleSharingChoice {
  person: PersonRef;
  optedOut: boolean;
  method: ConsentMethod;
  source: string;
  ip?: string | null;
  userAgent?: string | null;
  actor: { type: ActorType; id: string | null };
}

/** True when the browser sent the Global Privacy Control header (Sec-GPC: 1). */
export function hasGpcHeader(headers: Record<string, string | string[] | undefined>): boolean {
  const value = headers['sec-gpc'];
  return (Array.isArray(value) ? value[0] : value)?.trim() === '1';
}

export async function saleSharingOptedOut(tx: Tx, tenantId: string, personIds: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < personIds.length; i += 1000) {
    const rows = await tx
      .selectFrom('sale_sharing_states')
      .select('person_id')
      .where('tenant_id', '=', tenantId)
      .where('person_id', 'in', personIds.slice(i, i + 1000))
      .where('opted_out', '=', true)
      .execute();
    for (const row of rows) out.add(row.person_id);
  }
  return out;
}

/** The person's current choice, with when and how it was made; null when they never made one. */
export async function saleSharingState(tx: Tx, tenantId: string, personId: string) {
  const row = await tx
    .selectFrom('sale_sharing_states')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  return row ? { optedOut: row.opted_out, method: row.method, source: row.source, since: new Date(row.since).toISOString() } : null;
}

/**
 * Records the choice when it changes the current state (a repeated signal, e.g. GPC on every
 * page, adds nothing). Returns whether an event was written.
 */
export async function recordSaleSharingChoice(app: AppContext, tx: Tx, tenantId: string, choice: SaleSharingChoice): Promise<boolean> {
  const { person } = choice;
  await sql`select pg_advisory_xact_lock(hashtext(${`sale-sharing:${tenantId}:${person.id}`}))`.execute(tx);
  const current = await saleSharingState(tx, tenantId, person.id);
  if ((current?.optedOut ?? false) === choice.optedOut) return false;
  const seal = (field: string, value: string | null | undefined) =>
    value ? app.keys.encryptField(tx, tenantId, person.id, `consent_events.${field}`, value) : Promise.resolve(null);
  await tx
    .insertInto('consent_events')
    .values({
      tenant_id: tenantId,
      person_type: person.type,
      person_id: person.id,
      purpose_id: null,
      kind: choice.optedOut ? 'sale_sharing_opted_out' : 'sale_sharing_opted_in',
      method: choice.method,
      source: choice.source,
      ip_enc: await seal('ip', choice.ip),
      user_agent_enc: await seal('user_agent', choice.userAgent),
      actor_type: choice.actor.type,
      actor_id: choice.actor.id,
    })
    .execute();
  return true;
}

/**
 * Records one choice for every record of a person (a contact and a lead may share an address);
 * the actor is the person themselves unless given. Returns how many records' state changed.
 */
export async function recordSaleSharingChoices(
  app: AppContext,
  tx: Tx,
  tenantId: string,
  people: PersonRef[],
  choice: Omit<SaleSharingChoice, 'person' | 'actor'> & { actor?: SaleSharingChoice['actor'] },
): Promise<number> {
  let changed = 0;
  for (const person of people) {
    if (
      await recordSaleSharingChoice(app, tx, tenantId, {
        ...choice,
        person,
        actor: choice.actor ?? { type: 'data_subject', id: person.id },
      })
    )
      changed += 1;
  }
  return changed;
}
