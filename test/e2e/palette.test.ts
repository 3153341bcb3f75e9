import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, signIn, startBrowser } from '../support/browser.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

const skip = browserSkip;

describeEachDatabase('Command palette and search', (env) => {
  let browser: Browser;
  let page: Page;
  let base: string;
  let admin: Client;

  before(async () => {
    if (skip) return;
    ({ browser, base } = await startBrowser(env()));
    admin = await signUp(env());
    page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const account = (await admin.post('/api/v1/accounts', { name: "O'Keefe - Cummerata" })).body;
    for (let i = 0; i < 11; i++) {
      await admin.post('/api/v1/contacts', { firstName: `Employee${i}`, lastName: 'Staff', accountId: account.id });
    }
    await admin.post('/api/v1/contacts', { firstName: 'Keeley', lastName: 'Schultz', emails: ['keeley@example.org'] });
    await signIn(page, base, admin.info.user.email);
    await page.getByRole('heading', { name: 'Contacts' }).waitFor();
  });
  after(async () => {
    await browser?.close();
  });

  it('Ctrl-K and three letters open a contact; the first result is the person, not her namesake company', { skip }, async () => {
    await page.keyboard.press('Control+k');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await palette.getByRole('combobox').fill('Kee');
    const first = palette.getByRole('option').first();
    await first.getByText('Keeley Schultz').waitFor();
    assert.equal(await first.getAttribute('aria-selected'), 'true');
    assert.equal(await first.locator('mark').innerText(), 'Kee', 'why she matched is highlighted');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Keeley Schultz' }).waitFor();
    assert.match(page.url(), /#\/contacts\/[0-9a-f-]{36}$/);
    assert.equal(await palette.isVisible(), false);
  });

  it('offers "Log call on …" and opens the timeline ready for a call; "?" lists the shortcuts', { skip }, async () => {
    await page.keyboard.press('Control+k');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await palette.getByRole('combobox').fill('keeley');
    await palette.getByRole('option', { name: /Log call on Keeley Schultz/ }).click();
    await page.waitForURL(/\/log-call$/);
    const timeline = page.getByRole('region', { name: 'Timeline' });
    assert.equal(await timeline.getByRole('combobox', { name: 'Activity type' }).inputValue(), 'call');

    // "?" typed into a field is a question mark; elsewhere it opens the list.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.getByText('Open the command palette').waitFor();
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
  });

  it('the contacts list searches as one types, best match first with the match marked, and sorts by last name', { skip }, async () => {
    await page.goto(`${base}/#/contacts`);
    await page.getByRole('searchbox', { name: 'Search contacts' }).fill('kee');
    const rows = page.getByRole('table', { name: 'Contacts' }).locator('tbody tr');
    await rows.first().getByText('Keeley Schultz').waitFor();
    assert.equal(await rows.count(), 12);
    assert.equal(await rows.first().locator('mark').innerText(), 'Kee');
    assert.equal(
      await rows.nth(1).getByRole('cell').nth(2).innerText(),
      "O'Keefe - Cummerata",
      'the account column (after the selection box and the name)',
    );
    assert.equal(await page.getByRole('combobox', { name: 'Sort' }).inputValue(), 'relevance');

    await page.getByRole('searchbox', { name: 'Search contacts' }).fill('');
    await page.getByRole('combobox', { name: 'Sort' }).selectOption('lastName');
    await rows.first().getByText('Keeley Schultz').waitFor();
    await page.getByRole('combobox', { name: 'Sort' }).selectOption('-lastName');
    await rows.first().getByText(/Staff/).waitFor();
    await rows.last().getByText('Keeley Schultz').waitFor();
  });
});
