import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { sql } from 'kysely';
import { FakeHubSpot } from '../support/fakes/hubspot.ts';
import { FakeSalesforce } from '../support/fakes/salesforce.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';
import { LONG_AGO } from '../sync/sync-fixtures.ts';

/**
 * Rights carried into every connected CRM. Art. 15(1): the person has the right to obtain the
 * personal data concerning them, and (c) "the recipients … to whom the personal data have been
 * or will be disclosed"; Art. 19: the controller "shall communicate any rectification or erasure
 * … to each recipient to whom the personal data have been disclosed … [and] inform the data
 * subject about those recipients if the data subject requests it"; Art. 21(3): where the person
 * objects to direct marketing, the data "shall no longer be processed for such purposes". Both fakes are reached through
 * the vendors' official SDKs (@hubspot/api-client, jsforce), as the connectors are.
 */
describeEachDatabase('rights across the connected CRMs', (env) => {
  const hubspot = new FakeHubSpot();
  const salesforce = new FakeSalesforce();
  let admin: Client;
  let tenantId: string;
  let hubspotId: string;
  let salesforceId: string;

  before(async () => {
    await hubspot.start();
    await salesforce.start();
    for (const [first, last, email] of [
      ['Ines', 'Insight', 'ines@both.example'],
      ['Emil', 'Erase', 'emil@both.example'],
      ['Rita', 'Wrongname', 'rita@both.example'],
      ['Olga', 'Object', 'olga@both.example'],
    ]) {
      hubspot.seed('contacts', { firstname: first!, lastname: last!, email: email!, jobtitle: 'Buyer' }, LONG_AGO);
      salesforce.seed('Contact', { FirstName: first!, LastName: last!, Email: email!, Title: 'Head of purchasing' }, LONG_AGO);
    }
    // Enough people in each CRM that one erasure is not a suspicious shrink.
    for (let i = 0; i < 6; i++) {
      hubspot.seed('contacts', { lastname: `Fill${i}`, email: `fill${i}@hs.example` }, LONG_AGO);
      salesforce.seed('Contact', { LastName: `Fill${i}`, Email: `fill${i}@sf.example` }, LONG_AGO);
    }
    admin = await signUp(env());
    tenantId = admin.info.workspace.id;
    const tokens = hubspot.issueTokens();
    const hs = await admin.post('/api/v1/integrations', {
      kind: 'hubspot',
      label: 'Marketing HubSpot',
      baseUrl: hubspot.url,
      objects: ['contacts'],
      credentials: { kind: 'api_key', token: tokens.accessToken },
    });
    assert.equal(hs.status, 201, JSON.stringify(hs.body));
    const sf = await admin.post('/api/v1/integrations', {
      kind: 'salesforce',
      label: 'Sales Salesforce',
      baseUrl: salesforce.url,
      objects: ['Contact'],
      credentials: salesforce.oauthCredentials(),
    });
    assert.equal(sf.status, 201, JSON.stringify(sf.body));
    hubspotId = hs.body.id;
    salesforceId = sf.body.id;
    await env().app.jobs.drain();
  });
  after(async () => {
    await hubspot.stop();
    await salesforce.stop();
  });

  const request = async (type: 'access' | 'erasure' | 'objection', email: string) => {
    const created = await admin.post('/api/v1/dsr-requests', { type, channel: 'email', email, identityStatus: 'verified' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const executed = await admin.post(`/api/v1/dsr-requests/${created.body.id}/execute`);
    assert.equal(executed.status, 200, JSON.stringify(executed.body));
    assert.equal(executed.body.status, 'completed');
    return executed.body;
  };
  const reportSentTo = (email: string) => {
    const mail = env()
      .mailer.sent.filter((m) => m.to === email)
      .at(-1)!;
    return JSON.parse(strFromU8(unzipSync(new Uint8Array(mail.attachments![0]!.content))['report.json']!));
  };

  it('adds what each connected CRM holds on the person to the access report, linked or under the same address, each with the time it was asked', async () => {
    // A second copy made in Salesforce after the last sync: no link to it, found by the address.
    const copy = salesforce.seed('Contact', { FirstName: 'Ines', LastName: 'Insight', Email: 'INES@both.example', Title: 'Copy' });
    const started = Date.now();
    const done = await request('access', 'ines@both.example');
    const report = reportSentTo('ines@both.example');
    const sections = report.connectedSystems as Array<Record<string, any>>;
    assert.deepEqual(
      sections.map((s) => [s.integrationId, s.label, s.state]),
      [
        [hubspotId, 'Marketing HubSpot', 'found'],
        [salesforceId, 'Sales Salesforce', 'found'],
      ],
    );
    const [hs, sf] = sections;
    assert.equal(hs!.records.length, 1);
    assert.equal(hs!.records[0].fields.lastName, 'Insight');
    assert.equal(hs!.records[0].fields.jobTitle, 'Buyer');
    assert.deepEqual(
      sf!.records.map((r: Record<string, any>) => [r.matchedBy, r.fields.jobTitle]),
      [
        ['link', 'Head of purchasing'],
        ['email', 'Copy'],
      ],
    );
    assert.equal(sf!.records[1].externalId, copy.Id);
    assert.equal(hs!.records[0].matchedBy, 'link', 'found both ways, listed once');
    for (const section of sections) {
      const at = Date.parse(section.lookedUpAt);
      assert.ok(at >= started && at <= Date.now(), 'the time of the lookup');
    }
    assert.match(
      done.evidence.find((e: { kind: string }) => e.kind === 'found').summary,
      /Connected CRMs: Marketing HubSpot found \(1 record\(s\)\) at .*; Sales Salesforce found/,
    );
  });

  it('reports a CRM that cannot be reached as unreachable, and still includes the one that answered', async () => {
    salesforce.down = true;
    try {
      await request('access', 'ines@both.example');
    } finally {
      salesforce.down = false;
    }
    const sections = reportSentTo('ines@both.example').connectedSystems as Array<Record<string, any>>;
    assert.deepEqual(
      sections.map((s) => [s.label, s.state, s.records.length]),
      [
        ['Marketing HubSpot', 'found', 1],
        ['Sales Salesforce', 'unreachable', 0],
      ],
    );
    assert.ok(sections[1]!.error, 'why it could not be asked');
    assert.match(sections[1]!.note, /could not be asked/);
  });

  it('erases permanently in both CRMs; a refusal is retried and shows in the evidence until it succeeds', async () => {
    const emilHs = [...hubspot.objects.contacts.values()].find((c) => c.properties.email === 'emil@both.example')!;
    const emilSf = salesforce.live('Contact').find((c) => c.Email === 'emil@both.example')!;
    hubspot.refuseGdprDelete = true;
    const done = await request('erasure', 'emil@both.example');
    await env().app.jobs.drain();
    assert.ok(salesforce.hardDeleted.has(emilSf.Id), 'Salesforce: hard delete, skipping the Recycle Bin');
    let view = (await admin.get(`/api/v1/dsr-requests/${done.id}`)).body;
    assert.deepEqual(view.recipients.map((r: Record<string, unknown>) => [r.label, r.state]).sort(), [
      ['Marketing HubSpot', 'owed'],
      ['Sales Salesforce', 'done'],
    ]);
    assert.match(
      view.evidence.map((e: { summary: string }) => e.summary).join('\n'),
      /The erasure in Marketing HubSpot \(hubspot, contacts\) failed: .*retried automatically/,
    );

    // HubSpot refused for want of a scope: the connection waits to be reconnected, the erasure stays owed.
    assert.equal((await admin.get(`/api/v1/integrations/${hubspotId}`)).body.status, 'needs_reconnect');
    // Reconnected with a token that has the scope; the job's retry comes (its backoff is skipped here) and completes it.
    hubspot.refuseGdprDelete = false;
    const reconnected = await admin.patch(`/api/v1/integrations/${hubspotId}`, {
      credentials: { kind: 'api_key', token: hubspot.issueTokens().accessToken },
    });
    assert.equal(reconnected.status, 200, JSON.stringify(reconnected.body));
    await sql`update jobs set run_at = now() where queue = 'sync.erase' and state = 'queued'`.execute(env().db.kysely);
    await env().app.jobs.drain();
    assert.equal(hubspot.objects.contacts.has(emilHs.id), false, 'HubSpot: GDPR delete, gone for good');
    view = (await admin.get(`/api/v1/dsr-requests/${done.id}`)).body;
    assert.deepEqual(view.recipients.map((r: Record<string, unknown>) => [r.label, r.state, r.permanent]).sort(), [
      ['Marketing HubSpot', 'done', true],
      ['Sales Salesforce', 'done', true],
    ]);
    const owed = await sql<{ n: number }>`select count(*)::int as n from sync_erasures where tenant_id = ${tenantId}`.execute(
      env().db.kysely,
    );
    assert.equal(owed.rows[0]!.n, 0);
  });

  const contactByEmail = async (email: string) => (await admin.get(`/api/v1/contacts?email=${email}`)).body.items[0] as { id: string };
  const runOwedNow = async () => {
    await sql`update jobs set run_at = now() where queue = 'sync.rights' and state = 'queued'`.execute(env().db.kysely);
    await env().app.jobs.drain();
  };

  it('carries a rectification to both CRMs once the request is completed; a CRM that is down is retried, listed for review and named on the request', async () => {
    const rita = await contactByEmail('rita@both.example');
    const created = await admin.post('/api/v1/dsr-requests', {
      type: 'rectification',
      channel: 'email',
      email: 'rita@both.example',
      identityStatus: 'verified',
      details: 'My last name is Rightname',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const requestId = created.body.id as string;
    assert.equal((await admin.patch(`/api/v1/contacts/${rita.id}`, { lastName: 'Rightname' })).status, 200);
    assert.equal((await admin.patch(`/api/v1/dsr-requests/${requestId}`, { status: 'in_progress' })).status, 200);
    salesforce.down = true;
    try {
      const completed = await admin.patch(`/api/v1/dsr-requests/${requestId}`, { status: 'completed' });
      assert.equal(completed.status, 200, JSON.stringify(completed.body));
      await env().app.jobs.drain();
    } finally {
      salesforce.down = false;
    }
    const ritaHs = [...hubspot.objects.contacts.values()].find((c) => c.properties.email === 'rita@both.example')!;
    assert.equal(ritaHs.properties.lastname, 'Rightname', 'HubSpot holds the corrected value');
    assert.equal(salesforce.live('Contact').find((c) => c.Email === 'rita@both.example')!.LastName, 'Wrongname');

    let view = (await admin.get(`/api/v1/dsr-requests/${requestId}`)).body;
    const evidence = view.evidence.map((e: { summary: string }) => e.summary).join('\n');
    assert.match(evidence, /Corrected on 1 record\(s\)\. The correction is owed to 2 record\(s\) in connected CRMs/);
    assert.match(evidence, /The rectification carried into Sales Salesforce \(salesforce\) failed: .*retried automatically/);
    assert.deepEqual(view.recipients.map((r: Record<string, unknown>) => [r.label, r.operation, r.state]).sort(), [
      ['Marketing HubSpot', 'rectification', 'done'],
      ['Sales Salesforce', 'rectification', 'owed'],
    ]);
    // The review item: on the compliance dashboard until Salesforce accepts it.
    const refusals = (await admin.get('/api/v1/compliance/summary')).body.connectedCrmRefusals as Array<Record<string, unknown>>;
    assert.deepEqual(
      refusals.map((r) => [r.label, r.operation, r.requestId, r.count]),
      [['Sales Salesforce', 'rectification', requestId, 1]],
    );

    await runOwedNow();
    assert.equal(salesforce.live('Contact').find((c) => c.Email === 'rita@both.example')!.LastName, 'Rightname');
    view = (await admin.get(`/api/v1/dsr-requests/${requestId}`)).body;
    assert.deepEqual(view.recipients.map((r: Record<string, unknown>) => [r.label, r.operation, r.object, r.state]).sort(), [
      ['Marketing HubSpot', 'rectification', 'contacts', 'done'],
      ['Sales Salesforce', 'rectification', 'Contact', 'done'],
    ]);
    assert.deepEqual((await admin.get('/api/v1/compliance/summary')).body.connectedCrmRefusals, []);

    // The next sync does not take the corrected copies for changes made there, nor bring the old name back.
    await admin.post(`/api/v1/integrations/${hubspotId}/sync`);
    await admin.post(`/api/v1/integrations/${salesforceId}/sync`);
    await env().app.jobs.drain();
    assert.equal((await admin.get(`/api/v1/contacts/${rita.id}`)).body.lastName, 'Rightname');

    // Art. 19, second sentence: asked, the person learns which recipients were told.
    await request('access', 'rita@both.example');
    const told = reportSentTo('rita@both.example').requests.find((r: { type: string }) => r.type === 'rectification');
    assert.deepEqual(told.recipientsInformed.map((r: Record<string, unknown>) => [r.recipient, r.operation, r.state]).sort(), [
      ['Marketing HubSpot', 'rectification', 'done'],
      ['Sales Salesforce', 'rectification', 'done'],
    ]);
  });

  it('carries an objection to direct marketing to both CRMs: unsubscribed from every HubSpot subscription type, opted out in Salesforce', async () => {
    hubspot.subscriptions.set('olga@both.example', new Set(['5001', '5002']));
    const done = await request('objection', 'olga@both.example');
    assert.match(
      done.evidence.find((e: { kind: string }) => e.kind === 'done').summary,
      /An unsubscription is owed to 2 record\(s\) in connected CRMs/,
    );
    await env().app.jobs.drain();
    assert.equal(hubspot.subscriptions.get('olga@both.example')!.size, 0, 'HubSpot: unsubscribed from both types');
    const olgaSf = salesforce.live('Contact').find((c) => c.Email === 'olga@both.example')!;
    assert.equal(olgaSf.HasOptedOutOfEmail, true);
    assert.equal(olgaSf.DoNotCall, true);
    const view = (await admin.get(`/api/v1/dsr-requests/${done.id}`)).body;
    assert.deepEqual(view.recipients.map((r: Record<string, unknown>) => [r.label, r.operation, r.state, r.note]).sort(), [
      ['Marketing HubSpot', 'objection', 'done', 'unsubscribed in HubSpot from 2 e-mail subscription type(s): Newsletter, Product updates'],
      ['Sales Salesforce', 'objection', 'done', 'HasOptedOutOfEmail and DoNotCall set on the Contact in Salesforce'],
    ]);
  });
});
