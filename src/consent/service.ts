import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { crmWork, type CrmWork } from '../crm/context.ts';
import type { Tx } from '../db/tenant.ts';
import type { ConsentState, PersonType } from '../db/types-consent.ts';
import { AppError, notFound, unprocessable } from '../http/errors.ts';
import { consentValidUntil, gateFacts, gatePurposes, gateVerdict } from './gate.ts';
import { carrySoftOptIn, softOptInOf } from './soft-opt-in.ts';
import { consentHistory, recordConsentEvent } from './ledger.ts';
import type { PersonRef } from '../crm/people.ts';
import { recordSaleSharingChoice, saleSharingState } from './sale-sharing.ts';
import { queueToPerson } from '../mail/delivery.ts';
import { assertPersonVisible, loadPeople } from '../crm/people.ts';
import { purposeReference } from './purposes.ts';
import type { bulkConsentInput, consentEventInput, personConsentsView } from './schema.ts';

type PersonConsents = z.infer<typeof personConsentsView>;

/**
 * Consent state per purpose, the ledger, the soft opt-in facts, and the gate's verdict with the
 * basis it rests on, for one person. Purposes in draft are listed only when the person already
 * has events for them.
 */
export async function consentsOf(app: AppContext, tx: Tx, tenantId: string, person: PersonRef): Promise<PersonConsents> {
  const rows = await tx
    .selectFrom('purposes')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('status', '!=', 'retired')
    .orderBy('name')
    .orderBy('id')
    .execute();
  const purposes = await gatePurposes(
    tx,
    tenantId,
    rows.map((row) => row.id),
  );
  const facts = await gateFacts(tx, tenantId, [person]);
  const states = facts.states.get(person.id) ?? new Map<string, { state: ConsentState; since: Date }>();
  const items = [];
  for (const { id } of rows) {
    const purpose = purposes.get(id)!;
    const state = states.get(purpose.id);
    if (purpose.status === 'draft' && !state) continue;
    const verdict = gateVerdict(purpose, facts, person.id);
    items.push({
      purposeId: purpose.id,
      purposeKey: purpose.key,
      purposeName: purpose.name,
      legalBasis: purpose.legal_basis,
      state: state?.state ?? ('none' as const),
      since: state ? new Date(state.since).toISOString() : null,
      validUntil: state?.state === 'granted' ? (consentValidUntil(purpose, state.since)?.toISOString() ?? null) : null,
      canProcess: verdict.allowed,
      basis: verdict.allowed ? verdict.basis : null,
      exception: verdict.allowed ? (verdict.exception ?? null) : null,
      refusal: verdict.allowed ? null : verdict.reason,
    });
  }
  return {
    personType: person.type,
    personId: person.id,
    restricted: facts.restricted.has(person.id),
    suppressed: facts.suppressed.has(person.id),
    jurisdiction: facts.places.get(person.id)?.jurisdiction ?? {
      jurisdiction: facts.workspace.defaultJurisdiction,
      source: 'workspace_default' as const,
    },
    saleSharing: await saleSharingState(tx, tenantId, person.id),
    softOptIn: await softOptInOf(app, tx, tenantId, person.id),
    states: items,
    history: await consentHistory(app, tx, tenantId, person.id),
  };
}

async function visiblePerson(work: CrmWork, type: PersonType, id: string): Promise<PersonRef> {
  await assertPersonVisible(work.tx, work.tenantId, work.scope, type, id);
  return { type, id };
}

export function getPersonConsents(app: AppContext, caller: Caller, type: PersonType, id: string) {
  return crmWork(app, caller, async (work) => consentsOf(app, work.tx, work.tenantId, await visiblePerson(work, type, id)));
}

async function recordFromStaff(work: CrmWork, person: PersonRef, input: z.infer<typeof consentEventInput>): Promise<void> {
  const purpose = await purposeReference(work.tx, work.tenantId, input.purposeId);
  await recordConsentEvent(work.app, work.tx, work.tenantId, {
    person,
    purpose,
    kind: input.kind,
    method: input.method,
    sourceText: input.source,
    text: input.text,
    policyVersion: input.policyVersion,
    // The event's address and browser are the person's own when they act; recorded by staff, the
    // actor is the member (the audit trail keeps where the member was), never the person.
    actor: { type: work.caller.origin.actorType, id: work.caller.origin.actorId },
    ...(input.occurredAt ? { occurredAt: new Date(input.occurredAt) } : {}),
  });
}

export function recordPersonConsent(
  app: AppContext,
  caller: Caller,
  type: PersonType,
  id: string,
  input: z.infer<typeof consentEventInput>,
) {
  return crmWork(app, caller, async (work) => {
    const person = await visiblePerson(work, type, id);
    await recordFromStaff(work, person, input);
    await work.audit({ action: 'consent.record', objectType: type, objectId: id, fields: [`consent:${input.kind}`] });
    return consentsOf(app, work.tx, work.tenantId, person);
  });
}

/** Up to 1,000 events for an integration, all or nothing: one bad item refuses the batch and names it. */
export function recordConsentsInBulk(app: AppContext, caller: Caller, input: z.infer<typeof bulkConsentInput>) {
  return crmWork(app, caller, async (work) => {
    for (const [index, item] of input.items.entries()) {
      try {
        const person = await visiblePerson(work, item.personType, item.personId).catch(() => {
          throw unprocessable(`personId does not name a ${item.personType} you can see.`, { field: 'personId' });
        });
        await recordFromStaff(work, person, item);
      } catch (error) {
        if (error instanceof AppError) {
          throw new AppError(error.status, error.code, `items.${index}: ${error.message}`, { index, ...(error.details as object | null) });
        }
        throw error;
      }
    }
    await work.audit({
      action: 'consent.record_bulk',
      objectType: 'consent_event',
      objectId: null,
      fields: [`count:${input.items.length}`],
    });
    return { recorded: input.items.length };
  });
}

export function restrictPerson(app: AppContext, caller: Caller, type: PersonType, id: string, reason: string) {
  return crmWork(app, caller, async (work) => {
    await visiblePerson(work, type, id);
    await work.tx
      .insertInto('processing_restrictions')
      .values({ tenant_id: work.tenantId, person_id: id, person_type: type, reason, restricted_by: work.caller.origin.actorId })
      .onConflict((c) => c.columns(['tenant_id', 'person_id']).doUpdateSet({ reason }))
      .execute();
    await work.audit({ action: 'person.restrict', objectType: type, objectId: id, fields: ['restriction'] });
    return consentsOf(app, work.tx, work.tenantId, { type, id });
  });
}

/**
 * Lifts a restriction. The person is told (Art. 18(3)): the e-mail is queued in the same
 * transaction (the outbox), so the restriction is never lifted without it.
 */
export function liftRestriction(app: AppContext, caller: Caller, type: PersonType, id: string) {
  return crmWork(app, caller, async (work) => {
    await visiblePerson(work, type, id);
    const removed = await work.tx
      .deleteFrom('processing_restrictions')
      .where('tenant_id', '=', work.tenantId)
      .where('person_id', '=', id)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) throw notFound('Restriction');
    const person = (await loadPeople(app, work.tx, work.tenantId, [{ type, id }])).get(id);
    const workspace = await work.tx.selectFrom('tenants').select('name').where('id', '=', work.tenantId).executeTakeFirstOrThrow();
    for (const to of person?.emails ?? []) {
      await queueToPerson(app, work.tx, work.tenantId, {
        personId: id,
        kind: 'dsr',
        mail: {
          to,
          subject: `${workspace.name}: the restriction of processing of your data is lifted`,
          text: `${workspace.name} lifts the restriction of processing of your data (Art. 18(3) GDPR). From now on your data may again be processed for the purposes we told you about.\n\nYou may object, or ask for erasure, at any time through our privacy portal.\n`,
        },
      });
    }
    await work.audit({
      action: 'person.unrestrict',
      objectType: type,
      objectId: id,
      fields: ['restriction', ...(person?.emails.length ? ['notified'] : [])],
    });
  });
}

/** Everything needed to prove a person's consents: who, the states, each event with the text shown. */
export function proofOfConsent(app: AppContext, caller: Caller, type: PersonType, id: string) {
  return crmWork(app, caller, async (work) => {
    const person = await visiblePerson(work, type, id);
    const details = (await loadPeople(app, work.tx, work.tenantId, [person])).get(id);
    const workspace = await work.tx
      .selectFrom('tenants')
      .select(['name', 'slug'])
      .where('id', '=', work.tenantId)
      .executeTakeFirstOrThrow();
    const consents = await consentsOf(app, work.tx, work.tenantId, person);
    await work.audit({ action: 'consent.proof_export', objectType: type, objectId: id, fields: ['consents'] });
    return {
      controller: workspace.name,
      generatedAt: new Date().toISOString(),
      person: { type, id, firstName: details?.firstName ?? null, lastName: details?.lastName ?? null, emails: details?.emails ?? [] },
      ...consents,
    };
  });
}

/**
 * Copies a converted lead's consent ledger onto its contact, event by event, so the contact
 * carries the proof. Events the contact's own ledger makes impossible (it is further along)
 * are skipped; a soft opt-in and a restriction carry over too.
 */
export async function carryConsents(app: AppContext, tx: Tx, tenantId: string, leadId: string, contactId: string): Promise<void> {
  const history = await consentHistory(app, tx, tenantId, leadId);
  const purposes = new Map(
    (await tx.selectFrom('purposes').selectAll().where('tenant_id', '=', tenantId).execute()).map((row) => [row.id, row]),
  );
  for (const event of history) {
    if (event.kind === 'sale_sharing_opted_out' || event.kind === 'sale_sharing_opted_in') {
      await recordSaleSharingChoice(app, tx, tenantId, {
        person: { type: 'contact', id: contactId },
        optedOut: event.kind === 'sale_sharing_opted_out',
        method: event.method,
        source: event.source ?? `lead:${leadId}`,
        ip: event.ip,
        userAgent: event.userAgent,
        actor: { type: event.actorType as 'member', id: event.actorId },
      });
      continue;
    }
    try {
      await recordConsentEvent(app, tx, tenantId, {
        person: { type: 'contact', id: contactId },
        purpose: purposes.get(event.purposeId!)!,
        kind: event.kind,
        method: event.method,
        requiresConfirmation: event.requiresConfirmation,
        // Re-sealed under the contact's key: the lead's free text may name the person.
        ...(event.source ? { sourceText: event.source } : { source: `lead:${leadId}` }),
        ip: event.ip,
        userAgent: event.userAgent,
        form: event.formId && event.formVersion ? { id: event.formId, version: event.formVersion } : null,
        policyVersion: event.policyVersion,
        text: event.text,
        actor: { type: event.actorType as 'member', id: event.actorId },
        occurredAt: new Date(event.occurredAt),
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
    }
  }
  await carrySoftOptIn(app, tx, tenantId, leadId, contactId);
  const restriction = await tx
    .selectFrom('processing_restrictions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('person_id', '=', leadId)
    .executeTakeFirst();
  if (restriction) {
    await tx
      .insertInto('processing_restrictions')
      .values({ ...restriction, person_id: contactId, person_type: 'contact' })
      .onConflict((c) => c.columns(['tenant_id', 'person_id']).doNothing())
      .execute();
  }
}
