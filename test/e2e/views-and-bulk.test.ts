import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { withTenant } from '../../src/db/tenant.ts';
import { browserSkip, signIn, startBrowser } from '../support/browser.ts';
import { addMember, describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

const skip = browserSkip;

async function contacts(admin: Client, count: number, body: (i: number) => Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const created = await admin.post('/api/v1/contacts', body(i));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    ids.push(created.body.id);
  }
  return ids;
}

describeEachDatabase('Saved views and bulk actions in the browser', (env) => {
  let browser: Browser;
  let base: string;

  before(async () => {
    if (skip) return;
    ({ browser, base } = await startBrowser(env()));
  });
  after(async () => {
    await browser?.close();
  });

  async function open(email: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    await signIn(page, base, email);
    await page.getByRole('heading', { name: 'Contacts' }).waitFor();
    return page;
  }

  it('saves a filtered, sorted view with fewer columns, and reopens it after a reload', { skip }, async () => {
    const admin = await signUp(env());
    await contacts(admin, 3, (i) => ({ firstName: 'Zoé', lastName: ['Martin', 'Bernard', 'Dubois'][i], country: 'FR', jobTitle: 'Buyer' }));
    await contacts(admin, 2, (i) => ({ firstName: 'Jonas', lastName: ['Keller', 'Abel'][i], country: 'DE' }));
    const page = await open(admin.info.user.email);
    const rows = page.getByRole('table', { name: 'Contacts' }).locator('tbody tr');
    await rows.nth(4).waitFor();

    await page.getByRole('textbox', { name: 'Country' }).fill('FR');
    await page.getByLabel('Sort').selectOption('lastName');
    await page.locator('.column-picker summary').click();
    await page.getByRole('checkbox', { name: 'Job title' }).uncheck();
    await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Contacts"] tbody tr').length === 3);
    await page.getByRole('button', { name: 'New view' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save view' });
    await dialog.getByLabel('View name').fill('French contacts');
    await dialog.getByLabel('Share with the workspace').check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('combobox', { name: 'View', exact: true })
      .locator('option:checked', { hasText: 'French contacts' })
      .waitFor({ state: 'attached' });

    await page.reload();
    await rows.nth(4).waitFor();
    await page.getByRole('combobox', { name: 'View', exact: true }).selectOption({ label: 'French contacts (shared)' });
    await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Contacts"] tbody tr').length === 3);
    assert.equal(await page.getByRole('textbox', { name: 'Country' }).inputValue(), 'FR');
    assert.equal(await page.getByLabel('Sort').inputValue(), 'lastName');
    const names = await rows.locator('td:nth-child(2)').allInnerTexts();
    assert.deepEqual(names, ['Zoé Bernard', 'Zoé Dubois', 'Zoé Martin'], 'in last-name order');
    const headers = await page.getByRole('table', { name: 'Contacts' }).locator('thead th').allTextContents();
    assert.ok(!headers.includes('Job title'), `the column left out stays out: ${headers.join(', ')}`);
    assert.ok(headers.includes('Owner'));

    // Two rows ticked: the bulk bar counts them and exports just them.
    await page.getByRole('checkbox', { name: 'Select Zoé Bernard' }).check();
    await page.getByRole('checkbox', { name: 'Select Zoé Martin' }).check();
    const bar = page.getByRole('region', { name: 'Bulk actions' });
    await bar.getByText('2 contacts selected').waitFor();
    const href = (await bar.getByRole('link', { name: 'Export selection as CSV' }).getAttribute('href')) ?? '';
    const exported = await page.evaluate(async (url) => (await fetch(url)).text(), href);
    assert.match(exported, /Bernard/);
    assert.match(exported, /Martin/);
    assert.doesNotMatch(exported, /Dubois|Keller/, 'only the rows ticked');

    await page.getByRole('combobox', { name: 'View', exact: true }).selectOption({ label: 'All records' });
    await rows.nth(4).waitFor();
  });

  it('bulk-assigns 200 contacts of a view to a new salesperson, who then sees them; audited once', { skip }, async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    const email = `bulk-seller-${Date.now()}@example.org`;
    const seller = await addMember(env(), admin, 'salesperson', { email });
    await contacts(admin, 200, (i) => ({ firstName: `Client${i}`, lastName: 'Nord', country: 'NO' }));
    await contacts(admin, 3, (i) => ({ firstName: `Other${i}`, country: 'SE' }));

    const page = await open(admin.info.user.email);
    await page.getByRole('textbox', { name: 'Country' }).fill('NO');
    const rows = page.getByRole('table', { name: 'Contacts' }).locator('tbody tr');
    await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Contacts"] tbody tr').length === 50);
    await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
    await page.getByRole('button', { name: 'Select every contact of this view' }).click();
    const bar = page.getByRole('region', { name: 'Bulk actions' });
    await bar.getByText('200 contacts selected').waitFor();
    await bar.getByLabel('New owner').selectOption({ label: 'Member salesperson' });
    await bar.getByRole('button', { name: 'Assign' }).click();
    await page.getByRole('status').getByText('200 contacts assigned to Member salesperson.').waitFor();
    await rows.first().getByText('Member salesperson').waitFor();

    const theirs = await seller.get('/api/v1/contacts?limit=200');
    assert.equal(theirs.body.items.length, 200);
    assert.ok(theirs.body.items.every((contact: { country: string }) => contact.country === 'NO'));
    assert.equal(theirs.body.nextCursor, null);
    const events = await withTenant(env().db, tenantId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('object_id')
        .where('tenant_id', '=', tenantId)
        .where('action', '=', 'contact.bulk_assign')
        .execute(),
    );
    assert.equal(events.length, 1, 'one audit event for 200 records');
  });
});
