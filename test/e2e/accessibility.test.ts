import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ROUTE_TABLE, type RouteEntry } from '../../web/src/routeTable.ts';
import { browserSkip, signIn, startBrowser } from '../support/browser.ts';
import { describeEachDatabase, signUp, TEST_PASSWORD, type Client } from '../support/helpers.ts';

const skip = browserSkip;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface Violation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core's rules (WCAG 2.1 A and AA, and its best practices) on the page as it is now. */
async function violations(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run(document)).violations;
  });
}

describeEachDatabase('accessibility of every route in the route table', (env) => {
  let browser: Browser;
  let base: string;
  let admin: Client;

  before(async () => {
    if (skip) return;
    ({ browser, base } = await startBrowser(env()));
    admin = await signUp(env());
    await admin.post('/api/v1/contacts', { firstName: 'Keeley', lastName: 'Schultz', emails: ['keeley@example.org'] });
  });
  after(async () => {
    await browser?.close();
  });

  it('has no critical, serious or moderate axe-core violation on any page an Administrator can open', { skip }, async () => {
    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${base}/`);
    const login = await violations(page);
    await page.getByLabel('Email').fill(admin.info.user.email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Contacts' }).waitFor();
    const contact = (await admin.get('/api/v1/contacts')).body.items[0].id as string;
    const visits = [
      { title: 'Sign in', path: '' },
      ...(ROUTE_TABLE as readonly RouteEntry[]).map((route) => ({ title: route.title, path: route.example ?? route.path })),
      { title: 'Contact page', path: `contacts/${contact}` },
    ];
    const screens = path.join(os.tmpdir(), 'lawful-screens', env().backend);
    fs.mkdirSync(screens, { recursive: true });
    const found: string[] = [];
    const counts = { critical: 0, serious: 0, moderate: 0, minor: 0 };
    for (const visit of visits) {
      let list = login;
      if (visit.path) {
        await page.goto(`${base}/#/${visit.path}`);
        await page.locator('main h1').first().waitFor();
        // Let the page's reads settle: axe must see the page as it is used, not its loading state.
        await page.waitForLoadState('networkidle');
        list = await violations(page);
        // Every screen as axe saw it, for the closing note and for review: $TMPDIR/lawful-screens/<backend>/<path>.png
        await page.screenshot({ path: path.join(screens, `${visit.path.replaceAll('/', '_')}.png`), fullPage: true });
      }
      for (const violation of list) {
        counts[violation.impact ?? 'minor'] += 1;
        if (violation.impact !== 'minor')
          found.push(
            `${visit.title}: ${violation.impact} ${violation.id} (${violation.help}) at ${violation.nodes.map((n) => n.target.join(' ')).join(', ')}`,
          );
      }
    }
    console.log(`axe-core over ${visits.length} pages: ${JSON.stringify(counts)}`);
    assert.deepEqual(found, []);
  });

  it(
    'works on a 390 px phone: the navigation folds behind a button, the contacts list and a contact page fit, every action is reachable',
    { skip },
    async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(`${base}/`);
      await page.getByLabel('Email').fill(admin.info.user.email);
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Contacts' }).waitFor();
      const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok((await pageWidth()) <= 390, `the page does not scroll sideways (${await pageWidth()} px)`);
      assert.equal(await page.getByRole('link', { name: 'Leads' }).isVisible(), false, 'the navigation is folded');
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('link', { name: 'Leads' }).click();
      await page.getByRole('heading', { name: 'Leads' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Contacts' }).isVisible(), false, 'following a link folds the navigation again');
      await page.goto(`${base}/#/contacts`);
      await page.getByRole('link', { name: 'Keeley Schultz' }).click();
      await page.getByRole('heading', { name: 'Keeley Schultz' }).waitFor();
      await page.waitForLoadState('networkidle');
      assert.ok((await pageWidth()) <= 390, `the contact page does not scroll sideways (${await pageWidth()} px)`);
      const controls = page.locator('main button:visible, main a:visible, main input:visible, main select:visible');
      const count = await controls.count();
      assert.ok(count > 5);
      for (let i = 0; i < count; i++) {
        const control = controls.nth(i);
        await control.scrollIntoViewIfNeeded();
        const box = await control.boundingBox();
        assert.ok(
          box && box.x >= 0 && box.x + box.width <= 391,
          `${await control.evaluate((e) => e.outerHTML.slice(0, 80))} is within the screen`,
        );
      }
      await context.close();
    },
  );

  it("keeps the account picker of a deal's form clear of the fields around it, on a desktop and on a phone", { skip }, async () => {
    await admin.post('/api/v1/accounts', { name: 'A very long account name Limited of Somewhere Far Away' });
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await signIn(page, base, admin.info.user.email);
      await page.getByRole('heading', { name: 'Contacts' }).waitFor();
      // On a deal the account is the second field, with the stage beside it.
      await page.goto(`${base}/#/opportunities/new`);
      const form = page.getByRole('form', { name: 'New opportunity' });
      await form.getByLabel('Search accounts').waitFor();
      await page.waitForLoadState('networkidle');
      const boxes = await form.locator('input, select').evaluateAll((controls) =>
        controls.map((control) => {
          const box = control.getBoundingClientRect();
          return { name: control.getAttribute('aria-label') ?? control.id, x: box.x, y: box.y, right: box.right, bottom: box.bottom };
        }),
      );
      const overlaps = boxes.flatMap((a, i) =>
        boxes
          .slice(i + 1)
          .filter((b) => a.x < b.right - 1 && b.x < a.right - 1 && a.y < b.bottom - 1 && b.y < a.bottom - 1)
          .map((b) => `${a.name} overlaps ${b.name}`),
      );
      assert.deepEqual(overlaps, [], `at ${viewport.width} px`);
      await context.close();
    }
  });
});
