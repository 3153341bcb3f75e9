import assert from 'node:assert/strict';
import { signLink } from '../../src/consent/links.ts';
import {
  activePurpose,
  balancingTest,
  SOFT_OPT_IN,
  contactWith,
  giveConsent,
  linkIn,
  liveForm,
  publicPath,
  templateAndSegment,
  visitor,
} from './consent-fixtures.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { FakeHubSpot } from './fakes/hubspot.ts';
import { signUp, type Client, type Response, type TestEnv } from './helpers.ts';

type Count = (tenantId: string) => Promise<number>;
interface Scenario {
  action: string;
  run(env: TestEnv, count: Count): Promise<{ response: Response; tenantId: string; before: number }>;
}

/** A scenario run by an administrator of a fresh workspace: setup, then the one request measured. */
function adminScenario(action: string, act: (admin: Client, env: TestEnv) => Promise<() => Promise<Response>>): Scenario {
  return {
    action,
    async run(env, count) {
      const admin = await signUp(env);
      const tenantId = admin.info.workspace.id as string;
      const request = await act(admin, env);
      const before = await count(tenantId);
      return { response: await request(), tenantId, before };
    },
  };
}

async function contactWithConsent(admin: Client) {
  const purpose = await activePurpose(admin);
  const contactId = await contactWith(admin, `c${Math.random().toString(36).slice(2)}@example.org`);
  await giveConsent(admin, contactId, purpose.id);
  return { purpose, contactId };
}

async function draftCampaign(admin: Client) {
  const purpose = await activePurpose(admin);
  const { templateId, segmentId } = await templateAndSegment(admin);
  const campaign = (await admin.post('/api/v1/campaigns', { name: 'C', purposeId: purpose.id, segmentId, templateId })).body;
  return { purpose, templateId, segmentId, campaign };
}

async function loggedRequest(admin: Client, type: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await admin.post('/api/v1/dsr-requests', { type, channel: 'email', email: 'asker@example.org', ...extra });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.id;
}

/** A visitor signed in to the privacy portal of the admin's workspace, as the given address. */
export async function portalVisitor(env: TestEnv, admin: Client, email: string): Promise<Client> {
  const person = visitor(env);
  const slug = admin.info.workspace.slug;
  assert.equal((await person.post(`/privacy/${slug}/link`, { email })).status, 200);
  const mail = env.mailer.sent.filter((m) => m.to === email).at(-1)!;
  const opened = await person.post(linkIn(mail.text, `/privacy/${slug}/open/`));
  assert.equal(opened.status, 303);
  return person;
}

function portalScenario(action: string, path: string, body: Record<string, unknown>, setup?: (admin: Client) => Promise<void>): Scenario {
  return adminScenario(action, async (admin, env) => {
    await contactWith(admin, 'portal@example.org');
    await setup?.(admin);
    const person = await portalVisitor(env, admin, 'portal@example.org');
    return () => person.post(`/privacy/${admin.info.workspace.slug}${path}`, body);
  });
}

async function firstRule(admin: Client): Promise<string> {
  return (await admin.get('/api/v1/retention-rules')).body.items[0].id;
}

async function incident(admin: Client): Promise<string> {
  return (await admin.post('/api/v1/incidents', { title: 'Laptop stolen', nature: 'An unencrypted laptop was stolen' })).body.id;
}

const PROCESSOR = {
  name: 'Mailhost Inc.',
  service: 'Email delivery',
  dataCategories: ['email address'],
  country: 'US',
  safeguard: 'sccs',
  sccModule: 3,
  sccVersion: '2021/914',
  agreementRef: 'DPA-2026-01',
};

const DPIA = {
  activityId: 'workspace-members',
  title: 'Member accounts',
  reviewOn: '2027-11-01',
  risks: [{ risk: 'Account takeover', likelihood: 2, severity: 3 }],
};

const MODULE = {
  title: 'GDPR basics',
  content: 'https://training.example/gdpr',
  roles: ['administrator', 'salesperson'],
  refresherDays: 365,
};

export const CONSENT_SCENARIOS: Record<string, Scenario> = {
  'POST /api/v1/training-modules': adminScenario(
    'training_module.create',
    async (admin) => () => admin.post('/api/v1/training-modules', MODULE),
  ),
  'PATCH /api/v1/training-modules/:id': adminScenario('training_module.update', async (admin) => {
    const id = (await admin.post('/api/v1/training-modules', MODULE)).body.id;
    return () => admin.patch(`/api/v1/training-modules/${id}`, { title: 'GDPR essentials' });
  }),
  'POST /api/v1/training-assignments/:id/complete': adminScenario('training.complete', async (admin) => {
    await admin.post('/api/v1/training-modules', MODULE);
    const assignment = (await admin.get('/api/v1/training-assignments/mine')).body.items[0];
    return () => admin.post(`/api/v1/training-assignments/${assignment.id}/complete`, { score: 90 });
  }),
  'POST /api/v1/dpias': adminScenario('dpia.create', async (admin) => () => admin.post('/api/v1/dpias', DPIA)),
  'PATCH /api/v1/dpias/:id': adminScenario('dpia.update', async (admin) => {
    const id = (await admin.post('/api/v1/dpias', DPIA)).body.id;
    return () => admin.patch(`/api/v1/dpias/${id}`, { dpoOpinion: 'Acceptable with TOTP enforced' });
  }),
  'POST /api/v1/dpias/:id/sign-off': adminScenario('dpia.sign_off', async (admin) => {
    const id = (await admin.post('/api/v1/dpias', { ...DPIA, residualRisk: 'low' })).body.id;
    await admin.patch(`/api/v1/dpias/${id}`, { dpoOpinion: 'Acceptable' });
    return () => admin.post(`/api/v1/dpias/${id}/sign-off`);
  }),
  'POST /api/v1/register/versions': adminScenario('register.version', async (admin) => {
    await activePurpose(admin);
    return () => admin.post('/api/v1/register/versions');
  }),
  'POST /api/v1/subprocessors': adminScenario('subprocessor.create', async (admin) => () => admin.post('/api/v1/subprocessors', PROCESSOR)),
  'PATCH /api/v1/subprocessors/:id': adminScenario('subprocessor.update', async (admin) => {
    const id = (await admin.post('/api/v1/subprocessors', PROCESSOR)).body.id;
    return () => admin.patch(`/api/v1/subprocessors/${id}`, { agreementRef: 'DPA-2026-02' });
  }),
  'DELETE /api/v1/subprocessors/:id': adminScenario('subprocessor.remove', async (admin) => {
    const id = (await admin.post('/api/v1/subprocessors', PROCESSOR)).body.id;
    return () => admin.delete(`/api/v1/subprocessors/${id}`);
  }),
  'POST /api/v1/incidents': adminScenario(
    'incident.create',
    async (admin) => () => admin.post('/api/v1/incidents', { title: 'Misdirected email' }),
  ),
  'PATCH /api/v1/incidents/:id': adminScenario('incident.update', async (admin) => {
    const id = await incident(admin);
    return () => admin.patch(`/api/v1/incidents/${id}`, { measures: 'Remote wipe' });
  }),
  'POST /api/v1/incidents/:id/decision': adminScenario('incident.decide', async (admin) => {
    const id = await incident(admin);
    return () =>
      admin.post(`/api/v1/incidents/${id}/decision`, { notificationRequired: true, reason: 'Contact data of many people, likely risk' });
  }),
  'POST /api/v1/incidents/:id/affected': adminScenario('incident.affected', async (admin) => {
    const id = await incident(admin);
    return () =>
      admin.post(`/api/v1/incidents/${id}/affected`, {
        exportedBy: admin.info.member.id,
        from: '2026-01-01T00:00:00Z',
        to: new Date().toISOString(),
      });
  }),
  'PATCH /api/v1/detection-settings': adminScenario(
    'detection.settings',
    async (admin) => () => admin.patch('/api/v1/detection-settings', { timezone: 'Europe/Paris', workStartHour: 8 }),
  ),
  'POST /api/v1/retention-rules': adminScenario(
    'retention_rule.create',
    async (admin) => () =>
      admin.post('/api/v1/retention-rules', { name: 'Old leads', target: 'lead', afterDays: 365, action: 'anonymise' }),
  ),
  'PATCH /api/v1/retention-rules/:id': adminScenario('retention_rule.update', async (admin) => {
    const id = await firstRule(admin);
    return () => admin.patch(`/api/v1/retention-rules/${id}`, { enabled: false });
  }),
  'POST /api/v1/retention-rules/:id/run': adminScenario('retention_rule.run', async (admin) => {
    const id = await firstRule(admin);
    return () => admin.post(`/api/v1/retention-rules/${id}/run`);
  }),
  'POST /api/v1/legal-holds': adminScenario('legal_hold.place', async (admin) => {
    const id = await contactWith(admin, 'held@example.org');
    return () => admin.post('/api/v1/legal-holds', { recordType: 'contact', recordId: id, reason: 'Litigation' });
  }),
  'DELETE /api/v1/legal-holds/:id': adminScenario('legal_hold.release', async (admin) => {
    const recordId = await contactWith(admin, 'held@example.org');
    const hold = (await admin.post('/api/v1/legal-holds', { recordType: 'contact', recordId, reason: 'Litigation' })).body;
    return () => admin.delete(`/api/v1/legal-holds/${hold.id}`);
  }),
  'POST /privacy/:slug/link': adminScenario(
    'portal.link_requested',
    async (admin, env) => () => visitor(env).post(`/privacy/${admin.info.workspace.slug}/link`, { email: 'anyone@example.org' }),
  ),
  'POST /privacy/:slug/open/:token': adminScenario('portal.sign_in', async (admin, env) => {
    assert.equal((await visitor(env).post(`/privacy/${admin.info.workspace.slug}/link`, { email: 'opener@example.org' })).status, 200);
    const mail = env.mailer.sent.filter((m) => m.to === 'opener@example.org').at(-1)!;
    return () => visitor(env).post(linkIn(mail.text, '/open/'));
  }),
  'POST /privacy/:slug/sign-out': portalScenario('portal.sign_out', '/sign-out', {}),
  'POST /privacy/:slug/me/consents': portalScenario('consent.preferences', '/me/consents', {}, async (admin) => {
    const purpose = await activePurpose(admin);
    const id = (await admin.get('/api/v1/contacts?q=portal%40example.org')).body.items[0].id;
    await giveConsent(admin, id, purpose.id);
  }),
  'POST /privacy/:slug/me/rectify': portalScenario('dsr.create', '/me/rectify', { field: 'firstName', value: 'Corrected' }),
  'POST /privacy/:slug/me/erase': portalScenario('dsr.create', '/me/erase', {}),
  'POST /privacy/:slug/me/restrict': portalScenario('dsr.create', '/me/restrict', { reason: 'My data is wrong' }),
  'POST /privacy/:slug/me/object': portalScenario('dsr.create', '/me/object', {}),
  'POST /privacy/:slug/me/sale-sharing': portalScenario('dsr.create', '/me/sale-sharing', { optedOut: 'yes' }, async (admin) => {
    await admin.patch('/api/v1/workspace', { defaultJurisdiction: 'ccpa' });
  }),
  'POST /privacy/:slug/me/limit': portalScenario('dsr.create', '/me/limit', { details: 'Do not use my health data' }, async (admin) => {
    await admin.patch('/api/v1/workspace', { defaultJurisdiction: 'ccpa' });
  }),
  'POST /privacy/:slug/do-not-sell': adminScenario('dsr.create', async (admin, env) => {
    await contactWith(admin, 'seller@example.org');
    return () => visitor(env).post(`/privacy/${admin.info.workspace.slug}/do-not-sell`, { email: 'seller@example.org' });
  }),
  'POST /api/v1/dsr-requests': adminScenario(
    'dsr.create',
    async (admin) => () => admin.post('/api/v1/dsr-requests', { type: 'access', channel: 'phone', email: 'caller@example.org' }),
  ),
  'PATCH /api/v1/dsr-requests/:id': adminScenario('dsr.update', async (admin) => {
    const id = await loggedRequest(admin, 'rectification');
    return () => admin.patch(`/api/v1/dsr-requests/${id}`, { status: 'verifying', assigneeId: admin.info.member.id });
  }),
  'POST /api/v1/dsr-requests/:id/extend': adminScenario('dsr.extend', async (admin) => {
    const id = await loggedRequest(admin, 'access');
    return () => admin.post(`/api/v1/dsr-requests/${id}/extend`, { reason: 'Records spread over three legacy systems' });
  }),
  'POST /api/v1/dsr-requests/:id/evidence': adminScenario('dsr.evidence', async (admin) => {
    const id = await loggedRequest(admin, 'access');
    return () => admin.post(`/api/v1/dsr-requests/${id}/evidence`, { kind: 'note', summary: 'Called back to verify identity' });
  }),
  'POST /api/v1/dsr-requests/:id/execute': adminScenario('dsr.execute', async (admin) => {
    await contactWith(admin, 'asker@example.org');
    const id = await loggedRequest(admin, 'erasure', { identityStatus: 'verified', identityMethod: 'reply from the address' });
    return () => admin.post(`/api/v1/dsr-requests/${id}/execute`);
  }),
  'POST /api/v1/purposes': adminScenario(
    'purpose.create',
    async (admin) => () => admin.post('/api/v1/purposes', { key: 'news', name: 'News', legalBasis: 'consent' }),
  ),
  'PATCH /api/v1/purposes/:id': adminScenario('purpose.update', async (admin) => {
    const id = (await admin.post('/api/v1/purposes', { key: 'news', name: 'News', legalBasis: 'consent' })).body.id;
    return () => admin.patch(`/api/v1/purposes/${id}`, { status: 'active' });
  }),
  'POST /api/v1/purposes/:id/balancing-tests': adminScenario('purpose.assess', async (admin) => {
    const id = (await admin.post('/api/v1/purposes', { key: 'follow', name: 'Follow-up', legalBasis: 'legitimate_interest' })).body.id;
    return () => admin.post(`/api/v1/purposes/${id}/balancing-tests`, balancingTest(admin.info.member.id));
  }),
  'POST /api/v1/forms': adminScenario('form.create', async (admin) => {
    const purpose = await activePurpose(admin);
    return () =>
      admin.post('/api/v1/forms', {
        name: 'F',
        title: 'T',
        consents: [{ purposeId: purpose.id, text: 'Yes' }],
        policyVersion: '1',
        policyUrl: 'https://example.org/p',
      });
  }),
  'PATCH /api/v1/forms/:id': adminScenario('form.update', async (admin) => {
    const form = await liveForm(admin, (await activePurpose(admin)).id);
    return () => admin.patch(`/api/v1/forms/${form.id}`, { title: 'New title' });
  }),
  'PUT /api/v1/cookie-banner': adminScenario(
    'cookie_banner.update',
    async (admin) => () => admin.put('/api/v1/cookie-banner', { text: 'Cookies', policyUrl: 'https://example.org/p' }),
  ),
  'POST /api/v1/consent-events': adminScenario('consent.record_bulk', async (admin) => {
    const purpose = await activePurpose(admin);
    const personId = await contactWith(admin, 'bulk@example.org');
    return () =>
      admin.post('/api/v1/consent-events', {
        items: [{ personType: 'contact', personId, purposeId: purpose.id, kind: 'given', text: 'Yes' }],
      });
  }),
  'POST /api/v1/contacts/:id/consents': adminScenario('consent.record', async (admin) => {
    const purpose = await activePurpose(admin);
    const id = await contactWith(admin, 'rec@example.org');
    return () => admin.post(`/api/v1/contacts/${id}/consents`, { purposeId: purpose.id, kind: 'given', text: 'Yes', method: 'verbal' });
  }),
  'POST /api/v1/leads/:id/consents': adminScenario('consent.record', async (admin) => {
    const purpose = await activePurpose(admin);
    const id = (await admin.post('/api/v1/leads', { email: 'lead@example.org' })).body.id;
    return () => admin.post(`/api/v1/leads/${id}/consents`, { purposeId: purpose.id, kind: 'given', text: 'Yes', method: 'verbal' });
  }),
  'PUT /api/v1/contacts/:id/restriction': adminScenario('person.restrict', async (admin) => {
    const id = await contactWith(admin, 'r@example.org');
    return () => admin.put(`/api/v1/contacts/${id}/restriction`, { reason: 'Accuracy contested' });
  }),
  'DELETE /api/v1/contacts/:id/restriction': adminScenario('person.unrestrict', async (admin) => {
    const id = await contactWith(admin, 'r@example.org');
    await admin.put(`/api/v1/contacts/${id}/restriction`, { reason: 'Accuracy contested' });
    return () => admin.delete(`/api/v1/contacts/${id}/restriction`);
  }),
  'PUT /api/v1/leads/:id/restriction': adminScenario('person.restrict', async (admin) => {
    const id = (await admin.post('/api/v1/leads', { email: 'lr@example.org' })).body.id;
    return () => admin.put(`/api/v1/leads/${id}/restriction`, { reason: 'Accuracy contested' });
  }),
  'DELETE /api/v1/leads/:id/restriction': adminScenario('person.unrestrict', async (admin) => {
    const id = (await admin.post('/api/v1/leads', { email: 'lr@example.org' })).body.id;
    await admin.put(`/api/v1/leads/${id}/restriction`, { reason: 'Accuracy contested' });
    return () => admin.delete(`/api/v1/leads/${id}/restriction`);
  }),
  'PUT /api/v1/contacts/:id/soft-opt-in': adminScenario('consent.soft_opt_in_record', async (admin) => {
    const id = await contactWith(admin, 's@example.org');
    return () => admin.put(`/api/v1/contacts/${id}/soft-opt-in`, SOFT_OPT_IN);
  }),
  'DELETE /api/v1/contacts/:id/soft-opt-in': adminScenario('consent.soft_opt_in_remove', async (admin) => {
    const id = await contactWith(admin, 's@example.org');
    await admin.put(`/api/v1/contacts/${id}/soft-opt-in`, SOFT_OPT_IN);
    return () => admin.delete(`/api/v1/contacts/${id}/soft-opt-in`);
  }),
  'PUT /api/v1/leads/:id/soft-opt-in': adminScenario('consent.soft_opt_in_record', async (admin) => {
    const id = (await admin.post('/api/v1/leads', { email: 'ls@example.org' })).body.id;
    return () => admin.put(`/api/v1/leads/${id}/soft-opt-in`, SOFT_OPT_IN);
  }),
  'DELETE /api/v1/leads/:id/soft-opt-in': adminScenario('consent.soft_opt_in_remove', async (admin) => {
    const id = (await admin.post('/api/v1/leads', { email: 'ls@example.org' })).body.id;
    await admin.put(`/api/v1/leads/${id}/soft-opt-in`, SOFT_OPT_IN);
    return () => admin.delete(`/api/v1/leads/${id}/soft-opt-in`);
  }),
  'POST /api/v1/segments': adminScenario(
    'segment.create',
    async (admin) => () => admin.post('/api/v1/segments', { name: 'S', object: 'contact', filter: { country: 'DE' } }),
  ),
  'PATCH /api/v1/segments/:id': adminScenario('segment.update', async (admin) => {
    const { segmentId } = await templateAndSegment(admin);
    return () => admin.patch(`/api/v1/segments/${segmentId}`, { filter: { country: 'FR' } });
  }),
  'POST /api/v1/email-templates': adminScenario(
    'email_template.create',
    async (admin) => () => admin.post('/api/v1/email-templates', { name: 'T', subject: 'S', body: 'B' }),
  ),
  'PATCH /api/v1/email-templates/:id': adminScenario('email_template.update', async (admin) => {
    const { templateId } = await templateAndSegment(admin);
    return () => admin.patch(`/api/v1/email-templates/${templateId}`, { subject: 'Changed' });
  }),
  'POST /api/v1/campaigns': adminScenario('campaign.create', async (admin) => {
    const purpose = await activePurpose(admin);
    const { templateId, segmentId } = await templateAndSegment(admin);
    return () => admin.post('/api/v1/campaigns', { name: 'C', purposeId: purpose.id, segmentId, templateId });
  }),
  'POST /api/v1/repermission-campaigns': adminScenario('campaign.create', async (admin) => {
    const purpose = await activePurpose(admin);
    const { templateId } = await templateAndSegment(admin);
    return () =>
      admin.post('/api/v1/repermission-campaigns', {
        name: 'R',
        purposeId: purpose.id,
        templateId,
        inactiveMonths: 12,
        confirmWithinDays: 14,
      });
  }),
  'POST /api/v1/campaigns/:id/send': adminScenario('campaign.send', async (admin) => {
    const { campaign } = await draftCampaign(admin);
    return () => admin.post(`/api/v1/campaigns/${campaign.id}/send`);
  }),
  'POST /api/v1/campaigns/:id/stop': adminScenario('campaign.stop', async (admin) => {
    const { campaign } = await draftCampaign(admin);
    await contactWithConsent(admin);
    assert.equal((await admin.post(`/api/v1/campaigns/${campaign.id}/send`)).status, 202);
    return () => admin.post(`/api/v1/campaigns/${campaign.id}/stop`);
  }),
  'POST /api/v1/suppressions': adminScenario(
    'suppression.add',
    async (admin) => () => admin.post('/api/v1/suppressions', { email: 'no@example.org' }),
  ),
  'POST /api/v1/email-events': adminScenario(
    'email.bounce',
    async (admin) => () => admin.post('/api/v1/email-events', { email: 'gone@example.org', type: 'bounce' }),
  ),
  'POST /f/:publicId': adminScenario('form.submit', async (admin, env) => {
    const form = await liveForm(admin, (await activePurpose(admin)).id);
    return () => visitor(env).post(publicPath(form), { fields: { email: 'sub@example.org' }, consents: [form.consents[0].purposeId] });
  }),
  'POST /f/confirm/:token': adminScenario('consent.confirm', async (admin, env) => {
    const form = await liveForm(admin, (await activePurpose(admin)).id);
    const submitted = await visitor(env).post(publicPath(form), {
      fields: { email: 'confirm@example.org' },
      consents: [form.consents[0].purposeId],
    });
    assert.equal(submitted.status, 202);
    const mail = env.mailer.sent.filter((m) => m.to === 'confirm@example.org').at(-1)!;
    return () => visitor(env).post(linkIn(mail.text, '/f/confirm/'));
  }),
  'POST /f/cookie-consent': adminScenario('consent.cookie_choice', async (admin, env) => {
    const cookies = await activePurpose(admin, {
      key: 'analytics',
      name: 'Analytics cookies',
      directMarketing: false,
      cookieCategory: 'analytics',
    });
    const personId = await contactWith(admin, 'cookie@example.org');
    const token = signLink(env.app.keys, 'visitor', [admin.info.workspace.id, 'contact', personId]);
    assert.ok(cookies.id);
    return () =>
      visitor(env).post('/f/cookie-consent', { workspace: admin.info.workspace.slug, choices: { analytics: true }, visitor: token });
  }),
  'POST /u/:token': adminScenario('email.unsubscribe', async (admin, env) => {
    const { purpose, contactId } = await contactWithConsent(admin);
    const token = signLink(env.app.keys, 'unsubscribe', [admin.info.workspace.id, 'contact', contactId, purpose.id]);
    return () =>
      visitor(env).request('POST', `/u/${token}`, 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' });
  }),
  'POST /p/:token': adminScenario('consent.preferences', async (admin, env) => {
    const { purpose, contactId } = await contactWithConsent(admin);
    const token = signLink(env.app.keys, 'preferences', [admin.info.workspace.id, 'contact', contactId], new Date(Date.now() + 3_600_000));
    assert.ok(purpose.id);
    return () => visitor(env).request('POST', `/p/${token}`, '', { 'content-type': 'application/x-www-form-urlencoded' });
  }),
  'POST /r/:token': adminScenario('consent.reconfirm', async (admin, env) => {
    const { purpose, contactId } = await contactWithConsent(admin);
    const { templateId } = await templateAndSegment(admin);
    const campaign = (
      await admin.post('/api/v1/repermission-campaigns', {
        name: 'R',
        purposeId: purpose.id,
        templateId,
        inactiveMonths: 12,
        confirmWithinDays: 14,
      })
    ).body;
    const token = signLink(
      env.app.keys,
      'repermission',
      [admin.info.workspace.id, campaign.id, 'contact', contactId],
      new Date(Date.now() + 86_400_000),
    );
    return () => visitor(env).post(`/r/${token}`);
  }),
  'POST /api/v1/integrations': adminScenario('integration.create', async (admin) => () => admin.post('/api/v1/integrations', INTEGRATION)),
  'POST /api/v1/integrations/oauth/start': adminScenario('integration.oauth_start', async (admin, env) => {
    env.app.config.oauthApps.hubspot ??= { clientId: 'audit-client', clientSecret: 'audit-secret' };
    return () => admin.post('/api/v1/integrations/oauth/start', { kind: 'hubspot', label: 'HubSpot' });
  }),
  'PATCH /api/v1/integrations/:id': adminScenario('integration.update', async (admin) => {
    const id = (await admin.post('/api/v1/integrations', INTEGRATION)).body.id;
    return () => admin.patch(`/api/v1/integrations/${id}`, { syncEveryHours: 12 });
  }),
  'DELETE /api/v1/integrations/:id': adminScenario('integration.disconnect', async (admin) => {
    const id = (await admin.post('/api/v1/integrations', INTEGRATION)).body.id;
    return () => admin.delete(`/api/v1/integrations/${id}`);
  }),
  'POST /api/v1/integrations/:id/sync': adminScenario('integration.sync', async (admin, env) => {
    const id = (await admin.post('/api/v1/integrations', INTEGRATION)).body.id;
    await finishRuns(env, admin);
    return () => admin.post(`/api/v1/integrations/${id}/sync`);
  }),
  'POST /api/v1/integrations/:id/push': adminScenario('integration.push_create', async (admin, env) => {
    const fake = new FakeHubSpot();
    await fake.start();
    const tokens = fake.issueTokens();
    const id = (
      await admin.post('/api/v1/integrations', {
        ...INTEGRATION,
        baseUrl: fake.url,
        credentials: { kind: 'api_key', token: tokens.accessToken },
      })
    ).body.id;
    await finishRuns(env, admin);
    const account = (await admin.post('/api/v1/accounts', { name: 'Pushed GmbH', domain: 'pushed.example' })).body.id;
    return async () => {
      const response = await admin.post(`/api/v1/integrations/${id}/push`, { record: { type: 'account', id: account } });
      await fake.stop();
      return response;
    };
  }),
  'POST /api/v1/sync-reviews/:id/resolve': adminScenario('sync_review.keep_separate', async (admin, env) => {
    const id = await openReview(env, admin);
    return () => admin.post(`/api/v1/sync-reviews/${id}/resolve`, { resolution: 'kept_separate' });
  }),
};

/** A connection to a CRM that is never reached: the audit scenarios run no jobs. */
export const INTEGRATION = {
  kind: 'hubspot',
  label: 'HubSpot',
  baseUrl: 'http://127.0.0.1:9',
  credentials: { kind: 'api_key', token: 'pat-eu1-0000-0000' },
};

/** Ends the queued initial run, as if it had been carried out. */
export async function finishRuns(env: TestEnv, admin: Client): Promise<void> {
  const tenantId = admin.info.workspace.id as string;
  await withTenant(env.db, tenantId, (tx) =>
    tx.updateTable('sync_runs').set({ state: 'succeeded', finished_at: new Date() }).where('tenant_id', '=', tenantId).execute(),
  );
}

/** An external company stored apart from two look-alike accounts, awaiting a decision (as a sync leaves it). */
export async function openReview(env: TestEnv, admin: Client): Promise<string> {
  const tenantId = admin.info.workspace.id as string;
  const integrationId = (await admin.post('/api/v1/integrations', INTEGRATION)).body.id;
  const copy = (await admin.post('/api/v1/accounts', { name: 'Zwilling Partner' })).body.id;
  const candidates = [
    (await admin.post('/api/v1/accounts', { name: 'Zwilling Partner GmbH' })).body.id,
    (await admin.post('/api/v1/accounts', { name: 'Zwilling Partner AG' })).body.id,
  ];
  return withTenant(env.db, tenantId, async (tx) => {
    await tx
      .insertInto('sync_links')
      .values({
        tenant_id: tenantId,
        integration_id: integrationId,
        object: 'companies',
        external_id: '4711',
        record_type: 'account',
        record_id: copy,
        origin: 'created',
        content_hash: 'h',
      })
      .execute();
    const review = await tx
      .insertInto('sync_match_reviews')
      .values({
        tenant_id: tenantId,
        integration_id: integrationId,
        object: 'companies',
        external_id: '4711',
        record_type: 'account',
        record_id: copy,
        candidate_ids: candidates,
        rule: 'name',
        explanation: '2 accounts named "zwilling partner" once normalised',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return review.id;
  });
}
