import { SEND_QUEUE } from './campaigns/campaigns.ts';
import { expireRepermissions } from './campaigns/repermission.ts';
import { runCampaignSend } from './campaigns/send-job.ts';
import { expireUnconfirmed } from './forms/submit.ts';
import { remindDpiaReviews } from './governance/dpia.ts';
import { scanAll } from './governance/detection.ts';
import { warnBreachClocks } from './governance/incidents.ts';
import { runRule, sweepAll } from './retention/service.ts';
import { sendDeadlineAlerts } from './rights/alerts.ts';
import { VACUUM_QUEUE } from './rights/erasure.ts';
import { vacuumAfterErasure } from './rights/vacuum.ts';
import { queueDueSyncs, runSync, SYNC_QUEUE } from './sync/engine.ts';
import { PURGE_QUEUE, runPurge } from './sync/purge.ts';
import { ERASE_QUEUE, runErasures } from './sync/erasure.ts';
import { RIGHTS_QUEUE, runRightsOperations } from './sync/rights.ts';
import { chainAllPendingReads } from './audit/service.ts';
import { anchorAuditChains } from './audit/anchors.ts';
import { forgetOldRateLimits } from './http/public-limits.ts';
import { restoreDrill, scheduledBackup } from './backup/schedule.ts';
import { ERASURE_JOURNAL_QUEUE, journalErasures } from './backup/erasure-journal.ts';
import { MAIL_QUEUE, runMailDelivery } from './mail/delivery.ts';
import { sendTaskReminders } from './crm/task-reminders.ts';
import { NOTICE_QUEUE, runDueNotices } from './notices/send.ts';
import type { JobHandler, Schedule } from './jobs/queue.ts';

/** Every queue and what runs it. */
export const HANDLERS: Record<string, JobHandler> = {
  [SEND_QUEUE]: runCampaignSend,
  [MAIL_QUEUE]: runMailDelivery,
  // Queued by the database itself when a key is destroyed or a tombstone written; the minute of
  // slack covers keys stamped by the application's clock rather than the database's.
  [VACUUM_QUEUE]: async (app, job) => {
    await vacuumAfterErasure(app, job);
  },
  [ERASURE_JOURNAL_QUEUE]: async (app, job) => {
    await journalErasures(app, new Date(Date.parse(String(job.payload.since)) - 60_000));
  },
  'consent.expire-unconfirmed': async (app) => {
    await expireUnconfirmed(app);
  },
  'repermission.expire': async (app) => {
    await expireRepermissions(app);
  },
  'dsr.deadline-alerts': async (app) => {
    await sendDeadlineAlerts(app);
  },
  'tasks.reminders': async (app) => {
    await sendTaskReminders(app);
  },
  'dpia.review-reminders': async (app) => {
    await remindDpiaReviews(app);
  },
  'incidents.detect': async (app) => {
    await scanAll(app);
  },
  'incidents.clock-warnings': async (app) => {
    await warnBreachClocks(app);
  },
  'retention.sweep': async (app, _job, lease) => {
    await sweepAll(app, { afterBatch: () => lease.renew() });
  },
  [SYNC_QUEUE]: runSync,
  [PURGE_QUEUE]: runPurge,
  [ERASE_QUEUE]: runErasures,
  [RIGHTS_QUEUE]: runRightsOperations,
  [NOTICE_QUEUE]: runDueNotices,
  'backup.scheduled': async (app) => {
    await scheduledBackup(app);
  },
  'backup.drill': async (app) => {
    await restoreDrill(app);
  },
  'audit.chain-reads': async (app) => {
    await chainAllPendingReads(app.db);
  },
  'audit.anchor': async (app) => {
    await anchorAuditChains(app.db, app.config);
  },
  'rate-limits.cleanup': async (app) => {
    await forgetOldRateLimits(app.db);
  },
  'sync.schedule': async (app) => {
    await queueDueSyncs(app);
  },
  'retention.rule': async (app, job, lease) => {
    await runRule(app, job.tenant_id!, String(job.payload.ruleId), { afterBatch: () => lease.renew() });
  },
};

/** Recurring jobs; each tick runs once across all app nodes. */
export const SCHEDULES: Schedule[] = [
  { name: 'consent.expire-unconfirmed', queue: 'consent.expire-unconfirmed', everySeconds: 3600 },
  { name: 'repermission.expire', queue: 'repermission.expire', everySeconds: 3600 },
  { name: 'dsr.deadline-alerts', queue: 'dsr.deadline-alerts', everySeconds: 6 * 3600 },
  { name: 'retention.sweep', queue: 'retention.sweep', everySeconds: 24 * 3600 },
  { name: 'incidents.detect', queue: 'incidents.detect', everySeconds: 300 },
  { name: 'incidents.clock-warnings', queue: 'incidents.clock-warnings', everySeconds: 900 },
  { name: 'backup.scheduled', queue: 'backup.scheduled', everySeconds: 3600 },
  { name: 'backup.drill', queue: 'backup.drill', everySeconds: 24 * 3600 },
  { name: 'audit.chain-reads', queue: 'audit.chain-reads', everySeconds: 60 },
  { name: 'audit.anchor', queue: 'audit.anchor', everySeconds: 3600 },
  { name: 'rate-limits.cleanup', queue: 'rate-limits.cleanup', everySeconds: 3600 },
  { name: 'sync.schedule', queue: 'sync.schedule', everySeconds: 600 },
  { name: 'tasks.reminders', queue: 'tasks.reminders', everySeconds: 60 },
  { name: NOTICE_QUEUE, queue: NOTICE_QUEUE, everySeconds: 600 },
  { name: 'dpia.review-reminders', queue: 'dpia.review-reminders', everySeconds: 24 * 3600 },
];
