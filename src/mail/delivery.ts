import type { AppContext } from '../app-context.ts';
import { KeyDestroyedError } from '../crypto/keys.ts';
import { afterCommit, withTenant, type Tx } from '../db/tenant.ts';
import type { EmailKind } from '../db/types-campaigns.ts';
import { enqueue, type JobHandler } from '../jobs/queue.ts';
import type { Mail } from './mailer.ts';
import { copyText } from './outbox.ts';
import { withoutAddresses } from '../shared/redact.ts';

export const MAIL_QUEUE = 'mail.deliver';
/** Backoff doubles from 2 s (see JobWorker): ten attempts span about half an hour of outage. */
const DELIVERY_ATTEMPTS = 10;

export interface PromisedMail {
  personId: string;
  kind: EmailKind;
  mail: Mail;
  personalLinks?: readonly string[];
}

/** The message as it will be sent, attachments included, as one sealed JSON text. */
interface SealedMail extends Omit<Mail, 'attachments'> {
  attachments?: Array<{ filename: string; content: string; contentType: string }>;
}

/**
 * Queues an e-mail that a state change promises, in that change's transaction: it exists
 * exactly when the change commits (the transactional outbox, migration 0034). It goes out right
 * after the commit, while the request waits; if that fails, or the process dies first, the
 * mail.deliver job sends it, with retries. The copy the UI shows withholds personal links.
 */
export async function queueToPerson(app: AppContext, tx: Tx, tenantId: string, message: PromisedMail): Promise<string> {
  const seal = (field: string, value: string) => app.keys.encryptField(tx, tenantId, message.personId, `email_messages.${field}`, value);
  const { attachments, ...rest } = message.mail;
  const whole: SealedMail = {
    ...rest,
    ...(attachments ? { attachments: attachments.map((a) => ({ ...a, content: a.content.toString('base64') })) } : {}),
  };
  const { id } = await tx
    .insertInto('email_messages')
    .values({
      tenant_id: tenantId,
      person_id: message.personId,
      kind: message.kind,
      to_enc: await seal('to', message.mail.to),
      subject_enc: await seal('subject', message.mail.subject),
      text_enc: await seal('text', copyText(message.mail.text, message.personalLinks ?? [])),
      mail_enc: await seal('mail', JSON.stringify(whole)),
      transport: app.mailer.transport,
      state: 'queued',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await enqueue(tx, { queue: MAIL_QUEUE, tenantId, payload: { messageId: id }, maxAttempts: DELIVERY_ATTEMPTS });
  afterCommit(tx, async () => {
    await deliverQueued(app, tenantId, id, { lastAttempt: false });
  });
  return id;
}

/**
 * Sends one queued message. The row stays locked while the transport talks, so the job and the
 * request's own attempt never both send it; whoever comes second finds it sent.
 */
export async function deliverQueued(
  app: AppContext,
  tenantId: string,
  messageId: string,
  { lastAttempt }: { lastAttempt: boolean },
): Promise<void> {
  try {
    await withTenant(app.db, tenantId, async (tx) => {
      const row = await tx
        .selectFrom('email_messages')
        .select(['person_id', 'mail_enc'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', messageId)
        .where('state', '=', 'queued')
        .forUpdate()
        .executeTakeFirst();
      if (!row?.mail_enc) return;
      let sealed: SealedMail;
      try {
        sealed = JSON.parse(await app.keys.decryptField(tx, tenantId, 'email_messages.mail', row.mail_enc)) as SealedMail;
      } catch (error) {
        // The person was erased before the message left: there is nothing left to send it with.
        if (!(error instanceof KeyDestroyedError)) throw error;
        await settle(tx, tenantId, messageId, { state: 'failed', last_error: 'The recipient was erased before the message was sent.' });
        return;
      }
      const { attachments, ...rest } = sealed;
      await app.mailer.send({
        ...rest,
        ...(attachments ? { attachments: attachments.map((a) => ({ ...a, content: Buffer.from(a.content, 'base64') })) } : {}),
        subjects: [row.person_id],
      });
      await settle(tx, tenantId, messageId, { state: 'sent', last_error: null, sent_at: new Date() });
    });
  } catch (error) {
    const reason = withoutAddresses(error instanceof Error ? error.message : String(error)).slice(0, 2000);
    await withTenant(app.db, tenantId, (tx) =>
      tx
        .updateTable('email_messages')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          last_error: reason,
          ...(lastAttempt ? { state: 'failed' as const, mail_enc: null } : {}),
        }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', messageId)
        .where('state', '=', 'queued')
        .execute(),
    );
    throw error;
  }
}

async function settle(
  tx: Tx,
  tenantId: string,
  messageId: string,
  outcome: { state: 'sent' | 'failed'; last_error: string | null; sent_at?: Date },
) {
  await tx
    .updateTable('email_messages')
    .set((eb) => ({ ...outcome, mail_enc: null, attempts: eb('attempts', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', messageId)
    .execute();
}

/** The job behind every queued message: retried with backoff, failed for good after the last attempt. */
export const runMailDelivery: JobHandler = async (app, job) => {
  await deliverQueued(app, job.tenant_id!, String(job.payload.messageId), { lastAttempt: job.attempts >= job.max_attempts });
};
