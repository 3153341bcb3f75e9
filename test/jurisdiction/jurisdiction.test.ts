import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { html } from '../../src/shared/html.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { hasRight, JURISDICTIONS, PROFILES, type Jurisdiction } from '../../src/jurisdiction/profiles.ts';
import { accessReport } from '../../src/rights/access-report.ts';
import { addBusinessDays } from '../../src/rights/deadlines.ts';
import { findSubject } from '../../src/rights/subject.ts';
import { portalVisitor } from '../support/consent-audit-scenarios.ts';
import { activePurpose, contactWith, giveConsent, liveForm, publicPath, visitor } from '../support/consent-fixtures.ts';
import { FakeHubSpot } from '../support/fakes/hubspot.ts';
import { ageWorkspace, describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

const DAY = 86_400_000;
const GPC = { 'sec-gpc': '1' };

describeEachDatabase('jurisdiction profiles', (env) => {
  const hubspot = new FakeHubSpot();
  let admin: Client;
  let slug: string;

  before(async () => {
    await hubspot.start();
    admin = await signUp(env());
    await ageWorkspace(env(), admin.info.workspace.id, 30);
    slug = admin.info.workspace.slug;
  });
  after(() => hubspot.stop());

  it('excludes a Californian who sent Sec-GPC: 1 with a form from a push to a CRM flagged as selling or sharing, while a German is governed by consent', async () => {
    const sharing = await activePurpose(admin, { name: 'Partner data sharing', directMarketing: false, sellsOrShares: true });
    const newsletter = await activePurpose(admin);
    const form = await liveForm(admin, newsletter.id);
    const carla = await contactWith(admin, 'carla@ca.example', { country: 'US', region: 'CA' });
    const quinn = await contactWith(admin, 'quinn@ca.example', { country: 'US', region: 'CA' });
    const dora = await contactWith(admin, 'dora@de.example', { country: 'DE' });
    const dieter = await contactWith(admin, 'dieter@de.example', { country: 'DE' });
    await giveConsent(admin, dora, sharing.id);

    // Carla fills in a form in a browser that sends the Global Privacy Control signal.
    const submitted = await visitor(env()).request(
      'POST',
      publicPath(form),
      { fields: { email: 'carla@ca.example' }, consents: [], website: '' },
      GPC,
    );
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    const carlaConsents = (await admin.get(`/api/v1/contacts/${carla}/consents`)).body;
    assert.deepEqual(carlaConsents.jurisdiction, { jurisdiction: 'ccpa', source: 'residence' });
    assert.equal(carlaConsents.saleSharing.optedOut, true);
    assert.equal(carlaConsents.saleSharing.method, 'form');
    assert.match(carlaConsents.saleSharing.source, /Sec-GPC/);
    const event = carlaConsents.history.find((e: any) => e.kind === 'sale_sharing_opted_out');
    assert.equal(event.purposeId, null, 'the opt-out covers every purpose');
    assert.equal(carlaConsents.states.find((s: any) => s.purposeId === sharing.id).refusal, 'opted_out_of_sale');

    const tokens = hubspot.issueTokens();
    const integration = await admin.post('/api/v1/integrations', {
      kind: 'hubspot',
      label: 'Partner HubSpot',
      baseUrl: hubspot.url,
      credentials: { kind: 'api_key', token: tokens.accessToken },
      sellsOrShares: true,
      purposeId: sharing.id,
    });
    assert.equal(integration.status, 201, JSON.stringify(integration.body));
    assert.equal(integration.body.sellsOrShares, true);
    await env().app.jobs.drain();
    const push = (id: string) => admin.post(`/api/v1/integrations/${integration.body.id}/push`, { record: { type: 'contact', id } });

    const refused = await push(carla);
    assert.equal(refused.status, 422);
    assert.equal(refused.body.details.reason, 'opted_out_of_sale');
    assert.equal((await push(dora)).status, 200, 'the German with consent is pushed');
    assert.equal((await push(quinn)).status, 200, 'a Californian who did not opt out may be shared with: the CCPA is opt-out');
    const noConsent = await push(dieter);
    assert.equal(noConsent.status, 422, 'a German without consent is not');
    assert.equal(noConsent.body.details.reason, 'no_consent');

    const emails = [...hubspot.objects.contacts.values()].map((object) => object.properties.email).sort();
    assert.deepEqual(emails, ['dora@de.example', 'quinn@ca.example']);
    const refusals = await withTenant(env().db, admin.info.workspace.id, (tx) =>
      tx
        .selectFrom('processing_refusals')
        .select(['person_id', 'reason'])
        .where('tenant_id', '=', admin.info.workspace.id)
        .where('path', '=', 'connector_push')
        .execute(),
    );
    assert.deepEqual(
      refusals.map((r) => [r.person_id, r.reason]).sort(),
      [
        [carla, 'opted_out_of_sale'],
        [dieter, 'no_consent'],
      ].sort(),
    );
  });

  it('lets marketing reach a Californian until they say no (opt-out), and a German only with consent (opt-in)', async () => {
    const newsletter = await activePurpose(admin, { name: 'Product news' });
    const cal = await contactWith(admin, 'news-ca@example.org', { country: 'US', region: 'CA' });
    const ger = await contactWith(admin, 'news-de@example.org', { country: 'DE' });
    const state = async (id: string) =>
      (await admin.get(`/api/v1/contacts/${id}/consents`)).body.states.find((s: any) => s.purposeId === newsletter.id);
    assert.equal((await state(cal)).canProcess, true);
    assert.deepEqual([(await state(ger)).canProcess, (await state(ger)).refusal], [false, 'no_consent']);
    // An override moves the person to another law.
    assert.equal((await admin.patch(`/api/v1/contacts/${cal}`, { jurisdiction: 'gdpr' })).status, 200);
    assert.equal((await state(cal)).refusal, 'no_consent');
    const invalid = await admin.patch(`/api/v1/contacts/${cal}`, { jurisdiction: 'texas', region: 'California' });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error, 'validation_error');

    // A CSV import carries the region too: a Californian imported is under the CCPA at once.
    const csv = 'email,country,region\nimported-ca@example.org,US,ca\nimported-bad@example.org,US,California\n';
    const imported = await admin.request('POST', '/api/v1/imports/contacts?fileName=people.csv', csv, { 'content-type': 'text/csv' });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.equal(imported.body.created, 2, 'a region that cannot be read is left out, the person imported');
    assert.match(JSON.stringify(imported.body.leftOut.lines), /region/);
    const importedId = (await admin.get('/api/v1/contacts?q=imported-ca%40example.org')).body.items[0].id;
    assert.deepEqual((await admin.get(`/api/v1/contacts/${importedId}/consents`)).body.jurisdiction, {
      jurisdiction: 'ccpa',
      source: 'residence',
    });
  });

  it("shows in the portal exactly the rights of the person's profile, with their legal references, and offers only those actions", async () => {
    const people: Array<[Jurisdiction, Record<string, unknown>]> = [
      ['gdpr', { country: 'FR' }],
      ['uk_gdpr', { country: 'GB' }],
      ['ccpa', { country: 'US', region: 'CA' }],
      ['lgpd', { country: 'BR', region: 'SP' }],
      ['ccpa', { country: 'DE', jurisdiction: 'ccpa' }], // set by staff
    ];
    for (const [index, [jurisdiction, place]] of people.entries()) {
      const email = `portal-${index}-${jurisdiction}@example.org`;
      await contactWith(admin, email, place);
      const person = await portalVisitor(env(), admin, email);
      const page = String((await person.get(`/privacy/${slug}/me`)).body);
      const shown = [...page.matchAll(/data-right="([a-z_]+)"/g)].map((match) => match[1]).sort();
      assert.deepEqual(shown, PROFILES[jurisdiction].rights.map((right) => right.right).sort(), `${email}: the rights of ${jurisdiction}`);
      for (const right of PROFILES[jurisdiction].rights)
        assert.ok(page.includes(html`${right.reference}`.toString()), `${email}: ${right.reference}`);
      assert.ok(page.includes(html`${PROFILES[jurisdiction].name}`.toString()));
      assert.equal(page.includes('aria-label="Restrict processing"'), hasRight(jurisdiction, 'restriction'));
      assert.equal(page.includes('aria-label="Object to direct marketing"'), hasRight(jurisdiction, 'objection'));
      assert.equal(page.includes('aria-label="Sale and sharing"'), hasRight(jurisdiction, 'opt_out_sale_sharing'));
      assert.equal(page.includes('aria-label="Limit sensitive information"'), hasRight(jurisdiction, 'limit_sensitive'));
      assert.ok(page.includes(`href="/privacy/${slug}/do-not-sell"`), 'the Do Not Sell or Share link is on every portal page');
    }
  });

  it("refuses in the portal a right the person's law does not give, and records an opt-out from the portal and from GPC", async () => {
    const id = await contactWith(admin, 'portal-ca@example.org', { country: 'US', region: 'CA' });
    const person = await portalVisitor(env(), admin, 'portal-ca@example.org');
    const restrict = await person.post(`/privacy/${slug}/me/restrict`, { reason: 'Stop it' });
    assert.equal(restrict.status, 403);
    assert.match(String(restrict.body), /CCPA\/CPRA \(California\) does not give this right/);
    const restricted = await withTenant(env().db, admin.info.workspace.id, (tx) =>
      tx.selectFrom('processing_restrictions').select('person_id').where('person_id', '=', id).execute(),
    );
    assert.equal(restricted.length, 0);

    assert.equal((await person.post(`/privacy/${slug}/me/sale-sharing`, { optedOut: 'yes' })).status, 200);
    assert.equal((await admin.get(`/api/v1/contacts/${id}/consents`)).body.saleSharing.optedOut, true);
    assert.match(String((await person.get(`/privacy/${slug}/me`)).body), /Opt back in/);
    assert.equal((await person.post(`/privacy/${slug}/me/sale-sharing`, { optedOut: 'no' })).status, 200);
    assert.equal((await admin.get(`/api/v1/contacts/${id}/consents`)).body.saleSharing.optedOut, false);

    // Visiting the portal with GPC on opts out again, once however many pages are seen.
    await person.request('GET', `/privacy/${slug}/me`, undefined, GPC);
    const page = await person.request('GET', `/privacy/${slug}/me`, undefined, GPC);
    assert.match(String(page.body), /Global Privacy Control signal: we recorded it/);
    const consents = (await admin.get(`/api/v1/contacts/${id}/consents`)).body;
    assert.equal(consents.saleSharing.optedOut, true);
    assert.equal(consents.history.filter((e: any) => e.kind === 'sale_sharing_opted_out').length, 2, 'portal button, then one GPC event');
  });

  it('takes an opt-out on the public Do Not Sell or Share page without sign-in, answering alike for unknown addresses', async () => {
    const id = await contactWith(admin, 'dns@example.org', { country: 'US', region: 'CA' });
    const page = await visitor(env()).request('GET', `/privacy/${slug}/do-not-sell`, undefined, GPC);
    assert.equal(page.status, 200);
    assert.match(String(page.body), /Do Not Sell or Share My Personal Information/);
    assert.match(String(page.body), /Global Privacy Control/);
    const known = await visitor(env()).post(`/privacy/${slug}/do-not-sell`, { email: 'DNS@example.org' });
    const unknown = await visitor(env()).post(`/privacy/${slug}/do-not-sell`, { email: 'nobody@example.org' });
    assert.equal(known.status, 200);
    assert.equal(unknown.status, 200);
    assert.equal(known.body, unknown.body);
    assert.equal((await visitor(env()).post(`/privacy/${slug}/do-not-sell`, { email: 'not an address' })).status, 400);
    assert.equal((await admin.get(`/api/v1/contacts/${id}/consents`)).body.saleSharing.optedOut, true);
    const requests = (await admin.get('/api/v1/dsr-requests?type=opt_out_sale_sharing')).body.items.filter(
      (r: any) => r.requester.email === 'dns@example.org',
    );
    assert.equal(requests.length, 1);
    assert.equal(requests[0].status, 'completed');
    assert.equal(requests[0].jurisdiction, 'ccpa');
  });

  it('treats GPC in the cookie banner as rejecting the categories that sell or share, whatever was clicked, and opting the known visitor out of sale and sharing', async () => {
    const advertising = await activePurpose(admin, {
      name: 'Advertising partners',
      directMarketing: false,
      sellsOrShares: true,
      cookieCategory: 'advertising',
    });
    const analytics = await activePurpose(admin, { name: 'Analytics', directMarketing: false, cookieCategory: 'analytics' });
    const newsletter = await activePurpose(admin, { name: 'Banner news' });
    const form = await liveForm(admin, newsletter.id);
    const browser = visitor(env());
    assert.equal(
      (await browser.post(publicPath(form), { fields: { email: 'banner@example.org' }, consents: [], website: '' })).status,
      202,
    );
    const choice = await browser.request(
      'POST',
      '/f/cookie-consent',
      { workspace: slug, choices: { advertising: true, analytics: true } },
      GPC,
    );
    assert.equal(choice.status, 200, JSON.stringify(choice.body));
    const id =
      (await admin.get('/api/v1/contacts?q=banner%40example.org')).body.items[0]?.id ??
      (await admin.get('/api/v1/leads?q=banner%40example.org')).body.items[0].id;
    const type = (await admin.get(`/api/v1/contacts/${id}/consents`)).status === 200 ? 'contacts' : 'leads';
    const consents = (await admin.get(`/api/v1/${type}/${id}/consents`)).body;
    assert.equal(
      consents.states.find((s: any) => s.purposeId === advertising.id).state,
      'none',
      'the signal overrides "accept" for a category that sells or shares',
    );
    assert.equal(
      consents.states.find((s: any) => s.purposeId === analytics.id).state,
      'granted',
      "a category that does not sell keeps the visitor's own choice",
    );
    assert.equal(consents.saleSharing.optedOut, true);
    assert.equal(consents.saleSharing.method, 'cookie_banner');
    const banner = (await admin.get('/api/v1/cookie-banner')).body;
    assert.deepEqual(
      banner.categories.map((c: any) => [c.key, c.sellsOrShares]),
      [
        ['advertising', true],
        ['analytics', false],
      ],
    );
  });

  it("computes request deadlines under the requester's law: CCPA 45 + 45 days, LGPD 15 days without extension, opt-out 15 business days without verification", async () => {
    await contactWith(admin, 'dsr-ca@example.org', { country: 'US', region: 'CA' });
    await contactWith(admin, 'dsr-br@example.org', { country: 'BR' });
    const receivedAt = new Date(Date.now() - DAY);
    const log = (email: string, type: string, extra: Record<string, unknown> = {}) =>
      admin.post('/api/v1/dsr-requests', { type, channel: 'email', email, receivedAt: receivedAt.toISOString(), ...extra });

    const ca = (await log('dsr-ca@example.org', 'access')).body;
    assert.equal(ca.jurisdiction, 'ccpa');
    assert.equal(ca.dueAt, new Date(receivedAt.getTime() + 45 * DAY).toISOString());
    assert.match(ca.deadlineReference, /1798\.130/);
    const receipt = env()
      .mailer.sent.filter((m) => m.to === 'dsr-ca@example.org')
      .at(-1)!;
    assert.match(receipt.text, /45 days, Cal\. Civ\. Code 1798\.130/);
    assert.match(receipt.text, /Right to know/);
    const extended = await admin.post(`/api/v1/dsr-requests/${ca.id}/extend`, { reason: 'Records held in three connected systems' });
    assert.equal(extended.status, 200, JSON.stringify(extended.body));
    assert.equal(extended.body.dueAt, new Date(receivedAt.getTime() + 90 * DAY).toISOString());

    const br = (await log('dsr-br@example.org', 'erasure')).body;
    assert.equal(br.jurisdiction, 'lgpd');
    assert.equal(br.dueAt, new Date(receivedAt.getTime() + 15 * DAY).toISOString());
    const refused = await admin.post(`/api/v1/dsr-requests/${br.id}/extend`, { reason: 'Records held in three connected systems' });
    assert.equal(refused.status, 409);
    assert.match(refused.body.message, /LGPD \(Brazil\) allows no extension/);

    const uk = (await log('stranger@example.org', 'access', { jurisdiction: 'uk_gdpr' })).body;
    assert.equal(uk.jurisdiction, 'uk_gdpr');
    assert.match(uk.deadlineReference, /UK GDPR/);
    assert.equal(
      (await log('default@example.org', 'access')).body.jurisdiction,
      'gdpr',
      'an unknown address falls under the workspace default',
    );

    const optOut = (await log('dsr-ca@example.org', 'opt_out_sale_sharing')).body;
    assert.equal(optOut.dueAt, addBusinessDays(receivedAt, 15).toISOString());
    const executed = await admin.post(`/api/v1/dsr-requests/${optOut.id}/execute`, {});
    assert.equal(executed.status, 200, 'an opt-out needs no identity verification');
    assert.equal(executed.body.status, 'completed');
    const person = (await admin.get('/api/v1/contacts?q=dsr-ca%40example.org')).body.items[0];
    assert.equal((await admin.get(`/api/v1/contacts/${person.id}/consents`)).body.saleSharing.optedOut, true);
  });

  it('shows the jurisdiction and the legal reference of each right in the access report and the register', async () => {
    const tenantId = admin.info.workspace.id;
    await contactWith(admin, 'report@example.org', { country: 'BR', region: 'RJ' });
    const report = await withTenant(env().db, tenantId, async (tx) =>
      accessReport(env().app, tx, tenantId, await findSubject(env().app, tx, tenantId, 'report@example.org')),
    );
    assert.equal(report.jurisdiction.key, 'lgpd');
    assert.equal(report.jurisdiction.source, 'residence');
    assert.match(report.jurisdiction.responseDeadline, /15 days, not extendable \(Art\. 19/);
    assert.deepEqual(
      report.rights.map((r) => r.article),
      PROFILES.lgpd.rights.map((r) => r.reference),
    );
    assert.ok(
      report.data.some((field) => field.column === 'region' && field.values.some((v) => v.value === 'RJ')),
      'the region is reported as personal data',
    );

    const register = (await admin.get('/api/v1/register')).body;
    const keys = register.jurisdictions.map((j: any) => j.key);
    for (const key of ['gdpr', 'ccpa', 'lgpd', 'uk_gdpr']) assert.ok(keys.includes(key), `${key} in the register`);
    assert.deepEqual(
      keys,
      JURISDICTIONS.filter((key) => keys.includes(key)),
      'in a stable order',
    );
    const ccpa = register.jurisdictions.find((j: any) => j.key === 'ccpa');
    assert.ok(ccpa.people >= 3);
    assert.ok(
      ccpa.rights.some((r: any) => r.title === 'Right to opt out of sale or sharing' && r.reference.startsWith('Cal. Civ. Code 1798.120')),
    );
    assert.match(ccpa.breachNotification, /1798\.82/);
    assert.equal(register.jurisdictions.find((j: any) => j.key === 'gdpr').workspaceDefault, true);
    assert.ok(register.activities.some((a: any) => a.name === 'Partner data sharing' && a.sellsOrShares === true));
    const csv = await admin.get('/api/v1/register?format=csv');
    assert.match(String(csv.body), /Cal\. Civ\. Code 1798\.120/);
  });

  it('runs the breach clock of each jurisdiction: 72 hours under the GDPR, three business days under the LGPD', async () => {
    const awareAt = new Date(Date.now() - 3_600_000);
    const gdpr = (await admin.post('/api/v1/incidents', { title: 'Lost laptop', awareAt: awareAt.toISOString() })).body;
    assert.deepEqual(
      gdpr.jurisdictionClocks.map((c: any) => [c.jurisdiction, c.deadline]),
      [['gdpr', new Date(awareAt.getTime() + 72 * 3_600_000).toISOString()]],
    );
    const other = await signUp(env());
    assert.equal((await other.patch('/api/v1/workspace', { defaultJurisdiction: 'lgpd' })).body.defaultJurisdiction, 'lgpd');
    const lgpd = (await other.post('/api/v1/incidents', { title: 'Lost laptop', awareAt: awareAt.toISOString() })).body;
    assert.deepEqual(
      lgpd.jurisdictionClocks.map((c: any) => [c.jurisdiction, c.deadline]),
      [['lgpd', addBusinessDays(awareAt, 3).toISOString()]],
    );
    const ca = await signUp(env());
    await ca.patch('/api/v1/workspace', { defaultJurisdiction: 'ccpa' });
    const none = (await ca.post('/api/v1/incidents', { title: 'Lost laptop', awareAt: awareAt.toISOString() })).body;
    assert.equal(none.jurisdictionClocks[0].deadline, null, 'the CCPA sets no fixed period');
  });
});
