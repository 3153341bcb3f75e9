import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { withTenant } from '../../src/db/tenant.ts';
import { FakeHubSpot } from '../support/fakes/hubspot.ts';
import { FakePipedrive } from '../support/fakes/pipedrive.ts';
import { FakeSalesforce } from '../support/fakes/salesforce.ts';
import { addMember, describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

/**
 * Issue 25, finding 5: connecting as a normal user does, by signing in at the vendor. OAuth 2
 * authorization code grant (RFC 6749 §4.1): the state must come back unchanged and is single use
 * (§10.12); PKCE with S256 where the vendor supports it (RFC 7636 §4.2: code_challenge =
 * BASE64URL(SHA256(code_verifier))); the code is redeemed once with the same redirect_uri (§4.1.3).
 */
describeEachDatabase('Connecting a CRM by signing in there (OAuth 2 with PKCE)', (env) => {
  const salesforce = new FakeSalesforce();
  const pipedrive = new FakePipedrive();
  const hubspot = new FakeHubSpot();
  let admin: Client;

  before(async () => {
    await Promise.all([salesforce.start(), pipedrive.start(), hubspot.start()]);
    for (let i = 0; i < 3; i++)
      salesforce.seed('Contact', { FirstName: `Olivia${i}`, LastName: 'Auth', Email: `olivia${i}@oauth.example` });
    pipedrive.seed('organizations', { name: 'Signed-in GmbH' });
    hubspot.seed('companies', { name: 'Consent Inc', domain: 'consent.example' });
    env().app.config.oauthApps = {
      salesforce: {
        clientId: salesforce.clientId,
        clientSecret: salesforce.clientSecret,
        authorizeUrl: `${salesforce.url}/services/oauth2/authorize`,
        tokenUrl: `${salesforce.url}/services/oauth2/token`,
      },
      pipedrive: {
        clientId: pipedrive.oauthClient.id,
        clientSecret: pipedrive.oauthClient.secret,
        authorizeUrl: `${pipedrive.url}/oauth/authorize`,
        tokenUrl: `${pipedrive.url}/oauth/token`,
      },
      hubspot: {
        clientId: hubspot.clientId,
        clientSecret: hubspot.clientSecret,
        authorizeUrl: `${hubspot.url}/oauth/authorize`,
        tokenUrl: `${hubspot.url}/oauth/v1/token`,
      },
    };
    admin = await signUp(env());
  });
  after(async () => {
    env().app.config.oauthApps = {};
    await Promise.all([salesforce.stop(), pipedrive.stop(), hubspot.stop()]);
  });

  const connect = async (
    kind: string,
    fake: { authorizations: { authorize(url: string): { redirect: string } } },
    label: string,
    objects: string[],
    extra: Record<string, unknown> = {},
  ) => {
    const started = await admin.post('/api/v1/integrations/oauth/start', { kind, label, objects, ...extra });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const consent = fake.authorizations.authorize(started.body.authorizeUrl);
    const back = await admin.get(consent.redirect);
    assert.equal(back.status, 303, JSON.stringify(back.body));
    const location = String(back.headers.location);
    const connected = /[?&]connected=([0-9a-f-]+)/.exec(location)?.[1];
    assert.ok(connected, `redirected to ${location}`);
    await env().app.jobs.drain();
    return { id: connected, started: started.body, consent, location };
  };

  it('lists the CRMs it can connect by sign-in and the scopes each asks for', async () => {
    const apps = await admin.get('/api/v1/integrations/oauth/apps');
    assert.equal(apps.status, 200);
    assert.ok(apps.body.redirectUri.endsWith('/api/v1/integrations/oauth/callback'));
    const salesforceApp = apps.body.items.find((item: any) => item.kind === 'salesforce');
    assert.deepEqual(salesforceApp, { kind: 'salesforce', configured: true, scopes: ['api', 'refresh_token'], pkce: true });
  });

  it('Salesforce: consent with PKCE S256, the code redeemed with the verifier, the org instance_url as base, the first sync run', async () => {
    const { id } = await connect('salesforce', salesforce, 'Salesforce (signed in)', ['Contact']);
    const request = salesforce.authorizations.requests.at(-1)!;
    assert.equal(request.get('code_challenge_method'), 'S256');
    assert.equal(request.get('scope'), 'api refresh_token');
    assert.equal(request.get('redirect_uri'), `${env().app.config.publicUrl}/api/v1/integrations/oauth/callback`);
    const integration = (await admin.get(`/api/v1/integrations/${id}`)).body;
    assert.equal(integration.credentialsKind, 'oauth2');
    assert.equal(integration.baseUrl, salesforce.url);
    assert.equal(integration.lastRun.state, 'succeeded', JSON.stringify(integration.lastRun));
    assert.equal(integration.lastRun.stats.Contact.created, 3);
  });

  it('Pipedrive: the code redeemed with HTTP Basic client authentication, api_domain as base', async () => {
    const { id } = await connect('pipedrive', pipedrive, 'Pipedrive (signed in)', ['organizations']);
    const integration = (await admin.get(`/api/v1/integrations/${id}`)).body;
    assert.equal(integration.baseUrl, pipedrive.url);
    assert.equal(integration.lastRun.stats.organizations.created, 1);
    assert.equal(pipedrive.authorizations.requests.at(-1)!.get('code_challenge'), null, 'Pipedrive has no PKCE');
  });

  it('HubSpot: the scopes the connector needs are asked for', async () => {
    // HubSpot's token names no API root: the public API, or the root given (here the fake).
    const { id } = await connect('hubspot', hubspot, 'HubSpot (signed in)', ['companies'], { baseUrl: hubspot.url });
    assert.match(hubspot.authorizations.requests.at(-1)!.get('scope')!, /crm\.objects\.contacts\.write/);
    assert.equal((await admin.get(`/api/v1/integrations/${id}`)).body.lastRun.stats.companies.created, 1);
  });

  it('refuses a replayed, forged or foreign state, and a refusal at the vendor, without connecting anything', async () => {
    const count = async () =>
      withTenant(
        env().db,
        admin.info.workspace.id,
        async (tx) => (await tx.selectFrom('integrations').select('id').where('tenant_id', '=', admin.info.workspace.id).execute()).length,
      );
    const before = await count();
    const started = await admin.post('/api/v1/integrations/oauth/start', { kind: 'salesforce', label: 'Replay' });
    const consent = salesforce.authorizations.authorize(started.body.authorizeUrl);
    // Another member of the workspace cannot finish someone else's sign-in.
    const colleague = await addMember(env(), admin, 'administrator');
    const foreign = await colleague.get(consent.redirect);
    assert.equal(foreign.status, 303);
    assert.match(String(foreign.headers.location), /oauthError=/);
    // The state was used up by that attempt: the rightful member must start again.
    const replay = await admin.get(consent.redirect);
    assert.match(String(replay.headers.location), /oauthError=/);
    const forged = await admin.get('/api/v1/integrations/oauth/callback?state=forged&code=x');
    assert.match(decodeURIComponent(String(forged.headers.location)), /unknown, was already used/);
    const again = await admin.post('/api/v1/integrations/oauth/start', { kind: 'salesforce', label: 'Denied' });
    const state = new URL(again.body.authorizeUrl).searchParams.get('state')!;
    const denied = await admin.get(
      `/api/v1/integrations/oauth/callback?state=${state}&error=access_denied&error_description=${encodeURIComponent('end-user denied authorization')}`,
    );
    assert.match(decodeURIComponent(String(denied.headers.location)), /refused the connection: end-user denied authorization/);
    assert.equal(await count(), before);
  });

  it('says which setting is missing when no OAuth app is configured', async () => {
    const saved = env().app.config.oauthApps;
    env().app.config.oauthApps = {};
    try {
      const refused = await admin.post('/api/v1/integrations/oauth/start', { kind: 'hubspot', label: 'No app' });
      assert.equal(refused.status, 422);
      assert.match(refused.body.message, /LAWFUL_OAUTH_HUBSPOT_CLIENT_ID/);
    } finally {
      env().app.config.oauthApps = saved;
    }
  });
});
