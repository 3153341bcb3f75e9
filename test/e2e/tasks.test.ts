import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, signIn, startBrowser } from '../support/browser.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

const skip = browserSkip;

/** Noon of a day of this machine's calendar (the browser runs on the same clock and zone), `offset` days from today. */
const noon = (offset: number) => {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + offset, 12).toISOString();
};

describeEachDatabase('My tasks by when they are due', (env) => {
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
  });
  after(async () => {
    await browser?.close();
  });

  it(
    'shows exactly the tasks due today under Today, overdue ones highlighted, each linked record by name, and every task past fifty',
    { skip },
    async () => {
      const me = admin.info.member.id;
      const contact = (await admin.post('/api/v1/contacts', { firstName: 'Keeley', lastName: 'Schultz', emails: ['keeley@example.org'] }))
        .body;
      const tasks = [
        { title: 'Chase the invoice', dueAt: noon(-1) },
        { title: 'Call Keeley back', dueAt: noon(0), record: { type: 'contact', id: contact.id } },
        { title: 'Send the offer', dueAt: noon(0) },
        { title: 'Prepare the demo', dueAt: noon(1) },
        { title: 'Read the tender', dueAt: null },
      ];
      for (const task of tasks) assert.equal((await admin.post('/api/v1/tasks', { ...task, assigneeId: me })).status, 201);
      // A done task due today is not open.
      const done = (await admin.post('/api/v1/tasks', { title: 'Already done', dueAt: noon(0), assigneeId: me })).body;
      await admin.patch(`/api/v1/tasks/${done.id}`, { done: true });
      // Sixty more next week: the list pages instead of stopping at a hundred or fifty.
      for (let i = 0; i < 60; i++) await admin.post('/api/v1/tasks', { title: `Follow-up ${i}`, dueAt: noon(7), assigneeId: me });

      await signIn(page, base, admin.info.user.email);
      await page.getByRole('heading', { name: 'Contacts' }).waitFor();
      await page.goto(`${base}/#/tasks`);
      const group = (name: string) => page.getByRole('region', { name });
      const titles = async (name: string) => (await group(name).locator('li label').allInnerTexts()).map((text) => text.trim());

      // Each group asks for its own tasks, so each is waited for: they answer in any order.
      await group('Today').getByText('Send the offer').waitFor();
      await group('Overdue').getByText('Chase the invoice').waitFor();
      await group('No due date').getByText('Read the tender').waitFor();
      await group('Upcoming').locator('li label').nth(49).waitFor();
      assert.deepEqual((await titles('Today')).sort(), ['Call Keeley back', 'Send the offer']);
      assert.deepEqual(await titles('Overdue'), ['Chase the invoice']);
      assert.deepEqual(await titles('No due date'), ['Read the tender']);
      assert.equal(await group('Today').getByRole('link', { name: 'Keeley Schultz' }).count(), 1, 'the linked record is named');
      const overdueBorder = await group('Overdue')
        .locator('li')
        .first()
        .evaluate((li) => getComputedStyle(li).borderLeftWidth);
      assert.equal(overdueBorder, '4px', 'overdue tasks are highlighted');

      assert.equal((await titles('Upcoming')).length, 50);
      await group('Upcoming').getByRole('button', { name: 'Load more' }).click();
      // Tasks due at the same instant come in id order, so wait for the 61st rather than a given title.
      await group('Upcoming').locator('li label').nth(60).waitFor();
      assert.equal((await titles('Upcoming')).length, 61);

      // Ticking a task moves it out of Today at once.
      await group('Today').getByRole('checkbox', { name: 'Send the offer' }).click();
      await page.waitForFunction(() => !document.querySelector('[aria-label="Today"]')?.textContent?.includes('Send the offer'));
      assert.deepEqual(await titles('Today'), ['Call Keeley back']);
    },
  );
});
