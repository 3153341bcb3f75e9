import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface Mail {
  /** The sender, when not the installation's (a workspace's campaigns go out under its own name). */
  from?: { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative to the text: the message is then multipart/alternative. */
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe (RFC 2369) and List-Unsubscribe-Post (RFC 8058). */
  headers?: Record<string, string>;
  /**
   * A message to a data subject. Its copy lives encrypted in email_messages (src/mail/outbox.ts),
   * so without SMTP it is not also written in clear to the file outbox, where erasure could not
   * reach it.
   */
  toDataSubject?: boolean;
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
}

export interface Mailer {
  /** 'smtp' when messages leave through a server; 'outbox' when they are only kept locally. */
  readonly transport: 'smtp' | 'outbox';
  send(mail: Mail): Promise<void>;
}

/**
 * Sends through SMTP when LAWFUL_SMTP_URL is set (smtp://user:pass@host:port, smtps:// for TLS).
 * Without it, messages are written as .eml files to an outbox folder, so a fresh embedded install
 * can still complete invitations: the administrator opens the file.
 */
export function createMailer(options: { smtpUrl?: string | undefined; from: string; outboxDir: string }): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      transport: 'smtp',
      async send({ toDataSubject: _toDataSubject, ...mail }) {
        await transport.sendMail({ from: options.from, ...mail });
      },
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    transport: 'outbox',
    async send({ toDataSubject, ...mail }) {
      if (toDataSubject) return;
      const info = await transport.sendMail({ from: options.from, ...mail });
      fs.mkdirSync(options.outboxDir, { recursive: true, mode: 0o700 });
      const file = path.join(options.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^a-z0-9]/gi, '')}.eml`);
      fs.writeFileSync(file, info.message as Buffer, { mode: 0o600 });
    },
  };
}
