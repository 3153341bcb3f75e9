import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSkip, startBrowser } from '../support/browser.ts';
import { describeEachDatabase, signUp, TEST_PASSWORD, type Client } from '../support/helpers.ts';

const skip = browserSkip;
const ROWS = 3000;

/**
 * A Salesforce report as Excel saves it in Germany: semicolons, Windows-1252, CRLF. One column
 * ("Funktion") has no known name and is mapped by hand; "Lieblingsfarbe" is left out. Two rows
 * fail; the first row's address belongs to a contact that exists already.
 */
function europeanReport(): Buffer {
  const lines = ['First Name;Last Name;Email;Account Name;Mailing Country;Funktion;Lieblingsfarbe'];
  lines.push('Björn;Ångström;existing@example.org;Nordlicht AB;Schweden;Einkäufer;blau');
  for (let i = 1; i < ROWS; i++) {
    if (i === 500) lines.push(';;keine-adresse;Firma;Deutschland;;rot');
    else if (i === 2400) lines.push(';;;Firma;Deutschland;;grün');
    else
      lines.push(
        `Jürgen${i};Müller${i};person${i}@example.org;Firma ${i % 40};${i % 2 ? 'Deutschland' : 'Österreich'};Leiter ${i % 9};gelb`,
      );
  }
  return iconv.encode(lines.join('\r\n') + '\r\n', 'windows-1252');
}

describeEachDatabase('import wizard in a real browser', (env) => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let admin: Client;

  before(async () => {
    if (skip) return;
    ({ browser, base } = await startBrowser(env()));
    admin = await signUp(env());
    context = await browser.newContext({ acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
  });
  after(async () => {
    await browser?.close();
  });

  it(
    'uploads a file, shows how it was read, maps a column, dry-runs, imports with live progress, and hands out the failing lines',
    { skip },
    async () => {
      const existing = await admin.post('/api/v1/contacts', { firstName: 'Bjorn', emails: ['existing@example.org'] });
      await page.goto(base);
      await page.getByLabel('Email').fill(admin.info.user.email);
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Contacts' }).waitFor();
      await page.getByRole('link', { name: 'Import' }).click();
      await page.getByRole('heading', { name: 'Import contacts' }).waitFor();

      await page.getByLabel('Rows matching an existing record').selectOption('update');
      await page.getByLabel('CSV file').setInputFiles({ name: 'salesforce-report.csv', mimeType: 'text/csv', buffer: europeanReport() });
      await page.getByText('Read as windows-1252 (detected), semicolon-separated (detected).').waitFor();
      assert.equal(await page.getByLabel('Field for Email').inputValue(), 'email', "the server's guess is shown");
      assert.equal(await page.getByLabel('Field for Lieblingsfarbe').inputValue(), '', 'an unknown column is left out');
      const preview = page.getByRole('table', { name: 'Preview' });
      assert.equal(await preview.getByRole('cell', { name: 'SE', exact: true }).count(), 1, 'countries as they would be stored');

      await page.getByLabel('Field for Funktion').selectOption('jobTitle');
      await page.getByRole('button', { name: 'Check again' }).click();
      await preview.getByRole('cell', { name: 'Einkäufer' }).waitFor();
      await page
        .getByText(
          `${ROWS} rows: ${ROWS - 3} would be created, 1 match an existing record, 1 of which would be updated, 2 would fail. 41 accounts would be created.`,
        )
        .waitFor();

      // The progress region shows the rows as the batches commit; each poll's answer is kept.
      const polled: number[] = [];
      page.on('response', async (response) => {
        if (/\/api\/v1\/imports\/[0-9a-f-]{36}$/.test(response.url()) && response.ok()) polled.push((await response.json()).rowsDone);
      });
      await page.getByRole('button', { name: `Import ${ROWS} rows` }).click();
      await page
        .getByRole('region', { name: 'Import progress' })
        .getByText(/rows\/s/)
        .waitFor();
      await page.getByRole('heading', { name: 'Imported' }).waitFor({ timeout: 120_000 });
      await page
        .getByText(
          `${ROWS} rows: ${ROWS - 3} were created, 1 match an existing record, 1 of which were updated, 2 failed. 41 accounts were created.`,
        )
        .waitFor();
      assert.equal(await page.getByRole('progressbar', { name: 'Rows imported' }).getAttribute('value'), String(ROWS));
      assert.ok(
        polled.some((rows) => rows > 0 && rows < ROWS),
        `the bar moved while the import ran (polled: ${polled.join(', ')})`,
      );

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('region', { name: 'Import result' }).getByRole('link', { name: 'Download error report' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'salesforce-report-errors.csv');
      const errors = parse(fs.readFileSync((await download.path())!, 'utf8'), { columns: true, bom: true }) as Array<
        Record<string, string>
      >;
      assert.deepEqual(
        errors.map((row) => row.Line),
        ['502', '2402'],
      );
      assert.equal(errors[0]!.Email, 'keine-adresse', 'the failing line as it was in the file');
      assert.match(errors[0]!.Errors!, /email/);
      assert.match(errors[1]!.Errors!, /needs a name or an email address/);

      const updated = (await admin.get(`/api/v1/contacts/${existing.body.id}`)).body;
      assert.deepEqual([updated.firstName, updated.lastName, updated.jobTitle, updated.country], ['Björn', 'Ångström', 'Einkäufer', 'SE']);
      const runs = (await admin.get('/api/v1/imports')).body.items;
      assert.deepEqual(
        [runs[0].state, runs[0].onDuplicate, runs[0].run.created, runs[0].run.updated, runs[0].run.failed],
        ['finished', 'update', ROWS - 3, 1, 2],
      );
    },
  );

  it('exports the list as it is filtered', { skip }, async () => {
    await page.goto(`${base}/#/contacts`);
    await page.getByLabel('Search contacts').fill('person7@example.org');
    await page.getByRole('link', { name: 'Jürgen7 Müller7' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const rows = parse(fs.readFileSync((await download.path())!, 'utf8'), { columns: true, bom: true }) as Array<Record<string, string>>;
    assert.deepEqual(
      rows.map((row) => row.emails),
      ['person7@example.org'],
    );
  });
});
