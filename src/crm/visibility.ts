import { sql, type Expression, type SqlBool } from 'kysely';
import type { AuthContext } from '../auth/context.ts';
import type { Tx } from '../db/tenant.ts';
import { forbidden } from '../http/errors.ts';

/**
 * Which records a member sees: Administrators and Company Managers all; Sales and Marketing
 * Managers those owned by their team; Salespeople and Jr. Salespeople their own and those they
 * have a task assigned on. Applied in every query of src/crm, for reads and writes alike.
 */
export type Scope = { kind: 'all' } | { kind: 'team'; memberIds: string[]; self: string } | { kind: 'own'; self: string };

/** The scope when the role alone decides it; null for a manager, whose team the database knows. */
export function scopeKnownFrom(auth: AuthContext): Scope | null {
  switch (auth.role) {
    case 'administrator':
    case 'company_manager':
      return { kind: 'all' };
    case 'sales_manager':
    case 'marketing_manager':
      return null;
    default:
      return { kind: 'own', self: auth.memberId };
  }
}

export async function scopeOf(tx: Tx, auth: AuthContext): Promise<Scope> {
  const known = scopeKnownFrom(auth);
  if (known) return known;
  const me = await tx
    .selectFrom('members')
    .select('team')
    .where('tenant_id', '=', auth.tenantId)
    .where('id', '=', auth.memberId)
    .executeTakeFirstOrThrow();
  if (!me.team) return { kind: 'own', self: auth.memberId };
  const team = await tx.selectFrom('members').select('id').where('tenant_id', '=', auth.tenantId).where('team', '=', me.team).execute();
  return { kind: 'team', memberIds: team.map((row) => row.id), self: auth.memberId };
}

function membersOf(scope: Exclude<Scope, { kind: 'all' }>): string[] {
  return scope.kind === 'team' ? [...new Set([...scope.memberIds, scope.self])] : [scope.self];
}

/** Condition on a record table (accounts, contacts, leads, opportunities) aliased as its own name. */
export function recordVisible(
  scope: Scope,
  table: 'accounts' | 'contacts' | 'leads' | 'opportunities',
  recordType: string,
): Expression<SqlBool> {
  if (scope.kind === 'all') return sql<SqlBool>`true`;
  const members = membersOf(scope);
  return sql<SqlBool>`(${sql.ref(`${table}.owner_id`)} = any(${members}::uuid[]) or exists (
    select 1 from tasks t where t.tenant_id = ${sql.ref(`${table}.tenant_id`)} and t.record_type = ${recordType}::crm_record_type
      and t.record_id = ${sql.ref(`${table}.id`)} and t.assignee_id = any(${members}::uuid[])))`;
}

export function taskVisible(scope: Scope): Expression<SqlBool> {
  if (scope.kind === 'all') return sql<SqlBool>`true`;
  const members = membersOf(scope);
  return sql<SqlBool>`(tasks.assignee_id = any(${members}::uuid[]) or tasks.created_by = any(${members}::uuid[]))`;
}

/** Members of a narrower scope may only give records to themselves (or their team). */
export function assertCanAssign(scope: Scope, memberId: string): void {
  if (scope.kind === 'all') return;
  if (!membersOf(scope).includes(memberId)) {
    throw forbidden(
      scope.kind === 'own' ? 'You can only assign records to yourself.' : 'You can only assign records to members of your team.',
    );
  }
}
