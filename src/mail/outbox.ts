import crypto from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import type { Tx } from '../db/tenant.ts';
import type { EmailKind } from '../db/types-campaigns.ts';
import type { Mail } from './mailer.ts';

/** What the stored copy shows instead of a link that acts for the recipient. */
export const WITHHELD_LINK = "[personal link: it works only from the recipient's own mailbox]";

/**
 * The text kept as the copy: links that act for the recipient (confirm, unsubscribe,
 * preferences, reconfirm) are withheld, so that no member reading the outbox can make the
 * person's choices for them (DESIGN.md §7: a person's choices are made by the person).
 */
export function copyText(text: string, personalLinks: readonly string[]): string {
  let copy = text;
  for (const link of personalLinks) copy = copy.replaceAll(link, `${new URL(link).origin}/${WITHHELD_LINK}`);
  return copy;
}

/**
 * Sends an email to a person and keeps a copy in email_messages (the outbox the UI shows),
 * encrypted under the person's key, in the caller's transaction; links that act for the person
 * are withheld from the copy.
 */
export async function sendToPerson(
  app: AppContext,
  tx: Tx,
  tenantId: string,
  message: { personId: string; kind: EmailKind; campaignId?: string | null; mail: Mail; personalLinks?: readonly string[] },
): Promise<string> {
  const seal = (field: string, value: string) => app.keys.encryptField(tx, tenantId, message.personId, `email_messages.${field}`, value);
  const copy = {
    tenant_id: tenantId,
    id: crypto.randomUUID(),
    person_id: message.personId,
    kind: message.kind,
    campaign_id: message.campaignId ?? null,
    to_enc: await seal('to', message.mail.to),
    subject_enc: await seal('subject', message.mail.subject),
    text_enc: await seal('text', copyText(message.mail.text, message.personalLinks ?? [])),
    transport: app.mailer.transport,
  };
  // Sent first: a message that could not be sent leaves no copy behind.
  await app.mailer.send({ ...message.mail, subjects: [message.personId] });
  await tx.insertInto('email_messages').values(copy).execute();
  return copy.id;
}
