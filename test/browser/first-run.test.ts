import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { type HavenProcess, startHaven, tempDir } from '../support/processes.ts';
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, hasChromium } from './support.ts';

/**
 * A person's first minutes with a fresh install, in a real Chromium against a real `haven serve` on a new
 * embedded data directory: the first-run page, signing out, signing in (wrongly, then rightly).
 * Screenshots of every screen go to test-artifacts/ for a human to look at.
 */
if (!hasChromium && process.env.CI !== 'true') {
  console.log(`# browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

const ADMIN = {
  company: 'Lighthouse Books',
  subdomain: 'lighthouse',
  name: 'Grace Hopper',
  email: 'grace@lighthouse.example',
};
const PASSWORD = 'a long and correct password';

let server: HavenProcess | null = null;
let context: BrowserContext | null = null;
const cleanups: (() => void)[] = [];

before(async () => {
  if (!hasChromium) return;
  const data = tempDir('haven-browser-');
  cleanups.push(data.remove);
  const profile = tempDir('haven-chromium-');
  cleanups.push(profile.remove);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startHaven({ env: { HAVEN_DATA_DIR: path.join(data.dir, 'data') } });
  context = await chromium.launchPersistentContext(profile.dir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1024, height: 768 },
    args: CHROMIUM_ARGS,
  });
});

after(async () => {
  await context?.close().catch(() => {});
  if (server) {
    const exit = await server.stop('SIGTERM');
    assert.equal(exit.code, 0, `haven did not stop cleanly:\n${server.output()}`);
  }
  for (const cleanup of cleanups) cleanup();
});

/** Console errors and uncaught page errors, per page; any is a failure. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error')
      problems.push(`${page.url()}: console.error: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(`${page.url()}: ${err.message}`));
  return problems;
}

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: path.join(ARTIFACTS, `first-run-${name}.png`), fullPage: true });
}

test('first run: set up, sign out, sign in', { timeout: 180_000 }, async (t) => {
  if (!hasChromium) {
    if (process.env.CI === 'true')
      assert.fail(`${CHROMIUM} is missing: .ci/run must apt-get install chromium`);
    t.skip(`${CHROMIUM} is missing`);
    return;
  }
  const page = await context!.newPage();
  const problems = watchConsole(page);
  const base = server!.baseUrl;

  // A fresh install sends everyone to the first-run page.
  await page.goto(`${base}/`);
  assert.equal(new URL(page.url()).pathname, '/setup');
  await page.getByRole('heading', { name: 'Welcome to Haven' }).waitFor();
  await shoot(page, '1-setup');

  await page.getByLabel('Company name').fill(ADMIN.company);
  await page.getByLabel('Subdomain').fill(ADMIN.subdomain);
  await page.getByLabel('Your name').fill(ADMIN.name);
  await page.getByLabel('Your email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await shoot(page, '2-setup-filled');
  await Promise.all([
    page.waitForURL('**/agent/views'),
    page.getByRole('button', { name: 'Create help desk' }).click(),
  ]);

  // Signed in straight away, in the new help desk's workspace: its name in the top bar, the default views.
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  assert.match((await page.locator('header').textContent()) ?? '', new RegExp(ADMIN.company));
  await page.getByRole('button', { name: 'Your profile and settings' }).click();
  assert.match((await page.locator('.menu-panel').textContent()) ?? '', new RegExp(ADMIN.email));
  await shoot(page, '3-agent');

  // The first-run page is gone once an account exists.
  await page.goto(`${base}/setup`);
  assert.match(new URL(page.url()).pathname, /^\/agent/);

  await page.getByRole('button', { name: 'Your profile and settings' }).click();
  // Requests the workspace had in flight end with 401 once the session is gone; either way the page that
  // loads is the sign-in page (with or without a way back).
  await Promise.all([
    page.waitForURL(/\/sign_in(\?|$)/),
    page.getByRole('button', { name: 'Sign out' }).click(),
  ]);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await shoot(page, '4-signed-out');
  // Signed out means signed out: the workspace sends us back to sign in.
  await page.goto(`${base}/agent`);
  assert.equal(new URL(page.url()).pathname, '/sign_in');

  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill('not my password at all');
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/sign_in') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await page.getByRole('alert').waitFor();
  assert.equal(
    (await page.getByRole('alert').textContent())?.trim(),
    'That email and password do not match.',
  );
  assert.equal(await page.getByLabel('Email').inputValue(), ADMIN.email, 'the email is kept');
  assert.equal(
    await page.getByLabel('Password', { exact: true }).inputValue(),
    '',
    'the password is not echoed',
  );
  await shoot(page, '5-wrong-password');

  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([
    page.waitForURL('**/agent/views'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  await shoot(page, '6-signed-in-again');

  // Chromium reports a document's own error status in the console; the wrong password's 401 is the one we
  // asked for. Anything else (a failed asset, a script error) is a defect.
  const expected = `${base}/sign_in: console.error: Failed to load resource: the server responded with a status of 401 (Unauthorized) (${base}/sign_in)`;
  assert.deepEqual(
    problems.filter((p) => p !== expected),
    [],
  );
});
