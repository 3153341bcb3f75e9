import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { KeyDestroyedError } from '../crypto/keys.ts';
import type { Tx } from '../db/tenant.ts';
import type { ActorType, ConsentMethod, ConsentState, PurposeEventKind } from '../db/types-consent.ts';
import { conflict, unprocessable } from '../http/errors.ts';
import type { PurposeRow } from './purposes.ts';
import type { PersonRef } from '../crm/people.ts';

export interface NewConsentEvent {
  person: PersonRef;
  purpose: PurposeRow;
  kind: PurposeEventKind;
  method: ConsentMethod;
  requiresConfirmation?: boolean;
  /** Where it came from, in the product's own words (a form URL, "campaign:<id>"): kept in clear. */
  source?: string | null;
  /** Where it came from, as staff or an API caller wrote it: may name the person, so sealed. */
  sourceText?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  form?: { id: string; version: number } | null;
  policyVersion?: string | null;
  /** The exact wording shown; stored once per workspace and referenced by its SHA-256. */
  text?: string | null;
  actor: { type: ActorType; id: string | null };
  occurredAt?: Date;
}

/** Which current states an event may follow; anything else is refused, so the ledger stays meaningful. */
export const ALLOWED_FROM: Record<PurposeEventKind, ReadonlyArray<ConsentState | 'none'>> = {
  given: ['none', 'pending', 'granted', 'withdrawn', 'expired', 'objected'],
  confirmed: ['pending'],
  withdrawn: ['pending', 'granted'],
  expired: ['pending', 'granted'],
  objected: ['none', 'pending', 'granted', 'withdrawn', 'expired'],
  repermission_requested: ['none', 'pending', 'granted', 'withdrawn', 'expired', 'objected'],
};

/** Events that only make sense for a purpose based on consent. */
const CONSENT_ONLY: ReadonlySet<PurposeEventKind> = new Set(['given', 'confirmed', 'withdrawn', 'expired', 'repermission_requested']);

export function textHash(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

export async function currentState(
  tx: Tx,
  tenantId: string,
  personId: string,
  purposeId: string,
): Promise<{ state: ConsentState | 'none'; since: Date | null }> {
  const row = await tx
    .selectFrom('consent_states')
    .select(['state', 'since'])
    .where('tenant_id', '=', tenantId)
    .where('person_id', '=', personId)
    .where('purpose_id', '=', purposeId)
    .executeTakeFirst();
  return row ? { state: row.state, since: row.since } : { state: 'none', since: null };
}

/**
 * Appends one event to the ledger after checking it follows from the current state. Concurrent
 * writers for the same person × purpose are serialised by a transaction-scoped advisory lock.
 */
export async function recordConsentEvent(app: AppContext, tx: Tx, tenantId: string, event: NewConsentEvent): Promise<string> {
  const { person, purpose, kind } = event;
  if (CONSENT_ONLY.has(kind) && purpose.legal_basis !== 'consent') {
    throw unprocessable(`"${kind}" applies to purposes based on consent; "${purpose.key}" is based on ${purpose.legal_basis}.`, {
      field: 'kind',
    });
  }
  if (kind === 'objected' && purpose.legal_basis !== 'legitimate_interest' && !purpose.direct_marketing) {
    throw unprocessable(`An objection applies to legitimate interest or direct marketing; "${purpose.key}" is neither.`, { field: 'kind' });
  }
  if (kind === 'given' && !event.text) throw unprocessable('A consent needs the exact text the person agreed to.', { field: 'text' });
  if (event.occurredAt && event.occurredAt.getTime() > Date.now() + 60_000)
    throw unprocessable('occurredAt is in the future.', { field: 'occurredAt' });

  await sql`select pg_advisory_xact_lock(hashtext(${`consent:${tenantId}:${person.id}:${purpose.id}`}))`.execute(tx);
  const current = await currentState(tx, tenantId, person.id, purpose.id);
  if (!ALLOWED_FROM[kind].includes(current.state)) {
    throw conflict(`Cannot record "${kind}" for "${purpose.key}": the consent is ${current.state}.`, { state: current.state });
  }
  if (event.occurredAt && current.since && event.occurredAt < current.since) {
    throw unprocessable('occurredAt is earlier than the latest event of this consent; the ledger is kept in order.', {
      field: 'occurredAt',
    });
  }

  let hash: string | null = null;
  if (event.text) {
    hash = textHash(event.text);
    await tx
      .insertInto('consent_texts')
      .values({ tenant_id: tenantId, hash, text: event.text })
      .onConflict((c) => c.columns(['tenant_id', 'hash']).doNothing())
      .execute();
  }
  const seal = (field: string, value: string | null | undefined) =>
    value ? app.keys.encryptField(tx, tenantId, person.id, `consent_events.${field}`, value) : Promise.resolve(null);
  const row = await tx
    .insertInto('consent_events')
    .values({
      tenant_id: tenantId,
      person_type: person.type,
      person_id: person.id,
      purpose_id: purpose.id,
      kind,
      requires_confirmation: kind === 'given' && Boolean(event.requiresConfirmation),
      method: event.method,
      source: event.source ?? null,
      source_enc: await seal('source', event.sourceText),
      ip_enc: await seal('ip', event.ip),
      user_agent_enc: await seal('user_agent', event.userAgent),
      form_id: event.form?.id ?? null,
      form_version: event.form?.version ?? null,
      policy_version: event.policyVersion ?? null,
      text_hash: hash,
      actor_type: event.actor.type,
      actor_id: event.actor.id,
      ...(event.occurredAt ? { occurred_at: event.occurredAt } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The full ledger of one person, oldest first, with IP and user agent decrypted and texts joined. */
export async function consentHistory(app: AppContext, tx: Tx, tenantId: string, personId: string) {
  const rows = await tx
    .selectFrom('consent_events as e')
    // Left join: the choice about sale and sharing has no purpose.
    .leftJoin('purposes as p', (join) => join.onRef('p.tenant_id', '=', 'e.tenant_id').onRef('p.id', '=', 'e.purpose_id'))
    .leftJoin('consent_texts as t', (join) => join.onRef('t.tenant_id', '=', 'e.tenant_id').onRef('t.hash', '=', 'e.text_hash'))
    .selectAll('e')
    .select(['p.key as purpose_key', 't.text as text'])
    .where('e.tenant_id', '=', tenantId)
    .where('e.person_id', '=', personId)
    .orderBy('e.seq')
    .execute();
  await app.keys.preloadSubjectKeys(tx, tenantId, [personId]);
  const open = async (field: string, value: string | null) => {
    if (!value) return null;
    try {
      return await app.keys.decryptField(tx, tenantId, `consent_events.${field}`, value);
    } catch (error) {
      if (error instanceof KeyDestroyedError) return null;
      throw error;
    }
  };
  const history = [];
  for (const row of rows) {
    history.push({
      id: row.id,
      purposeId: row.purpose_id,
      purposeKey: row.purpose_key,
      kind: row.kind,
      requiresConfirmation: row.requires_confirmation,
      method: row.method,
      source: (await open('source', row.source_enc)) ?? row.source,
      ip: await open('ip', row.ip_enc),
      userAgent: await open('user_agent', row.user_agent_enc),
      formId: row.form_id,
      formVersion: row.form_version,
      policyVersion: row.policy_version,
      textHash: row.text_hash,
      text: row.text,
      actorType: row.actor_type,
      actorId: row.actor_id,
      occurredAt: new Date(row.occurred_at).toISOString(),
    });
  }
  return history;
}
