import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { simpleParser, type AddressObject } from 'mailparser';
import { createMailer, type Mail, type Mailer } from '../../src/mail/mailer.ts';
import {
  activePurpose,
  balancingTest,
  CONSENT_TEXT,
  liveForm,
  publicPath,
  SENDER,
  setSender,
  templateAndSegment,
  visitor,
} from '../support/consent-fixtures.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';
import { startSmtpServer } from '../support/smtp.ts';

/**
 * Campaign sends through a real SMTP server, read back with mailparser (not with our own code):
 * - Directive 2000/31/EC Art. 6 and 7, CAN-SPAM 15 U.S.C. 7704(a)(5): a commercial message names
 *   who sends it and carries the sender's valid postal address;
 * - the gate decides each batch on the present (a balancing test that fails during a send stops
 *   it within one batch), and a re-permission send never mails an address whose double opt-in
 *   is still pending (the workspace promised nothing would be sent before confirmation).
 */

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let smtpMailer: Mailer;
/** Called after each message the SMTP server accepted, with how many it accepted so far. */
let afterSend: ((sent: number) => void) | null = null;
let sentCount = 0;

const hooked: Mailer = {
  transport: 'smtp',
  async send(mail: Mail) {
    await smtpMailer.send(mail);
    sentCount += 1;
    afterSend?.(sentCount);
  },
};

before(async () => {
  smtp = await startSmtpServer();
  smtpMailer = createMailer({
    smtpUrl: `smtp://127.0.0.1:${smtp.port}/`,
    from: 'Lawful <installation@lawful.test>',
    outboxDir: '/nonexistent',
  });
});
after(() => smtp.close());

async function importContacts(admin: Client, prefix: string, count: number, place: string): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, '0')}@send.example,Person${i},${place}`);
  const imported = await admin.request(
    'POST',
    '/api/v1/imports/contacts?fileName=people.csv',
    ['email,first name,country,region', ...rows].join('\n'),
    { 'content-type': 'text/csv' },
  );
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
}

async function allExclusions(
  admin: Client,
  campaignId: string,
): Promise<Array<{ reason: string; person: { id: string; name: string | null } }>> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = (await admin.get(`/api/v1/campaigns/${campaignId}/exclusions?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).body;
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

function tally(items: Array<{ reason: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item.reason] = (counts[item.reason] ?? 0) + 1;
  return counts;
}

describeEachDatabase(
  'campaign sends under the law',
  (env) => {
    it('sends as the workspace, in HTML with a plain-text part and the postal address; names everyone left out, with the reason', async (t) => {
      const admin = await signUp(env());
      const purpose = await activePurpose(admin);
      const template = (
        await admin.post('/api/v1/email-templates', {
          name: 'Monthly',
          subject: 'News for {{firstName}}',
          body: 'Hello {{firstName}},\nhere is <the> news.',
        })
      ).body;
      const segment = (await admin.post('/api/v1/segments', { name: 'Everyone', object: 'contact', filter: {} })).body;
      await importContacts(admin, 'n', 40, 'DE,');
      const contacts = (await admin.get('/api/v1/contacts?limit=100')).body.items.sort((a: any, b: any) =>
        a.emails[0].localeCompare(b.emails[0]),
      );
      const item = (c: any, kind: string) => ({
        personType: 'contact',
        personId: c.id,
        purposeId: purpose.id,
        kind,
        method: 'import',
        text: kind === 'given' ? CONSENT_TEXT : null,
        source: 'legacy list',
      });
      // 0-9 never consented; 10-14 withdrew; 15-17 objected; 18-19 suppressed; 20-39 may be mailed.
      assert.equal(
        (await admin.post('/api/v1/consent-events', { items: contacts.slice(10).map((c: any) => item(c, 'given')) })).status,
        201,
      );
      assert.equal(
        (
          await admin.post('/api/v1/consent-events', {
            items: [
              ...contacts.slice(10, 15).map((c: any) => item(c, 'withdrawn')),
              ...contacts.slice(15, 18).map((c: any) => item(c, 'objected')),
            ],
          })
        ).status,
        201,
      );
      for (const c of contacts.slice(18, 20)) assert.equal((await admin.post('/api/v1/suppressions', { email: c.emails[0] })).status, 201);

      const campaign = (
        await admin.post('/api/v1/campaigns', { name: 'News', purposeId: purpose.id, segmentId: segment.id, templateId: template.id })
      ).body;
      const unnamed = await admin.post(`/api/v1/campaigns/${campaign.id}/send`);
      assert.equal(unnamed.status, 422, 'no first send without a sender identity');
      assert.equal(unnamed.body.error, 'sender_identity_required');
      assert.deepEqual(unnamed.body.details.missing.sort(), ['postalAddress', 'senderEmail', 'senderName']);
      await setSender(admin);

      const before = smtp.received.length;
      assert.equal((await admin.post(`/api/v1/campaigns/${campaign.id}/send`)).status, 202);
      await env().app.jobs.drain();
      const done = (await admin.get(`/api/v1/campaigns/${campaign.id}`)).body;
      const excluded = { no_consent: 10, consent_withdrawn: 5, objected: 3, suppressed: 2 };
      assert.deepEqual([done.status, done.sent, done.excluded], ['sent', 20, excluded]);
      const received = smtp.received.slice(before);
      assert.equal(received.length, 20);
      for (const raw of received) {
        const mail = await simpleParser(raw.data);
        assert.deepEqual((mail.from as AddressObject).value, [{ address: SENDER.senderEmail, name: SENDER.senderName }]);
        assert.match(String(mail.headers.get('content-type') && (mail.headers.get('content-type') as any).value), /multipart\/alternative/);
        assert.ok(mail.html && mail.text, 'an HTML part and a plain-text part');
        assert.match(mail.text!, new RegExp(SENDER.postalAddress));
        assert.match(mail.html as string, new RegExp(SENDER.postalAddress));
        assert.match(mail.html as string, /here is &lt;the&gt; news/, 'the template text is escaped in HTML');
        assert.match(mail.html as string, /<a href="https?:\/\/[^"]+\/u\/[^"]+">/);
        assert.match(raw.data, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
      }

      const exclusions = await allExclusions(admin, campaign.id);
      t.diagnostic(`SMTP server received ${received.length}; excluded by reason: ${JSON.stringify(tally(exclusions))}`);
      assert.deepEqual(tally(exclusions), excluded, 'the list agrees with the counts');
      const suppressed = (await admin.get(`/api/v1/campaigns/${campaign.id}/exclusions?reason=suppressed`)).body.items;
      assert.deepEqual(
        suppressed.map((e: any) => e.person.id).sort(),
        contacts
          .slice(18, 20)
          .map((c: any) => c.id)
          .sort(),
      );
      assert.ok(
        suppressed.every((e: any) => /^Person1[89]/.test(e.person.name)),
        'marketers see whom, by name',
      );
      assert.equal((await admin.get(`/api/v1/campaigns/${campaign.id}/exclusions?reason=nonsense`)).status, 400);
    });

    it('stops a send within one batch when its purpose fails its balancing test mid-send', async (t) => {
      const admin = await signUp(env());
      await setSender(admin);
      // Californians: marketing mail is opt-out there, so a legitimate interest reaches them.
      const created = (
        await admin.post('/api/v1/purposes', { key: 'offers', name: 'Offers', legalBasis: 'legitimate_interest', directMarketing: true })
      ).body;
      assert.equal((await admin.post(`/api/v1/purposes/${created.id}/balancing-tests`, balancingTest(admin.info.member.id))).status, 201);
      assert.equal((await admin.patch(`/api/v1/purposes/${created.id}`, { status: 'active' })).status, 200);
      await importContacts(admin, 'ca', 150, 'US,CA');
      const { templateId, segmentId } = await templateAndSegment(admin);
      const campaign = (await admin.post('/api/v1/campaigns', { name: 'Offers', purposeId: created.id, segmentId, templateId })).body;
      assert.equal((await admin.get(`/api/v1/campaigns/${campaign.id}/preview`)).body.recipients, 150);

      let failedAt: number | null = null;
      let failing: Promise<unknown> | null = null;
      sentCount = 0;
      afterSend = (sent) => {
        // Not awaited: the send holds its transaction while the test's request waits for its turn.
        if (sent === 60)
          failing = admin
            .post(`/api/v1/purposes/${created.id}/balancing-tests`, balancingTest(admin.info.member.id, 'failed'))
            .then((r) => {
              assert.equal(r.status, 201, JSON.stringify(r.body));
              failedAt = sentCount;
            });
      };
      try {
        assert.equal((await admin.post(`/api/v1/campaigns/${campaign.id}/send`)).status, 202);
        await env().app.jobs.drain();
        await failing;
      } finally {
        afterSend = null;
      }
      const done = (await admin.get(`/api/v1/campaigns/${campaign.id}`)).body;
      assert.equal(done.status, 'stopped');
      assert.match(done.stoppedReason, /balancing test/);
      assert.ok(failedAt !== null);
      assert.equal(done.sent, sentCount);
      t.diagnostic(
        `the failed balancing test committed after mail ${failedAt}; ${sentCount - failedAt!} more went out (rest of the batch); ${150 - sentCount} refused`,
      );
      assert.ok(sentCount - failedAt! <= 50, `at most one batch after the failed test: ${sentCount - failedAt!} more were sent`);
      assert.ok(sentCount < 150);
      assert.deepEqual(done.excluded, { purpose_inactive_during_send: 150 - sentCount });
      assert.deepEqual(tally(await allExclusions(admin, campaign.id)), { purpose_inactive: 150 - sentCount });
    });

    it('asks again only people whose address was confirmed, deciding each batch on the present', async () => {
      const admin = await signUp(env());
      const purpose = await activePurpose(admin);
      const { templateId } = await templateAndSegment(admin);
      await importContacts(admin, 'old', 60, 'DE,');
      const contacts = (await admin.get('/api/v1/contacts?limit=100')).body.items;
      const old = (c: any) => ({
        personType: 'contact',
        personId: c.id,
        purposeId: purpose.id,
        kind: 'given',
        method: 'import',
        text: CONSENT_TEXT,
        source: 'legacy list',
        occurredAt: '2024-01-01T00:00:00Z',
      });
      assert.equal((await admin.post('/api/v1/consent-events', { items: contacts.map(old) })).status, 201);
      // Two people signed up with double opt-in and never confirmed.
      const form = await liveForm(admin, purpose.id, { creates: 'contact', doubleOptIn: true });
      for (const email of ['pending1@send.example', 'pending2@send.example']) {
        assert.equal((await visitor(env()).post(publicPath(form), { fields: { email }, consents: [purpose.id], website: '' })).status, 202);
      }
      const repermission = (
        await admin.post('/api/v1/repermission-campaigns', {
          name: 'Still interested?',
          purposeId: purpose.id,
          templateId,
          inactiveMonths: 12,
          confirmWithinDays: 14,
        })
      ).body;
      assert.deepEqual((await admin.get(`/api/v1/campaigns/${repermission.id}/preview`)).body, {
        recipients: 60,
        excluded: { consent_pending: 2 },
      });

      // During the send, the person last in line withdraws: the next batch sees it.
      const last = [...contacts].sort((a: any, b: any) => a.id.localeCompare(b.id)).at(-1);
      let withdrawing: Promise<unknown> | null = null;
      sentCount = 0;
      afterSend = (sent) => {
        if (sent === 1)
          withdrawing = admin.post(`/api/v1/contacts/${last.id}/consents`, {
            purposeId: purpose.id,
            kind: 'withdrawn',
            source: 'reply to an e-mail',
          });
      };
      const before = smtp.received.length;
      try {
        assert.equal((await admin.post(`/api/v1/campaigns/${repermission.id}/send`)).status, 202);
        await env().app.jobs.drain();
        await withdrawing;
      } finally {
        afterSend = null;
      }
      const to = smtp.received.slice(before).flatMap((m) => m.to);
      assert.equal(to.length, 59);
      assert.ok(!to.some((address) => address.startsWith('pending')), 'no pending address is asked');
      assert.ok(!to.includes(last.emails[0]), 'the withdrawal during the send was honoured');
      const done = (await admin.get(`/api/v1/campaigns/${repermission.id}`)).body;
      assert.deepEqual([done.status, done.sent, done.excluded], ['sent', 59, { consent_pending: 2, consent_withdrawn_during_send: 1 }]);
    });
  },
  { forwardMail: () => hooked },
);
