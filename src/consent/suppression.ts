import type { Tx } from '../db/tenant.ts';
import { emailIndexesOf } from './gate-facts.ts';
import type { PersonRef } from '../crm/people.ts';

/**
 * The suppression list keeps marketing mail away from addresses. Staff, bounces, complaints and
 * unsubscribes add to it; only the person takes their addresses off it, by opting in again
 * themselves (preference centre, privacy portal, a confirmed double opt-in): a person's choices
 * are made by the person (DESIGN.md §7). Returns how many addresses were lifted.
 */
export async function liftSuppressionByOptIn(tx: Tx, tenantId: string, person: PersonRef): Promise<number> {
  const indexes = (await emailIndexesOf(tx, tenantId, [person])).get(person.id) ?? [];
  if (indexes.length === 0) return 0;
  const lifted = await tx
    .deleteFrom('suppressions')
    .where('tenant_id', '=', tenantId)
    .where('email_index', 'in', indexes)
    .executeTakeFirst();
  return Number(lifted.numDeletedRows);
}
