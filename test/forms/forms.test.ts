import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { withTenant } from '../../src/db/tenant.ts';
import { activePurpose, CONSENT_TEXT, linkIn, liveForm, publicPath, visitor } from '../support/consent-fixtures.ts';
import { describeEachDatabase, signUp, type TestEnv } from '../support/helpers.ts';

/** Row counts of everything a submission writes, to prove that a refused one wrote nothing. */
async function footprint(env: TestEnv, tenantId: string) {
  return withTenant(env.db, tenantId, async (tx) => {
    const count = async (table: 'contacts' | 'leads' | 'consent_events' | 'form_submissions' | 'audit_events' | 'email_messages') =>
      Number(
        (
          await tx
            .selectFrom(table)
            .select(sql<string>`count(*)`.as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      contacts: await count('contacts'),
      leads: await count('leads'),
      events: await count('consent_events'),
      submissions: await count('form_submissions'),
      audit: await count('audit_events'),
      emails: await count('email_messages'),
    };
  });
}

describeEachDatabase('hosted forms and double opt-in', (env) => {
  it('serves the hosted page with unticked boxes and the consent text; versions freeze what people saw', async () => {
    const admin = await signUp(env());
    const purpose = await activePurpose(admin);
    const form = await liveForm(admin, purpose.id);
    assert.equal(form.version, 1);
    const html = await visitor(env()).get(publicPath(form));
    assert.equal(html.status, 200);
    assert.match(String(html.body), /type="checkbox" name="consent_[0-9a-f-]+" data-purpose/);
    assert.doesNotMatch(String(html.body), /checked/);
    assert.ok(String(html.body).includes(CONSENT_TEXT));

    const preflight = await visitor(env()).request('OPTIONS', publicPath(form), undefined, {
      origin: 'https://www.customer.example',
      'access-control-request-method': 'POST',
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://www.customer.example', "embeddable from the customer's site");
    assert.equal(
      (await visitor(env()).post(publicPath(form), { fields: { email: 'v1@example.org' }, consents: [purpose.id] })).status,
      202,
    );
    const edited = await admin.patch(`/api/v1/forms/${form.id}`, { consents: [{ purposeId: purpose.id, text: 'New wording' }] });
    assert.equal(edited.body.version, 2, 'editing a live form makes a new version');
    assert.equal(
      (await visitor(env()).post(publicPath(form), { fields: { email: 'v2@example.org' }, consents: [purpose.id] })).status,
      202,
    );
    const tenantId = admin.info.workspace.id;
    const versions = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('consent_events').select(['form_version', 'text_hash']).where('tenant_id', '=', tenantId).orderBy('seq').execute(),
    );
    assert.deepEqual(
      versions.map((v) => v.form_version),
      [1, 2],
    );
    assert.notEqual(versions[0]!.text_hash, versions[1]!.text_hash);

    const draft = await admin.post('/api/v1/forms', {
      name: 'D',
      title: 'T',
      consents: [{ purposeId: purpose.id, text: 'x' }],
      policyVersion: '1',
      policyUrl: 'https://example.org/p',
    });
    assert.equal((await visitor(env()).get(publicPath(draft.body))).status, 404, 'a draft form is not public');
    const contractPurpose = (await admin.post('/api/v1/purposes', { key: 'contract', name: 'Contract', legalBasis: 'contract' })).body;
    const wrongBasis = await admin.post('/api/v1/forms', {
      name: 'W',
      title: 'T',
      consents: [{ purposeId: contractPurpose.id, text: 'x' }],
      policyVersion: '1',
      policyUrl: 'https://example.org/p',
    });
    assert.equal(wrongBasis.status, 422);
  });

  it('refuses malformed submissions with field errors and writes nothing', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const purpose = await activePurpose(admin);
    const form = await liveForm(admin, purpose.id, {
      fields: [
        { key: 'email', label: 'Email', required: true },
        { key: 'firstName', label: 'First name', required: true },
        { key: 'phone', label: 'Phone' },
      ],
    });
    const before = await footprint(env(), tenantId);
    const bad = await visitor(env()).post(publicPath(form), {
      fields: { email: 'not-an-email', phone: 'call me maybe', shoeSize: '44' },
      consents: [purpose.id, '00000000-0000-4000-8000-000000000000'],
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'validation_error');
    assert.deepEqual(bad.body.details.issues.map((i: any) => i.path).sort(), ['consents', 'email', 'firstName', 'phone', 'shoeSize']);
    const htmlBad = await visitor(env()).request('POST', publicPath(form), 'email=&firstName=', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(htmlBad.status, 400);
    assert.match(String(htmlBad.body), /email: is required/);
    assert.deepEqual(await footprint(env(), tenantId), before);
  });

  it('drops honeypot submissions silently and rate-limits per address', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const purpose = await activePurpose(admin);
    const form = await liveForm(admin, purpose.id);
    const before = await footprint(env(), tenantId);
    const bot = await visitor(env(), '192.0.2.77').post(publicPath(form), {
      fields: { email: 'bot@example.org' },
      consents: [purpose.id],
      website: 'http://spam.example',
    });
    assert.equal(bot.status, 202, 'the bot is not told');
    assert.deepEqual(await footprint(env(), tenantId), before);

    const flooder = visitor(env(), '192.0.2.78');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await flooder.post(publicPath(form), { fields: { email: `flood${i}@example.org` }, consents: [] })).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(202));
    const limited = await flooder.post(publicPath(form), { fields: { email: 'late@example.org' }, consents: [] });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal(
      (await visitor(env(), '192.0.2.79').post(publicPath(form), { fields: { email: 'other@example.org' }, consents: [] })).status,
      202,
      'another address is not limited',
    );
  });

  it('double opt-in: pending until confirmed once through the signed link; unconfirmed consents expire', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const purpose = await activePurpose(admin);
    const form = await liveForm(admin, purpose.id, { creates: 'contact' });
    const person = visitor(env());
    const submitted = await person.post(publicPath(form), {
      fields: { email: 'Dora@Example.org', firstName: 'Dora' },
      consents: [purpose.id],
    });
    assert.equal(submitted.status, 202);
    assert.equal(submitted.body.confirmationRequired, true);
    const contact = (await admin.get('/api/v1/contacts?q=dora%40example.org')).body.items[0];
    assert.equal(contact.provenance.sourceType, 'form');
    assert.equal(contact.firstName, 'Dora');
    const state = async () =>
      (await admin.get(`/api/v1/contacts/${contact.id}/consents`)).body.states.find((s: any) => s.purposeId === purpose.id);
    assert.equal((await state()).refusal, 'consent_pending', 'unconfirmed: not sendable');

    const mail = env()
      .mailer.sent.filter((m) => m.to === 'dora@example.org')
      .at(-1)!;
    const link = linkIn(mail.text, '/f/confirm/');
    assert.equal((await visitor(env()).get(link)).status, 200, 'visiting the link does not confirm by itself');
    assert.equal((await state()).state, 'pending');
    const tampered = link.replace(/\.(.)/, (_m, c) => `.${c === 'A' ? 'B' : 'A'}`);
    assert.equal((await visitor(env()).post(tampered)).status, 400, 'a tampered link is refused');
    const confirmed = await visitor(env()).post(link);
    assert.equal(confirmed.status, 200);
    assert.equal((await state()).canProcess, true, 'confirmed: sendable');
    assert.equal((await visitor(env()).post(link)).status, 409, 'a link works once');
    const kinds = (await admin.get(`/api/v1/contacts/${contact.id}/consents`)).body.history.map((e: any) => `${e.kind}:${e.method}`);
    assert.deepEqual(kinds, ['given:form', 'confirmed:email_link']);

    // The same address again: matched, no duplicate, the consent stays granted, and an unverified
    // submission fills blanks but never overwrites what is stored.
    await visitor(env()).post(publicPath(form), { fields: { email: 'dora@example.org', firstName: 'Mallory' }, consents: [purpose.id] });
    const again = (await admin.get('/api/v1/contacts?q=dora%40example.org')).body.items;
    assert.equal(again.length, 1);
    assert.equal(again[0].firstName, 'Dora');
    assert.equal((await state()).state, 'granted');

    // Someone else never confirms; once the deadline passes the scheduled job expires the consent.
    await visitor(env()).post(publicPath(form), { fields: { email: 'silent@example.org' }, consents: [purpose.id] });
    const silent = (await admin.get('/api/v1/contacts?q=silent%40example.org')).body.items[0];
    await withTenant(env().db, tenantId, (tx) =>
      tx
        .updateTable('form_submissions')
        .set({ confirm_by: new Date(Date.now() - 1000) })
        .where('tenant_id', '=', tenantId)
        .where('person_id', '=', silent.id)
        .execute(),
    );
    await env().app.jobs.runSchedulesNow();
    await env().app.jobs.drain();
    const expired = (await admin.get(`/api/v1/contacts/${silent.id}/consents`)).body;
    assert.equal(expired.states.find((s: any) => s.purposeId === purpose.id).state, 'expired');
    assert.equal(expired.history.at(-1).actorType, 'system');
    const lateLink = linkIn(
      env()
        .mailer.sent.filter((m) => m.to === 'silent@example.org')
        .at(-1)!.text,
      '/f/confirm/',
    );
    assert.equal((await visitor(env()).post(lateLink)).status, 410);
  });

  it("serves the cookie banner and records a known visitor's choices as consent events", async () => {
    const admin = await signUp(env());
    const analytics = await activePurpose(admin, {
      key: 'analytics',
      name: 'Analytics cookies',
      directMarketing: false,
      cookieCategory: 'analytics',
    });
    const newsletter = await activePurpose(admin);
    const form = await liveForm(admin, newsletter.id, { doubleOptIn: false });
    const banner = await admin.put('/api/v1/cookie-banner', {
      text: 'We would like to measure visits.',
      policyUrl: 'https://example.org/privacy',
    });
    assert.deepEqual(
      banner.body.categories.map((c: any) => c.key),
      ['analytics'],
    );
    const script = await visitor(env()).get(`/f/cookie-banner.js?workspace=${admin.info.workspace.slug}`);
    assert.equal(script.status, 200);
    assert.match(String(script.headers['content-type']), /javascript/);
    assert.ok(String(script.body).includes('We would like to measure visits.'));
    assert.ok(String(script.body).includes('"analytics"'));

    const anonymous = await visitor(env()).post('/f/cookie-consent', {
      workspace: admin.info.workspace.slug,
      choices: { analytics: true },
    });
    assert.deepEqual(anonymous.body, { recorded: 0 }, 'an unknown visitor leaves no record');

    const person = visitor(env());
    const submitted = await person.post(publicPath(form), { fields: { email: 'known@example.org' }, consents: [newsletter.id] });
    assert.equal(submitted.body.confirmationRequired, false);
    assert.ok(person.cookie?.startsWith('lawful_visitor='), 'the form remembers the visitor');
    assert.deepEqual(
      (await person.post('/f/cookie-consent', { workspace: admin.info.workspace.slug, choices: { analytics: true } })).body,
      { recorded: 1 },
    );
    assert.deepEqual(
      (await person.post('/f/cookie-consent', { workspace: admin.info.workspace.slug, choices: { analytics: false } })).body,
      { recorded: 1 },
    );
    const lead = (await admin.get('/api/v1/leads?q=known%40example.org')).body.items[0];
    const history = (await admin.get(`/api/v1/leads/${lead.id}/consents`)).body.history.filter((e: any) => e.purposeId === analytics.id);
    assert.deepEqual(
      history.map((e: any) => `${e.kind}:${e.method}`),
      ['given:cookie_banner', 'withdrawn:cookie_banner'],
    );
  });
});
