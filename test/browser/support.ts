import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import {
  type HavenProcess,
  repoRoot,
  type SetupResult,
  setupAccount,
  startHaven,
  tempDir,
} from '../support/processes.ts';

/**
 * Shared parts of the browser suites: a real `haven serve` on a fresh embedded data directory with one
 * account set up by `haven setup`, Debian's Chromium driven by playwright-core, sign-in through the real
 * form, console watching (any error is a failure), screenshots to test-artifacts/ for a human to look at.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.join(repoRoot, 'test-artifacts');
export const hasChromium = fs.existsSync(CHROMIUM);
export const ADMIN_PASSWORD = 'correct horse battery staple';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Skips (locally) or fails (in CI) when Chromium is missing. Returns false when the test must stop. */
export function requireChromium(t: { skip(message: string): void }): boolean {
  if (hasChromium) return true;
  if (process.env.CI === 'true') assert.fail(`${CHROMIUM} is missing: .ci/run must apt-get install chromium`);
  t.skip(`${CHROMIUM} is missing (apt-get install -y chromium)`);
  return false;
}

export interface Workspace {
  server: HavenProcess;
  baseUrl: string;
  setup: SetupResult;
  adminEmail: string;
  browser: Browser;
  /** Calls Haven's API as the admin (API token), returning the parsed JSON; throws on a non-2xx answer. */
  api<T = any>(method: string, apiPath: string, body?: unknown, auth?: string): Promise<T>;
  /** A fresh browser context (its own cookies and storage), signed in as `email`. */
  signedIn(email: string, password?: string, name?: string): Promise<{ context: BrowserContext; page: Page }>;
  stop(): Promise<void>;
}

/** `env` adds settings for the server (e.g. HAVEN_SMTP_URL for a suite that checks outgoing mail). */
export async function startWorkspace(
  prefix: string,
  extraEnv: Record<string, string> = {},
): Promise<Workspace> {
  const data = tempDir(`haven-${prefix}-`);
  const env = { HAVEN_DATA_DIR: path.join(data.dir, 'data'), ...extraEnv };
  const adminEmail = `admin@${prefix}.example`;
  const setup = await setupAccount(env, { subdomain: prefix, email: adminEmail, name: `${prefix} support` });
  const server = await startHaven({ env });
  const browser = await chromium
    .launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
    .catch(async (err) => {
      await server.stop('SIGTERM');
      data.remove();
      throw err;
    });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const baseUrl = server.baseUrl;
  const contexts: BrowserContext[] = [];

  async function callApi<T>(method: string, apiPath: string, body?: unknown, auth = setup.auth): Promise<T> {
    const res = await fetch(`${baseUrl}${apiPath}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${apiPath} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  return {
    server,
    baseUrl,
    setup,
    adminEmail,
    browser,
    api: callApi,
    async signedIn(email, password = ADMIN_PASSWORD) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${baseUrl}/sign_in`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await Promise.all([
        page.waitForURL('**/agent/**'),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      return { context, page };
    },
    async stop() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close().catch(() => {});
      const exit = await server.stop('SIGTERM');
      data.remove();
      assert.equal(exit.code, 0, `haven did not stop cleanly:\n${server.output()}`);
    },
  };
}

/** Console errors and uncaught page errors on `page`; assert the list is empty at the end of a test. */
export function watchConsole(page: Page, allowed: RegExp[] = []): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const line = `${page.url()}: console.error: ${msg.text()} (${msg.location().url})`;
    if (!allowed.some((re) => re.test(line))) problems.push(line);
  });
  page.on('pageerror', (err) => problems.push(`${page.url()}: ${err.message}`));
  return problems;
}

export async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
}
