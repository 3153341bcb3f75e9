import assert from 'node:assert/strict';
import { it } from 'node:test';
import { activePurpose, balancingTest, liveForm, SOFT_OPT_IN, templateAndSegment } from '../support/consent-fixtures.ts';
import { INTEGRATION, openReview } from '../support/consent-audit-scenarios.ts';
import { addMember, Client, describeEachDatabase, signUp } from '../support/helpers.ts';

/** Plausible bodies, so that a 404 comes from the tenant boundary and not from validation. */
const BODIES: Record<string, unknown> = {
  'PATCH /api/v1/members/:id': { team: 'north' },
  'PATCH /api/v1/accounts/:id': { name: 'Hijacked' },
  'PATCH /api/v1/contacts/:id': { firstName: 'Hijacked' },
  'PATCH /api/v1/leads/:id': { firstName: 'Hijacked' },
  'PATCH /api/v1/opportunities/:id': { name: 'Hijacked' },
  'PATCH /api/v1/tasks/:id': { title: 'Hijacked' },
  'PATCH /api/v1/notes/:id': { body: 'Hijacked' },
  'PATCH /api/v1/custom-fields/:id': { label: 'Hijacked' },
  'PATCH /api/v1/purposes/:id': { name: 'Hijacked' },
  'POST /api/v1/purposes/:id/balancing-tests': balancingTest('00000000-0000-4000-8000-000000000000'),
  'PUT /api/v1/contacts/:id/soft-opt-in': SOFT_OPT_IN,
  'PUT /api/v1/leads/:id/soft-opt-in': SOFT_OPT_IN,
  'PATCH /api/v1/forms/:id': { name: 'Hijacked' },
  'PATCH /api/v1/segments/:id': { name: 'Hijacked' },
  'PATCH /api/v1/views/:id': { name: 'Hijacked', shared: false },
  'PATCH /api/v1/email-templates/:id': { name: 'Hijacked' },
  'POST /api/v1/contacts/:id/consents': { purposeId: '00000000-0000-4000-8000-000000000000', kind: 'withdrawn' },
  'POST /api/v1/leads/:id/consents': { purposeId: '00000000-0000-4000-8000-000000000000', kind: 'withdrawn' },
  'PUT /api/v1/contacts/:id/restriction': { reason: 'Hijacked' },
  'PUT /api/v1/leads/:id/restriction': { reason: 'Hijacked' },
  'PATCH /api/v1/dsr-requests/:id': { status: 'rejected', rejectionReason: 'Hijacked by another workspace' },
  'POST /api/v1/dsr-requests/:id/extend': { reason: 'Hijacked by another workspace' },
  'POST /api/v1/dsr-requests/:id/evidence': { kind: 'note', summary: 'Hijacked' },
  'PATCH /api/v1/retention-rules/:id': { enabled: false },
  'PATCH /api/v1/incidents/:id': { title: 'Hijacked' },
  'PATCH /api/v1/subprocessors/:id': { agreementRef: 'Hijacked' },
  'PATCH /api/v1/dpias/:id': { title: 'Hijacked' },
  'PATCH /api/v1/training-modules/:id': { title: 'Hijacked' },
  'POST /api/v1/training-assignments/:id/complete': { score: 100 },
  'POST /api/v1/incidents/:id/decision': { notificationRequired: false, reason: 'Hijacked by another workspace' },
  'PATCH /api/v1/integrations/:id': { label: 'Hijacked' },
  'POST /api/v1/sync-reviews/:id/resolve': { resolution: 'kept_separate' },
  'POST /api/v1/integrations/:id/push': { record: { type: 'account', id: '00000000-0000-4000-8000-000000000000' } },
  'POST /api/v1/incidents/:id/affected': { exportedBy: 'x', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
};

describeEachDatabase('cross-tenant isolation', (env) => {
  it("answers 404 on every endpoint given another workspace's ids, and changes none of its data", async () => {
    const a = await signUp(env());
    const b = await signUp(env());
    const bMember = await addMember(env(), b, 'salesperson');
    const bInvitation = (await b.post('/api/v1/invitations', { email: 'pending@example.org', role: 'salesperson' })).body;
    const bToken = (await b.post('/api/v1/api-tokens', { name: 'b-token', scopes: ['members.read'] })).body;
    const bSession = (await b.get('/api/v1/auth/sessions')).body.items[0].id;
    const bAccount = (await b.post('/api/v1/accounts', { name: 'B Co' })).body;
    const bContact = (await b.post('/api/v1/contacts', { firstName: 'Bea', emails: ['bea@b.example'] })).body;
    const bLead = (await b.post('/api/v1/leads', { firstName: 'Ben', companyName: 'B Lead Co' })).body;
    const bOpportunity = (await b.post('/api/v1/opportunities', { name: 'B deal', accountId: bAccount.id })).body;
    const bTask = (await b.post('/api/v1/tasks', { title: 'B task', record: { type: 'contact', id: bContact.id } })).body;
    const bNote = (await b.post('/api/v1/notes', { body: 'B note', record: { type: 'contact', id: bContact.id } })).body;
    const bField = (await b.post('/api/v1/custom-fields', { object: 'account', key: 'b_field', label: 'B', type: 'text' })).body;
    const bConsentPurpose = await activePurpose(b);
    const bForm = await liveForm(b, bConsentPurpose.id);
    const { templateId, segmentId } = await templateAndSegment(b);
    const bCampaign = (await b.post('/api/v1/campaigns', { name: 'B campaign', purposeId: bConsentPurpose.id, segmentId, templateId }))
      .body;
    const bRequest = (
      await b.post('/api/v1/dsr-requests', { type: 'erasure', channel: 'email', email: 'bea@b.example', identityStatus: 'verified' })
    ).body;
    const bRule = (await b.get('/api/v1/retention-rules')).body.items[0];
    const bHold = (await b.post('/api/v1/legal-holds', { recordType: 'contact', recordId: bContact.id, reason: 'Litigation' })).body;
    const bIncident = (await b.post('/api/v1/incidents', { title: 'B incident' })).body;
    const bProcessor = (await b.post('/api/v1/subprocessors', { name: 'B host', service: 'Hosting', country: 'DE', safeguard: 'eea' }))
      .body;
    const bDpia = (await b.post('/api/v1/dpias', { activityId: 'workspace-members', title: 'B DPIA', reviewOn: '2027-01-01' })).body;
    const bModule = (await b.post('/api/v1/training-modules', { title: 'B training', roles: ['administrator'] })).body;
    const bAssignment = (await b.get('/api/v1/training-assignments/mine')).body.items[0];
    const bIntegration = (await b.post('/api/v1/integrations', INTEGRATION)).body;
    const bReview = await openReview(env(), b);
    const bImport = (
      await b.request('POST', '/api/v1/imports/accounts?fileName=b.csv', 'Name\nB Imported\n', { 'content-type': 'text/csv' })
    ).body;
    const bView = (await b.post('/api/v1/views', { object: 'contact', name: 'B view', shared: true })).body;
    const bSource = (await b.post('/api/v1/notice-sources', { sourceType: 'import', sourceRef: 'b.csv', label: 'B list' })).body;
    const idsOfB: Record<string, string> = {
      view: bView.id,
      notice_source: bSource.id,
      integration: bIntegration.id,
      sync_review: bReview,
      training_module: bModule.id,
      training_assignment: bAssignment.id,
      dpia: bDpia.id,
      subprocessor: bProcessor.id,
      incident: bIncident.id,
      retention_rule: bRule.id,
      legal_hold: bHold.id,
      dsr_request: bRequest.id,
      purpose: bConsentPurpose.id,
      form: bForm.id,
      segment: segmentId,
      email_template: templateId,
      campaign: bCampaign.id,
      member: bMember.info.member.id,
      invitation: bInvitation.id,
      api_token: bToken.id,
      session: bSession,
      account: bAccount.id,
      contact: bContact.id,
      lead: bLead.id,
      opportunity: bOpportunity.id,
      task: bTask.id,
      note: bNote.id,
      custom_field: bField.id,
      import_run: bImport.importId,
    };

    const routesWithIds = env().server.catalogue.filter((route) => route.url.includes(':id'));
    assert.ok(routesWithIds.length >= 6);
    for (const route of routesWithIds) {
      assert.ok(route.resource && idsOfB[route.resource], `${route.method} ${route.url} must declare a resource this test knows`);
      const url = route.url.replace(':id', idsOfB[route.resource!]!);
      const key = `${route.method} ${route.url}`;
      const response = await a.request(
        route.method,
        url,
        route.method === 'GET' || route.method === 'DELETE' ? undefined : (BODIES[key] ?? {}),
      );
      assert.equal(response.status, 404, `${key} with B's id answered ${response.status} ${JSON.stringify(response.body)}`);
      assert.equal(response.body.error, 'not_found');
    }

    // B's objects are intact: the member, the invitation, the token and the session still work.
    assert.equal((await bMember.get('/api/v1/workspace')).status, 200);
    const member = await b.get(`/api/v1/members/${bMember.info.member.id}`);
    assert.equal(member.body.team, null);
    assert.equal(member.body.status, 'active');
    const invitations = await b.get('/api/v1/invitations');
    assert.equal(invitations.body.items.find((item: any) => item.id === bInvitation.id).status, 'pending');
    const integration = new Client(env().server);
    integration.bearer = bToken.token;
    assert.equal((await integration.get('/api/v1/members')).status, 200);
    assert.equal((await b.get('/api/v1/workspace')).status, 200);
    assert.equal((await b.get(`/api/v1/contacts/${bContact.id}`)).body.firstName, 'Bea');
    assert.equal((await b.get(`/api/v1/leads/${bLead.id}`)).body.status, 'new', 'the lead was not converted by A');
    assert.equal((await b.get(`/api/v1/notes/${bNote.id}`)).body.body, 'B note');
    assert.equal((await b.get(`/api/v1/tasks/${bTask.id}`)).body.title, 'B task');
    const views = (await b.get('/api/v1/views?object=contact')).body.items;
    assert.equal(views.find((view: { id: string }) => view.id === bView.id).name, 'B view', "A cannot rename or remove B's view");
    assert.deepEqual(
      (await b.get('/api/v1/notice-sources')).body.items.map((source: { id: string }) => source.id),
      [bSource.id],
      "A cannot remove B's notice source",
    );
    assert.equal((await b.get(`/api/v1/opportunities/${bOpportunity.id}`)).body.name, 'B deal');
    assert.equal((await b.get(`/api/v1/accounts/${bAccount.id}`)).body.name, 'B Co');
    assert.equal((await b.get('/api/v1/custom-fields')).body.items[0].label, 'B');
    assert.equal((await b.get(`/api/v1/campaigns/${bCampaign.id}`)).body.status, 'draft', 'the campaign was not sent by A');
    assert.equal((await b.get(`/api/v1/forms/${bForm.id}`)).body.name, bForm.name);
    assert.equal((await b.get(`/api/v1/contacts/${bContact.id}/consents`)).body.restricted, false);
    assert.equal((await b.get('/api/v1/retention-rules')).body.items.find((rule: any) => rule.id === bRule.id).enabled, true);
    assert.equal((await b.get('/api/v1/legal-holds')).body.items[0].releasedAt, null);
    assert.equal((await b.get(`/api/v1/incidents/${bIncident.id}`)).body.title, 'B incident');
    const crmConnection = (await b.get(`/api/v1/integrations/${bIntegration.id}`)).body;
    assert.equal(crmConnection.status, 'active', "A could not disconnect B's integration");
    assert.equal(crmConnection.label, 'HubSpot');
    assert.equal((await b.get('/api/v1/sync-reviews')).body.items.length, 1, "A could not resolve B's review");
    assert.equal((await b.get('/api/v1/subprocessors')).body.items[0].active, true);
    assert.equal((await b.get(`/api/v1/dpias/${bDpia.id}`)).body.title, 'B DPIA');
    assert.equal((await b.get('/api/v1/training-assignments/mine')).body.items[0].completedAt, null);
    assert.equal((await b.get(`/api/v1/dsr-requests/${bRequest.id}`)).body.status, 'received', "A could not execute or reject B's request");
    // B's records do not show up in A's lists or searches either.
    assert.deepEqual((await a.get('/api/v1/contacts?q=bea%40b.example')).body.items, []);
    assert.deepEqual((await a.get('/api/v1/accounts')).body.items, []);
    assert.deepEqual((await a.get('/api/v1/opportunities')).body.items, []);
    assert.deepEqual((await a.get('/api/v1/tasks')).body.items, []);

    // Lists show only A's own rows.
    const aMembers = await a.get('/api/v1/members');
    assert.deepEqual(
      aMembers.body.items.map((item: any) => item.id),
      [a.info.member.id],
    );
    assert.deepEqual((await a.get('/api/v1/invitations')).body.items, []);
    assert.deepEqual((await a.get('/api/v1/api-tokens')).body.items, []);
    const aAudit = await a.get('/api/v1/audit-events?limit=500');
    assert.ok(aAudit.body.items.every((event: any) => ![...Object.values(idsOfB), b.info.member.id].includes(event.objectId)));
  });

  it('does not let an API token of one workspace reach another', async () => {
    const a = await signUp(env());
    const b = await signUp(env());
    const token = (await a.post('/api/v1/api-tokens', { name: 'a', scopes: ['members.read'] })).body.token as string;
    // Re-addressing the token to B's workspace id fails: the secret is checked against B's rows.
    const [prefix, , rowId, secret] = token.split('.');
    const forged = new Client(env().server);
    forged.bearer = [prefix, b.info.workspace.id, rowId, secret].join('.');
    assert.equal((await forged.get('/api/v1/members')).status, 401);
  });
});
