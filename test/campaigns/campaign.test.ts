import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { withTenant } from '../../src/db/tenant.ts';
import { createMailer, type Mailer } from '../../src/mail/mailer.ts';
import { activePurpose, CONSENT_TEXT, contactWith, giveConsent, linkIn, templateAndSegment, visitor } from '../support/consent-fixtures.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';
import { startSmtpServer, type ReceivedMail } from '../support/smtp.ts';

interface Received {
  to: string[];
  headers: string;
  body: string;
}

/** A real SMTP server on a free port: the campaign is counted as it arrives. */
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let mailer: Mailer;

/** Headers unfolded, body decoded from quoted-printable (soft line breaks and =XX escapes). */
function parsed(mail: ReceivedMail): Received {
  const split = mail.data.indexOf('\r\n\r\n');
  const headers = mail.data.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = mail.data
    .slice(split + 4)
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return { to: mail.to, headers, body };
}

before(async () => {
  smtp = await startSmtpServer();
  mailer = createMailer({
    smtpUrl: `smtp://127.0.0.1:${smtp.port}/?pool=true&maxConnections=2`,
    from: 'Lawful <news@lawful.test>',
    outboxDir: '/nonexistent',
  });
});
after(() => smtp.close());

async function allContacts(admin: Client): Promise<Array<{ id: string; email: string }>> {
  const out: Array<{ id: string; email: string }> = [];
  let cursor: string | null = null;
  do {
    const page: any = (await admin.get(`/api/v1/contacts?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body;
    for (const item of page.items) out.push({ id: item.id, email: item.emails[0] });
    cursor = page.nextCursor;
  } while (cursor);
  return out.sort((a, b) => a.email.localeCompare(b.email));
}

describeEachDatabase(
  'campaigns through the processing gate',
  (env) => {
    it('sends a campaign to 1,000 contacts only to the 620 with a valid basis, each email with one-click unsubscribe', async () => {
      const admin = await signUp(env());
      const purpose = await activePurpose(admin);
      const csv = [
        'email,first name',
        ...Array.from({ length: 1000 }, (_, i) => `p${String(i).padStart(4, '0')}@campaign.example,Person${i}`),
      ].join('\n');
      const imported = await admin.request('POST', '/api/v1/imports/contacts?fileName=people.csv', csv, { 'content-type': 'text/csv' });
      assert.equal(imported.status, 200, JSON.stringify(imported.body));
      const contacts = await allContacts(admin);
      assert.equal(contacts.length, 1000);
      const item = (contact: { id: string }, kind: string) => ({
        personType: 'contact',
        personId: contact.id,
        purposeId: purpose.id,
        kind,
        method: 'import',
        text: kind === 'given' ? CONSENT_TEXT : null,
        source: 'legacy list',
      });
      // 0-299 never consented; 300-349 withdrew; 350-369 are restricted; 370-379 objected; 380-999 may be mailed.
      const consenting = contacts.slice(300);
      assert.equal((await admin.post('/api/v1/consent-events', { items: consenting.map((c) => item(c, 'given')) })).status, 201);
      const changes = [
        ...contacts.slice(300, 350).map((c) => item(c, 'withdrawn')),
        ...contacts.slice(370, 380).map((c) => item(c, 'objected')),
      ];
      assert.equal((await admin.post('/api/v1/consent-events', { items: changes })).status, 201);
      for (const contact of contacts.slice(350, 370)) {
        assert.equal((await admin.put(`/api/v1/contacts/${contact.id}/restriction`, { reason: 'Accuracy contested' })).status, 200);
      }
      const expected = new Set(contacts.slice(380).map((c) => c.email));

      const { templateId, segmentId } = await templateAndSegment(admin);
      const campaign = (await admin.post('/api/v1/campaigns', { name: 'November news', purposeId: purpose.id, segmentId, templateId }))
        .body;
      const excluded = { no_consent: 300, consent_withdrawn: 50, restricted: 20, objected: 10 };
      assert.deepEqual((await admin.get(`/api/v1/campaigns/${campaign.id}/preview`)).body, { recipients: 620, excluded });
      const before = smtp.received.length;
      const started = await admin.post(`/api/v1/campaigns/${campaign.id}/send`);
      assert.equal(started.status, 202);
      assert.equal(started.body.status, 'sending');
      assert.equal((await admin.post(`/api/v1/campaigns/${campaign.id}/send`)).status, 409, 'a campaign is sent once');
      await env().app.jobs.drain();

      const done = (await admin.get(`/api/v1/campaigns/${campaign.id}`)).body;
      assert.equal(done.status, 'sent');
      assert.equal(done.sent, 620);
      assert.equal(done.failed, 0);
      assert.deepEqual(done.excluded, excluded);
      const messages = smtp.received.slice(before).map(parsed);
      assert.equal(messages.length, 620, 'the SMTP server received exactly the 620');
      assert.deepEqual(new Set(messages.flatMap((m) => m.to)), expected);
      for (const message of messages) {
        assert.match(message.headers, /List-Unsubscribe: <https?:\/\/[^>]+\/u\/[^>]+>/);
        assert.match(message.headers, /List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
        assert.match(message.body, /Unsubscribe: https?:\/\/\S+\/u\//);
        assert.match(message.body, /Your data and your rights: https?:\/\/\S+\/privacy\//);
      }
      const tenantId = admin.info.workspace.id;
      const refusals = await withTenant(env().db, tenantId, (tx) =>
        tx.selectFrom('processing_refusals').select('reason').where('ref', '=', campaign.id).execute(),
      );
      assert.equal(refusals.length, 380, 'every refusal is recorded');

      // One click (RFC 8058) from the header: consent withdrawn and the address suppressed.
      const first = messages[0]!;
      const unsubscribe = first.headers.match(/List-Unsubscribe: <https?:\/\/[^/]+(\/u\/[^>]+)>/)![1]!;
      assert.equal((await visitor(env()).get(unsubscribe)).status, 200, 'GET shows a page and changes nothing');
      const clicked = await visitor(env()).request('POST', unsubscribe, 'List-Unsubscribe=One-Click', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      assert.equal(clicked.status, 200);
      const person = contacts.find((c) => c.email === first.to[0])!;
      const after = (await admin.get(`/api/v1/contacts/${person.id}/consents`)).body;
      assert.equal(after.suppressed, true);
      assert.equal(after.states.find((s: any) => s.purposeId === purpose.id).state, 'withdrawn');
      const list = (await admin.get('/api/v1/suppressions')).body.items;
      assert.equal(list[0].reason, 'unsubscribed');
      assert.equal(list[0].person.id, person.id);
      const next = (await admin.post('/api/v1/campaigns', { name: 'December news', purposeId: purpose.id, segmentId, templateId })).body;
      assert.equal((await admin.get(`/api/v1/campaigns/${next.id}/preview`)).body.recipients, 619);
      const outbox = (await admin.get('/api/v1/email-messages?limit=5')).body.items;
      assert.equal(outbox.length, 5);
      assert.equal(outbox[0].kind, 'campaign');
      assert.match(outbox[0].subject, /^News for Person\d+$/);
    });

    it('preference centre toggles consents; bounces suppress; re-permission expires the silent', async () => {
      const admin = await signUp(env());
      const purpose = await activePurpose(admin);
      const other = await activePurpose(admin, { name: 'Event invitations', directMarketing: true });
      const keen = await contactWith(admin, 'keen@example.org', { firstName: 'Keen' });
      const quiet = await contactWith(admin, 'quiet@example.org', { firstName: 'Quiet' });
      const bouncy = await contactWith(admin, 'bouncy@example.org');
      for (const id of [keen, quiet, bouncy]) await giveConsent(admin, id, purpose.id);
      assert.equal(
        (await admin.post('/api/v1/email-events', { email: 'bouncy@example.org', type: 'bounce', detail: '550 no such user' })).status,
        201,
      );

      const { templateId, segmentId } = await templateAndSegment(admin);
      const campaign = (await admin.post('/api/v1/campaigns', { name: 'News', purposeId: purpose.id, segmentId, templateId })).body;
      await admin.post(`/api/v1/campaigns/${campaign.id}/send`);
      await env().app.jobs.drain();
      const done = (await admin.get(`/api/v1/campaigns/${campaign.id}`)).body;
      assert.equal(done.sent, 2);
      assert.deepEqual(done.excluded, { suppressed: 1 });

      // The preference centre from Keen's email: switch the newsletter off, invitations on.
      const mail = env()
        .mailer.sent.filter((m) => m.to === 'keen@example.org')
        .at(-1)!;
      const preferences = linkIn(mail.text, '/p/');
      const centre = await visitor(env()).get(preferences);
      assert.match(String(centre.body), /Event invitations/);
      const saved = await visitor(env()).request('POST', preferences, `consent_${other.id}=on`, {
        'content-type': 'application/x-www-form-urlencoded',
      });
      assert.equal(saved.status, 200);
      const states = (await admin.get(`/api/v1/contacts/${keen}/consents`)).body.states;
      assert.equal(states.find((s: any) => s.purposeId === purpose.id).state, 'withdrawn');
      assert.equal(states.find((s: any) => s.purposeId === other.id).state, 'granted');
      assert.equal((await visitor(env()).get('/p/forged.token')).status, 400);

      // Re-permission of consents older than a month: Quiet never answers, the consent expires.
      const old = await contactWith(admin, 'old@example.org', { firstName: 'Old' });
      assert.equal(
        (
          await admin.post(`/api/v1/contacts/${old}/consents`, {
            purposeId: purpose.id,
            kind: 'given',
            text: CONSENT_TEXT,
            occurredAt: '2024-01-01T00:00:00Z',
          })
        ).status,
        201,
      );
      const stale = await contactWith(admin, 'stale@example.org', { firstName: 'Stale' });
      assert.equal(
        (
          await admin.post(`/api/v1/contacts/${stale}/consents`, {
            purposeId: purpose.id,
            kind: 'given',
            text: CONSENT_TEXT,
            occurredAt: '2024-01-01T00:00:00Z',
          })
        ).status,
        201,
      );
      const repermission = (
        await admin.post('/api/v1/repermission-campaigns', {
          name: 'Still interested?',
          purposeId: purpose.id,
          templateId,
          inactiveMonths: 12,
          confirmWithinDays: 7,
        })
      ).body;
      assert.deepEqual((await admin.get(`/api/v1/campaigns/${repermission.id}/preview`)).body, { recipients: 2, excluded: {} });
      await admin.post(`/api/v1/campaigns/${repermission.id}/send`);
      await env().app.jobs.drain();
      const reconfirm = linkIn(
        env()
          .mailer.sent.filter((m) => m.to === 'old@example.org')
          .at(-1)!.text,
        '/r/',
      );
      assert.equal((await visitor(env()).post(reconfirm)).status, 200);
      assert.equal((await visitor(env()).post(reconfirm)).status, 409);
      const tenantId = admin.info.workspace.id;
      await withTenant(env().db, tenantId, (tx) =>
        tx
          .updateTable('campaigns')
          .set({ confirm_by: new Date(Date.now() - 1000) })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', repermission.id)
          .execute(),
      );
      await env().app.jobs.runSchedulesNow();
      await env().app.jobs.drain();
      const staleStates = (await admin.get(`/api/v1/contacts/${stale}/consents`)).body;
      assert.equal(staleStates.states.find((s: any) => s.purposeId === purpose.id).state, 'expired');
      assert.deepEqual(
        staleStates.history.map((e: any) => e.kind),
        ['given', 'repermission_requested', 'expired'],
      );
      const oldStates = (await admin.get(`/api/v1/contacts/${old}/consents`)).body;
      assert.equal(oldStates.states.find((s: any) => s.purposeId === purpose.id).state, 'granted');
      assert.equal((await admin.get(`/api/v1/campaigns/${repermission.id}`)).body.expired, 1);
      assert.equal((await visitor(env()).post(reconfirm)).status, 410, 'after the deadline the link is closed');
    });
  },
  { forwardMail: () => mailer },
);
