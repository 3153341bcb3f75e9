import assert from 'node:assert/strict';
import { it } from 'node:test';
import { withTenant } from '../../src/db/tenant.ts';
import { addMember, Client, describeEachDatabase, signUp, type TestEnv } from '../support/helpers.ts';

async function rawRows(env: TestEnv, tenantId: string, table: 'contacts' | 'leads' | 'notes' | 'tasks' | 'subject_keys') {
  return withTenant(env.db, tenantId, (tx) => tx.selectFrom(table).selectAll().execute());
}

describeEachDatabase('CRM core', (env) => {
  it('round-trips an account and refuses invalid input with clear errors', async () => {
    const admin = await signUp(env());
    const created = await admin.post('/api/v1/accounts', {
      name: 'Acme GmbH',
      domain: 'https://www.Acme.de/about',
      industry: 'Manufacturing',
      size: '51-200',
      country: 'de',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.domain, 'acme.de');
    assert.equal(created.body.country, 'DE');
    assert.equal(created.body.ownerId, admin.info.member.id);
    const id = created.body.id;
    assert.equal((await admin.get(`/api/v1/accounts/${id}`)).body.name, 'Acme GmbH');
    const patched = await admin.patch(`/api/v1/accounts/${id}`, { industry: 'Robotics' });
    assert.equal(patched.body.industry, 'Robotics');
    assert.equal(patched.body.name, 'Acme GmbH');

    const duplicate = await admin.post('/api/v1/accounts', { name: 'Acme again', domain: 'acme.de' });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.details.field, 'domain');
    const invalid = await admin.post('/api/v1/accounts', { name: '', domain: 'not a domain', country: 'XX', size: 'huge' });
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.body.details.issues.map((issue: any) => issue.path).sort(), ['country', 'domain', 'name', 'size']);

    assert.equal((await admin.delete(`/api/v1/accounts/${id}`)).status, 204);
    assert.equal((await admin.get(`/api/v1/accounts/${id}`)).status, 404);
  });

  it('stores contacts encrypted, finds them by email and name through blind indexes', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const account = (await admin.post('/api/v1/accounts', { name: 'Initech', domain: 'initech.example' })).body;
    const created = await admin.post('/api/v1/contacts', {
      firstName: 'Zoë',
      lastName: 'Castellanos',
      emails: ['Zoe.Castellanos@Initech.example', 'zoe@home.example'],
      phones: ['+49 30 1234567'],
      jobTitle: 'Head of Procurement',
      accountId: account.id,
      country: 'ES',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.emails, ['zoe.castellanos@initech.example', 'zoe@home.example']);
    assert.equal(created.body.provenance.sourceType, 'manual');
    assert.equal(created.body.provenance.collectedBy, admin.info.member.id);

    const raw = JSON.stringify(await rawRows(env(), tenantId, 'contacts'));
    for (const clear of ['Zoë', 'Castellanos', 'castellanos', 'initech.example', 'home.example', '1234567', 'Procurement']) {
      assert.ok(!raw.includes(clear), `the contacts table must not hold "${clear}" in clear`);
    }

    const byEmail = await admin.get('/api/v1/contacts?q=ZOE%40home.example');
    assert.deepEqual(
      byEmail.body.items.map((item: any) => item.id),
      [created.body.id],
    );
    const byFilter = await admin.get('/api/v1/contacts?email=zoe.castellanos%40initech.example');
    assert.equal(byFilter.body.items.length, 1);
    const byName = await admin.get('/api/v1/contacts?q=zoe%20CASTELLANOS');
    assert.deepEqual(
      byName.body.items.map((item: any) => item.id),
      [created.body.id],
      'accents and case do not matter',
    );
    const byCompany = await admin.get('/api/v1/contacts?q=initech');
    assert.equal(byCompany.body.items.length, 1);
    assert.equal((await admin.get('/api/v1/contacts?q=nobody')).body.items.length, 0);

    const clash = await admin.post('/api/v1/contacts', { firstName: 'Other', emails: ['zoe@home.example'] });
    assert.equal(clash.status, 409);
    const empty = await admin.post('/api/v1/contacts', { jobTitle: 'Ghost' });
    assert.equal(empty.status, 400);

    const renamed = await admin.patch(`/api/v1/contacts/${created.body.id}`, { lastName: 'Castellanos-Ruiz' });
    assert.equal(renamed.body.firstName, 'Zoë');
    assert.equal((await admin.get('/api/v1/contacts?q=ruiz')).body.items.length, 1);

    const events = (await admin.get(`/api/v1/audit-events?objectId=${created.body.id}`)).body.items.map((event: any) => event.action);
    assert.ok(events.includes('contact.create') && events.includes('contact.update'));
    await admin.get(`/api/v1/contacts/${created.body.id}`);
    assert.equal(
      (await admin.get(`/api/v1/audit-events?objectId=${created.body.id}&limit=1`)).body.items[0].action,
      'contact.read',
      'reading a person is audited',
    );
  });

  it('deletes a contact with its notes and tasks and shreds its key', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const contact = (await admin.post('/api/v1/contacts', { firstName: 'Short', lastName: 'Lived', emails: ['short@example.org'] })).body;
    await admin.post('/api/v1/notes', { body: 'Met at the fair', record: { type: 'contact', id: contact.id } });
    await admin.post('/api/v1/tasks', { title: 'Send brochure', record: { type: 'contact', id: contact.id } });
    assert.equal((await admin.delete(`/api/v1/contacts/${contact.id}`)).status, 204);
    assert.equal((await rawRows(env(), tenantId, 'notes')).length, 0);
    assert.equal((await rawRows(env(), tenantId, 'tasks')).length, 0);
    const key = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('subject_keys').selectAll().where('id', '=', contact.id).executeTakeFirstOrThrow(),
    );
    assert.equal(key.wrapped_key, null);
  });

  it('pages stably with a cursor while rows are added, and sorts from an allowlist only', async () => {
    const admin = await signUp(env());
    for (let i = 0; i < 7; i++) await admin.post('/api/v1/accounts', { name: `Company ${String.fromCharCode(65 + i)}` });
    const first = await admin.get('/api/v1/accounts?limit=3&sort=name');
    assert.deepEqual(
      first.body.items.map((item: any) => item.name),
      ['Company A', 'Company B', 'Company C'],
    );
    await admin.post('/api/v1/accounts', { name: 'Company AA' }); // sorts before the cursor: must not shift the next page
    const second = await admin.get(`/api/v1/accounts?limit=3&sort=name&cursor=${first.body.nextCursor}`);
    assert.deepEqual(
      second.body.items.map((item: any) => item.name),
      ['Company D', 'Company E', 'Company F'],
    );
    const third = await admin.get(`/api/v1/accounts?limit=3&sort=name&cursor=${second.body.nextCursor}`);
    assert.deepEqual(
      third.body.items.map((item: any) => item.name),
      ['Company G'],
    );
    assert.equal(third.body.nextCursor, null);
    const descending = await admin.get('/api/v1/accounts?limit=2&sort=-name');
    assert.deepEqual(
      descending.body.items.map((item: any) => item.name),
      ['Company G', 'Company F'],
    );
    const injected = await admin.get('/api/v1/accounts?sort=name;drop%20table%20accounts');
    assert.equal(injected.status, 400);
    assert.deepEqual(injected.body.details.allowed, ['name', 'createdAt', 'updatedAt']);
  });

  it('filters opportunities and keeps money exact', async () => {
    const admin = await signUp(env());
    const account = (await admin.post('/api/v1/accounts', { name: 'Globex' })).body;
    const contact = (await admin.post('/api/v1/contacts', { firstName: 'Hank', emails: ['hank@globex.example'] })).body;
    const deal = await admin.post('/api/v1/opportunities', {
      name: 'Globex renewal',
      accountId: account.id,
      amount: '12500.10',
      currency: 'usd',
      stage: 'proposal',
      expectedCloseDate: '2027-02-28',
      probability: 60,
      contactIds: [contact.id],
    });
    assert.equal(deal.status, 201, JSON.stringify(deal.body));
    assert.equal(deal.body.amount, '12500.10');
    assert.equal(deal.body.currency, 'USD');
    assert.equal(deal.body.expectedCloseDate, '2027-02-28');
    await admin.post('/api/v1/opportunities', { name: 'Small deal', amount: 99.5, stage: 'prospecting' });
    assert.equal((await admin.get('/api/v1/opportunities?stage=proposal')).body.items.length, 1);
    assert.equal((await admin.get(`/api/v1/opportunities?contactId=${contact.id}`)).body.items[0].id, deal.body.id);
    assert.deepEqual(
      (await admin.get('/api/v1/opportunities?sort=-amount')).body.items.map((item: any) => item.amount),
      ['12500.10', '99.50'],
    );
    const won = await admin.patch(`/api/v1/opportunities/${deal.body.id}`, { stage: 'closed_won' });
    assert.ok(won.body.closedAt);
    const bad = await admin.post('/api/v1/opportunities', { name: 'x', amount: '1.234', currency: 'EURO', probability: 120 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.details.issues.length, 3);
  });

  it("shows Salespeople their own records, managers their team's, administrators all", async () => {
    const admin = await signUp(env());
    const alice = await addMember(env(), admin, 'salesperson');
    const bob = await addMember(env(), admin, 'jr_salesperson');
    const manager = await addMember(env(), admin, 'sales_manager');
    await admin.patch(`/api/v1/members/${alice.info.member.id}`, { team: 'north' });
    await admin.patch(`/api/v1/members/${manager.info.member.id}`, { team: 'north' });
    const aliceAccount = (await alice.post('/api/v1/accounts', { name: 'Alice Co' })).body;
    const bobAccount = (await bob.post('/api/v1/accounts', { name: 'Bob Co' })).body;
    const names = async (client: Client) => (await client.get('/api/v1/accounts')).body.items.map((item: any) => item.name).sort();

    assert.deepEqual(await names(alice), ['Alice Co']);
    assert.deepEqual(await names(bob), ['Bob Co']);
    assert.deepEqual(await names(manager), ['Alice Co']);
    assert.deepEqual(await names(admin), ['Alice Co', 'Bob Co']);
    assert.equal((await alice.get(`/api/v1/accounts/${bobAccount.id}`)).status, 404);
    assert.equal((await alice.patch(`/api/v1/accounts/${bobAccount.id}`, { name: 'Stolen' })).status, 404);
    assert.equal((await bob.delete(`/api/v1/accounts/${bobAccount.id}`)).status, 403, 'Jr. Salespeople do not delete');

    // A task assigned on a record makes it visible to the assignee.
    await admin.post('/api/v1/tasks', {
      title: 'Help Alice',
      assigneeId: bob.info.member.id,
      record: { type: 'account', id: aliceAccount.id },
    });
    assert.deepEqual(await names(bob), ['Alice Co', 'Bob Co']);
    const giveAway = await alice.post('/api/v1/accounts', { name: 'Given', ownerId: bob.info.member.id });
    assert.equal(giveAway.status, 403);
  });

  it('validates custom fields by type and encrypts the personal ones', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const tier = await admin.post('/api/v1/custom-fields', {
      object: 'account',
      key: 'tier',
      label: 'Tier',
      type: 'single_select',
      options: ['gold', 'silver'],
    });
    assert.equal(tier.status, 201, JSON.stringify(tier.body));
    await admin.post('/api/v1/custom-fields', { object: 'contact', key: 'birthday', label: 'Birthday', type: 'date', personal: true });
    await admin.post('/api/v1/custom-fields', {
      object: 'contact',
      key: 'newsletter_topics',
      label: 'Topics',
      type: 'multi_select',
      options: ['ai', 'privacy'],
    });
    assert.equal(
      (await admin.post('/api/v1/custom-fields', { object: 'account', key: 'ceo', label: 'CEO', type: 'text', personal: true })).status,
      422,
    );
    assert.equal((await admin.post('/api/v1/custom-fields', { object: 'account', key: 'tier', label: 'Again', type: 'text' })).status, 409);

    const account = await admin.post('/api/v1/accounts', { name: 'Custom Co', custom: { tier: 'gold' } });
    assert.deepEqual(account.body.custom, { tier: 'gold' });
    const wrong = await admin.post('/api/v1/accounts', { name: 'Wrong Co', custom: { tier: 'bronze', unknown: 1 } });
    assert.equal(wrong.status, 422);
    assert.deepEqual(Object.keys(wrong.body.details.problems).sort(), ['tier', 'unknown']);

    const contact = await admin.post('/api/v1/contacts', {
      firstName: 'Custom',
      custom: { birthday: '1990-04-01', newsletter_topics: ['privacy'] },
    });
    assert.deepEqual(contact.body.custom, { birthday: '1990-04-01', newsletter_topics: ['privacy'] });
    const raw = JSON.stringify(await rawRows(env(), tenantId, 'contacts'));
    assert.ok(!raw.includes('1990-04-01'), 'a personal custom field is encrypted');
    assert.ok(raw.includes('privacy'), 'a non-personal custom field stays queryable');
    const cleared = await admin.patch(`/api/v1/contacts/${contact.body.id}`, { custom: { birthday: null } });
    assert.deepEqual(cleared.body.custom, { newsletter_topics: ['privacy'] });
  });

  it('converts a lead atomically: account matched by domain, contact created, opportunity added', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const existing = (await admin.post('/api/v1/accounts', { name: 'Umbrella Corp', domain: 'umbrella.example' })).body;
    const lead = await admin.post('/api/v1/leads', {
      firstName: 'Ada',
      lastName: 'Wong',
      email: 'ada@umbrella.example',
      companyName: 'Umbrella',
      companyDomain: 'umbrella.example',
      source: 'event',
      provenance: { type: 'form', ref: 'booth-signup-v2' },
    });
    assert.equal(lead.status, 201, JSON.stringify(lead.body));
    assert.ok(!JSON.stringify(await rawRows(env(), tenantId, 'leads')).includes('Wong'));

    const converted = await admin.post(`/api/v1/leads/${lead.body.id}/convert`, {
      opportunity: { name: 'Umbrella pilot', amount: '5000' },
    });
    assert.equal(converted.status, 200, JSON.stringify(converted.body));
    assert.equal(converted.body.accountId, existing.id);
    assert.equal(converted.body.accountCreated, false);
    assert.equal(converted.body.contactCreated, true);
    const contact = (await admin.get(`/api/v1/contacts/${converted.body.contactId}`)).body;
    assert.equal(contact.lastName, 'Wong');
    assert.equal(contact.accountId, existing.id);
    assert.deepEqual(contact.provenance.sourceType, 'form');
    assert.equal(contact.provenance.sourceRef, 'booth-signup-v2');
    const opportunity = (await admin.get(`/api/v1/opportunities/${converted.body.opportunityId}`)).body;
    assert.deepEqual(opportunity.contactIds, [converted.body.contactId]);
    assert.equal((await admin.get(`/api/v1/leads/${lead.body.id}`)).body.status, 'converted');
    assert.equal((await admin.post(`/api/v1/leads/${lead.body.id}/convert`, {})).status, 409);
  });

  it('leaves nothing behind when a conversion fails midway', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const lead = (
      await admin.post('/api/v1/leads', {
        firstName: 'Partial',
        email: 'partial@newco.example',
        companyName: 'NewCo',
        companyDomain: 'newco.example',
      })
    ).body;
    const count = async () =>
      withTenant(env().db, tenantId, async (tx) => ({
        accounts: (await tx.selectFrom('accounts').select('id').execute()).length,
        contacts: (await tx.selectFrom('contacts').select('id').execute()).length,
        opportunities: (await tx.selectFrom('opportunities').select('id').execute()).length,
      }));
    const before = await count();
    // The opportunity insert, the last step, fails after the account and contact were written.
    await env().db.withSession(async (session) => {
      await session.exec(
        `CREATE FUNCTION fail_opportunity() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$`,
      );
      await session.exec('CREATE TRIGGER fail_opportunity BEFORE INSERT ON opportunities FOR EACH ROW EXECUTE FUNCTION fail_opportunity()');
    });
    try {
      const response = await admin.post(`/api/v1/leads/${lead.id}/convert`, { opportunity: { name: 'Doomed' } });
      assert.equal(response.status, 500);
    } finally {
      await env().db.withSession(async (session) => {
        await session.exec('DROP TRIGGER fail_opportunity ON opportunities');
        await session.exec('DROP FUNCTION fail_opportunity()');
      });
    }
    assert.deepEqual(await count(), before);
    assert.equal((await admin.get(`/api/v1/leads/${lead.id}`)).body.status, 'new');
    const retried = await admin.post(`/api/v1/leads/${lead.id}/convert`, { opportunity: { name: 'Now it works' } });
    assert.equal(retried.status, 200);
    assert.equal(retried.body.accountCreated, true);
  });

  it('keeps tasks and notes on records, encrypted, with filters', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const contact = (await admin.post('/api/v1/contacts', { firstName: 'Noted', emails: ['noted@example.org'] })).body;
    const note = await admin.post('/api/v1/notes', {
      kind: 'call',
      body: 'Called about the Pinewood contract',
      record: { type: 'contact', id: contact.id },
    });
    assert.equal(note.status, 201, JSON.stringify(note.body));
    const task = await admin.post('/api/v1/tasks', {
      title: 'Send Pinewood quote',
      dueAt: '2027-01-15T09:00:00Z',
      record: { type: 'contact', id: contact.id },
    });
    await admin.post('/api/v1/tasks', { title: 'Later', dueAt: '2027-03-01T09:00:00Z' });
    await admin.post('/api/v1/tasks', { title: 'Someday' });
    const raw = JSON.stringify([...(await rawRows(env(), tenantId, 'notes')), ...(await rawRows(env(), tenantId, 'tasks'))]);
    assert.ok(!raw.includes('Pinewood'));
    const timeline = await admin.get(`/api/v1/notes?recordType=contact&recordId=${contact.id}`);
    assert.deepEqual(
      timeline.body.items.map((item: any) => item.body),
      ['Called about the Pinewood contract'],
    );
    assert.equal((await admin.get('/api/v1/notes')).status, 400, 'notes are listed per record');
    const byDue = await admin.get('/api/v1/tasks');
    assert.deepEqual(
      byDue.body.items.map((item: any) => item.title),
      ['Send Pinewood quote', 'Later', 'Someday'],
    );
    const titles = async (query: string) => (await admin.get(`/api/v1/tasks?${query}`)).body.items.map((item: any) => item.title);
    // One day of the caller's calendar: from its first instant (included) to the next day's (excluded).
    assert.deepEqual(await titles('dueAfter=2027-01-15T00:00:00Z&dueBefore=2027-01-16T00:00:00Z'), ['Send Pinewood quote']);
    assert.deepEqual(await titles('dueAfter=2027-01-15T09:00:00Z&dueBefore=2027-01-15T09:00:01Z'), ['Send Pinewood quote']);
    assert.deepEqual(await titles('dueAfter=2027-01-15T09:00:01Z'), ['Later']);
    assert.deepEqual(await titles('undated=true'), ['Someday']);
    assert.deepEqual(await titles('undated=false'), ['Send Pinewood quote', 'Later']);
    assert.equal((await admin.get('/api/v1/tasks?dueAfter=tomorrow')).status, 400);
    const done = await admin.patch(`/api/v1/tasks/${task.body.id}`, { done: true });
    assert.ok(done.body.doneAt);
    assert.deepEqual(
      (await admin.get('/api/v1/tasks?done=false')).body.items.map((item: any) => item.title),
      ['Later', 'Someday'],
    );
    assert.equal(
      (await admin.post('/api/v1/notes', { body: 'x', record: { type: 'contact', id: '00000000-0000-4000-8000-000000000000' } })).status,
      422,
    );
  });

  it("moves a task on and off a person: its title follows to the person's key and back to a new key of its own", async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const contact = (await admin.post('/api/v1/contacts', { firstName: 'Moved', emails: ['moved@example.org'] })).body;
    const task = (await admin.post('/api/v1/tasks', { title: 'Prepare the offer' })).body;
    const keyOf = async () => (await rawRows(env(), tenantId, 'tasks')).find((row: any) => row.id === task.id)!.key_id as string;
    assert.equal(await keyOf(), task.id);
    const onPerson = await admin.patch(`/api/v1/tasks/${task.id}`, { record: { type: 'contact', id: contact.id } });
    assert.equal(onPerson.status, 200, JSON.stringify(onPerson.body));
    assert.equal(await keyOf(), contact.id);
    // Its own key was destroyed on the way: taken off the person, it needs a new one.
    const offPerson = await admin.patch(`/api/v1/tasks/${task.id}`, { record: null });
    assert.equal(offPerson.status, 200, JSON.stringify(offPerson.body));
    assert.equal(offPerson.body.title, 'Prepare the offer');
    const ownKey = await keyOf();
    assert.ok(ownKey !== contact.id && ownKey !== task.id);
    // Erasing the person no longer touches it; deleting it destroys the key that was its own.
    assert.equal((await admin.delete(`/api/v1/contacts/${contact.id}`)).status, 204);
    assert.equal((await admin.get(`/api/v1/tasks/${task.id}`)).body.title, 'Prepare the offer');
    assert.equal((await admin.delete(`/api/v1/tasks/${task.id}`)).status, 204);
    const key = (await rawRows(env(), tenantId, 'subject_keys')).find((row: any) => row.id === ownKey) as any;
    assert.ok(key.destroyed_at, 'the task key is destroyed with the task');
  });
});
