import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { sql } from 'kysely';
import { withTenant } from '../../src/db/tenant.ts';
import { workspaceInventory } from '../../src/inventory/inventory.ts';
import { portalVisitor } from '../support/consent-audit-scenarios.ts';
import { activePurpose, CONSENT_TEXT, giveConsent, linkIn, liveForm, publicPath, visitor } from '../support/consent-fixtures.ts';
import { describeEachDatabase, signUp, type Client, type TestEnv } from '../support/helpers.ts';
import { EMAIL, NAME, personEverywhere, PHONE } from '../support/subject-fixtures.ts';

async function download(env: TestEnv, person: Client, slug: string) {
  const response = await env.server.inject({ method: 'GET', url: `/privacy/${slug}/me/export.zip`, headers: { cookie: person.cookie! } });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'application/zip');
  return unzipSync(new Uint8Array(response.rawPayload));
}

describeEachDatabase('privacy portal', (env) => {
  it('lets a person sign in by email link and download every inventory field held about them, and nothing of anyone else', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const slug = admin.info.workspace.slug;
    await personEverywhere(env(), admin);
    await admin.post('/api/v1/contacts', {
      firstName: 'Other',
      lastName: 'Personson',
      emails: ['other@subject.example'],
      phones: ['+1 555 0100'],
    });
    // The person's own request, so that requests and their evidence are in the report too.
    await admin.post('/api/v1/dsr-requests', {
      type: 'rectification',
      channel: 'email',
      email: EMAIL,
      name: NAME.first,
      details: 'Fix my title',
    });

    const person = await portalVisitor(env(), admin, EMAIL);
    const page = await person.get(`/privacy/${slug}/me`);
    assert.equal(page.status, 200);
    for (const value of [NAME.first, PHONE, 'Newsletter', 'your consent'])
      assert.ok(String(page.body).includes(value), `the page shows ${value}`);

    const zip = await download(env(), person, slug);
    const report = JSON.parse(strFromU8(zip['report.json']!));
    const inventory = await withTenant(env().db, tenantId, (tx) => workspaceInventory(tx, tenantId));
    for (const entry of inventory.filter((e) => e.subject === 'data_subject')) {
      const key = 'customFieldKey' in entry ? entry.customFieldKey : undefined;
      const field = report.data.find((f: any) => f.table === entry.table && f.column === entry.column && f.customField === key);
      // A transient column (a message waiting to be sent) is empty once the work is done.
      assert.ok(
        field && (field.values.length > 0 || ('transient' in entry && entry.transient)),
        `${entry.table}.${entry.column}${key ? `/${key}` : ''} is in the download with data`,
      );
    }
    const text = Object.values(zip)
      .map((file) => strFromU8(file))
      .join('\n');
    for (const value of ['other@subject.example', 'Personson', '+1 555 0100'])
      assert.ok(!text.includes(value), `${value} belongs to someone else`);
    assert.ok(strFromU8(zip['consents.csv']!).includes(CONSENT_TEXT));
    // Every phone, a contact's (a list) as a lead's (one value), is one row with the same formula guard.
    const rows = parse(strFromU8(zip['data.csv']!), { columns: true }) as Array<Record<string, string>>;
    const phones = rows.filter(
      (row) => row.category === 'contact' && /phone/.test(row.column!) && ['contacts', 'leads'].includes(row.table!),
    );
    assert.deepEqual(phones.map((row) => [row.table, row.value]).sort(), [
      ['contacts', `'${PHONE}`],
      ['leads', `'${PHONE}`],
    ]);
    const queue = (await admin.get('/api/v1/dsr-requests?type=portability')).body.items;
    assert.equal(queue.length, 1, 'the download is recorded as a completed request');
    assert.equal(queue[0].channel, 'portal');
    assert.equal(queue[0].status, 'completed');
  });

  it('answers a known and an unknown address in exactly the same way', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const slug = admin.info.workspace.slug;
    await admin.post('/api/v1/contacts', { firstName: 'Known', emails: ['known@portal.example'] });
    const ask = (email: string) =>
      visitor(env()).request('POST', `/privacy/${slug}/link`, `email=${encodeURIComponent(email)}`, {
        'content-type': 'application/x-www-form-urlencoded',
      });
    const known = await ask('known@portal.example');
    const unknown = await ask('unknown@portal.example');
    assert.equal(known.status, unknown.status);
    assert.equal(String(known.body).replace('known@portal.example', 'X'), String(unknown.body).replace('unknown@portal.example', 'X'));
    assert.equal(known.headers['content-type'], unknown.headers['content-type']);
    // The same work is done for both: one single-use link stored and one email sent each.
    const links = await withTenant(env().db, tenantId, (tx) =>
      tx
        .selectFrom('portal_links')
        .select(sql<string>`count(*)`.as('n'))
        .executeTakeFirstOrThrow(),
    );
    assert.equal(Number(links.n), 2);
    const mails = (to: string) => env().mailer.sent.filter((m) => m.to === to);
    assert.equal(mails('known@portal.example').length, 1);
    assert.equal(mails('unknown@portal.example').length, 1);
    assert.equal(mails('known@portal.example')[0]!.subject, mails('unknown@portal.example')[0]!.subject);
    // Only after following the link does the unknown address learn that nothing is held.
    const stranger = visitor(env());
    assert.equal((await stranger.post(linkIn(mails('unknown@portal.example')[0]!.text, '/open/'))).status, 303);
    assert.match(String((await stranger.get(`/privacy/${slug}/me`)).body), /We hold no data about this address/);
    assert.equal((await ask('not an email')).status, 400);
  });

  it('makes magic links single-use, short-lived and unforgeable, and requires a session', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const slug = admin.info.workspace.slug;
    await visitor(env()).post(`/privacy/${slug}/link`, { email: 'once@portal.example' });
    const link = linkIn(
      env()
        .mailer.sent.filter((m) => m.to === 'once@portal.example')
        .at(-1)!.text,
      '/open/',
    );
    assert.equal((await visitor(env()).get(link)).status, 200, 'visiting does not sign in');
    assert.equal((await visitor(env()).post(link.replace(/\.(.)/, (_m, c) => `.${c === 'A' ? 'B' : 'A'}`))).status, 400);
    assert.equal((await visitor(env()).post(link)).status, 303);
    assert.equal((await visitor(env()).post(link)).status, 409);
    await visitor(env()).post(`/privacy/${slug}/link`, { email: 'late@portal.example' });
    const late = linkIn(
      env()
        .mailer.sent.filter((m) => m.to === 'late@portal.example')
        .at(-1)!.text,
      '/open/',
    );
    await withTenant(env().db, tenantId, (tx) =>
      tx
        .updateTable('portal_links')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('used_at', 'is', null)
        .execute(),
    );
    assert.equal((await visitor(env()).post(late)).status, 410);
    const anonymous = await visitor(env()).get(`/privacy/${slug}/me`);
    assert.equal(anonymous.status, 303);
    assert.equal((await visitor(env()).get(`/privacy/${slug}/me/export.zip`)).status, 401);
    const other = await signUp(env());
    assert.equal(
      (await visitor(env()).post(link.replace(`/privacy/${slug}/`, `/privacy/${other.info.workspace.slug}/`))).status,
      400,
      'a link works in its own workspace only',
    );
  });

  it('applies objection, restriction, consent choices and self-asserted corrections at once, and queues erasure', async () => {
    const admin = await signUp(env());
    const slug = admin.info.workspace.slug;
    const newsletter = await activePurpose(admin);
    const events = await activePurpose(admin, { name: 'Event invitations' });
    const form = await liveForm(admin, newsletter.id, { creates: 'contact', doubleOptIn: false });
    await visitor(env()).post(publicPath(form), { fields: { email: 'self@portal.example', firstName: 'Slef' }, consents: [newsletter.id] });
    const contact = (await admin.get('/api/v1/contacts?q=self%40portal.example')).body.items[0];
    const person = await portalVisitor(env(), admin, 'self@portal.example');
    const act = (path: string, body: string) =>
      person.request('POST', `/privacy/${slug}/me/${path}`, body, { 'content-type': 'application/x-www-form-urlencoded' });

    assert.equal((await act('rectify', 'field=firstName&value=Self')).status, 200);
    assert.equal((await admin.get(`/api/v1/contacts/${contact.id}`)).body.firstName, 'Self', 'data the person typed is corrected directly');
    assert.equal((await act('rectify', 'field=shoeSize&value=44')).status, 400);

    assert.equal((await act('consents', `consent_${events.id}=on`)).status, 200);
    let consents = (await admin.get(`/api/v1/contacts/${contact.id}/consents`)).body;
    assert.equal(consents.states.find((s: any) => s.purposeId === newsletter.id).state, 'withdrawn');
    assert.equal(consents.states.find((s: any) => s.purposeId === events.id).state, 'granted');
    assert.equal(consents.history.at(-1).method, 'portal');

    assert.equal((await act('object', '')).status, 200);
    consents = (await admin.get(`/api/v1/contacts/${contact.id}/consents`)).body;
    assert.equal(consents.states.find((s: any) => s.purposeId === events.id).refusal, 'objected');
    assert.equal(consents.suppressed, true);

    assert.equal((await act('restrict', 'reason=The+data+is+wrong')).status, 200);
    assert.equal((await admin.get(`/api/v1/contacts/${contact.id}/consents`)).body.restricted, true);

    assert.equal((await act('erase', 'details=Please+forget+me')).status, 200);
    const erasure = (await admin.get('/api/v1/dsr-requests?type=erasure')).body.items[0];
    assert.equal(erasure.status, 'received');
    assert.equal(erasure.identityStatus, 'verified');
    assert.match(
      env()
        .mailer.sent.filter((m) => m.to === 'self@portal.example')
        .at(-1)!.subject,
      /We received your request/,
    );
    assert.equal((await admin.get(`/api/v1/contacts/${contact.id}`)).status, 200, 'erasure waits for staff');
    assert.equal((await admin.post(`/api/v1/dsr-requests/${erasure.id}/execute`)).body.status, 'completed');
    // Signed in again after the erasure: nothing is listed as held, and no basis is claimed for them.
    const after = String((await (await portalVisitor(env(), admin, 'self@portal.example')).get(`/privacy/${slug}/me`)).body);
    assert.match(after, /We hold no data about this address/);
    assert.match(after, /no purpose or legal basis applies to you/);
    assert.doesNotMatch(after, /aria-label="Purposes"|aria-label="Data held"/);
    assert.match(
      after,
      /aria-label="Records of your requests"[^]*Please forget me/,
      'the requests themselves are kept as evidence, and shown as such',
    );
    assert.match(after, /No one outside our team/);

    // Someone imported by staff: a correction is queued for review instead.
    const imported = (await admin.post('/api/v1/contacts', { firstName: 'Imp', emails: ['imported@portal.example'] })).body;
    await giveConsent(admin, imported.id, newsletter.id);
    const other = await portalVisitor(env(), admin, 'imported@portal.example');
    await other.request('POST', `/privacy/${slug}/me/rectify`, 'field=lastName&value=Ported', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal((await admin.get(`/api/v1/contacts/${imported.id}`)).body.lastName, null);
    const queued = (await admin.get('/api/v1/dsr-requests?type=rectification&status=open')).body.items;
    assert.equal(queued.length, 1);
  });
});
