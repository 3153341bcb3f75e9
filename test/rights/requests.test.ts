import assert from 'node:assert/strict';
import { it } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { sql } from 'kysely';
import { withTenant } from '../../src/db/tenant.ts';
import { workspaceInventory } from '../../src/inventory/inventory.ts';
import { fillPhoneIndexes } from '../../src/crm/phone-index.ts';
import { VACUUM_QUEUE } from '../../src/rights/erasure.ts';
import { vacuumAfterErasure } from '../../src/rights/vacuum.ts';
import {
  activePurpose,
  CONSENT_TEXT,
  giveConsent,
  liveForm,
  publicPath,
  templateAndSegment,
  visitor,
} from '../support/consent-fixtures.ts';
import { EMAIL, NAME, NICKNAME, personEverywhere, PHONE } from '../support/subject-fixtures.ts';
import { addMember, ageWorkspace, describeEachDatabase, signUp, type Client, type TestEnv } from '../support/helpers.ts';

async function logRequest(admin: Client, type: string, email = EMAIL, extra: Record<string, unknown> = {}) {
  const response = await admin.post('/api/v1/dsr-requests', {
    type,
    channel: 'email',
    email,
    name: `${NAME.first} ${NAME.last}`,
    details: 'Please act on my data',
    identityStatus: 'verified',
    identityMethod: 'reply from the address',
    ...extra,
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body;
}

/** Every text value in every table of the public schema, as the owner sees it. */
async function everyValue(env: TestEnv): Promise<string[]> {
  const tables = await sql<{
    table_name: string;
  }>`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(env.db.kysely);
  const values: string[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table_name)}`.execute(env.db.kysely);
    for (const row of rows.rows)
      for (const value of Object.values(row)) if (value !== null) values.push(typeof value === 'string' ? value : JSON.stringify(value));
  }
  return values;
}

describeEachDatabase('data subject requests', (env) => {
  it('keeps a queue with statutory deadlines, identity checks, one extension, evidence and alerts to the DPO', async () => {
    const admin = await signUp(env());
    const dpo = await addMember(env(), admin, 'salesperson', { isDpo: true });
    await ageWorkspace(env(), admin.info.workspace.id, 60);
    const receivedAt = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const late = await dpo.post('/api/v1/dsr-requests', { type: 'access', channel: 'letter', email: 'late@example.org', receivedAt });
    assert.equal(late.status, 201, JSON.stringify(late.body));
    assert.equal(late.body.deadline, 'overdue');
    const fresh = await logRequest(admin, 'rectification', 'fresh@example.org', { identityStatus: 'unverified' });
    assert.equal(fresh.status, 'received');
    assert.equal(
      new Date(fresh.dueAt).getUTCDate(),
      new Date(fresh.receivedAt).getUTCDate() > 28 ? new Date(fresh.dueAt).getUTCDate() : new Date(fresh.receivedAt).getUTCDate(),
    );
    const receipt = env()
      .mailer.sent.filter((m) => m.to === 'fresh@example.org')
      .at(-1)!;
    assert.match(receipt.subject, /We received your request/);
    assert.ok(receipt.text.includes(fresh.dueAt.slice(0, 10)));

    const queue = (await dpo.get('/api/v1/dsr-requests?status=open')).body.items;
    assert.deepEqual(
      queue.map((item: any) => item.id),
      [late.body.id, fresh.id],
      'soonest deadline first',
    );
    assert.deepEqual(
      (await dpo.get('/api/v1/dsr-requests?deadline=overdue')).body.items.map((item: any) => item.id),
      [late.body.id],
    );
    assert.deepEqual((await dpo.get('/api/v1/dsr-requests/summary')).body, {
      open: 2,
      nearDue: 0,
      overdue: 1,
      byType: { access: 1, rectification: 1 },
    });
    assert.equal((await addMember(env(), admin, 'salesperson').then((sales) => sales.get('/api/v1/dsr-requests'))).status, 403);

    assert.equal((await dpo.patch(`/api/v1/dsr-requests/${fresh.id}`, { status: 'in_progress' })).status, 409, 'identity first');
    assert.equal((await dpo.patch(`/api/v1/dsr-requests/${fresh.id}`, { status: 'rejected' })).status, 422, 'a rejection needs its reason');
    const verified = await dpo.patch(`/api/v1/dsr-requests/${fresh.id}`, {
      identityStatus: 'verified',
      identityMethod: 'call-back',
      status: 'in_progress',
      assigneeId: admin.info.member.id,
    });
    assert.equal(verified.body.status, 'in_progress');
    assert.ok(verified.body.evidence.some((e: any) => e.summary.includes('Identity verified (call-back)')));
    const extended = await dpo.post(`/api/v1/dsr-requests/${fresh.id}/extend`, { reason: 'Data spread over three legacy systems' });
    assert.equal(extended.status, 200);
    assert.equal(new Date(extended.body.dueAt).getTime() > new Date(fresh.dueAt).getTime(), true);
    assert.equal(
      (await dpo.post(`/api/v1/dsr-requests/${fresh.id}/extend`, { reason: 'Data spread over three legacy systems' })).status,
      409,
      'once only',
    );
    assert.equal(
      (await dpo.post(`/api/v1/dsr-requests/${late.body.id}/extend`, { reason: 'Too late to tell the person now' })).status,
      409,
      'only within the first month',
    );
    assert.match(
      env()
        .mailer.sent.filter((m) => m.to === 'fresh@example.org')
        .at(-1)!.text,
      /Why: Data spread over three legacy systems/,
    );
    const done = await dpo.patch(`/api/v1/dsr-requests/${fresh.id}`, { status: 'completed' });
    assert.equal(done.body.status, 'completed');
    assert.ok(done.body.evidence.filter((e: any) => e.kind === 'sent').length >= 3, 'receipt, extension and completion are evidenced');

    const before = env().mailer.sent.length;
    await env().app.jobs.runSchedulesNow();
    await env().app.jobs.drain();
    const alerts = env()
      .mailer.sent.slice(before)
      .filter((m) => m.to === dpo.info.user.email);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]!.subject, /1 overdue/);
    assert.ok(!alerts[0]!.text.includes('late@example.org'), 'alerts name no one');
  });

  it("reports every inventory field holding data for the person, and no one else's, as a zip", async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const { contactId, leadId } = await personEverywhere(env(), admin);
    await admin.post('/api/v1/contacts', {
      firstName: 'Other',
      lastName: 'Personson',
      emails: ['other@subject.example'],
      phones: ['+1 555 0100'],
    });
    // What the records say beyond personal fields: employer, a deal, a non-personal custom field.
    const employer = (await admin.post('/api/v1/accounts', { name: 'Quarrying GmbH' })).body;
    assert.equal(
      (await admin.post('/api/v1/custom-fields', { object: 'contact', key: 'tier', label: 'Customer tier', type: 'text' })).status,
      201,
    );
    assert.equal((await admin.patch(`/api/v1/contacts/${contactId}`, { accountId: employer.id, custom: { tier: 'Gold' } })).status, 200);
    assert.equal(
      (
        await admin.post('/api/v1/opportunities', {
          name: 'Granite supply 2027',
          accountId: employer.id,
          amount: '48000.00',
          stage: 'proposal',
          contactIds: [contactId],
        })
      ).status,
      201,
    );
    // Reads that did not open the record: a search that listed them, and an export that included them.
    assert.equal((await admin.get(`/api/v1/contacts?q=${NAME.last}`)).body.items.length, 1);
    assert.equal(
      (await admin.request('DELETE', `/api/v1/contacts/${contactId}/restriction`)).status,
      204,
      'restricted people are left out of exports',
    );
    assert.equal((await admin.get('/api/v1/exports/contacts?format=json')).status, 200);
    assert.equal((await admin.put(`/api/v1/contacts/${contactId}/restriction`, { reason: 'Asked us to pause again' })).status, 200);
    const request = await logRequest(admin, 'access');
    const report = (await admin.get(`/api/v1/dsr-requests/${request.id}/report`)).body;
    assert.deepEqual(
      report.context.accounts.map((a: any) => a.name),
      ['Quarrying GmbH'],
    );
    assert.deepEqual(
      report.context.opportunities.map((o: any) => [o.name, o.amount, o.stage]),
      [['Granite supply 2027', '48000.00', 'proposal']],
    );
    assert.deepEqual(
      report.context.leads.map((l: any) => [l.id, l.companyName, l.status]),
      [[leadId, 'Quarry Co', 'new']],
    );
    assert.deepEqual(
      report.context.customFields.map((f: any) => [f.label, f.value]),
      [['Customer tier', 'Gold']],
    );
    const actions = report.accessLog.map((a: any) => a.action);
    assert.ok(actions.includes('contact.list (search)'), 'the search that listed them');
    assert.ok(actions.includes('contact.export'), 'the export that included them');
    assert.ok(
      report.requestEmails.some((m: any) => m.requestId === request.id && /We received your request/.test(m.subject)),
      'the e-mails about their requests',
    );
    const inventory = await withTenant(env().db, tenantId, (tx) => workspaceInventory(tx, tenantId));
    for (const entry of inventory.filter((e) => e.subject === 'data_subject')) {
      const key = 'customFieldKey' in entry ? entry.customFieldKey : undefined;
      const field = report.data.find((f: any) => f.table === entry.table && f.column === entry.column && f.customField === key);
      assert.ok(field, `${entry.table}.${entry.column}${key ? `/${key}` : ''} is in the report`);
      if (!('transient' in entry && entry.transient))
        assert.ok(field.values.length > 0, `${entry.table}.${entry.column}${key ? `/${key}` : ''} shows the person's data`);
    }
    const text = JSON.stringify(report);
    for (const value of [EMAIL, NAME.first, NAME.last, PHONE, NICKNAME, 'Climbing', 'likes granite'])
      assert.ok(text.includes(value), `${value} is reported`);
    for (const value of ['other@subject.example', 'Personson', '+1 555 0100'])
      assert.ok(!text.includes(value), `${value} belongs to someone else`);
    assert.ok(
      report.purposes.length > 0 && report.consentHistory.length > 0 && report.accessLog.length > 0 && report.provenance.length === 2,
    );
    assert.ok(report.rights.some((r: any) => r.right === 'erasure'));

    const executed = await admin.post(`/api/v1/dsr-requests/${request.id}/execute`);
    assert.equal(executed.body.status, 'completed');
    const mail = env()
      .mailer.sent.filter((m) => m.to === EMAIL)
      .at(-1)!;
    const zip = unzipSync(new Uint8Array(mail.attachments![0]!.content));
    assert.deepEqual(Object.keys(zip).sort(), ['README.txt', 'consents.csv', 'data.csv', 'report.json']);
    const zipped = JSON.parse(strFromU8(zip['report.json']!));
    assert.equal(zipped.subject.email, EMAIL);
    assert.ok(strFromU8(zip['data.csv']!).includes(NAME.last));
    assert.ok(strFromU8(zip['consents.csv']!).includes(CONSENT_TEXT));
  });

  it('erases every trace, destroys the keys, and flags the address when it comes back', async () => {
    const admin = await signUp(env());
    const { contactId, leadId, purpose } = await personEverywhere(env(), admin);
    const request = await logRequest(admin, 'erasure');
    const executed = await admin.post(`/api/v1/dsr-requests/${request.id}/execute`);
    assert.equal(executed.status, 200, JSON.stringify(executed.body));
    assert.equal(executed.body.status, 'completed');
    assert.match(executed.body.evidence.at(-2).summary, /Erased .*data keys destroyed: 2/s);
    assert.equal((await admin.get(`/api/v1/contacts/${contactId}`)).status, 404);
    assert.equal((await admin.get(`/api/v1/leads/${leadId}`)).status, 404);

    // No table holds the person's address, names or phone in clear (the request record keeps
    // the address under its own key, as accountability requires; its ciphertext is not clear).
    const values = await everyValue(env());
    for (const needle of [EMAIL, NAME.first, NAME.last, PHONE, NICKNAME, 'Climbing', 'likes granite']) {
      assert.deepEqual(
        values.filter((value) => value.includes(needle)),
        [],
        `${needle} left in clear`,
      );
    }
    // Ciphertexts made with the person's keys are still there in the ledger, and unreadable.
    const keys = await sql<{
      id: string;
      wrapped_key: unknown;
    }>`select id, wrapped_key from subject_keys where id in (${contactId}, ${leadId})`.execute(env().db.kysely);
    assert.deepEqual(
      keys.rows.map((row) => row.wrapped_key),
      [null, null],
    );
    const ledger = (await admin.get(`/api/v1/dsr-requests/${request.id}/report`)).body;
    assert.deepEqual(ledger.subject.records, []);
    const consentIps = values.filter((value) => value.startsWith(`enc1:${contactId}:`));
    assert.ok(consentIps.length > 0, 'the fact of the consent stays, its details are shredded');
    // The tables it deleted from are vacuumed a minute later, removing the dead tuples.
    const vacuum = await env()
      .db.kysely.selectFrom('jobs')
      .selectAll()
      .where('queue', '=', VACUUM_QUEUE)
      .where('tenant_id', '=', admin.info.workspace.id)
      .executeTakeFirstOrThrow();
    assert.ok(new Date(vacuum.run_at).getTime() > Date.now(), "not in the erasure's own transaction");
    const vacuumed = await vacuumAfterErasure(env().app, vacuum as never);
    for (const table of ['contacts', 'leads', 'notes', 'tasks']) assert.ok(vacuumed.includes(table), `${table} vacuumed`);

    // The address comes back through a form and an import: both new records are flagged.
    const form = await liveForm(admin, purpose.id);
    await visitor(env()).post(publicPath(form), { fields: { email: EMAIL }, consents: [] });
    const csv = `email,first name\n${EMAIL},Zelda\n`;
    assert.equal(
      (await admin.request('POST', '/api/v1/imports/contacts?fileName=back.csv', csv, { 'content-type': 'text/csv' })).status,
      200,
    );
    const contacts = (await admin.get(`/api/v1/contacts?q=${encodeURIComponent(EMAIL)}`)).body.items;
    assert.equal(contacts.length, 1);
    assert.notEqual(contacts[0].id, contactId);
    assert.equal(contacts[0].reappearedAfterErasure, true);
    const leads = (await admin.get(`/api/v1/leads?q=${encodeURIComponent(EMAIL)}`)).body.items;
    assert.equal(leads[0].reappearedAfterErasure, true);
    assert.equal(
      (await admin.post('/api/v1/contacts', { firstName: 'New', emails: ['someone.new@subject.example'] })).body.reappearedAfterErasure,
      false,
    );
  });

  it('tombstones and suppresses every address and phone of the person and their converted lead, not only the one the request came from', async () => {
    const admin = await signUp(env());
    const purpose = await activePurpose(admin);
    const work = 'ines.work@two.example';
    const home = 'ines.home@two.example';
    const leadAddress = 'ines.lead@two.example';
    // A lead with its own address and phone, converted into the contact: the same person.
    const lead = (
      await admin.post('/api/v1/leads', {
        firstName: 'Ines',
        lastName: 'Twofold',
        email: leadAddress,
        phone: '+33 1 23 45 67 89',
        companyName: 'Twofold SA',
      })
    ).body;
    const converted = await admin.post(`/api/v1/leads/${lead.id}/convert`, {});
    assert.equal(converted.status, 200, JSON.stringify(converted.body));
    const contactId = converted.body.contactId ?? converted.body.contact?.id;
    assert.equal(
      (await admin.patch(`/api/v1/contacts/${contactId}`, { emails: [work, home], phones: ['+49 (30) 5550 1234'] })).status,
      200,
    );
    await giveConsent(admin, contactId, purpose.id);

    const request = await logRequest(admin, 'erasure', work);
    assert.equal((await admin.post(`/api/v1/dsr-requests/${request.id}/execute`)).body.status, 'completed');
    assert.equal((await admin.get(`/api/v1/leads/${lead.id}`)).status, 404, 'the converted lead is erased with the contact');

    // Every address and phone is flagged when it comes back, whichever record brings it.
    const again = async (body: Record<string, unknown>) =>
      (await admin.post('/api/v1/contacts', { firstName: 'Again', ...body })).body.reappearedAfterErasure;
    assert.equal(await again({ emails: [work] }), true, 'the address the request named');
    assert.equal(await again({ emails: [home] }), true, 'the address the request did not name');
    assert.equal(await again({ emails: [leadAddress] }), true, "the lead's address");
    assert.equal(await again({ phones: ['+4930 555 01234'] }), true, 'the phone, however it is written');
    assert.equal(
      (await admin.post('/api/v1/leads', { firstName: 'Again', phone: '0033 1 23 45 67 89', companyName: 'X' })).body
        .reappearedAfterErasure,
      true,
      "the lead's phone",
    );
    assert.equal(await again({ emails: ['someone.else@two.example'], phones: ['+44 20 7946 0000'] }), false);

    // The erasure's refusal of marketing follows every address: none of them can be mailed.
    const listed = (await admin.get('/api/v1/suppressions')).body.items.filter((row: any) => row.reason === 'erased');
    assert.equal(listed.length, 3, 'the three addresses are suppressed');
    const { templateId, segmentId } = await templateAndSegment(admin);
    await admin.post('/api/v1/consent-events', {
      items: (await admin.get('/api/v1/contacts?limit=50')).body.items.map((c: any) => ({
        personType: 'contact',
        personId: c.id,
        purposeId: purpose.id,
        kind: 'given',
        method: 'import',
        text: CONSENT_TEXT,
        source: 'list',
      })),
    });
    const campaign = (await admin.post('/api/v1/campaigns', { name: 'After erasure', purposeId: purpose.id, segmentId, templateId })).body;
    const preview = (await admin.get(`/api/v1/campaigns/${campaign.id}/preview`)).body;
    assert.equal(preview.excluded.suppressed, 3, 'the people who came back with an erased address are not mailed');
  });

  it('fills in the phone indexes of records written before phones had them', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const contact = (await admin.post('/api/v1/contacts', { firstName: 'Old', phones: ['+49 30 111', '+49 30 222'] })).body;
    const lead = (await admin.post('/api/v1/leads', { firstName: 'Old', phone: '+49 30 333', companyName: 'Old Co' })).body;
    const indexes = () =>
      withTenant(env().db, tenantId, async (tx) => [
        (await tx.selectFrom('contacts').select('phone_index').where('id', '=', contact.id).executeTakeFirstOrThrow()).phone_index,
        (await tx.selectFrom('leads').select('phone_index').where('id', '=', lead.id).executeTakeFirstOrThrow()).phone_index,
      ]);
    const written = await indexes();
    assert.equal((written[0] as string[]).length, 2);
    await withTenant(env().db, tenantId, async (tx) => {
      await tx
        .updateTable('contacts')
        .set({ phone_index: sql<null>`null` as never })
        .where('id', '=', contact.id)
        .execute();
      await tx.updateTable('leads').set({ phone_index: null }).where('id', '=', lead.id).execute();
    });
    assert.ok((await fillPhoneIndexes(env().app)) >= 2);
    assert.deepEqual(await indexes(), written, 'the same indexes as when written');
  });

  it('keeps and restricts a person with a won deal instead of erasing them', async () => {
    const admin = await signUp(env());
    const contact = (await admin.post('/api/v1/contacts', { firstName: 'Kept', emails: ['kept@subject.example'] })).body;
    const deal = (await admin.post('/api/v1/opportunities', { name: 'Signed deal', contactIds: [contact.id] })).body;
    await admin.patch(`/api/v1/opportunities/${deal.id}`, { stage: 'closed_won' });
    const request = await logRequest(admin, 'erasure', 'kept@subject.example');
    const executed = (await admin.post(`/api/v1/dsr-requests/${request.id}/execute`)).body;
    assert.match(executed.evidence.at(-2).summary, /Kept and restricted: contact .* won deal "Signed deal"/);
    assert.equal((await admin.get(`/api/v1/contacts/${contact.id}`)).status, 200);
    assert.equal((await admin.get(`/api/v1/contacts/${contact.id}/consents`)).body.restricted, true);
  });

  it('keeps and restricts a record under legal hold instead of erasing it', async () => {
    const admin = await signUp(env());
    const lead = (await admin.post('/api/v1/leads', { firstName: 'Held', email: 'held@subject.example' })).body;
    const contact = (await admin.post('/api/v1/contacts', { firstName: 'Free', emails: ['held@subject.example'] })).body;
    assert.equal(
      (await admin.post('/api/v1/legal-holds', { recordType: 'lead', recordId: lead.id, reason: 'Pending litigation' })).status,
      201,
    );
    const request = await logRequest(admin, 'erasure', 'held@subject.example');
    const executed = (await admin.post(`/api/v1/dsr-requests/${request.id}/execute`)).body;
    assert.match(executed.evidence.at(-2).summary, /Kept and restricted: lead \S+ \(under legal hold: Pending litigation\)/);
    assert.equal((await admin.get(`/api/v1/leads/${lead.id}`)).status, 200);
    assert.equal((await admin.get(`/api/v1/leads/${lead.id}/consents`)).body.restricted, true);
    assert.equal((await admin.get(`/api/v1/contacts/${contact.id}`)).status, 404, 'the record not on hold is erased');
  });

  it('excludes a person restricted through a request from campaigns and from exports for a purpose', async () => {
    const admin = await signUp(env());
    const purpose = await activePurpose(admin);
    const restricted = (await admin.post('/api/v1/contacts', { firstName: 'Rita', emails: ['rita@subject.example'] })).body;
    const free = (await admin.post('/api/v1/contacts', { firstName: 'Fred', emails: ['fred@subject.example'] })).body;
    for (const id of [restricted.id, free.id]) await giveConsent(admin, id, purpose.id);
    const request = await logRequest(admin, 'restriction', 'rita@subject.example');
    assert.equal((await admin.post(`/api/v1/dsr-requests/${request.id}/execute`)).body.status, 'completed');

    const { templateId, segmentId } = await templateAndSegment(admin);
    const campaign = (await admin.post('/api/v1/campaigns', { name: 'News', purposeId: purpose.id, segmentId, templateId })).body;
    assert.deepEqual((await admin.get(`/api/v1/campaigns/${campaign.id}/preview`)).body, { recipients: 1, excluded: { restricted: 1 } });
    const exported = (await admin.get(`/api/v1/exports/contacts?format=json&purposeId=${purpose.id}`)).body;
    assert.deepEqual(
      exported.map((row: any) => row.id),
      [free.id],
    );

    const objection = await logRequest(admin, 'objection', 'fred@subject.example');
    await admin.post(`/api/v1/dsr-requests/${objection.id}/execute`);
    const fred = (await admin.get(`/api/v1/contacts/${free.id}/consents`)).body;
    assert.equal(fred.states.find((s: any) => s.purposeId === purpose.id).refusal, 'objected');
    assert.equal(fred.suppressed, true);
  });
});
