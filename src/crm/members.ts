import type { Tx } from '../db/tenant.ts';
import { unprocessable } from '../http/errors.ts';

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
