// The agent workspace's figures: JavaScript shipped for the first screen, a 100-comment ticket becoming
// interactive, and switching views — measured in Debian's headless Chromium against a real `haven serve`
// holding a large seeded account. Prints a table and writes tmp/bench/agent-<db>.json. See bench/README.md.
//
//   npm run bench:agent                                  # embedded database, 100k tickets
//   npm run bench:agent -- --db postgres --tickets 100000
//   npm run bench:agent -- --sections bundle             # only the bundle sizes (no server, no browser)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { HavenProcess } from '../test/support/processes.ts';
import {
  ADMIN_EMAIL,
  basicAuth,
  formatTable,
  median,
  newEmbeddedStore,
  newPostgresStore,
  openStoreDatabase,
  postgresReachable,
  ROOT,
  removeStore,
  type Store,
  setupBenchAccountInfo,
  startServer,
} from './lib.ts';
import { api, createFixtures, seedTickets } from './seed.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'embedded' },
    tickets: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '7' },
    sections: { type: 'string', default: 'bundle,browser' },
  },
});
const TICKETS = Number(values.tickets);
const RUNS = Number(values.runs);
const SECTIONS = new Set(values.sections.split(',').map((s) => s.trim()));
const PASSWORD = 'correct-horse-battery-staple-42';
const CHROMIUM = '/usr/bin/chromium';
const DIST = path.join(ROOT, 'agent', 'dist');
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

// ---------------------------------------------------------------------------------------------------------
// Bundle: what the browser downloads for the first screen (/agent/views), from Vite's manifest.

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

interface BundleResult {
  firstScreen: { files: string[]; rawKB: number; gzipKB: number; brotliKB: number };
  chunks: { name: string; rawKB: number; gzipKB: number }[];
  totalGzipKB: number;
}

const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

function measureBundle(): BundleResult {
  const manifest = JSON.parse(readFileSync(path.join(DIST, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
  // The first screen is the entry plus the views page it routes to, each with its static imports.
  const viewsKey = Object.keys(manifest).find((k) => k.endsWith('pages/views/ViewsPage.tsx'));
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entryKey);
  if (viewsKey) visit(viewsKey);
  const sizes = (file: string) => {
    const bytes = readFileSync(path.join(DIST, file));
    return {
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes).length,
    };
  };
  const scripts = [...files].filter((f) => f.endsWith('.js'));
  const first = scripts
    .map(sizes)
    .reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli }), {
      raw: 0,
      gzip: 0,
      brotli: 0,
    });
  const chunks = [...new Set(Object.values(manifest).map((c) => c.file))]
    .filter((f) => f.endsWith('.js'))
    .map((f) => ({ name: path.basename(f).replace(/-[\w-]{8}\.js$/, ''), ...sizes(f) }))
    .sort((a, b) => b.gzip - a.gzip);
  return {
    firstScreen: { files: scripts, rawKB: kb(first.raw), gzipKB: kb(first.gzip), brotliKB: kb(first.brotli) },
    chunks: chunks.map((c) => ({ name: c.name, rawKB: kb(c.raw), gzipKB: kb(c.gzip) })),
    totalGzipKB: kb(chunks.reduce((sum, c) => sum + c.gzip, 0)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Browser: a signed-in agent in headless Chromium.

interface BrowserResult {
  tickets: number;
  firstLoadMs: number[];
  viewSwitchColdMs: number[];
  viewSwitchWarmMs: number[];
  ticketColdMs: number[];
  ticketInAppMs: number[];
}

async function signIn(browser: Browser, baseUrl: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => log(`page error: ${err.message}`));
  await page.goto(`${baseUrl}/sign_in`);
  await page.getByLabel('Email').fill(ADMIN_EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForURL('**/agent/**'), page.getByRole('button', { name: 'Sign in' }).click()]);
  return page;
}

/** Milliseconds from `start()` until `ready()` resolves. */
async function timed(start: () => Promise<unknown>, ready: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await start();
  await ready();
  return performance.now() - t0;
}

/** A ticket with 100 comments (public replies and internal notes alternating), made through the API. */
async function hundredCommentTicket(
  server: HavenProcess,
  auth: string,
  requesterId: number,
): Promise<number> {
  const { ticket } = await api(server, auth, 'POST', '/api/v2/tickets.json', {
    ticket: {
      subject: 'Printer on the third floor keeps jamming',
      comment: { body: 'Comment 1: the printer jams on every second page since Monday.' },
      requester_id: requesterId,
    },
  });
  for (let i = 2; i <= 100; i++) {
    await api(server, auth, 'PUT', `/api/v2/tickets/${ticket.id}.json`, {
      ticket: {
        comment: {
          html_body: `<p>Comment ${i}: ${i % 2 ? 'Could you send a photo of the paper tray?' : 'Checked the rollers; <strong>still jamming</strong>.'}</p>`,
          public: i % 3 !== 0,
        },
      },
    });
  }
  return ticket.id;
}

const COMMENT = '[data-comment-id]';
const COMPOSER = '[contenteditable="true"]';

async function measureBrowser(store: Store): Promise<BrowserResult> {
  const setup = await setupBenchAccountInfo(store);
  const auth = basicAuth(ADMIN_EMAIL, setup.api_token);
  let server = await startServer(store);
  const fixtures = await createFixtures(server, auth, setup.account.id, setup.admin.id);
  log(`${store.kind}: seeding ${TICKETS.toLocaleString('en-US')} tickets`);
  if (store.kind === 'embedded') await server.stop();
  const db = await openStoreDatabase(store);
  try {
    await seedTickets(db, fixtures, TICKETS, store.kind);
  } finally {
    await db.close();
  }
  if (store.kind === 'embedded') server = await startServer(store);
  const ticketId = await hundredCommentTicket(server, auth, fixtures.requesterIds[0]!);
  const views = (await api(server, auth, 'GET', '/api/v2/views/active.json')).views as {
    id: number;
    title: string;
  }[];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-sync',
    ],
  });
  const result: BrowserResult = {
    tickets: TICKETS,
    firstLoadMs: [],
    viewSwitchColdMs: [],
    viewSwitchWarmMs: [],
    ticketColdMs: [],
    ticketInAppMs: [],
  };
  try {
    const base = server.baseUrl;
    const rowsOf = (page: Page) => page.locator('[data-ticket-link]').first().waitFor();
    for (let run = 0; run < RUNS; run++) {
      // First screen: a fresh tab (no cached API data, HTTP cache warm as for an agent's daily start).
      const page = await signIn(browser, base);
      result.firstLoadMs.push(
        await timed(
          () => page.goto(`${base}/agent/views/${views[0]!.id}`),
          () => rowsOf(page),
        ),
      );
      // Switching views through the sidebar: first visit (cold) and a revisit (cached, refreshed behind).
      for (const pass of ['cold', 'warm'] as const) {
        for (const view of views.slice(1).concat(views[0]!)) {
          const link = page.locator(`a[href$="/views/${view.id}"]`).first();
          const ms = await timed(
            () => link.click(),
            () =>
              page.waitForFunction(
                (id) => document.querySelector(`[data-view-id="${id}"][aria-busy="false"]`),
                view.id,
              ),
          );
          (pass === 'cold' ? result.viewSwitchColdMs : result.viewSwitchWarmMs).push(ms);
        }
      }
      // The 100-comment ticket: a full page load (cold), then opened from inside the app.
      result.ticketColdMs.push(
        await timed(
          () => page.goto(`${base}/agent/tickets/${ticketId}`),
          async () => {
            await page.locator(COMMENT).nth(99).waitFor();
            await page.locator(COMPOSER).first().waitFor();
          },
        ),
      );
      await page.goto(`${base}/agent/views/${views[0]!.id}`);
      await rowsOf(page);
      result.ticketInAppMs.push(
        await timed(
          () =>
            page.evaluate((id) => {
              history.pushState(null, '', `/agent/tickets/${id}`);
              dispatchEvent(new PopStateEvent('popstate'));
            }, ticketId),
          async () => {
            await page.locator(COMMENT).nth(99).waitFor();
            await page.locator(COMPOSER).first().waitFor();
          },
        ),
      );
      await page.context().close();
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------

const fmt = (ms: number[]) =>
  ms.length ? `${median(ms).toFixed(0)} ms (n=${ms.length}, max ${Math.max(...ms).toFixed(0)})` : 'n/a';

async function main() {
  if (!existsSync(path.join(DIST, '.vite', 'manifest.json'))) {
    log('building the agent workspace');
    const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) process.exit(1);
  }
  const out: Record<string, unknown> = {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    db: values.db,
  };
  if (SECTIONS.has('bundle')) {
    const bundle = measureBundle();
    out.bundle = bundle;
    console.log('\nAgent workspace JavaScript (goal: first screen ≤ 250 KB gzipped)');
    console.log(
      formatTable([
        ['', 'raw KB', 'gzip KB', 'brotli KB'],
        [
          'first screen (/agent/views)',
          `${bundle.firstScreen.rawKB}`,
          `${bundle.firstScreen.gzipKB}`,
          `${bundle.firstScreen.brotliKB}`,
        ],
        ...bundle.chunks.slice(0, 8).map((c) => [`  chunk ${c.name}`, `${c.rawKB}`, `${c.gzipKB}`, '']),
        ['all chunks', '', `${bundle.totalGzipKB}`, ''],
      ]),
    );
  }
  if (SECTIONS.has('browser')) {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
    if (values.db === 'postgres' && (await postgresReachable()))
      throw new Error('PostgreSQL is not reachable');
    const store = values.db === 'postgres' ? await newPostgresStore() : newEmbeddedStore();
    try {
      const browser = await measureBrowser(store);
      out.browser = browser;
      console.log(
        `\nIn headless Chromium, ${values.db} database, ${TICKETS.toLocaleString('en-US')} tickets (medians of ${RUNS} runs)`,
      );
      console.log(
        formatTable([
          ['', 'median', 'goal'],
          ['first screen: sign-in done → view rows shown', fmt(browser.firstLoadMs), ''],
          ['switch view, first visit', fmt(browser.viewSwitchColdMs), '< 200 ms'],
          ['switch view, revisit', fmt(browser.viewSwitchWarmMs), '< 200 ms'],
          ['100-comment ticket, full page load → interactive', fmt(browser.ticketColdMs), '< 1 s'],
          ['100-comment ticket, opened in the app → interactive', fmt(browser.ticketInAppMs), '< 1 s'],
        ]),
      );
    } finally {
      await removeStore(store);
    }
  }
  mkdirSync(path.join(ROOT, 'tmp', 'bench'), { recursive: true });
  writeFileSync(path.join(ROOT, 'tmp', 'bench', `agent-${values.db}.json`), JSON.stringify(out, null, 2));
}

await main();
