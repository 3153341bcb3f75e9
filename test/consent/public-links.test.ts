import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { WITHHELD_LINK } from '../../src/mail/outbox.ts';
import {
  activePurpose,
  contactWith,
  giveConsent,
  linkIn,
  liveForm,
  publicPath,
  templateAndSegment,
  visitor,
} from '../support/consent-fixtures.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

/**
 * The links that act for a person (confirm, unsubscribe, preferences, reconfirm, cookie choices)
 * are the person's: a signed-in member cannot use them, and the copies members read hide them.
 * GDPR Art. 4(11) and 7(1): consent is the data subject's own indication, and the controller
 * must be able to show that *the data subject* consented.
 */

/** RFC 8058 §8.3, the one-click POST exactly as printed: its delimiter lacks the "--" prefix. */
const RFC_8058_AS_PRINTED = {
  contentType: 'multipart/form-data; boundary=---FormBoundaryjWmhtjORrn',
  body: '---FormBoundaryjWmhtjORrn\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n---FormBoundaryjWmhtjORrn--',
};
/** The same request as RFC 2046 §5.1.1 frames it (delimiter = "--" + boundary), as mailbox providers send it. */
const RFC_8058_FRAMED = {
  contentType: RFC_8058_AS_PRINTED.contentType,
  body: '-----FormBoundaryjWmhtjORrn\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n-----FormBoundaryjWmhtjORrn--\r\n',
};

describeEachDatabase('links that belong to the person', (env) => {
  let admin: Client;
  let purpose: any;

  before(async () => {
    admin = await signUp(env());
    purpose = await activePurpose(admin);
  });

  /** Sends a campaign to the given addresses and returns each one's mail. */
  async function campaignTo(emails: readonly string[]): Promise<Map<string, { text: string; unsubscribe: string; preferences: string }>> {
    const account = (await admin.post('/api/v1/accounts', { name: `Recipients ${emails[0]}` })).body;
    for (const email of emails) await giveConsent(admin, await contactWith(admin, email, { accountId: account.id }), purpose.id);
    const { templateId } = await templateAndSegment(admin);
    const segment = (
      await admin.post('/api/v1/segments', { name: `Only ${emails[0]}`, object: 'contact', filter: { accountId: account.id } })
    ).body;
    const campaign = (await admin.post('/api/v1/campaigns', { name: 'Links', purposeId: purpose.id, segmentId: segment.id, templateId }))
      .body;
    assert.equal((await admin.post(`/api/v1/campaigns/${campaign.id}/send`)).status, 202);
    await env().app.jobs.drain();
    const out = new Map<string, { text: string; unsubscribe: string; preferences: string }>();
    for (const email of emails) {
      const mail = env()
        .mailer.sent.filter((m) => m.to === email)
        .at(-1)!;
      out.set(email, {
        text: mail.text,
        unsubscribe: new URL(mail.headers!['List-Unsubscribe']!.slice(1, -1)).pathname,
        preferences: linkIn(mail.text, '/p/'),
      });
    }
    return out;
  }

  it('lets no signed-in member confirm a double opt-in; the stored copy hides the link; the ledger names who acted', async () => {
    const form = await liveForm(admin, purpose.id, { creates: 'contact', doubleOptIn: true });
    const person = visitor(env());
    assert.equal(
      (await person.post(publicPath(form), { fields: { email: 'doi@links.example' }, consents: [purpose.id], website: '' })).status,
      202,
    );
    const confirm = linkIn(
      env()
        .mailer.sent.filter((m) => m.to === 'doi@links.example')
        .at(-1)!.text,
      '/f/confirm/',
    );
    const id = (await admin.get('/api/v1/contacts?q=doi%40links.example')).body.items[0].id;

    const copies = (await admin.get(`/api/v1/email-messages?limit=50`)).body.items;
    const copy = copies.find((m: any) => m.kind === 'confirmation' && m.personId === id);
    assert.ok(!copy.text.includes(confirm), 'the outbox copy does not carry the live token');
    assert.ok(copy.text.includes(WITHHELD_LINK));

    const asMember = await admin.post(confirm);
    assert.equal(asMember.status, 403);
    assert.equal(asMember.body.error, 'data_subject_only');
    const page = await admin.request('GET', confirm, undefined, { accept: 'text/html' });
    assert.equal(page.status, 403);
    assert.match(String(page.body), /<html/i, 'a person who is also a member is told why, as a page');
    assert.equal(
      (await admin.get(`/api/v1/contacts/${id}/consents`)).body.states.find((s: any) => s.purposeId === purpose.id).state,
      'pending',
    );

    assert.equal((await person.post(confirm)).status, 200);
    const consents = (await admin.get(`/api/v1/contacts/${id}/consents`)).body;
    assert.equal(consents.states.find((s: any) => s.purposeId === purpose.id).state, 'granted');
    const confirmed = consents.history.find((e: any) => e.kind === 'confirmed');
    assert.deepEqual([confirmed.actorType, confirmed.actorId], ['data_subject', id], 'the person confirmed, not a member');
    assert.equal(confirmed.userAgent, 'lawful-tests');
  });

  it('lets no signed-in member unsubscribe or change preferences for someone; staff cannot take anyone off the suppression list', async () => {
    const mails = await campaignTo(['ulla@members.example']);
    const { unsubscribe, preferences } = mails.get('ulla@members.example')!;
    for (const [method, path] of [
      ['POST', unsubscribe],
      ['GET', preferences],
      ['POST', preferences],
    ] as const) {
      const response = await admin.request(
        method,
        path,
        method === 'POST' ? 'List-Unsubscribe=One-Click' : undefined,
        method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      );
      assert.equal(response.status, 403, `${method} ${path}`);
    }
    assert.equal((await admin.get('/api/v1/suppressions')).body.items.length, 0, 'nothing happened');
    assert.equal((await admin.post('/api/v1/suppressions', { email: 'ulla@members.example' })).status, 201, 'staff may add');
    const remove = await admin.post('/api/v1/suppressions/remove', { email: 'ulla@members.example' });
    assert.equal(remove.status, 404, 'there is no staff removal');
    assert.equal((await admin.get('/api/v1/suppressions')).body.items.length, 1);
  });

  it('accepts RFC 8058 one-click as the RFC prints it, as multipart/form-data framed per RFC 2046, and urlencoded; each is a ledger event', async () => {
    const emails = ['printed@rfc.example', 'framed@rfc.example', 'urlencoded@rfc.example'] as const;
    const mails = await campaignTo(emails);
    assert.equal(Buffer.byteLength(RFC_8058_AS_PRINTED.body), 124, 'the Content-Length the RFC prints');
    const requests = [
      [emails[0], RFC_8058_AS_PRINTED.body, RFC_8058_AS_PRINTED.contentType],
      [emails[1], RFC_8058_FRAMED.body, RFC_8058_FRAMED.contentType],
      [emails[2], 'List-Unsubscribe=One-Click', 'application/x-www-form-urlencoded'],
    ] as const;
    for (const [email, body, contentType] of requests) {
      const clicked = await visitor(env()).request('POST', mails.get(email)!.unsubscribe, body, { 'content-type': contentType });
      assert.equal(clicked.status, 200, `${email}: ${String(clicked.body)}`);
      const id = (await admin.get(`/api/v1/contacts?q=${encodeURIComponent(email)}`)).body.items[0].id;
      const consents = (await admin.get(`/api/v1/contacts/${id}/consents`)).body;
      assert.equal(consents.suppressed, true, email);
      const withdrawn = consents.history.find((e: any) => e.kind === 'withdrawn');
      assert.match(withdrawn.source, /RFC 8058/);
    }
    const notOneClick = await visitor(env()).request('POST', mails.get(emails[0])!.unsubscribe, 'List-Unsubscribe=Later', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(notOneClick.status, 400);
  });

  it('lifts a suppression only when the person opts in again themselves, and tells them so', async () => {
    const mails = await campaignTo(['back@again.example']);
    const { unsubscribe, preferences } = mails.get('back@again.example')!;
    assert.equal(
      (
        await visitor(env()).request('POST', unsubscribe, 'List-Unsubscribe=One-Click', {
          'content-type': 'application/x-www-form-urlencoded',
        })
      ).status,
      200,
    );
    const listed = () =>
      admin.get('/api/v1/suppressions').then((r) => r.body.items.filter((s: any) => s.reason === 'unsubscribed' && s.person?.id));
    const before = (await listed()).length;
    const saved = await visitor(env()).request('POST', preferences, `consent_${purpose.id}=on`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(saved.status, 200);
    assert.match(String(saved.body), /off our do-not-mail list/);
    assert.equal((await listed()).length, before - 1);
    const id = (await admin.get('/api/v1/contacts?q=back%40again.example')).body.items[0].id;
    const consents = (await admin.get(`/api/v1/contacts/${id}/consents`)).body;
    assert.equal(consents.suppressed, false);
    assert.equal(consents.states.find((s: any) => s.purposeId === purpose.id).state, 'granted');
  });

  it('takes cookie choices with the visitor cookie only from the sites the workspace allowed', async () => {
    const slug = admin.info.workspace.slug;
    const allowed = 'https://www.acme.example';
    const put = await admin.put('/api/v1/cookie-banner', {
      text: 'We use cookies.',
      policyUrl: 'https://www.acme.example/privacy',
      allowedOrigins: [allowed],
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const choice = { workspace: slug, choices: {} };
    const from = (origin: string) => visitor(env()).request('POST', `/f/cookie-consent?workspace=${slug}`, choice, { origin });
    assert.equal((await from(allowed)).status, 200);
    const foreign = await from('https://evil.example');
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.error, 'origin_not_allowed');
    const preflight = (origin: string) =>
      visitor(env()).request('OPTIONS', `/f/cookie-consent?workspace=${slug}`, undefined, {
        origin,
        'access-control-request-method': 'POST',
      });
    assert.equal((await preflight(allowed)).headers['access-control-allow-origin'], allowed);
    assert.equal((await preflight('https://evil.example')).headers['access-control-allow-origin'], undefined);
    const mismatch = await visitor(env()).request('POST', '/f/cookie-consent?workspace=someone-else', choice, { origin: allowed });
    assert.equal(mismatch.status, 400);
  });

  it('refuses javascript: and other non-web policy URLs on forms and on the banner', async () => {
    for (const policyUrl of [
      'javascript:alert(document.cookie)',
      'data:text/html,hi',
      'ftp://example.org/policy',
      '//example.org/privacy',
    ]) {
      const form = await admin.post('/api/v1/forms', {
        name: 'X',
        title: 'X',
        fields: [{ key: 'email', label: 'Email', required: true }],
        consents: [],
        policyVersion: '1',
        policyUrl,
      });
      assert.equal(form.status, 400, `form ${policyUrl}`);
      assert.match(form.body.message, /policyUrl/);
      const banner = await admin.put('/api/v1/cookie-banner', { text: 'We use cookies.', policyUrl });
      assert.equal(banner.status, 400, `banner ${policyUrl}`);
    }
    const origins = await admin.put('/api/v1/cookie-banner', {
      text: 'We use cookies.',
      policyUrl: 'https://a.example/p',
      allowedOrigins: ['https://a.example/path'],
    });
    assert.equal(origins.status, 400, 'an origin has no path');
  });
});
