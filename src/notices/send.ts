import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { recordAudit, type AuditOrigin } from '../audit/service.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { senderIdentity } from '../campaigns/sender.ts';
import { loadPeople } from '../crm/people.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { Art14NoticesTable } from '../db/types-notices.ts';
import type { Job } from '../jobs/queue.ts';
import { sendToPerson } from '../mail/outbox.ts';
import { withoutAddresses } from '../shared/redact.ts';
import { fillNotice } from './compose.ts';
import { noticeFacts, workspaceFacts, type WorkspaceFacts } from './facts.ts';
import { owedNotices } from './queue.ts';
import type { noticeSendInput, noticeSendResult } from './schema.ts';
import { noticeTemplate } from './template.ts';

type NoticeRow = Selectable<Art14NoticesTable>;
type SendResult = z.infer<typeof noticeSendResult>;

/** At most this many notices per request or job run. */
const MAX_PER_SEND = 500;
/**
 * The job sends a notice once it is due within this many days: until then the first campaign
 * e-mail that reaches the person may carry it instead (Art. 14(3)(b)), one e-mail rather than two.
 */
export const NOTICE_LEAD_DAYS = 7;
export const NOTICE_QUEUE = 'notices.send';

/** The notice text for one person and source, as it goes out (alone or inside a campaign e-mail). */
export function noticeText(template: { subject: string; body: string }, facts: WorkspaceFacts, notice: NoticeRow) {
  return fillNotice(template, noticeFacts(facts, notice));
}

/** What the workspace sends notices with, read once per batch. */
async function senderPlan(app: AppContext, tx: Tx, tenantId: string) {
  return {
    template: await noticeTemplate(tx, tenantId),
    facts: await workspaceFacts(app, tx, tenantId),
    sender: await senderIdentity(tx, tenantId),
  };
}

/**
 * Sends each notice in a transaction of its own (one that fails leaves the others sent), after
 * checking it is still owed: a campaign may have carried it meanwhile. The copy in the outbox
 * (email_messages, under the person's key) is the text sent.
 */
async function deliver(app: AppContext, tenantId: string, notices: NoticeRow[]): Promise<SendResult> {
  const result: SendResult = { sent: 0, failed: [] };
  if (notices.length === 0) return result;
  const plan = await withTenant(app.db, tenantId, (tx) => senderPlan(app, tx, tenantId));
  if ('missing' in plan.sender) {
    const reason = `the workspace has no sender identity yet (${plan.sender.missing.join(', ')}): an Administrator sets it in the workspace settings`;
    return { sent: 0, failed: notices.map((notice) => ({ id: notice.id, reason })) };
  }
  const sender = plan.sender;
  for (const notice of notices) {
    try {
      const reason = await withTenant(app.db, tenantId, async (tx) => {
        const owed = await owedNotices(tx, tenantId).where('art14_notices.id', '=', notice.id).forUpdate().executeTakeFirst();
        if (!owed) return 'no longer owed (sent, exempt, or the person is no longer held)';
        const person = (await loadPeople(app, tx, tenantId, [{ type: owed.person_type, id: owed.person_id }])).get(owed.person_id);
        const to = person?.emails[0];
        if (!to) return 'no e-mail address: inform the person another way, or record why that would take disproportionate effort';
        const { subject, text } = noticeText(plan.template, plan.facts, owed);
        const messageId = await sendToPerson(app, tx, tenantId, {
          personId: owed.person_id,
          kind: 'notice',
          mail: {
            from: { name: sender.name, address: sender.email },
            to,
            subject,
            text: `${text.trimEnd()}\n\n--\n${sender.name}, ${sender.postalAddress.replace(/\s*\n\s*/g, ', ')}\n`,
          },
        });
        await markSent(tx, tenantId, [owed.id], 'notice', messageId);
        return null;
      });
      if (reason === null) result.sent += 1;
      else {
        result.failed.push({ id: notice.id, reason });
        await recordFailure(app, tenantId, notice.id, reason);
      }
    } catch (error) {
      const reason = withoutAddresses(error instanceof Error ? error.message : String(error)).slice(0, 500);
      result.failed.push({ id: notice.id, reason });
      await recordFailure(app, tenantId, notice.id, reason);
    }
  }
  return result;
}

async function recordFailure(app: AppContext, tenantId: string, id: string, reason: string): Promise<void> {
  await withTenant(app.db, tenantId, (tx) =>
    tx
      .updateTable('art14_notices')
      .set({ last_error: reason })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('sent_at', 'is', null)
      .execute(),
  );
}

/** Records notices as sent: by themselves, or carried by a campaign e-mail (messageId: the copy in the outbox). */
export async function markSent(tx: Tx, tenantId: string, ids: string[], via: 'notice' | 'campaign', messageId: string): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .updateTable('art14_notices')
    .set({ sent_at: new Date(), sent_via: via, message_id: messageId, last_error: null })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .where('sent_at', 'is', null)
    .execute();
}

async function auditSend(app: AppContext, tenantId: string, origin: AuditOrigin, result: SendResult): Promise<void> {
  if (result.sent === 0 && result.failed.length === 0) return;
  await withTenant(app.db, tenantId, (tx) =>
    recordAudit(tx, tenantId, origin, {
      action: 'notice.send',
      objectType: 'notice',
      fields: [`sent:${result.sent}`, `failed:${result.failed.length}`],
    }),
  );
}

/** POST /notices/send: the notices named, or every one owed (soonest due first), up to 500. */
export async function sendNotices(app: AppContext, caller: Caller, input: z.infer<typeof noticeSendInput>): Promise<SendResult> {
  const tenantId = caller.auth.tenantId;
  const chosen = await asCaller(app, caller, async (tx) => {
    let q = owedNotices(tx, tenantId).orderBy('art14_notices.due_at').limit(MAX_PER_SEND);
    if (input.ids) q = q.where('art14_notices.id', 'in', input.ids);
    return q.execute();
  });
  const result = await deliver(app, tenantId, chosen);
  const found = new Set(chosen.map((notice) => notice.id));
  for (const id of input.ids ?? [])
    if (!found.has(id)) result.failed.push({ id, reason: 'not owed: unknown, already sent, exempt, or the person is no longer held' });
  await auditSend(app, tenantId, caller.origin, result);
  return result;
}

/** The job: in every workspace that sends automatically, the notices due within NOTICE_LEAD_DAYS. */
export async function runDueNotices(app: AppContext, _job: Job): Promise<void> {
  const tenants = await app.db.kysely.selectFrom('tenants').select('id').execute();
  for (const { id: tenantId } of tenants) {
    const due = await withTenant(app.db, tenantId, async (tx) => {
      const settings = await tx.selectFrom('notice_templates').select('auto_send').where('tenant_id', '=', tenantId).executeTakeFirst();
      if (settings && !settings.auto_send) return [];
      // Without a sender identity nothing can go out; the notices wait (the queue shows them) rather than fail.
      if ('missing' in (await senderIdentity(tx, tenantId))) return [];
      return (
        owedNotices(tx, tenantId)
          .where('art14_notices.due_at', '<=', new Date(Date.now() + NOTICE_LEAD_DAYS * 86_400_000))
          // A notice that failed for want of an address waits for a member, not for the next run.
          .where('art14_notices.last_error', 'is', null)
          .orderBy('art14_notices.due_at')
          .limit(MAX_PER_SEND)
          .execute()
      );
    });
    const result = await deliver(app, tenantId, due);
    await auditSend(app, tenantId, { actorType: 'system', actorId: `job:${NOTICE_QUEUE}` }, result);
  }
}
