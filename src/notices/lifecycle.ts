import { sql } from 'kysely';
import type { Tx } from '../db/tenant.ts';

/**
 * Art. 14(3)(c): when the data is to be disclosed to another recipient, the notice is due at the
 * latest at that first disclosure. A person sent to a connected CRM has their unsent notices
 * brought forward to now: the queue shows them overdue and the job sends them on its next run.
 */
export async function noticesDueAtDisclosure(tx: Tx, tenantId: string, personIds: string[]): Promise<void> {
  if (personIds.length === 0) return;
  await tx
    .updateTable('art14_notices')
    .set({ due_at: sql`now()`, due_reason: 'first_disclosure' })
    .where('tenant_id', '=', tenantId)
    .where('person_id', 'in', personIds)
    .where('sent_at', 'is', null)
    .where('due_at', '>', sql<Date>`now()`)
    .execute();
}

/**
 * A lead converted into a contact is the same person: the notices the lead was owed, or was sent,
 * become the contact's, so the person is not told the same thing twice; a notice the contact
 * already had for the same source stands.
 */
export async function carryNotices(tx: Tx, tenantId: string, leadId: string, contactId: string): Promise<void> {
  await sql`
    delete from art14_notices fresh
     where fresh.tenant_id = ${tenantId} and fresh.person_id = ${contactId} and fresh.sent_at is null
       and exists (select 1 from art14_notices lead where lead.tenant_id = fresh.tenant_id and lead.person_id = ${leadId}
                     and lead.source_type = fresh.source_type and coalesce(lead.source_ref, '') = coalesce(fresh.source_ref, ''))`.execute(
    tx,
  );
  await sql`
    delete from art14_notices lead
     where lead.tenant_id = ${tenantId} and lead.person_id = ${leadId}
       and exists (select 1 from art14_notices held where held.tenant_id = lead.tenant_id and held.person_id = ${contactId}
                     and held.source_type = lead.source_type and coalesce(held.source_ref, '') = coalesce(lead.source_ref, ''))`.execute(
    tx,
  );
  await tx
    .updateTable('art14_notices')
    .set({ person_id: contactId, person_type: 'contact' })
    .where('tenant_id', '=', tenantId)
    .where('person_id', '=', leadId)
    .execute();
}
