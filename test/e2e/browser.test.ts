import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WEB_DIST } from '../../src/http/app.ts';
import { describeEachDatabase, signUp, TEST_PASSWORD, type Client } from '../helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// CI installs Chromium and builds the app; there a missing piece is a failure, not a skip.
const missing = !fs.existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : !fs.existsSync(path.join(WEB_DIST, 'index.html')) ? 'web app not built' : null;
const skip = missing && !process.env.CI ? missing : false;

describeEachDatabase('web app in a real browser', (env) => {
  let browser: Browser;
  let page: Page;
  let base: string;
  let admin: Client;

  before(async () => {
    if (skip) return;
    if (missing) throw new Error(`browser test cannot run: ${missing}`);
    await env().server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(env().server.server.address() as AddressInfo).port}`;
    admin = await signUp(env());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
  });
  after(async () => {
    await browser?.close();
  });

  it('signs in, creates an account and a contact, shows the contact on the account, moves a deal across the board', { skip }, async () => {
    await page.goto(base);
    await page.getByLabel('Email').fill(admin.info.user.email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Contacts' }).waitFor();

    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByRole('link', { name: 'New account' }).click();
    await page.getByLabel('Name').fill('Browser Test GmbH');
    await page.getByLabel('Domain').fill('browser-test.example');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Browser Test GmbH' }).waitFor();

    await page.getByRole('button', { name: 'Add contact at Browser Test GmbH' }).click();
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Last name').fill('Browser');
    await page.getByLabel('Emails (comma-separated)').fill('ada@browser-test.example');
    await page.getByRole('button', { name: 'Save' }).click();
    const contacts = page.getByRole('region', { name: 'Contacts' });
    await contacts.getByRole('link', { name: 'Ada Browser' }).waitFor();
    await contacts.getByRole('link', { name: 'Ada Browser' }).click();
    await page.getByRole('heading', { name: 'Ada Browser' }).waitFor();
    await page.getByLabel('Note').fill('Met at the browser test fair');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('Met at the browser test fair').waitFor();

    const account = (await admin.get('/api/v1/accounts?q=browser')).body.items[0];
    const contact = (await admin.get('/api/v1/contacts?q=ada%40browser-test.example')).body.items[0];
    assert.equal(contact.accountId, account.id, 'the contact was created at the account');
    const deal = (await admin.post('/api/v1/opportunities', { name: 'Browser deal', accountId: account.id, amount: '4200', contactIds: [contact.id] })).body;

    await page.getByRole('link', { name: 'Pipeline' }).click();
    const card = page.locator(`article[data-id="${deal.id}"]`);
    await card.waitFor();
    // From the keyboard: the card's stage menu.
    await card.getByLabel('Stage of Browser deal').selectOption('negotiation');
    await page.getByRole('region', { name: 'Negotiation' }).locator(`article[data-id="${deal.id}"]`).waitFor();
    await waitFor(async () => (await admin.get(`/api/v1/opportunities/${deal.id}`)).body.stage === 'negotiation');
    // With the mouse: drag the card onto another column.
    await card.dragTo(page.getByRole('region', { name: 'Won' }));
    await page.getByRole('region', { name: 'Won' }).locator(`article[data-id="${deal.id}"]`).waitFor();
    await waitFor(async () => (await admin.get(`/api/v1/opportunities/${deal.id}`)).body.stage === 'closed_won');

    await page.screenshot({ path: path.join(os.tmpdir(), `lawful-board-${env().backend}.png`), fullPage: true });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
