import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { activePurpose, liveForm } from '../support/consent-fixtures.ts';
import { browserSkip, startBrowser } from '../support/browser.ts';
import { describeEachDatabase, signUp, TEST_PASSWORD, type Client } from '../support/helpers.ts';
import { jsonSchemaOf, plausible, withStringAt } from './hostile-input.ts';

const skip = browserSkip;

/** Markup that runs script if it is ever inserted as HTML rather than shown as text; short enough for name fields. */
const labels: string[] = [];
const payload = (label: string) => {
  const n = labels.push(label) - 1;
  return `"><img src=x data-xss=${n} onerror=__xss.push(${n})><svg onload=__xss.push(${n})>`;
};
/** Routes that sign in or out, or change who is signed in: not places to store text. */
const NOT_STORAGE = /^\/api\/v1\/auth\//;
const SECTIONS = [
  'contacts',
  'accounts',
  'leads',
  'opportunities',
  'board',
  'tasks',
  'purposes',
  'forms',
  'campaigns',
  'outbox',
  'suppressions',
  'requests',
  'retention',
  'compliance',
  'integrations',
  'incidents',
  'register',
  'dpias',
  'subprocessors',
  'training',
];

describeEachDatabase('stored XSS in a real browser', (env) => {
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

  it('stores markup in every text field the create routes take, and no page of the app or the public site runs it', { skip }, async () => {
    // Every create route, every string field holding markup (formats such as ids and emails keep
    // a valid value; one field at a time where the whole body is refused).
    const created = new Map<string, string>();
    const stored: string[] = [];
    const creates = env().server.catalogue.filter(
      (route) => route.method === 'POST' && route.access !== 'public' && !route.url.includes(':') && !NOT_STORAGE.test(route.url),
    );
    await activePurpose(admin);
    for (const route of creates) {
      const schema = jsonSchemaOf(route.schema.body);
      if (!schema) continue;
      const body = plausible(schema, { uuid: () => created.get('contact') ?? '00000000-0000-4000-8000-000000000000' });
      const markupPaths = body.freeText;
      let all: unknown = body.value;
      for (const p of markupPaths) all = withStringAt(all, body.full, p, payload(`${route.url}:${p.join('.')}`));
      const attempts = [all, ...markupPaths.map((p) => withStringAt(body.value, body.full, p, payload(`${route.url}:${p.join('.')}`)))];
      for (const attempt of attempts) {
        const response = await admin.post(route.url, attempt);
        if (response.status < 300) {
          stored.push(route.url);
          if (route.url === '/api/v1/contacts' && response.body?.id) created.set('contact', response.body.id);
          if (attempt === all) break;
        }
      }
    }
    // The places people see most, filled by hand with markup that must pass validation.
    const contact = (
      await admin.post('/api/v1/contacts', {
        firstName: payload('contact.first'),
        lastName: payload('contact.last'),
        jobTitle: payload('contact.job'),
        emails: ['xss@hostile.example'],
      })
    ).body;
    assert.ok(contact.id, JSON.stringify(contact));
    await admin.post('/api/v1/notes', { body: payload('note'), record: { type: 'contact', id: contact.id } });
    await admin.post('/api/v1/tasks', { title: payload('task'), record: { type: 'contact', id: contact.id } });
    await admin.patch('/api/v1/workspace', { name: payload('workspace') });
    if (
      (
        await admin.post('/api/v1/subprocessors', {
          name: payload('subprocessor.name'),
          service: payload('subprocessor.service'),
          country: 'DE',
          safeguard: 'eea',
        })
      ).status === 201
    )
      stored.push('/api/v1/subprocessors');
    if (
      (await admin.post('/api/v1/dpias', { activityId: 'workspace-members', title: payload('dpia.title'), reviewOn: '2027-01-01' }))
        .status === 201
    )
      stored.push('/api/v1/dpias');
    const form = await liveForm(admin, (await activePurpose(admin)).id);
    for (const url of [
      '/api/v1/contacts',
      '/api/v1/accounts',
      '/api/v1/leads',
      '/api/v1/opportunities',
      '/api/v1/tasks',
      '/api/v1/purposes',
      '/api/v1/incidents',
      '/api/v1/subprocessors',
      '/api/v1/dpias',
      '/api/v1/training-modules',
      '/api/v1/email-templates',
      '/api/v1/segments',
    ]) {
      assert.ok(stored.includes(url), `markup was stored through ${url} (stored: ${stored.join(', ')})`);
    }

    const context = await browser.newContext();
    await context.addInitScript(() => {
      (window as any).__xss = [];
      window.alert = () => (window as any).__xss.push('alert');
    });
    const page: Page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(base);
    await page.getByLabel('Email').fill(admin.info.user.email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Contacts' }).waitFor();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const visited: Array<{ url: string; ran: string[]; injected: number; shown: boolean }> = [];
    const visit = async (url: string) => {
      await page.goto(`${base}${url}`);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(150);
      const result = await page.evaluate(() => ({
        ran: (window as any).__xss as string[],
        // Markup inserted as elements, whether or not its script could run (the CSP stops most).
        injected: document.querySelectorAll('img[data-xss], svg[onload]').length,
        shown: document.body.innerText.includes('<img src=x data-xss='),
      }));
      visited.push({ url, ...result });
    };
    for (const section of SECTIONS) await visit(`/#/${section}`);
    for (const detail of [`/#/contacts/${contact.id}`]) await visit(detail);
    const slug = (await admin.get('/api/v1/workspace')).body.slug;
    for (const publicPage of [`/privacy/${slug}`, `/privacy/${slug}/subprocessors`, `/f/${form.publicId}`]) await visit(publicPage);
    await context.close();

    const ran = visited
      .filter((v) => v.ran.length > 0 || v.injected > 0)
      .map((v) => ({ ...v, ran: v.ran.map((n) => labels[Number(n)] ?? n) }));
    assert.deepEqual(ran, [], 'no page ran or inserted the stored markup');
    assert.deepEqual(dialogs, []);
    const shownOn = visited.filter((v) => v.shown).map((v) => v.url);
    for (const url of ['/#/contacts', '/#/accounts', `/#/contacts/${contact.id}`, '/#/incidents', `/privacy/${slug}/subprocessors`]) {
      assert.ok(shownOn.includes(url), `${url} shows the markup as text (shown on: ${shownOn.join(', ')})`);
    }
  });
});
