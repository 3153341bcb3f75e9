import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMailer } from '../../src/mail/mailer.ts';
import { startSmtpServer, type ReceivedMail } from '../support/smtp.ts';

describe('mailer', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let received: ReceivedMail[];
  let port: number;

  before(async () => {
    smtp = await startSmtpServer();
    received = smtp.received;
    port = smtp.port;
  });
  after(() => smtp.close());

  it('delivers through SMTP when LAWFUL_SMTP_URL is set', async () => {
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'Lawful <no-reply@lawful.test>', outboxDir: '/nonexistent' });
    await mailer.send({
      to: 'invitee@example.org',
      subject: 'Invitation',
      text: 'Accept: https://crm.example/accept-invitation#lci.token',
    });
    assert.equal(received.length, 1);
    assert.deepEqual(received[0]!.to, ['invitee@example.org']);
    assert.match(received[0]!.data, /Subject: Invitation/);
    assert.match(received[0]!.data, /accept-invitation#lci\.token/);
  });

  it('writes .eml files to the outbox when no SMTP server is configured', async () => {
    const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-outbox-'));
    const mailer = createMailer({ smtpUrl: undefined, from: 'Lawful <no-reply@lawful.test>', outboxDir });
    await mailer.send({ to: 'someone@example.org', subject: 'Hello', text: 'Body text' });
    const files = fs.readdirSync(outboxDir);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /\.eml$/);
    const content = fs.readFileSync(path.join(outboxDir, files[0]!), 'utf8');
    assert.match(content, /To: someone@example.org/);
    assert.match(content, /Body text/);
    assert.equal(fs.statSync(path.join(outboxDir, files[0]!)).mode & 0o077, 0, 'only the owner can read the outbox');
    await mailer.send({ to: 'subject@example.org', subject: 'News', text: 'Personal', subjects: ['person-1'] });
    await mailer.send({ to: 'other@example.org', subject: 'News', text: 'Other', subjects: ['person-2'] });
    assert.equal(fs.readdirSync(outboxDir).length, 3, 'mail to data subjects goes to the outbox too');
    assert.ok(!fs.readdirSync(outboxDir).some((name) => name.includes('person-')), 'the file name does not show whom it is about');
    assert.equal(await mailer.forget!(['person-1']), 1, 'erasure finds the messages about the person');
    const left = fs.readdirSync(outboxDir).map((name) => fs.readFileSync(path.join(outboxDir, name), 'utf8'));
    assert.ok(!left.some((text) => text.includes('subject@example.org')));
    assert.equal(left.length, 2);
    fs.rmSync(outboxDir, { recursive: true });
  });
});
