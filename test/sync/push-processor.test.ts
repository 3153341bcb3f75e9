import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { evaluateGate } from '../../src/consent/gate.ts';
import { findPurpose } from '../../src/consent/purposes.ts';
import { accessReport } from '../../src/rights/access-report.ts';
import { findSubject } from '../../src/rights/subject.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { activePurpose, giveConsent } from '../support/consent-fixtures.ts';
import { FakeHubSpot } from '../support/fakes/hubspot.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';
import { LONG_AGO } from './sync-fixtures.ts';

describeEachDatabase('CRM sync: push, processor mode, erasure reaching the CRM', (env) => {
  const hubspot = new FakeHubSpot();
  const customerCrm = new FakeHubSpot();
  let admin: Client;
  let tenantId: string;
  let integrationId: string;

  const connect = async (fake: FakeHubSpot, extra: Record<string, unknown> = {}) => {
    const tokens = fake.issueTokens();
    const created = await admin.post('/api/v1/integrations', {
      kind: 'hubspot',
      label: `HubSpot ${fake.url}`,
      baseUrl: fake.url,
      credentials: { kind: 'api_key', token: tokens.accessToken },
      ...extra,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await env().app.jobs.drain();
    return created.body.id as string;
  };
  const live = (fake: FakeHubSpot, type: 'companies' | 'contacts') => [...fake.objects[type].values()].filter((o) => !o.archived);

  before(async () => {
    await hubspot.start();
    await customerCrm.start();
    hubspot.seed('contacts', { firstname: 'Erin', lastname: 'Erasable', email: 'erin@synced.example' }, LONG_AGO);
    customerCrm.seed('contacts', { firstname: 'Carla', lastname: 'Customer', email: 'carla@customer.example' }, LONG_AGO);
    admin = await signUp(env());
    tenantId = admin.info.workspace.id;
    integrationId = await connect(hubspot);
  });
  after(async () => {
    await hubspot.stop();
    await customerCrm.stop();
  });

  it('pushes an account, updates it, and refuses to overwrite a change made there', async () => {
    const account = (await admin.post('/api/v1/accounts', { name: 'Lawful Push AG', domain: 'lawful-push.example', industry: 'Software' }))
      .body;
    const created = await admin.post(`/api/v1/integrations/${integrationId}/push`, { record: { type: 'account', id: account.id } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.action, 'created');
    const external = hubspot.objects.companies.get(created.body.externalId)!;
    assert.equal(external.properties.name, 'Lawful Push AG');
    assert.equal(external.properties.domain, 'lawful-push.example');

    await admin.patch(`/api/v1/accounts/${account.id}`, { name: 'Lawful Push SE' });
    const updated = await admin.post(`/api/v1/integrations/${integrationId}/push`, { record: { type: 'account', id: account.id } });
    assert.equal(updated.body.action, 'updated');
    assert.equal(external.properties.name, 'Lawful Push SE');

    hubspot.modify('companies', external.id, { industry: 'Consulting' });
    const refused = await admin.post(`/api/v1/integrations/${integrationId}/push`, { record: { type: 'account', id: account.id } });
    assert.equal(refused.status, 409);
    assert.ok(refused.body.details.externalUpdatedAt);
    assert.equal(external.properties.industry, 'Consulting', 'nothing overwritten');
    const forced = await admin.post(`/api/v1/integrations/${integrationId}/push`, {
      record: { type: 'account', id: account.id },
      force: true,
    });
    assert.equal(forced.status, 200);
    assert.equal(external.properties.industry, 'Software');

    // The pushed company comes back in the next sync as the same account, not as a new one.
    await admin.post(`/api/v1/integrations/${integrationId}/sync`);
    await env().app.jobs.drain();
    const accounts = (await admin.get('/api/v1/accounts?limit=200')).body.items.filter((a: any) => a.domain === 'lawful-push.example');
    assert.equal(accounts.length, 1);
    const links = (await admin.get(`/api/v1/sync-links?recordType=account&recordId=${account.id}`)).body;
    assert.deepEqual(
      links.items.map((l: any) => [l.object, l.externalId, l.origin, l.matchRule]),
      [['companies', external.id, 'matched', 'pushed']],
    );
    assert.deepEqual(
      links.pushTargets.map((t: any) => t.id),
      [integrationId],
    );
    assert.equal((await admin.get(`/api/v1/sync-links?recordType=account&recordId=00000000-0000-4000-8000-000000000000`)).status, 404);
  });

  it('pushes a person only for the purpose the integration is declared for, when the consent gate allows it, and records the refusal', async () => {
    const purpose = await activePurpose(admin);
    const other = await activePurpose(admin, { name: 'Another purpose' });
    const contact = (await admin.post('/api/v1/contacts', { firstName: 'Pia', lastName: 'Pushed', emails: ['pia@lawful.example'] })).body;
    const push = (body: Record<string, unknown> = {}) =>
      admin.post(`/api/v1/integrations/${integrationId}/push`, { record: { type: 'contact', id: contact.id }, ...body });
    const undeclared = await push();
    assert.equal(undeclared.status, 422, 'no person goes to an integration declared for no purpose');
    assert.equal(undeclared.body.details.field, 'purposeId');
    assert.equal((await admin.patch(`/api/v1/integrations/${integrationId}`, { purposeId: purpose.id })).body.purposeId, purpose.id);
    const wrong = await push({ purposeId: other.id });
    assert.equal(wrong.status, 422, 'the caller cannot name another purpose than the declared one');
    assert.equal(wrong.body.details.declared, purpose.id);
    const noConsent = await push();
    assert.equal(noConsent.status, 422);
    assert.equal(noConsent.body.details.reason, 'no_consent');
    const refusals = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('processing_refusals').selectAll().where('tenant_id', '=', tenantId).where('person_id', '=', contact.id).execute(),
    );
    assert.deepEqual(
      refusals.map((r) => [r.path, r.reason]),
      [['connector_push', 'no_consent']],
    );
    assert.equal(
      live(hubspot, 'contacts').some((c) => c.properties.email === 'pia@lawful.example'),
      false,
    );

    await giveConsent(admin, contact.id, purpose.id);
    const pushed = await push();
    assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
    assert.equal(hubspot.objects.contacts.get(pushed.body.externalId)!.properties.lastname, 'Pushed');
    // The access report names the CRM as a recipient, with when (Art. 15(1)(c)).
    const report = await withTenant(env().db, tenantId, async (tx) =>
      accessReport(env().app, tx, tenantId, await findSubject(env().app, tx, tenantId, 'pia@lawful.example')),
    );
    assert.deepEqual(
      report.disclosures.map((d) => [d.recipient.includes('hubspot'), d.how, d.record.id]),
      [[true, 'pushed to a connected CRM', contact.id]],
    );
    assert.ok(Date.now() - Date.parse(report.disclosures[0]!.at) < 60_000);
    assert.ok(report.recipients.includes(report.disclosures[0]!.recipient));

    assert.equal((await admin.put(`/api/v1/contacts/${contact.id}/restriction`, { reason: 'Accuracy contested' })).status, 200);
    const restricted = await push();
    assert.equal(restricted.status, 422);
    assert.equal(restricted.body.details.reason, 'restricted');
  });

  it('keeps the data of a connection in processor mode out of our own marketing, and registers it as processor activity', async () => {
    const processorId = await connect(customerCrm, { actingAs: 'processor', label: 'Customer CRM (on their behalf)' });
    const purpose = await activePurpose(admin);
    const [carla] = (
      await withTenant(env().db, tenantId, (tx) =>
        tx
          .selectFrom('sync_links')
          .select('record_id')
          .where('tenant_id', '=', tenantId)
          .where('integration_id', '=', processorId)
          .execute(),
      )
    ).map((l) => l.record_id);
    const own = (await admin.post('/api/v1/contacts', { firstName: 'Olga', emails: ['olga@own.example'] })).body.id;
    await giveConsent(admin, carla!, purpose.id);
    await giveConsent(admin, own, purpose.id);
    const verdicts = await withTenant(env().db, tenantId, async (tx) =>
      evaluateGate(tx, tenantId, await findPurpose(tx, tenantId, purpose.id), [
        { type: 'contact', id: carla! },
        { type: 'contact', id: own },
      ]),
    );
    assert.deepEqual(verdicts.get(carla!), { allowed: false, reason: 'processor_data' });
    assert.deepEqual(verdicts.get(own), { allowed: true, basis: 'consent' });

    const register = (await admin.get('/api/v1/register')).body;
    const processing = register.activities.find((a: any) => a.role === 'processor');
    assert.ok(processing, JSON.stringify(register.activities.map((a: any) => a.name)));
    assert.match(processing.name, /Customer CRM \(on their behalf\)/);
    assert.match(processing.legalBasis, /Art\. 28/);
    const controllerActivity = register.activities.find((a: any) => a.id === purpose.id);
    assert.ok(
      controllerActivity.recipients.some((r: string) => r.startsWith(`HubSpot ${hubspot.url}`)),
      'a connected CRM is a recipient',
    );
    assert.ok(
      !controllerActivity.recipients.some((r: string) => r.startsWith('Customer CRM')),
      'the processor connection is not ours to disclose to',
    );
  });

  it('erasing a synced person deletes them in the CRM too, and the next sync does not bring them back', async () => {
    const erin = live(hubspot, 'contacts').find((c) => c.properties.email === 'erin@synced.example')!;
    const request = (
      await admin.post('/api/v1/dsr-requests', {
        type: 'erasure',
        channel: 'email',
        email: 'erin@synced.example',
        identityStatus: 'verified',
      })
    ).body;
    const executed = await admin.post(`/api/v1/dsr-requests/${request.id}/execute`);
    assert.equal(executed.body.status, 'completed', JSON.stringify(executed.body));
    await env().app.jobs.drain();
    assert.equal(hubspot.objects.contacts.has(erin.id), false, "deleted for good with HubSpot's GDPR delete, not archived");
    const recipients = (await admin.get(`/api/v1/dsr-requests/${request.id}`)).body.recipients;
    assert.deepEqual(
      recipients.map((r: any) => ({ ...r, at: typeof r.at })),
      [
        {
          integrationId,
          label: `HubSpot ${hubspot.url}`,
          kind: 'hubspot',
          operation: 'erasure',
          object: 'contacts',
          state: 'done',
          count: 1,
          permanent: true,
          note: "HubSpot's GDPR delete: the contact is deleted permanently and cannot be restored",
          at: 'string',
        },
      ],
      'Art. 19: the recipient and what it did are on the request',
    );
    const owed = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('sync_erasures').selectAll().where('tenant_id', '=', tenantId).execute(),
    );
    assert.deepEqual(owed, []);
    const audit = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('audit_events').select('fields').where('tenant_id', '=', tenantId).where('action', '=', 'sync.erase').execute(),
    );
    assert.deepEqual(
      audit.map((a) => a.fields),
      [['contacts:1']],
    );

    // HubSpot restores the contact (or another copy turns up): it is not copied back in.
    const copy = hubspot.seed('contacts', { firstname: 'Erin', lastname: 'Erasable', email: 'erin@synced.example' });
    await admin.post(`/api/v1/integrations/${integrationId}/sync`);
    await env().app.jobs.drain();
    const run = (await admin.get(`/api/v1/integrations/${integrationId}/runs?limit=1`)).body.items[0];
    assert.equal(run.state, 'succeeded');
    assert.deepEqual(
      run.failures.map((f: any) => [f.externalId, f.reason]),
      [[copy.id, 'the person was erased in Lawful CRM; not copied again']],
    );
    assert.equal(run.stats.contacts.failed, 1);
  });

  it('an erasure the CRM refuses stays owed, shows on the request, and a disconnect must be confirmed past it', async () => {
    hubspot.seed('contacts', { firstname: 'Olga', lastname: 'Owed', email: 'olga@synced.example' });
    await admin.post(`/api/v1/integrations/${integrationId}/sync`);
    await env().app.jobs.drain();
    hubspot.refuseGdprDelete = true;
    const request = (
      await admin.post('/api/v1/dsr-requests', {
        type: 'erasure',
        channel: 'email',
        email: 'olga@synced.example',
        identityStatus: 'verified',
      })
    ).body;
    assert.equal((await admin.post(`/api/v1/dsr-requests/${request.id}/execute`)).body.status, 'completed');
    await env().app.jobs.drain();
    const recipients = (await admin.get(`/api/v1/dsr-requests/${request.id}`)).body.recipients;
    assert.equal(recipients.length, 1);
    assert.equal(recipients[0].state, 'owed');
    assert.match(recipients[0].note, /^not done yet: .*403/);

    const refused = await admin.delete(`/api/v1/integrations/${integrationId}`);
    assert.equal(refused.status, 409);
    assert.deepEqual(refused.body.details, { owedErasures: 1 });
    const confirmed = await admin.delete(`/api/v1/integrations/${integrationId}?abandonOwedErasures=true`);
    assert.equal(confirmed.status, 202, JSON.stringify(confirmed.body));
    await env().app.jobs.drain();
    const certificate = (await admin.get(`/api/v1/integrations/${integrationId}`)).body.purgeCertificate;
    assert.equal(certificate.owedErasuresAbandoned, 1);
    assert.equal(certificate.credentialsRevocation.startsWith('not possible through the API'), true, 'an API key');
  });
});
