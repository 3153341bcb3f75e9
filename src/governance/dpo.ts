import type { Tx } from '../db/tenant.ts';

/** Who compliance alerts go to: the workspace's DPOs, or its administrators when none is named. */
export async function dpoEmails(tx: Tx, tenantId: string): Promise<string[]> {
  const active = () =>
    tx
      .selectFrom('members')
      .innerJoin('users', 'users.id', 'members.user_id')
      .select('users.email')
      .where('members.tenant_id', '=', tenantId)
      .where('members.status', '=', 'active');
  const dpos = await active().where('members.is_dpo', '=', true).execute();
  const rows = dpos.length > 0 ? dpos : await active().where('members.role', '=', 'administrator').execute();
  return rows.map((row) => row.email);
}
