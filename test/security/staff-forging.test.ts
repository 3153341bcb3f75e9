import assert from 'node:assert/strict';
import { it } from 'node:test';
import { signLink } from '../../src/consent/links.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { sendToPerson, WITHHELD_LINK } from '../../src/mail/outbox.ts';
import { activePurpose, contactWith, giveConsent, linkIn, templateAndSegment, visitor } from '../support/consent-fixtures.ts';
import { addMember, Client, describeEachDatabase, signUp } from '../support/helpers.ts';

/**
 * Issue 23, finding 3: members could act as a person through links in stored e-mail copies, and
 * a Marketing member read the mail of rights requests without dsr.read.
 */
describeEachDatabase('staff cannot act as a person', (env) => {
  it('shows the mail of rights requests only to those who may read requests', async () => {
    const admin = await signUp(env());
    const marketing = await addMember(env(), admin, 'marketing_manager');
    const contactId = await contactWith(admin, 'forge@staff.example');
    const tenantId = admin.info.workspace.id as string;
    await withTenant(env().db, tenantId, async (tx) => {
      await sendToPerson(env().app, tx, tenantId, {
        personId: contactId,
        kind: 'dsr',
        mail: { to: 'forge@staff.example', subject: 'Your access request', text: 'We received your request.' },
      });
      await sendToPerson(env().app, tx, tenantId, {
        personId: contactId,
        kind: 'campaign',
        mail: { to: 'forge@staff.example', subject: 'Spring news', text: 'News.' },
      });
    });
    const kindsSeenBy = async (client: Client) =>
      ((await client.get('/api/v1/email-messages?limit=100')).body.items as Array<{ kind: string; personId: string }>)
        .filter((m) => m.personId === contactId)
        .map((m) => m.kind)
        .sort();
    assert.deepEqual(await kindsSeenBy(admin), ['campaign', 'dsr']);
    assert.deepEqual(await kindsSeenBy(marketing), ['campaign'], 'no dsr.read, no rights-request mail');
    const token = await admin.post('/api/v1/api-tokens', { name: 'outbox reader', scopes: ['campaigns.read'] });
    const reader = new Client(env().server);
    reader.bearer = token.body.token;
    assert.deepEqual(await kindsSeenBy(reader), ['campaign'], 'a token without the dsr.read scope sees no rights-request mail');
  });

  it("withholds the person's links from the copies members read, and expires preference links", async () => {
    const admin = await signUp(env());
    const purpose = await activePurpose(admin);
    const contactId = await contactWith(admin, 'prefs@staff.example');
    await giveConsent(admin, contactId, purpose.id);
    const { templateId, segmentId } = await templateAndSegment(admin);
    const campaign = (await admin.post('/api/v1/campaigns', { name: 'Prefs', purposeId: purpose.id, segmentId, templateId })).body;
    assert.equal((await admin.post(`/api/v1/campaigns/${campaign.id}/send`)).status, 202);
    await env().app.jobs.drain();
    const sent = env()
      .mailer.sent.filter((m) => m.to === 'prefs@staff.example')
      .at(-1)!;
    const preferences = linkIn(sent.text, '/p/');
    const copy = ((await admin.get('/api/v1/email-messages?limit=100')).body.items as Array<{ personId: string; text: string }>).find(
      (m) => m.personId === contactId,
    )!;
    assert.ok(!copy.text.includes(preferences) && copy.text.includes(WITHHELD_LINK));

    // The person's own link works now; the same link signed to have ended, or with no end, does not.
    const person = visitor(env());
    assert.equal((await person.request('GET', preferences)).status, 200);
    const tenantId = admin.info.workspace.id as string;
    const ended = signLink(env().app.keys, 'preferences', [tenantId, 'contact', contactId], new Date(Date.now() - 1000));
    const endless = signLink(env().app.keys, 'preferences', [tenantId, 'contact', contactId]);
    for (const token of [ended, endless]) {
      const page = await person.request('GET', `/p/${token}`);
      assert.equal(page.status, 410);
      assert.match(String(page.body), /expired/);
      assert.equal((await person.request('POST', `/p/${token}`, { [`consent_${purpose.id}`]: 'on' })).status, 410);
    }
  });
});
