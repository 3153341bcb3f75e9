import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, signIn, startBrowser } from '../support/browser.ts';
import { addMember, describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

const skip = browserSkip;

describeEachDatabase('Owners of records', (env) => {
  let browser: Browser;
  let base: string;
  let admin: Client;

  before(async () => {
    if (skip) return;
    ({ browser, base } = await startBrowser(env()));
    admin = await signUp(env());
  });
  after(async () => {
    await browser?.close();
  });

  it('a manager gives a contact to a newly invited salesperson, who then sees it; lists name each owner', { skip }, async () => {
    const email = `new-seller-${Date.now()}@example.org`;
    await addMember(env(), admin, 'salesperson', { email });
    const contact = (await admin.post('/api/v1/contacts', { firstName: 'Keeley', lastName: 'Schultz' })).body;
    await admin.post('/api/v1/contacts', { firstName: 'Mona', lastName: 'Ortiz' });

    const seller: Page = await (await browser.newContext()).newPage();
    seller.setDefaultTimeout(20_000);
    await signIn(seller, base, email);
    await seller.getByRole('heading', { name: 'Contacts' }).waitFor();
    const sellerRows = seller.getByRole('table', { name: 'Contacts' }).locator('tbody tr');
    assert.equal(await sellerRows.count(), 0, 'nothing of theirs yet');

    const manager: Page = await (await browser.newContext()).newPage();
    manager.setDefaultTimeout(20_000);
    await signIn(manager, base, admin.info.user.email);
    await manager.goto(`${base}/#/contacts/${contact.id}`);
    await manager.getByRole('heading', { name: 'Keeley Schultz' }).waitFor();
    await manager.getByRole('button', { name: 'Edit' }).click();
    await manager.getByLabel('Owner').selectOption({ label: 'Member salesperson' });
    await manager.getByRole('button', { name: 'Save' }).click();
    await manager.getByRole('button', { name: 'Edit' }).waitFor();
    assert.match(await manager.locator('dl.fields').innerText(), /Owner\s+Member salesperson/);

    await manager.goto(`${base}/#/contacts`);
    const managerRows = manager.getByRole('table', { name: 'Contacts' }).locator('tbody tr');
    await managerRows.filter({ hasText: 'Keeley Schultz' }).getByText('Member salesperson').waitFor();
    await managerRows.filter({ hasText: 'Mona Ortiz' }).getByRole('cell').last().getByText('Ada Admin').waitFor();

    await seller.reload();
    await sellerRows.first().getByText('Keeley Schultz').waitFor();
    assert.equal(await sellerRows.count(), 1, 'only what was given to them');
  });
});
