import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { withTenant } from '../db/tenant.ts';
import type { Caller } from './context.ts';
import type { Role } from './roles.ts';

/**
 * A caller for work started on the server itself (command line, demo seed): it acts as a named
 * member, or the workspace's first Administrator, with that member's role and audit identity.
 */
export async function operatorCaller(app: AppContext, workspace: string, email: string | undefined): Promise<Caller> {
  const tenant = await app.db.kysely.selectFrom('tenants').select('id').where('slug', '=', workspace).executeTakeFirst();
  if (!tenant) throw new Error(`No workspace "${workspace}"`);
  const member = await withTenant(app.db, tenant.id, (tx) => {
    let q = tx
      .selectFrom('members')
      .innerJoin('users', 'users.id', 'members.user_id')
      .select(['members.id', 'members.user_id', 'members.role', 'members.is_dpo'])
      .where('members.tenant_id', '=', tenant.id)
      .where('members.status', '=', 'active');
    q = email ? q.where(sql`lower(users.email)`, '=', email.toLowerCase()) : q.where('members.role', '=', 'administrator');
    return q.orderBy('members.created_at').executeTakeFirst();
  });
  if (!member) throw new Error(email ? `${email} is not an active member of "${workspace}"` : `"${workspace}" has no active Administrator`);
  return {
    auth: {
      kind: 'cli',
      tenantId: tenant.id,
      userId: member.user_id,
      memberId: member.id,
      role: member.role as Role,
      isDpo: member.is_dpo,
      sessionId: null,
      tokenId: null,
      scopes: null,
      mfaPending: false,
    },
    origin: { actorType: 'member', actorId: member.id, ip: null, userAgent: 'lawful-cli', requestId: null },
  };
}
