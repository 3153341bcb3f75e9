import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WEB_DIST } from '../../src/http/app.ts';
import { TEST_PASSWORD, type TestEnv } from './helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// CI installs Chromium and builds the app; there a missing piece is a failure, not a skip.
const missing = !fs.existsSync(CHROMIUM)
  ? `no Chromium at ${CHROMIUM}`
  : !fs.existsSync(path.join(WEB_DIST, 'index.html'))
    ? 'web app not built'
    : null;
export const browserSkip = missing && !process.env.CI ? missing : false;

/** Serves the test environment on a local port and starts Debian's Chromium, headless. */
export async function startBrowser(env: TestEnv): Promise<{ browser: Browser; base: string }> {
  if (missing) throw new Error(`browser test cannot run: ${missing}`);
  await env.server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(env.server.server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { browser, base };
}

/** Signs in through the sign-in page, with a second factor when one is asked for. */
export async function signIn(page: Page, base: string, email: string, totp?: () => Promise<string>): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (totp) {
    await page.getByLabel('Authentication code').fill(await totp());
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
}
