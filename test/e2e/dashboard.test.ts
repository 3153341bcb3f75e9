import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkip, signIn, startBrowser } from '../support/browser.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

const skip = browserSkip;

describeEachDatabase('Sales dashboard in the browser', (env) => {
  let browser: Browser;
  let base: string;

  before(async () => {
    if (skip) return;
    ({ browser, base } = await startBrowser(env()));
  });
  after(async () => {
    await browser?.close();
  });

  it('draws the charts and reads the same numbers as tables', { skip }, async () => {
    const admin = await signUp(env());
    for (const [stage, amount] of [
      ['proposal', '1200'],
      ['proposal', '800'],
      ['negotiation', '450'],
      ['closed_won', '300'],
    ]) {
      const deal = await admin.post('/api/v1/opportunities', { name: `Deal ${stage}`, stage, amount, currency: 'EUR' });
      assert.equal(deal.status, 201, JSON.stringify(deal.body));
    }
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    await signIn(page, base, admin.info.user.email);
    await page.goto(`${base}/#/dashboard`);
    await page.getByRole('heading', { name: 'Sales dashboard' }).waitFor();

    const pipeline = page.getByRole('region', { name: 'Pipeline by stage' });
    await pipeline.locator('.recharts-bar-rectangle').nth(1).waitFor();
    assert.equal(await pipeline.locator('.recharts-bar-rectangle').count(), 2, 'one bar per open stage');
    // The table is there for screen readers before anyone asks to see it.
    const table = page.getByRole('table', { name: 'Open deals by stage and currency' });
    assert.deepEqual(
      await table.locator('tbody tr').allTextContents(),
      ['ProposalEUR22000.00', 'NegotiationEUR1450.00'],
      'in the order of the stages',
    );
    const hidden = () => table.evaluate((element) => element.closest('.visually-hidden') !== null);
    assert.equal(await hidden(), true, 'kept off screen, read by screen readers');
    await page.getByLabel('Show the numbers as tables').check();
    assert.equal(await hidden(), false);
    const months = page.getByRole('table', { name: 'Deals won and lost per month' });
    assert.match((await months.locator('tbody tr').last().textContent()) ?? '', /10300\.00 EUR/);
    await page.getByLabel('Owner').selectOption('me');
    await page.getByRole('table', { name: 'Conversion of the leads created in the period' }).waitFor();
  });
});
