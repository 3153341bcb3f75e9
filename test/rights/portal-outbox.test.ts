import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { createMailer } from '../../src/mail/mailer.ts';
import { contactWith, visitor } from '../support/consent-fixtures.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

/**
 * The embedded default has no SMTP server: every e-mail goes to the outbox folder, so a person can
 * still sign in to the privacy portal (its link is handed over from there), and an erasure deletes
 * what the folder holds about them.
 */
const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-outbox-'));
after(() => fs.rmSync(outboxDir, { recursive: true, force: true }));
const outbox = createMailer({ smtpUrl: undefined, from: 'Lawful <no-reply@lawful.test>', outboxDir });

describeEachDatabase(
  'privacy portal without SMTP',
  (env) => {
    it('finds the sign-in link in the outbox folder, signs in with it, and erasure removes the messages about the person', async () => {
      const admin = await signUp(env());
      const slug = admin.info.workspace.slug;
      const email = `outbox-${env().backend}@portal.example`;
      await contactWith(admin, email);
      const person = visitor(env());
      assert.equal((await person.post(`/privacy/${slug}/link`, { email })).status, 200);

      const files = () =>
        fs
          .readdirSync(outboxDir)
          .map((name) => fs.readFileSync(path.join(outboxDir, name), 'utf8'))
          .filter((text) => text.includes(`To: ${email}`));
      assert.equal(files().length, 1, 'the link is in the outbox folder');
      // Quoted-printable soft line breaks undone, as a mail program would.
      const body = files()[0]!
        .replace(/=\r?\n/g, '')
        .replace(/=3D/g, '=');
      const link = body.match(/https?:\/\/\S+\/privacy\/\S+\/open\/\S+/)![0];
      const opened = await person.post(new URL(link).pathname);
      assert.equal(opened.status, 303, 'the link from the folder works');
      assert.equal((await person.get(`/privacy/${slug}/me`)).status, 200);

      const request = (await admin.post('/api/v1/dsr-requests', { type: 'erasure', channel: 'email', email, identityStatus: 'verified' }))
        .body;
      assert.equal((await admin.post(`/api/v1/dsr-requests/${request.id}/execute`)).body.status, 'completed');
      const left = files();
      assert.ok(
        left.every((text) => /Subject: (We received your request|Your request)/.test(text)),
        `only the request's own messages stay: ${left.map((t) => t.match(/Subject: .*/)?.[0]).join(', ')}`,
      );
    });
  },
  { forwardMail: () => outbox },
);
