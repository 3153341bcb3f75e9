import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { crmWork, type CrmWork } from '../crm/context.ts';
import { Sealer } from '../crypto/sealer.ts';
import { isoRequired } from '../shared/dates.ts';
import type { Tx } from '../db/tenant.ts';
import type { PersonType } from '../db/types-consent.ts';
import { notFound, unprocessable } from '../http/errors.ts';
import type { PersonRef } from '../crm/people.ts';
import { assertPersonVisible } from '../crm/people.ts';
import type { softOptInInput, softOptInView } from './schema.ts';

/**
 * The soft opt-in (ePrivacy Directive 2002/58/EC Art. 13(2); PECR reg. 22(3)): an existing
 * customer may receive marketing e-mail about the workspace's own similar products and services
 * without consent when (a) their address was obtained in the course of a sale or of negotiations
 * for one, (b) they were offered a simple way to refuse it when it was collected, and (c) every
 * message offers that refusal again (every campaign e-mail carries one-click unsubscribe). Staff
 * record (a) and (b) here, with the evidence; the gate counts it for purposes flagged soft_opt_in,
 * for people whose law has the rule. The person ends it by refusing, like any marketing.
 */

type SoftOptInView = z.infer<typeof softOptInView>;
type SoftOptInInput = z.infer<typeof softOptInInput>;

export async function softOptInOf(app: AppContext, tx: Tx, tenantId: string, personId: string): Promise<SoftOptInView | null> {
  const row = await tx
    .selectFrom('soft_opt_ins')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) return null;
  const sealer = new Sealer(app, tx, tenantId);
  return {
    relationship: row.relationship,
    opportunityId: row.opportunity_id,
    evidence: await sealer.open<string>('soft_opt_ins.evidence', row.evidence_enc),
    products: await sealer.open<string>('soft_opt_ins.products', row.products_enc),
    optOutOffered: row.opt_out_offered,
    obtainedAt: isoRequired(row.obtained_at),
    recordedBy: row.recorded_by,
    recordedAt: isoRequired(row.recorded_at),
  };
}

/** A deal only counts as evidence when the person is party to it, and a sale only when it was won. */
async function checkDeal(work: CrmWork, person: PersonRef, input: SoftOptInInput): Promise<void> {
  if (input.opportunityId === null) return;
  if (person.type !== 'contact')
    throw unprocessable('Only contacts take part in deals: give the sale or quote reference as evidence.', { field: 'opportunityId' });
  const deal = await work.tx
    .selectFrom('opportunity_contacts as oc')
    .innerJoin('opportunities as o', (join) => join.onRef('o.tenant_id', '=', 'oc.tenant_id').onRef('o.id', '=', 'oc.opportunity_id'))
    .select('o.stage')
    .where('oc.tenant_id', '=', work.tenantId)
    .where('oc.opportunity_id', '=', input.opportunityId)
    .where('oc.contact_id', '=', person.id)
    .executeTakeFirst();
  if (!deal) throw unprocessable('opportunityId does not name a deal this contact is linked to.', { field: 'opportunityId' });
  if (input.relationship === 'sale' && deal.stage !== 'closed_won') {
    throw unprocessable(`The deal is at stage "${deal.stage}", not won: record the relationship as a negotiation, or wait for the sale.`, {
      field: 'relationship',
    });
  }
}

export function recordSoftOptIn(app: AppContext, caller: Caller, type: PersonType, id: string, input: SoftOptInInput) {
  return crmWork(app, caller, async (work) => {
    await assertPersonVisible(work.tx, work.tenantId, work.scope, type, id);
    const person = { type, id };
    await checkDeal(work, person, input);
    if (new Date(input.obtainedAt).getTime() > Date.now() + 60_000)
      throw unprocessable('obtainedAt is in the future.', { field: 'obtainedAt' });
    const row = {
      relationship: input.relationship,
      opportunity_id: input.opportunityId,
      evidence_enc: await work.sealer.seal(id, 'soft_opt_ins.evidence', input.evidence),
      products_enc: (await work.sealer.seal(id, 'soft_opt_ins.products', input.products))!,
      opt_out_offered: input.optOutOffered,
      obtained_at: new Date(input.obtainedAt),
      recorded_by: work.caller.origin.actorId ?? 'unknown',
      recorded_at: new Date(),
    };
    await work.tx
      .insertInto('soft_opt_ins')
      .values({ tenant_id: work.tenantId, person_id: id, person_type: type, ...row })
      .onConflict((c) => c.columns(['tenant_id', 'person_id']).doUpdateSet(row))
      .execute();
    await work.audit({
      action: 'consent.soft_opt_in_record',
      objectType: type,
      objectId: id,
      fields: ['softOptIn', ...Object.keys(input)],
    });
    return (await softOptInOf(app, work.tx, work.tenantId, id))!;
  });
}

export function removeSoftOptIn(app: AppContext, caller: Caller, type: PersonType, id: string) {
  return crmWork(app, caller, async (work) => {
    await assertPersonVisible(work.tx, work.tenantId, work.scope, type, id);
    const removed = await work.tx
      .deleteFrom('soft_opt_ins')
      .where('tenant_id', '=', work.tenantId)
      .where('person_id', '=', id)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) throw notFound('Soft opt-in');
    await work.audit({ action: 'consent.soft_opt_in_remove', objectType: type, objectId: id, fields: ['softOptIn'] });
  });
}

/** A converted lead's soft opt-in goes with it to the contact, re-sealed under the contact's key. */
export async function carrySoftOptIn(app: AppContext, tx: Tx, tenantId: string, leadId: string, contactId: string): Promise<void> {
  const facts = await softOptInOf(app, tx, tenantId, leadId);
  if (!facts || facts.products === null) return;
  const sealer = new Sealer(app, tx, tenantId);
  await tx
    .insertInto('soft_opt_ins')
    .values({
      tenant_id: tenantId,
      person_id: contactId,
      person_type: 'contact',
      relationship: facts.relationship,
      opportunity_id: null,
      evidence_enc: await sealer.seal(contactId, 'soft_opt_ins.evidence', facts.evidence),
      products_enc: (await sealer.seal(contactId, 'soft_opt_ins.products', facts.products))!,
      opt_out_offered: facts.optOutOffered,
      obtained_at: new Date(facts.obtainedAt),
      recorded_by: facts.recordedBy,
      recorded_at: new Date(facts.recordedAt),
    })
    .onConflict((c) => c.columns(['tenant_id', 'person_id']).doNothing())
    .execute();
}
