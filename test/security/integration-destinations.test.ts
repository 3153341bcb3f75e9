import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { isInternalAddress } from '../../src/sync/destinations.ts';
import { describeEachDatabase, signUp, type TestEnv } from '../support/helpers.ts';

const apiKey = { kind: 'api_key', token: 'stored-secret-token' };

/** Runs body with the installation's integration settings as a default install has them. */
async function withDefaultInstallation(env: TestEnv, body: () => Promise<void>) {
  const config = env.app.config;
  const saved = { hosts: config.integrationHosts, internal: config.integrationAllowInternal };
  config.integrationHosts = [];
  config.integrationAllowInternal = false;
  try {
    await body();
  } finally {
    config.integrationHosts = saved.hosts;
    config.integrationAllowInternal = saved.internal;
  }
}

describeEachDatabase('integration destinations', (env) => {
  /** Issue 23, finding 2: workspace C connected to A's drop folder, read A's rows and wrote rows A imported. */
  it('gives every workspace its own CSV drop subtree, and lets the installation map a folder to one workspace', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-drop-isolation-'));
    const saved = { dir: env().app.config.syncDropDir, mounts: env().app.config.syncDropMounts };
    try {
      env().app.config.syncDropDir = root;
      const a = await signUp(env());
      const c = await signUp(env());
      const aFolder = path.join(root, a.info.workspace.id, 'shared');
      fs.mkdirSync(aFolder, { recursive: true });
      fs.writeFileSync(path.join(aFolder, 'contacts.csv'), 'id,first_name,last_name,email\nc1,Ann,Secret,ann@a.example\n');

      for (const baseUrl of ['shared/../../' + a.info.workspace.id + '/shared', `../${a.info.workspace.id}/shared`, aFolder]) {
        const refused = await c.post('/api/v1/integrations', { kind: 'csv', label: 'Steal', baseUrl });
        assert.equal(refused.status, 422, baseUrl);
        assert.equal(refused.body.details.field, 'baseUrl');
      }
      // The same folder name in C's own subtree is C's, and empty: nothing of A's comes across.
      const own = await c.post('/api/v1/integrations', { kind: 'csv', label: 'Own', baseUrl: 'shared', objects: ['contacts'] });
      assert.equal(own.status, 201, JSON.stringify(own.body));
      await env().app.jobs.drain();
      const run = (await c.get(`/api/v1/integrations/${own.body.id}`)).body.lastRun;
      assert.equal(run.state, 'succeeded', JSON.stringify(run));
      assert.equal(run.stats.contacts?.created ?? 0, 0);
      assert.equal((await c.get('/api/v1/contacts')).body.items.length, 0);

      // An installation administrator maps an outside folder to C alone.
      const mounted = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-drop-mount-'));
      fs.mkdirSync(path.join(mounted, 'erp'));
      fs.writeFileSync(path.join(mounted, 'erp', 'contacts.csv'), 'id,first_name,last_name,email\nm1,Mia,Mounted,mia@c.example\n');
      env().app.config.syncDropMounts = { [c.info.workspace.id]: mounted };
      const fromMount = await c.post('/api/v1/integrations', { kind: 'csv', label: 'Mounted', baseUrl: 'erp', objects: ['contacts'] });
      assert.equal(fromMount.status, 201, JSON.stringify(fromMount.body));
      await env().app.jobs.drain();
      assert.equal((await c.get(`/api/v1/integrations/${fromMount.body.id}`)).body.lastRun.stats.contacts.created, 1);
      assert.equal((await a.post('/api/v1/integrations', { kind: 'csv', label: 'Not mine', baseUrl: mounted })).status, 422);
      fs.rmSync(mounted, { recursive: true, force: true });
    } finally {
      env().app.config.syncDropDir = saved.dir;
      env().app.config.syncDropMounts = saved.mounts;
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  /** Issue 23, finding 7: any baseUrl was accepted, and a loopback listener received the stored token. */
  it("sends tokens only to the vendor's hosts unless the installation allows another, and never inside by default", async () => {
    const admin = await signUp(env());
    await withDefaultInstallation(env(), async () => {
      const refused: Array<[string, Record<string, unknown>]> = [
        ['hubspot', { baseUrl: 'http://127.0.0.1:9/' }],
        ['hubspot', { baseUrl: 'https://api.hubapi.com.attacker.example' }],
        ['hubspot', { baseUrl: 'http://api.hubapi.com' }],
        ['salesforce', { baseUrl: 'https://169.254.169.254/latest/meta-data' }],
        ['pipedrive', { baseUrl: 'https://[::1]:8080' }],
        ['pipedrive', { baseUrl: 'https://user:pw@acme.pipedrive.com' }],
        [
          'salesforce',
          {
            baseUrl: 'https://acme.my.salesforce.com',
            credentials: {
              kind: 'oauth2',
              accessToken: 'access-token-1',
              refreshToken: 'refresh-token-1',
              tokenUrl: 'http://10.0.0.5/token',
              clientId: 'c',
              clientSecret: 's',
            },
          },
        ],
      ];
      for (const [kind, extra] of refused) {
        const response = await admin.post('/api/v1/integrations', { kind, label: `${kind} refused`, credentials: apiKey, ...extra });
        assert.equal(response.status, 422, `${kind} ${JSON.stringify(extra)}: ${JSON.stringify(response.body)}`);
        assert.match(response.body.details.field, /baseUrl|credentials\.tokenUrl/);
      }
      for (const [kind, baseUrl] of [
        ['pipedrive', 'https://acme.pipedrive.com/api'],
        ['salesforce', 'https://acme.my.salesforce.com'],
        ['hubspot', undefined],
      ] as const) {
        const accepted = await admin.post('/api/v1/integrations', {
          kind,
          label: `${kind} vendor`,
          credentials: apiKey,
          ...(baseUrl ? { baseUrl } : {}),
        });
        assert.equal(accepted.status, 201, `${kind}: ${JSON.stringify(accepted.body)}`);
      }

      // Listing a host is the installation's decision; an internal address needs a second, explicit one.
      env().app.config.integrationHosts = ['127.0.0.1'];
      assert.equal(
        (await admin.post('/api/v1/integrations', { kind: 'hubspot', label: 'proxy', baseUrl: 'http://127.0.0.1:9', credentials: apiKey }))
          .status,
        422,
      );
      env().app.config.integrationAllowInternal = true;
      assert.equal(
        (await admin.post('/api/v1/integrations', { kind: 'hubspot', label: 'proxy', baseUrl: 'http://127.0.0.1:9', credentials: apiKey }))
          .status,
        201,
      );
    });
  });

  it('classifies internal addresses, IPv4-mapped IPv6 included', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.31.255.1',
      '192.168.0.10',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
    ]) {
      assert.equal(isInternalAddress(address), true, address);
    }
    for (const address of ['104.16.0.1', '172.32.0.1', '2606:4700::1', '::ffff:8.8.8.8'])
      assert.equal(isInternalAddress(address), false, address);
  });
});
