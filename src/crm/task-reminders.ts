import { sql, type Expression, type SqlBool } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import { Sealer } from '../crypto/sealer.ts';
import { withTenant } from '../db/tenant.ts';
import { unprocessable } from '../http/errors.ts';

type ReminderColumns = { due_at: Date | string | null; reminder_minutes: number | null };

/** When a task's reminder is due: its due time less the minutes asked for; null without one. */
export function remindAt(task: ReminderColumns): Date | null {
  if (task.due_at === null || task.reminder_minutes === null) return null;
  return new Date(new Date(task.due_at).getTime() - task.reminder_minutes * 60_000);
}

/** A new task's reminder: at its due time unless told otherwise; none without a due time. */
export function reminderOf(dueAt: string | null | undefined, minutes: number | null | undefined): number | null {
  if (!dueAt) {
    if (minutes !== undefined && minutes !== null) {
      throw unprocessable('A reminder needs a due time: set dueAt too.', { field: 'reminderMinutes' });
    }
    return null;
  }
  return minutes === undefined ? 0 : minutes;
}

/**
 * The reminder columns an edit sets: a new due time or a new reminder starts the reminder over
 * (mailed and shown again when due), a due time taken away takes the reminder with it.
 */
export function reminderChange(
  current: ReminderColumns,
  patch: { dueAt?: string | null | undefined; reminderMinutes?: number | null | undefined },
) {
  if (patch.dueAt === undefined && patch.reminderMinutes === undefined) return {};
  const dueAt = patch.dueAt !== undefined ? patch.dueAt : current.due_at && new Date(current.due_at).toISOString();
  const kept = dueAt === null ? undefined : (current.reminder_minutes ?? undefined);
  const minutes = patch.reminderMinutes !== undefined ? patch.reminderMinutes : kept;
  return { reminder_minutes: reminderOf(dueAt, minutes), reminded_at: null, reminder_dismissed_at: null };
}

const isDue = sql<SqlBool>`tasks.due_at - make_interval(mins => tasks.reminder_minutes) <= now()`;

/** The member's open tasks whose reminder is due and that they have not closed: the app shows these. */
export function remindingNow(memberId: string): Expression<SqlBool> {
  return sql<SqlBool>`(tasks.assignee_id = ${memberId} and not tasks.done and tasks.reminder_minutes is not null
    and tasks.reminder_dismissed_at is null and ${isDue})`;
}

/** A reminder more than a day late (the job was stopped) is not mailed any more: the app still shows it. */
const STALE_AFTER = '1 day';
const BATCH = 500;

interface DueReminder {
  email: string;
  title: string;
  dueAt: Date;
  id: string;
}

/**
 * Scheduled every minute: e-mails each assignee the tasks whose reminder has come, once. The
 * reminder is marked sent in the transaction that reads it, so two nodes never send it twice;
 * an e-mail that then fails is not sent again (the app still shows the reminder).
 */
export async function sendTaskReminders(app: AppContext): Promise<number> {
  const tenants = await app.db.kysely.selectFrom('tenants').select('id').execute();
  let sent = 0;
  const failures: unknown[] = [];
  for (const { id: tenantId } of tenants) {
    const due = await withTenant(app.db, tenantId, async (tx): Promise<DueReminder[]> => {
      const rows = await tx
        .selectFrom('tasks')
        .innerJoin('members', (join) =>
          join.onRef('members.tenant_id', '=', 'tasks.tenant_id').onRef('members.id', '=', 'tasks.assignee_id'),
        )
        .innerJoin('users', 'users.id', 'members.user_id')
        .select(['tasks.id', 'tasks.title_enc', 'tasks.key_id', 'tasks.due_at', 'users.email', 'members.status'])
        .where('tasks.tenant_id', '=', tenantId)
        .where('tasks.done', '=', false)
        .where('tasks.reminder_minutes', 'is not', null)
        .where('tasks.reminded_at', 'is', null)
        .where(isDue)
        .where(sql<SqlBool>`tasks.due_at > now() - ${STALE_AFTER}::interval`)
        .orderBy('tasks.due_at')
        .limit(BATCH)
        .forUpdate('tasks')
        .skipLocked()
        .execute();
      if (rows.length === 0) return [];
      await tx
        .updateTable('tasks')
        .set({ reminded_at: new Date() })
        .where('tenant_id', '=', tenantId)
        .where(
          'id',
          'in',
          rows.map((row) => row.id),
        )
        .execute();
      await recordAudit(
        tx,
        tenantId,
        { actorType: 'system', actorId: 'job:tasks.reminders' },
        { action: 'task.remind', objectType: 'task', objectId: null, fields: [`due:${rows.length}`] },
      );
      const sealer = new Sealer(app, tx, tenantId);
      // The titles are under as many keys as people (or tasks): one query loads them all.
      await sealer.preload(rows.map((row) => row.key_id));
      const reminders: DueReminder[] = [];
      for (const row of rows) {
        if (row.status !== 'active') continue;
        const title = (await sealer.open<string>('tasks.title', row.title_enc)) ?? '(a task whose record was erased)';
        reminders.push({ email: row.email, title, dueAt: new Date(row.due_at!), id: row.id });
      }
      return reminders;
    });
    const byAssignee = new Map<string, DueReminder[]>();
    for (const reminder of due) byAssignee.set(reminder.email, [...(byAssignee.get(reminder.email) ?? []), reminder]);
    for (const [to, reminders] of byAssignee) {
      const lines = reminders.map((r) => `- ${r.title}: due ${r.dueAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
      try {
        await app.mailer.send({
          to,
          subject: reminders.length === 1 ? `Task due: ${reminders[0]!.title}` : `${reminders.length} tasks due`,
          text: `${lines.join('\n')}\n\nYour tasks: ${app.config.publicUrl}/#/tasks\n`,
        });
        sent += 1;
      } catch (error) {
        failures.push(error);
      }
    }
  }
  // The others were sent first: one mail server refusal does not keep the rest from their reminders.
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} task reminder e-mail(s) could not be sent`);
  return sent;
}
