import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { activePurpose, giveConsent, setSender, templateAndSegment } from '../support/consent-fixtures.ts';
import { portalVisitor } from '../support/consent-audit-scenarios.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

/**
 * GDPR Art. 14(3): the information is provided "(a) within a reasonable period after obtaining
 * the personal data, but at the latest within one month …; (b) if the personal data are to be
 * used for communication with the data subject, at the latest at the time of the first
 * communication to that data subject; or (c) if a disclosure to another recipient is envisaged,
 * at the latest when the personal data are first disclosed." Art. 14(2)(f): "from which source
 * the personal data originate, and if applicable, whether it came from publicly accessible sources".
 */

/** One calendar month later, as PostgreSQL's interval '1 month' counts it (the 7th to the 7th). */
function oneMonthAfter(iso: string): string {
  const date = new Date(iso);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + 1);
  const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, last));
  return date.toISOString();
}

async function importPeople(admin: Client, fileName: string, rows: string[]): Promise<void> {
  const imported = await admin.request('POST', `/api/v1/imports/contacts?fileName=${fileName}`, ['email,first name', ...rows].join('\n'), {
    'content-type': 'text/csv',
  });
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
}

async function notices(admin: Client, query: string) {
  const response = await admin.get(`/api/v1/notices?${query}`);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body.items as Array<Record<string, any>>;
}

describeEachDatabase('Art. 14 notices for data not obtained from the person', (env) => {
  it('owes a notice due one month after an import; a campaign before that carries it; an overdue one is queued, counted, and sent with its source', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    await importPeople(admin, 'fair-2026.csv', ['ada@fair.example,Ada', 'bob@fair.example,Bob']);
    const fromPerson = await admin.post('/api/v1/contacts', {
      firstName: 'Carl',
      emails: ['carl@self.example'],
      source: { type: 'manual', fromPerson: true },
    });
    assert.equal(fromPerson.body.provenance.fromPerson, true);
    const businessCard = await admin.post('/api/v1/contacts', { firstName: 'Dora', emails: ['dora@card.example'] });
    assert.equal(businessCard.body.provenance.fromPerson, false);

    const owed = await notices(admin, 'state=owed');
    assert.deepEqual(
      owed.map((n) => n.person.name).sort(),
      ['Ada', 'Bob', 'Dora'],
      'a business card typed in owes one; Carl gave his own details',
    );
    const ada = owed.find((n) => n.person.name === 'Ada')!;
    assert.equal(ada.dueAt, oneMonthAfter(ada.obtainedAt), 'Art. 14(3)(a): one month after obtaining');
    assert.equal(ada.dueReason, 'one_month');
    assert.equal(ada.state, 'due');
    assert.equal(ada.source.label, 'a list imported by our staff (the file "fair-2026.csv")');

    // A campaign before the month is out: its e-mail to Ada is the first communication and carries the notice (Art. 14(3)(b)).
    const purpose = await activePurpose(admin);
    await giveConsent(admin, ada.person.id, purpose.id);
    const { templateId, segmentId } = await templateAndSegment(admin);
    const campaign = (await admin.post('/api/v1/campaigns', { name: 'News', purposeId: purpose.id, segmentId, templateId })).body;
    const sentBefore = env().mailer.sent.length;
    assert.equal((await admin.post(`/api/v1/campaigns/${campaign.id}/send`)).status, 202);
    await env().app.jobs.drain();
    const mails = env().mailer.sent.slice(sentBefore);
    const toAda = mails.filter((mail) => mail.to === 'ada@fair.example');
    assert.equal(toAda.length, 1, 'one e-mail: the campaign, with the notice in it');
    assert.match(toAda[0]!.subject, /^News for Ada/);
    assert.match(toAda[0]!.text, /About your personal data/);
    assert.match(
      toAda[0]!.text,
      /Where it came from: a list imported by our staff \(the file "fair-2026.csv"\) \(not a publicly accessible source\)/,
    );
    assert.match(toAda[0]!.text, /Your rights: .*lodge a complaint with a supervisory authority/);
    const sent = await notices(admin, 'state=sent');
    assert.deepEqual(
      sent.map((n) => [n.person.name, n.sentVia]),
      [['Ada', 'campaign']],
    );
    const copy = await sql<{ kind: string; campaign_id: string }>`select kind, campaign_id from email_messages
      where tenant_id = ${tenantId} and id = ${sent[0]!.messageId}`.execute(env().db.kysely);
    assert.deepEqual(copy.rows[0], { kind: 'campaign', campaign_id: campaign.id }, 'recorded with the text sent: the copy of that e-mail');

    // A month and more later, Bob has heard nothing: overdue, in the queue and on the dashboard.
    await sql`update art14_notices set obtained_at = now() - interval '40 days', due_at = art14_notice_due(now() - interval '40 days')
      where tenant_id = ${tenantId} and person_id = (select id from contacts where tenant_id = ${tenantId} and id = ${owed.find((n) => n.person.name === 'Bob')!.person.id})`.execute(
      env().db.kysely,
    );
    const overdue = await notices(admin, 'state=overdue');
    assert.deepEqual(
      overdue.map((n) => n.person.name),
      ['Bob'],
    );
    const dashboard = (await admin.get('/api/v1/compliance/summary')).body;
    assert.equal(dashboard.art14Notices.overdue, 1);
    assert.equal(dashboard.art14Notices.due, 1, 'Dora');
    assert.equal(dashboard.art14Notices.sent, 1);

    const before = env().mailer.sent.length;
    const result = await admin.post('/api/v1/notices/send', { ids: [overdue[0]!.id] });
    assert.deepEqual(result.body, { sent: 1, failed: [] });
    const [notice] = env().mailer.sent.slice(before);
    assert.equal(notice!.to, 'bob@fair.example');
    assert.match(notice!.subject, /came to hold your personal data/);
    for (const required of [
      /Who we are: /,
      /data protection officer: /,
      /Why we hold it, and on what legal basis:\n- /,
      /What we hold: /,
      /Who receives it: /,
      /Transfers outside the European Economic Area: /,
      /How long we keep it: /,
      /Where it came from: a list imported by our staff/,
      /\/privacy\//,
    ])
      assert.match(notice!.text, required);
    const again = await admin.post('/api/v1/notices/send', { ids: [overdue[0]!.id] });
    assert.deepEqual(
      again.body.failed.map((f: { reason: string }) => f.reason),
      ['not owed: unknown, already sent, exempt, or the person is no longer held'],
    );
    assert.equal((await admin.get('/api/v1/compliance/summary')).body.art14Notices.overdue, 0);

    // The portal shows Bob where his data came from and when he was told (Art. 14(2)(f), 15(1)(g)).
    const bob = await portalVisitor(env(), admin, 'bob@fair.example');
    const page = String((await bob.get(`/privacy/${admin.info.workspace.slug}/me`)).body);
    assert.match(page, /What we told you about it/);
    assert.match(
      page,
      /a list imported by our staff \(the file &quot;fair-2026\.csv&quot;\), obtained \d{4}-\d{2}-\d{2}: we told you on \d{4}-\d{2}-\d{2}, by e-mail/,
    );
  });

  it('brings the notice forward to a first disclosure, and moves it with a lead converted into a contact', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    const lead = await admin.post('/api/v1/leads', { firstName: 'Lena', email: 'lena@lead.example', companyName: 'Lead GmbH' });
    assert.equal(lead.status, 201, JSON.stringify(lead.body));
    const [owed] = await notices(admin, `personId=${lead.body.id}`);
    assert.equal(owed!.person.type, 'lead');
    const converted = await admin.post(`/api/v1/leads/${lead.body.id}/convert`, {});
    assert.equal(converted.status, 200, JSON.stringify(converted.body));
    const contactId = converted.body.contactId as string;
    const moved = await notices(admin, `personId=${contactId}`);
    assert.deepEqual(
      moved.map((n) => [n.id, n.person.type]),
      [[owed!.id, 'contact']],
      'the same notice, now owed to the contact: the person is not told twice',
    );
    const { noticesDueAtDisclosure } = await import('../../src/notices/lifecycle.ts');
    const { withTenant } = await import('../../src/db/tenant.ts');
    await withTenant(env().db, tenantId, (tx) => noticesDueAtDisclosure(tx, tenantId, [contactId]));
    const [disclosed] = await notices(admin, `personId=${contactId}`);
    assert.equal(disclosed!.dueReason, 'first_disclosure');
    assert.equal(disclosed!.state, 'overdue', 'Art. 14(3)(c): at the latest at the first disclosure');
  });

  it('records Art. 14(5) exemptions per source with their justification, skips those notices, and shows them in the register', async () => {
    const admin = await signUp(env());
    await setSender(admin);
    await importPeople(admin, 'registry-extract.csv', ['eve@registry.example,Eve']);
    await importPeople(admin, 'webinar.csv', ['fay@webinar.example,Fay']);

    const unjustified = await admin.post('/api/v1/notice-sources', {
      sourceType: 'import',
      sourceRef: 'registry-extract.csv',
      label: 'the public trade register',
      exemption: 'disproportionate_effort',
      justification: 'Thousands of entries with no address',
    });
    assert.equal(unjustified.status, 400);
    assert.deepEqual(
      unjustified.body.details.issues.map((issue: { path: string }) => issue.path),
      ['assessment'],
    );
    const exempt = await admin.post('/api/v1/notice-sources', {
      sourceType: 'import',
      sourceRef: 'registry-extract.csv',
      label: 'the public trade register',
      publiclyAccessible: true,
      exemption: 'disproportionate_effort',
      justification: 'Entries carry no address to write to',
      assessment: 'Informing each person would need a postal search per entry; the notice is published on our website instead.',
    });
    assert.equal(exempt.status, 200, JSON.stringify(exempt.body));

    const states = Object.fromEntries((await notices(admin, 'state=owed')).map((n) => [n.person.name, n.state]));
    assert.deepEqual(states, { Fay: 'due' });
    assert.deepEqual(
      (await notices(admin, 'state=exempt')).map((n) => [n.person.name, n.exemption]),
      [['Eve', 'disproportionate_effort']],
    );
    const before = env().mailer.sent.length;
    const result = await admin.post('/api/v1/notices/send', { due: true });
    assert.equal(result.body.sent, 1);
    assert.deepEqual(
      env()
        .mailer.sent.slice(before)
        .map((mail) => mail.to),
      ['fay@webinar.example'],
    );

    const register = (await admin.get('/api/v1/register')).body;
    assert.deepEqual(register.sources, [
      {
        source: 'import: registry-extract.csv',
        label: 'the public trade register',
        publiclyAccessible: true,
        exemption: 'disproportionate_effort',
        justification: 'Entries carry no address to write to',
        assessment: 'Informing each person would need a postal search per entry; the notice is published on our website instead.',
      },
    ]);
    const csv = (await admin.get('/api/v1/register?format=csv')).body as string;
    assert.match(csv, /registry-extract\.csv,the public trade register,yes,disproportionate_effort/);
  });

  it('refuses a workspace notice that leaves out what Art. 14(1)-(2) requires, and sends the saved one', async () => {
    const admin = await signUp(env());
    await setSender(admin);
    const template = (await admin.get('/api/v1/notices/template')).body;
    assert.equal(template.builtIn, true);
    const refused = await admin.put('/api/v1/notices/template', {
      subject: 'About your data',
      body: template.body.replace('{{source}}', 'somewhere').replace('{{portal}}', '{{portl}}'),
    });
    assert.equal(refused.status, 422);
    assert.deepEqual(refused.body.details, { field: 'body', missing: ['source', 'portal'], unknown: ['portl'] });
    const saved = await admin.put('/api/v1/notices/template', { subject: 'Where {{controller}} found you', body: `Hi,\n${template.body}` });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    await importPeople(admin, 'partners.csv', ['gus@partner.example,Gus']);
    const before = env().mailer.sent.length;
    assert.equal((await admin.post('/api/v1/notices/send', { due: true })).body.sent, 1);
    const [mail] = env().mailer.sent.slice(before);
    assert.match(mail!.subject, /^Where .+ found you$/);
    assert.match(mail!.text, /^Hi,\nHello,/);
  });
});
