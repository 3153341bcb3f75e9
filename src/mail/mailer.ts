import crypto from 'node:crypto';
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
   * For a message to a data subject: the ids (or the address's keyed hash) it is about. Without
   * SMTP the message is written to the outbox folder under a name derived from them, so that
   * erasure finds and deletes it (Mailer.forget).
   */
  subjects?: string[];
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
}

export interface Mailer {
  /** 'smtp' when messages leave through a server; 'outbox' when they are only kept locally. */
  readonly transport: 'smtp' | 'outbox';
  send(mail: Mail): Promise<void>;
  /** Deletes what is kept locally of the messages about these subjects (erasure); returns how many. */
  forget?(subjects: string[]): Promise<number>;
}

/** A subject's mark in an outbox file name: a short hash, so the name shows no id or address. */
function subjectMark(subject: string): string {
  return crypto.createHash('sha256').update(subject).digest('hex').slice(0, 20);
}

/**
 * Sends through SMTP when LAWFUL_SMTP_URL is set (smtp://user:pass@host:port, smtps:// for TLS).
 * Without it, every message is written as an .eml file to an outbox folder (readable by the
 * installation's owner only), so a fresh embedded install still works end to end: invitations,
 * confirmation links, the privacy portal's sign-in link. Nothing is delivered; the server says so
 * when it starts. Messages to data subjects are named after whom they are about, so erasure
 * deletes them here too.
 */
export function createMailer(options: { smtpUrl?: string | undefined; from: string; outboxDir: string }): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      transport: 'smtp',
      async send({ subjects: _subjects, ...mail }) {
        await transport.sendMail({ from: options.from, ...mail });
      },
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    transport: 'outbox',
    async send({ subjects, ...mail }) {
      const info = await transport.sendMail({ from: options.from, ...mail });
      fs.mkdirSync(options.outboxDir, { recursive: true, mode: 0o700 });
      const marks = (subjects ?? []).map((subject) => `.${subjectMark(subject)}`).join('');
      const file = path.join(
        options.outboxDir,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^a-z0-9]/gi, '')}${marks}.eml`,
      );
      fs.writeFileSync(file, info.message as Buffer, { mode: 0o600 });
    },
    async forget(subjects) {
      if (!fs.existsSync(options.outboxDir)) return 0;
      const marks = subjects.map((subject) => `.${subjectMark(subject)}`);
      let removed = 0;
      for (const name of fs.readdirSync(options.outboxDir)) {
        if (!marks.some((mark) => name.includes(mark))) continue;
        fs.rmSync(path.join(options.outboxDir, name), { force: true });
        removed += 1;
      }
      return removed;
    },
  };
}
