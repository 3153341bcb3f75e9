import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import { withTenant } from '../db/tenant.ts';
import { dpoEmails } from '../governance/dpo.ts';
import { deadlineState, NEAR_DUE_DAYS } from './deadlines.ts';

/** Alerts go out at most this often per request. */
const REALERT_HOURS = 20;

/**
 * Scheduled: tells each workspace's DPO (its administrators when no DPO is named) which
 * requests are overdue or due within a week. The email names types and dates, never people.
 */
export async function sendDeadlineAlerts(app: AppContext): Promise<number> {
  const tenants = await app.db.kysely.selectFrom('tenants').select('id').execute();
  let sent = 0;
  for (const { id: tenantId } of tenants) {
    const alert = await withTenant(app.db, tenantId, async (tx) => {
      const horizon = new Date(Date.now() + NEAR_DUE_DAYS * 86_400_000);
      const due = await tx
        .selectFrom('dsr_requests')
        .select(['id', 'type', 'due_at', 'status'])
        .where('tenant_id', '=', tenantId)
        .where('status', 'not in', ['completed', 'rejected'])
        .where('due_at', '<=', horizon)
        .where((eb) => eb.or([eb('last_alert_at', 'is', null), eb('last_alert_at', '<', new Date(Date.now() - REALERT_HOURS * 3_600_000))]))
        .orderBy('due_at')
        .execute();
      if (due.length === 0) return null;
      const recipients = await dpoEmails(tx, tenantId);
      await tx
        .updateTable('dsr_requests')
        .set({ last_alert_at: new Date() })
        .where('tenant_id', '=', tenantId)
        .where(
          'id',
          'in',
          due.map((row) => row.id),
        )
        .execute();
      await recordAudit(
        tx,
        tenantId,
        { actorType: 'system', actorId: 'job:dsr.deadline-alerts' },
        { action: 'dsr.alert', objectType: 'dsr_request', objectId: null, fields: [`requests:${due.length}`] },
      );
      const workspace = await tx.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow();
      return { due, recipients, workspace: workspace.name };
    });
    if (!alert) continue;
    const overdue = alert.due.filter((row) => deadlineState(new Date(row.due_at)) === 'overdue');
    const lines = alert.due.map(
      (row) =>
        `- ${row.type} request ${row.id}: due ${new Date(row.due_at).toISOString().slice(0, 10)} (${deadlineState(new Date(row.due_at)).replace('_', ' ')}, ${row.status.replace('_', ' ')})`,
    );
    for (const to of alert.recipients) {
      await app.mailer.send({
        to,
        subject: `${alert.workspace}: ${overdue.length} overdue and ${alert.due.length - overdue.length} near-due data subject requests`,
        text: `These requests need an answer:\n\n${lines.join('\n')}\n\nOpen the request queue in Lawful CRM to handle them.\n`,
      });
      sent += 1;
    }
  }
  return sent;
}
