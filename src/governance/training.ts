import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { ROLES } from '../auth/roles.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import type { Tx } from '../db/tenant.ts';
import { conflict, forbidden, notFound } from '../http/errors.ts';

export const moduleInput = z.object({
  title: z.string().trim().min(1).max(300),
  content: z.string().trim().max(20000).default('').describe('The course text, or a link to it'),
  roles: z.array(z.enum(ROLES)).min(1).describe('Every member with one of these roles must take it'),
  dueWithinDays: z.number().int().min(1).max(365).default(30),
  refresherDays: z.number().int().min(30).max(3650).nullable().default(null).describe('Taken again this long after completion'),
  passScore: z.number().int().min(0).max(100).default(0),
});
export const modulePatch = z.object({
  title: z.string().trim().min(1).max(300).optional(),
  content: z.string().trim().max(20000).optional(),
  roles: z.array(z.enum(ROLES)).min(1).optional(),
  refresherDays: z.number().int().min(30).max(3650).nullable().optional(),
  archived: z.boolean().optional(),
});
export const moduleView = z.object({
  id: z.string().uuid(),
  title: z.string(),
  content: z.string(),
  roles: z.array(z.string()),
  dueWithinDays: z.number(),
  refresherDays: z.number().nullable(),
  passScore: z.number(),
  archived: z.boolean(),
  assigned: z.number(),
  completed: z.number(),
});
export const assignmentView = z.object({
  id: z.string().uuid(),
  moduleId: z.string().uuid(),
  moduleTitle: z.string(),
  memberId: z.string().uuid(),
  assignedAt: z.string(),
  dueAt: z.string(),
  completedAt: z.string().nullable(),
  score: z.number().nullable(),
  overdue: z.boolean(),
});

/**
 * Gives every active member the modules of their role they have not taken (or whose refresher is
 * due). Idempotent: called when a module changes, a member joins, or a role changes.
 */
export async function syncAssignments(tx: Tx, tenantId: string, memberId?: string): Promise<number> {
  const result = await sql`
    insert into training_assignments (tenant_id, module_id, member_id, due_at)
    select m.tenant_id, t.id, m.id, now() + make_interval(days => t.due_within_days)
    from members m
    join training_modules t on t.tenant_id = m.tenant_id and t.archived_at is null and m.role = any(t.roles)
    where m.tenant_id = ${tenantId} and m.status = 'active' ${memberId ? sql`and m.id = ${memberId}` : sql``}
      and not exists (select 1 from training_assignments a where a.tenant_id = m.tenant_id and a.module_id = t.id and a.member_id = m.id
                      and (a.completed_at is null
                           or t.refresher_days is null
                           or a.completed_at > now() - make_interval(days => t.refresher_days)))
    on conflict do nothing`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}

async function moduleViews(tx: Tx, tenantId: string, id?: string) {
  let q = tx
    .selectFrom('training_modules as t')
    .selectAll('t')
    .select([
      // Enum arrays come back from PGlite as their text form unless cast: read them as text[].
      sql<string[]>`t.roles::text[]`.as('role_names'),
      sql<string>`(select count(*) from training_assignments a where a.tenant_id = t.tenant_id and a.module_id = t.id)`.as('assigned'),
      sql<string>`(select count(*) from training_assignments a where a.tenant_id = t.tenant_id and a.module_id = t.id and a.completed_at is not null)`.as(
        'completed',
      ),
    ])
    .where('t.tenant_id', '=', tenantId);
  if (id) q = q.where('t.id', '=', id);
  const rows = await q.orderBy('t.title').execute();
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    content: row.content,
    roles: row.role_names,
    dueWithinDays: row.due_within_days,
    refresherDays: row.refresher_days,
    passScore: row.pass_score,
    archived: row.archived_at !== null,
    assigned: Number(row.assigned),
    completed: Number(row.completed),
  }));
}

export function listModules(app: AppContext, caller: Caller) {
  return asCaller(app, caller, async (tx) => ({ items: await moduleViews(tx, caller.auth.tenantId) }));
}

export function createModule(app: AppContext, caller: Caller, input: z.infer<typeof moduleInput>) {
  return asCaller(app, caller, async (tx, audit) => {
    const row = await tx
      .insertInto('training_modules')
      .values({
        tenant_id: caller.auth.tenantId,
        title: input.title,
        content: input.content,
        roles: sql<string[]>`${input.roles}::text[]::member_role[]`,
        due_within_days: input.dueWithinDays,
        refresher_days: input.refresherDays,
        pass_score: input.passScore,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await syncAssignments(tx, caller.auth.tenantId);
    await audit({ action: 'training_module.create', objectType: 'training_module', objectId: row.id, fields: Object.keys(input) });
    return (await moduleViews(tx, caller.auth.tenantId, row.id))[0]!;
  });
}

export function updateModule(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof modulePatch>) {
  return asCaller(app, caller, async (tx, audit) => {
    const found = await tx
      .selectFrom('training_modules')
      .select('id')
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!found) throw notFound('Training module');
    await tx
      .updateTable('training_modules')
      .set({
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.content !== undefined ? { content: patch.content } : {}),
        ...(patch.roles !== undefined ? { roles: sql<string[]>`${patch.roles}::text[]::member_role[]` } : {}),
        ...(patch.refresherDays !== undefined ? { refresher_days: patch.refresherDays } : {}),
        ...(patch.archived !== undefined ? { archived_at: patch.archived ? new Date() : null } : {}),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .execute();
    await syncAssignments(tx, caller.auth.tenantId);
    await audit({ action: 'training_module.update', objectType: 'training_module', objectId: id, fields: Object.keys(patch) });
    return (await moduleViews(tx, caller.auth.tenantId, id))[0]!;
  });
}

export function listAssignments(
  app: AppContext,
  caller: Caller,
  query: { memberId?: string | undefined; overdue?: boolean | undefined; mine?: boolean },
) {
  return asCaller(app, caller, async (tx) => {
    let q = tx
      .selectFrom('training_assignments as a')
      .innerJoin('training_modules as t', (join) => join.onRef('t.tenant_id', '=', 'a.tenant_id').onRef('t.id', '=', 'a.module_id'))
      .selectAll('a')
      .select('t.title')
      .where('a.tenant_id', '=', caller.auth.tenantId);
    const memberId = query.mine ? caller.auth.memberId : query.memberId;
    if (memberId) q = q.where('a.member_id', '=', memberId);
    if (query.overdue) q = q.where('a.completed_at', 'is', null).where('a.due_at', '<', new Date());
    const rows = await q.orderBy('a.due_at').orderBy('a.id').limit(1000).execute();
    return {
      items: rows.map((row) => ({
        id: row.id,
        moduleId: row.module_id,
        moduleTitle: row.title,
        memberId: row.member_id,
        assignedAt: isoRequired(row.assigned_at),
        dueAt: isoRequired(row.due_at),
        completedAt: iso(row.completed_at),
        score: row.score,
        overdue: !row.completed_at && new Date(row.due_at) < new Date(),
      })),
    };
  });
}

/** A member completes their own assignment; a score below the module's pass mark does not count. */
export function completeAssignment(app: AppContext, caller: Caller, id: string, score: number) {
  return asCaller(app, caller, async (tx, audit) => {
    const row = await tx
      .selectFrom('training_assignments as a')
      .innerJoin('training_modules as t', (join) => join.onRef('t.tenant_id', '=', 'a.tenant_id').onRef('t.id', '=', 'a.module_id'))
      .select(['a.member_id', 'a.completed_at', 't.pass_score'])
      .where('a.tenant_id', '=', caller.auth.tenantId)
      .where('a.id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('Training assignment');
    if (row.member_id !== caller.auth.memberId) throw forbidden('Only the member it is assigned to can complete a training.');
    if (row.completed_at) throw conflict('This training is already completed.');
    if (score < row.pass_score)
      throw conflict(`A score of ${score} is below the pass mark of ${row.pass_score}; try again.`, { passScore: row.pass_score });
    await tx
      .updateTable('training_assignments')
      .set({ completed_at: new Date(), score })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .execute();
    await audit({ action: 'training.complete', objectType: 'training_assignment', objectId: id, fields: [`score:${score}`] });
    return { completed: true };
  });
}
