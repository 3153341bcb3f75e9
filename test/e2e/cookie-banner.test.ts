import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSkip, startBrowser } from '../support/browser.ts';
import { activePurpose } from '../support/consent-fixtures.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

const skip = browserSkip;

/**
 * A workspace's own landing page, on another origin than the CRM, with an analytics script held
 * back the documented way (`type="text/plain" data-lawful-category`). ePrivacy Directive Art.
 * 5(3): storing or reading information on the visitor's device needs their prior consent, so the
 * script must not run before "Accept"; Cal. Code Regs. tit. 11, 7025: a Global Privacy Control
 * signal is an opt-out of sale and sharing, which a stored "Accept all" does not outweigh.
 */
function landingPage(base: string, slug: string): string {
  return `<!doctype html><html><head><title>Acme</title>
<script>window.consentEvents = []; addEventListener('lawful:cookie-consent', function (e) { window.consentEvents.push(e.detail); });</script>
</head><body><h1>Acme widgets</h1>
<script type="text/plain" data-lawful-category="analytics">window.analyticsRuns = (window.analyticsRuns || 0) + 1;</script>
<footer><a href="#" data-lawful-cookie-settings>Cookie preferences</a></footer>
<script src="${base}/f/cookie-banner.js?workspace=${slug}"></script>
</body></html>`;
}

describeEachDatabase('cookie banner on a landing page in a real browser', (env) => {
  let browser: Browser;
  let base: string;
  let landing: http.Server;
  let landingUrl: string;
  let admin: Client;

  before(async () => {
    if (skip) return;
    ({ browser, base } = await startBrowser(env()));
    // The links the banner script carries point at the installation's public URL: here, the test server.
    (env().app.config as { publicUrl: string }).publicUrl = base;
    admin = await signUp(env());
    const slug = admin.info.workspace.slug;
    landing = http.createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end(landingPage(base, slug)),
    );
    await new Promise<void>((resolve) => landing.listen(0, '127.0.0.1', resolve));
    landingUrl = `http://127.0.0.1:${(landing.address() as AddressInfo).port}/`;
    // An analytics vendor that shares visitors' data with advertisers: "sells or shares" under the CCPA.
    await activePurpose(admin, { name: 'Site analytics', directMarketing: false, sellsOrShares: true, cookieCategory: 'analytics' });
    const banner = await admin.put('/api/v1/cookie-banner', {
      text: 'We use cookies.',
      policyUrl: 'https://acme.example/privacy',
      allowedOrigins: [new URL(landingUrl).origin],
    });
    assert.equal(banner.status, 200, JSON.stringify(banner.body));
  });
  after(async () => {
    await browser?.close();
    landing?.close();
  });

  async function visit(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(landingUrl);
    await page.waitForFunction(() => (window as unknown as { consentEvents: unknown[] }).consentEvents.length > 0);
    return page;
  }
  const analyticsRuns = (page: Page) => page.evaluate(() => (window as unknown as { analyticsRuns?: number }).analyticsRuns ?? 0);
  const events = (page: Page) =>
    page.evaluate(
      () =>
        (window as unknown as { consentEvents: Array<{ choices: Record<string, boolean> | null; gpc: boolean; initial: boolean }> })
          .consentEvents,
    );

  it(
    'holds the analytics script until the visitor accepts, runs it on later visits, and stops it once the browser sends GPC',
    { skip },
    async () => {
      const context = await browser.newContext();
      const first = await visit(context);
      const dialog = first.getByRole('dialog', { name: 'Cookie choices' });
      await dialog.waitFor();
      assert.equal(await analyticsRuns(first), 0, 'nothing runs before a choice');
      assert.deepEqual(await events(first), [{ choices: null, gpc: false, initial: true }]);
      assert.equal(await dialog.getByRole('checkbox', { name: 'Site analytics' }).isChecked(), false, 'nothing pre-ticked');

      const recorded = first.waitForResponse(
        (response) => response.url().includes('/f/cookie-consent') && response.request().method() === 'POST',
      );
      await dialog.getByRole('button', { name: 'Accept all' }).click();
      assert.equal((await recorded).status(), 200, 'the CRM took the choice from the allowed origin, with CORS');
      await first.waitForFunction(() => (window as unknown as { analyticsRuns?: number }).analyticsRuns === 1);
      assert.deepEqual((await events(first)).at(-1), { choices: { analytics: true }, gpc: false, initial: false });

      // A later visit: the stored choice activates the script at once, and the settings stay reachable.
      const second = await visit(context);
      assert.equal(await analyticsRuns(second), 1);
      assert.deepEqual(await events(second), [{ choices: { analytics: true }, gpc: false, initial: true }]);
      await second.getByRole('button', { name: 'Cookie settings' }).click();
      await second.getByRole('dialog', { name: 'Cookie choices' }).getByRole('checkbox', { name: 'Site analytics' }).waitFor();
      assert.equal(
        await second.getByRole('dialog', { name: 'Cookie choices' }).getByRole('checkbox', { name: 'Site analytics' }).isChecked(),
        true,
      );

      // The same browser now sends Global Privacy Control: the selling category is off, whatever was accepted.
      // As a string: a function would be sent as the test runner compiled it, with helpers the page lacks.
      await context.addInitScript({
        content:
          "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: function () { return true; }, configurable: true });",
      });
      const optOut = context.waitForEvent(
        'request',
        (request) => request.url().includes('/f/cookie-consent') && request.method() === 'POST',
      );
      const third = await visit(context);
      assert.equal(await analyticsRuns(third), 0, 'not activated under GPC');
      assert.deepEqual(await events(third), [{ choices: { analytics: false }, gpc: true, initial: true }]);
      assert.deepEqual(JSON.parse((await optOut).postData()!), {
        workspace: admin.info.workspace.slug,
        choices: { analytics: false },
        globalPrivacyControl: true,
      });
      await third.getByRole('button', { name: 'Cookie settings' }).click();
      const box = third.getByRole('dialog', { name: 'Cookie choices' }).getByRole('checkbox', { name: 'Site analytics' });
      assert.deepEqual([await box.isChecked(), await box.isDisabled()], [false, true], 'it cannot be ticked back while GPC is on');
      await context.close();
    },
  );

  it('keeps other sites from sending choices for the workspace', { skip }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/f/cookie-banner.js?workspace=${admin.info.workspace.slug}`);
    // From an origin the workspace did not list, the browser's preflight is refused: no request lands.
    const stranger = http.createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>x</title>'),
    );
    await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
    try {
      await page.goto(`http://127.0.0.1:${(stranger.address() as AddressInfo).port}/`);
      const outcome = await page.evaluate(async (endpoint) => {
        try {
          const response = await fetch(endpoint, {
            method: 'POST',
            credentials: 'include',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ workspace: endpoint.split('=')[1], choices: { analytics: true } }),
          });
          return `status ${response.status}`;
        } catch {
          return 'blocked';
        }
      }, `${base}/f/cookie-consent?workspace=${admin.info.workspace.slug}`);
      assert.equal(outcome, 'blocked');
    } finally {
      stranger.close();
      await context.close();
    }
  });
});
