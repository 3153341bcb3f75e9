import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkip, signIn, startBrowser } from '../support/browser.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

const skip = browserSkip;

describeEachDatabase('A record page in the browser', (env) => {
  let browser: Browser;
  let base: string;

  before(async () => {
    if (skip) return;
    ({ browser, base } = await startBrowser(env()));
  });
  after(async () => {
    await browser?.close();
  });

  it('edits a field in place with Enter, and a deal page shows its contacts and its stage changes on the timeline', { skip }, async () => {
    const admin = await signUp(env());
    const contact = (await admin.post('/api/v1/contacts', { firstName: 'Ada', lastName: 'Lovelace', jobTitle: 'Analyst' })).body;
    const deal = (await admin.post('/api/v1/opportunities', { name: 'Engine order', stage: 'qualification', contactIds: [contact.id] }))
      .body;
    assert.equal((await admin.patch(`/api/v1/opportunities/${deal.id}`, { stage: 'proposal' })).status, 200);

    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    await signIn(page, base, admin.info.user.email);
    await page.goto(`${base}/#/contacts/${contact.id}`);
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    await page.getByRole('button', { name: 'Change Job title' }).click();
    const input = page.getByRole('textbox', { name: 'Job title' });
    await input.fill('Chief Analyst');
    await input.press('Enter');
    await page.getByRole('button', { name: 'Change Job title' }).getByText('Chief Analyst').waitFor();
    assert.equal((await admin.get(`/api/v1/contacts/${contact.id}`)).body.jobTitle, 'Chief Analyst');

    await page.getByRole('button', { name: 'Change Last name' }).click();
    await page.getByRole('textbox', { name: 'Last name' }).fill('Byron');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Change Last name' }).getByText('Lovelace').waitFor();

    await page.goto(`${base}/#/opportunities/${deal.id}`);
    await page.getByRole('heading', { name: 'Engine order' }).waitFor();
    await page.getByRole('region', { name: 'Contacts' }).getByRole('link', { name: 'Ada Lovelace' }).waitFor();
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByText('Stage: Qualification → Proposal').waitFor();
    assert.match(await timeline.locator('li').first().innerText(), /by Ada Admin/);
  });
});
