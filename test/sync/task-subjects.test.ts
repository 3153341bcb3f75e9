import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { withTenant } from '../../src/db/tenant.ts';
import { FakeHubSpot } from '../support/fakes/hubspot.ts';
import { FakePipedrive } from '../support/fakes/pipedrive.ts';
import { FakeSalesforce } from '../support/fakes/salesforce.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

/**
 * Issue 25: what a synced task is about and who is on a synced deal come over with them. HubSpot
 * keeps both in associations v4 (task to contact 204, to deal 216, to company 192; deal to
 * contact 3), Salesforce in a Task's WhoId (Contact or Lead) and WhatId (Account, Opportunity),
 * Pipedrive in an activity's person_id, lead_id, deal_id, org_id and a deal's person_id.
 * A task about a person is sealed under that person's key, so erasing the person erases it.
 */
describeEachDatabase('Synced tasks and deals keep the records they are about', (env) => {
  let admin: Client;
  let tenantId: string;

  before(async () => {
    admin = await signUp(env());
    tenantId = admin.info.workspace.id;
  });

  /** The internal id of what a connection synced under an external id. */
  const internal = (integrationId: string, externalId: string | number) =>
    withTenant(
      env().db,
      tenantId,
      async (tx) =>
        (
          await tx
            .selectFrom('sync_links')
            .select('record_id')
            .where('tenant_id', '=', tenantId)
            .where('integration_id', '=', integrationId)
            .where('external_id', '=', String(externalId))
            .executeTakeFirstOrThrow()
        ).record_id,
    );
  const taskRow = (id: string) =>
    withTenant(env().db, tenantId, (tx) =>
      tx
        .selectFrom('tasks')
        .select(['key_id', 'record_type', 'record_id'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    );
  const keyDestroyed = (id: string) =>
    withTenant(
      env().db,
      tenantId,
      async (tx) =>
        (
          await tx
            .selectFrom('subject_keys')
            .select('destroyed_at')
            .where('tenant_id', '=', tenantId)
            .where('id', '=', id)
            .executeTakeFirst()
        )?.destroyed_at != null,
    );
  const subjectOf = async (integrationId: string, taskRef: string | number) => {
    const task = (await admin.get(`/api/v1/tasks/${await internal(integrationId, taskRef)}`)).body;
    return task.record ? `${task.record.type}:${task.record.id}` : null;
  };
  const sync = async (integrationId: string) => {
    assert.equal((await admin.post(`/api/v1/integrations/${integrationId}/sync`)).status, 202);
    await env().app.jobs.drain();
    const run = (await admin.get(`/api/v1/integrations/${integrationId}/runs?limit=1`)).body.items[0];
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
  };

  it('HubSpot: a task lands on its contact, else its deal, else its company; a deal keeps its contacts; erasing the contact erases the task', async () => {
    const fake = new FakeHubSpot();
    await fake.start();
    try {
      const company = fake.seed('companies', { name: 'Assoc GmbH', domain: 'assoc.example' });
      const anna = fake.seed('contacts', { firstname: 'Anna', lastname: 'Assoc', email: 'anna@assoc.example' });
      const ben = fake.seed('contacts', { firstname: 'Ben', lastname: 'Assoc', email: 'ben@assoc.example' });
      const deal = fake.seed('deals', { dealname: 'Assoc deal', amount: '100', dealstage: 'qualifiedtobuy', deal_currency_code: 'EUR' });
      fake.associate('deals', deal.id, 'companies', company.id);
      fake.associate('deals', deal.id, 'contacts', anna.id);
      fake.associate('deals', deal.id, 'contacts', ben.id);
      const task = (subject: string) =>
        fake.seed('tasks', { hs_task_subject: subject, hs_timestamp: '2026-12-10T09:00:00Z', hs_task_status: 'NOT_STARTED' });
      const aboutAnna = task('Call Anna');
      const aboutBenAndDeal = task('Send Ben the quote');
      const aboutDeal = task('Review the deal');
      const aboutCompany = task('Visit the office');
      const aboutNothing = task('Plan the week');
      fake.associate('tasks', aboutAnna.id, 'contacts', anna.id);
      fake.associate('tasks', aboutBenAndDeal.id, 'deals', deal.id);
      fake.associate('tasks', aboutBenAndDeal.id, 'contacts', ben.id);
      fake.associate('tasks', aboutDeal.id, 'deals', deal.id);
      fake.associate('tasks', aboutDeal.id, 'companies', company.id);
      fake.associate('tasks', aboutCompany.id, 'companies', company.id);

      const tokens = fake.issueTokens();
      const created = await admin.post('/api/v1/integrations', {
        kind: 'hubspot',
        label: 'HubSpot associations',
        baseUrl: fake.url,
        credentials: {
          kind: 'oauth2',
          ...tokens,
          tokenUrl: `${fake.url}/oauth/v1/token`,
          clientId: fake.clientId,
          clientSecret: fake.clientSecret,
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const integrationId = created.body.id as string;
      await env().app.jobs.drain();
      assert.equal((await admin.get(`/api/v1/integrations/${integrationId}`)).body.lastRun.state, 'succeeded');

      const annaId = await internal(integrationId, anna.id);
      const benId = await internal(integrationId, ben.id);
      const dealId = await internal(integrationId, deal.id);
      const companyId = await internal(integrationId, company.id);
      assert.equal(await subjectOf(integrationId, aboutAnna.id), `contact:${annaId}`);
      assert.equal(await subjectOf(integrationId, aboutBenAndDeal.id), `contact:${benId}`, 'the person first');
      assert.equal(await subjectOf(integrationId, aboutDeal.id), `opportunity:${dealId}`, 'the deal before the company');
      assert.equal(await subjectOf(integrationId, aboutCompany.id), `account:${companyId}`);
      assert.equal(await subjectOf(integrationId, aboutNothing.id), null);
      const opportunity = (await admin.get(`/api/v1/opportunities/${dealId}`)).body;
      assert.equal(opportunity.accountId, companyId);
      assert.deepEqual([...opportunity.contactIds].sort(), [annaId, benId].sort(), "the deal's contacts (deal to contact associations)");
      const annasTask = await internal(integrationId, aboutAnna.id);
      assert.equal((await taskRow(annasTask))!.key_id, annaId, "a task about Anna is sealed under Anna's key");
      assert.equal((await admin.get(`/api/v1/tasks?recordType=contact&recordId=${annaId}`)).body.items[0].title, 'Call Anna');

      // Associated there later: the task moves to the person, and its own key is destroyed.
      const planId = await internal(integrationId, aboutNothing.id);
      fake.associate('tasks', aboutNothing.id, 'contacts', anna.id);
      fake.modify('tasks', aboutNothing.id, { hs_task_subject: 'Plan the week with Anna' });
      await sync(integrationId);
      assert.equal(await subjectOf(integrationId, aboutNothing.id), `contact:${annaId}`);
      assert.deepEqual(await taskRow(planId), { key_id: annaId, record_type: 'contact', record_id: annaId });
      assert.equal(await keyDestroyed(planId), true, 'the key the title had before is destroyed');
      assert.equal((await admin.get(`/api/v1/tasks/${planId}`)).body.title, 'Plan the week with Anna');

      // Erasing Anna here takes the tasks about her with her.
      assert.equal((await admin.delete(`/api/v1/contacts/${annaId}`)).status, 204);
      assert.equal(await taskRow(annasTask), undefined);
      assert.equal(await taskRow(planId), undefined);
      assert.equal(await keyDestroyed(annaId), true);
    } finally {
      await fake.stop();
    }
  });

  it('Salesforce: a Task on its WhoId (Contact, Lead), else its WhatId (Account, Opportunity)', async () => {
    const fake = new FakeSalesforce();
    await fake.start();
    try {
      const account = fake.seed('Account', { Name: 'Who What Ltd', Website: 'https://www.whowhat.example' });
      const contact = fake.seed('Contact', { FirstName: 'Carla', LastName: 'Who', Email: 'carla@whowhat.example', AccountId: account.Id });
      const lead = fake.seed('Lead', { FirstName: 'Leo', LastName: 'Lead', Email: 'leo@lead.example', Company: 'Lead Co' });
      const deal = fake.seed('Opportunity', {
        Name: 'Who What deal',
        StageName: 'Prospecting',
        CloseDate: '2027-01-31',
        AccountId: account.Id,
      });
      const task = (Subject: string, about: Record<string, string>) =>
        fake.seed('Task', { Subject, ActivityDate: '2026-12-10', Status: 'Not Started', ...about });
      const onContact = task('Call Carla', { WhoId: contact.Id, WhatId: deal.Id });
      const onLead = task('Qualify Leo', { WhoId: lead.Id });
      const onDeal = task('Send the contract', { WhatId: deal.Id });
      const onAccount = task('Renewal', { WhatId: account.Id });
      const created = await admin.post('/api/v1/integrations', {
        kind: 'salesforce',
        label: 'Salesforce tasks',
        baseUrl: fake.url,
        credentials: fake.oauthCredentials(),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const integrationId = created.body.id as string;
      await env().app.jobs.drain();
      assert.equal(await subjectOf(integrationId, onContact.Id), `contact:${await internal(integrationId, contact.Id)}`);
      assert.equal(await subjectOf(integrationId, onLead.Id), `lead:${await internal(integrationId, lead.Id)}`);
      assert.equal(await subjectOf(integrationId, onDeal.Id), `opportunity:${await internal(integrationId, deal.Id)}`);
      assert.equal(await subjectOf(integrationId, onAccount.Id), `account:${await internal(integrationId, account.Id)}`);
      const leadsTask = await taskRow(await internal(integrationId, onLead.Id));
      assert.equal(leadsTask!.key_id, await internal(integrationId, lead.Id), "sealed under the lead's key");
    } finally {
      await fake.stop();
    }
  });

  it('Pipedrive: an activity on its person, lead, deal or organization; a deal keeps its person', async () => {
    const fake = new FakePipedrive();
    await fake.start();
    try {
      const org = fake.seed('organizations', { name: 'Pipe Subjects AG' });
      const person = fake.seed('persons', {
        name: 'Paula Pipe',
        first_name: 'Paula',
        last_name: 'Pipe',
        emails: [{ value: 'paula@pipe.example', primary: true, label: 'work' }],
        phones: [],
        org_id: org.id!,
      });
      const lead = fake.seed('leads', { title: 'Pipe lead' });
      const deal = fake.seed('deals', {
        title: 'Pipe deal',
        value: 500,
        currency: 'EUR',
        status: 'open',
        org_id: org.id!,
        person_id: person.id!,
      });
      const activity = (subject: string, about: Record<string, unknown>) =>
        fake.seed('activities', { subject, due_date: '2026-12-10', due_time: '09:30', done: false, ...about });
      const onPerson = activity('Call Paula', { person_id: person.id, deal_id: deal.id, org_id: org.id });
      const onLead = activity('Qualify the lead', { lead_id: lead.id });
      const onDeal = activity('Send the offer', { deal_id: deal.id, org_id: org.id });
      const onOrg = activity('Visit', { org_id: org.id });
      const created = await admin.post('/api/v1/integrations', {
        kind: 'pipedrive',
        label: 'Pipedrive subjects',
        baseUrl: fake.url,
        credentials: { kind: 'api_key', token: fake.issueToken() },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const integrationId = created.body.id as string;
      await env().app.jobs.drain();
      const personId = await internal(integrationId, person.id!);
      assert.equal(await subjectOf(integrationId, onPerson.id!), `contact:${personId}`);
      assert.equal(await subjectOf(integrationId, onLead.id!), `lead:${await internal(integrationId, lead.id!)}`);
      assert.equal(await subjectOf(integrationId, onDeal.id!), `opportunity:${await internal(integrationId, deal.id!)}`);
      assert.equal(await subjectOf(integrationId, onOrg.id!), `account:${await internal(integrationId, org.id!)}`);
      assert.deepEqual((await admin.get(`/api/v1/opportunities/${await internal(integrationId, deal.id!)}`)).body.contactIds, [personId]);
    } finally {
      await fake.stop();
    }
  });
});
