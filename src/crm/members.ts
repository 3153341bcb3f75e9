import type { Tx } from '../db/tenant.ts';
import { unprocessable } from '../http/errors.ts';
import type { CrmWork } from './context.ts';
import { assertCanAssign } from './visibility.ts';

/** Records can only be owned by, or assigned to, active members of the workspace. */
export async function assertActiveMember(tx: Tx, tenantId: string, memberId: string, field: string): Promise<void> {
  const member = await tx
    .selectFrom('members')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', memberId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!member) throw unprocessable(`${field} must be an active member of this workspace.`, { field });
}

/** The caller may give a record to this member: within their scope, and the member is active. */
export async function assertAssignable(work: CrmWork, memberId: string, field: 'ownerId' | 'assigneeId' = 'ownerId'): Promise<void> {
  assertCanAssign(work.scope, memberId);
  await assertActiveMember(work.tx, work.tenantId, memberId, field);
}
