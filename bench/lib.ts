// Helpers shared by the benchmarks: stores, RSS, CPU shares and the load runner. Real `haven` processes
// and scratch databases come from the same support code the multi-node and durability tests use.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseHandle } from '../server/platform/db/database.ts';
import {
  createScratchDatabase,
  postgresUnreachable,
  type ScratchDatabase,
} from '../test/support/databases.ts';
import { type HavenProcess, repoRoot, setupAccount, startHaven } from '../test/support/processes.ts';

export const ROOT = repoRoot;

/** Where a benchmark's server keeps its data: a temp data dir (embedded) or a scratch PostgreSQL database. */
export type Store = { kind: 'embedded'; dataDir: string } | { kind: 'postgres'; database: ScratchDatabase };

export function storeEnv(store: Store): Record<string, string> {
  return store.kind === 'embedded' ? { HAVEN_DATA_DIR: store.dataDir } : { DATABASE_URL: store.database.url };
}

/**
 * Spawns `node bin/haven.js serve` and times it until /readyz first answers 200 (polled every 10 ms),
 * quiet and without the API rate limit so throughput runs measure the server, not the limiter.
 */
export function startServer(store: Store, env: Record<string, string> = {}): Promise<HavenProcess> {
  return startHaven({
    env: { ...storeEnv(store), LOG_LEVEL: 'warn', ...env },
    pollMs: 10,
    readyTimeoutMs: 120_000,
    nodeFlags: process.env.BENCH_SERVER_NODE_FLAGS?.split(' ').filter(Boolean),
  });
}

/** Resident set size of a process, in MiB, from /proc/<pid>/status (VmRSS). */
export function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  if (!line) throw new Error(`No VmRSS for pid ${pid}`);
  return Number(line.replace(/\D+/g, '')) / 1024;
}

export const ADMIN_EMAIL = 'admin@bench.example.test';

/** `haven setup --json` on a store (before serving it); returns the admin's API token. */
export async function setupBenchAccount(store: Store): Promise<string> {
  const setup = await setupAccount(storeEnv(store), {
    subdomain: 'bench',
    name: 'Bench Co',
    email: ADMIN_EMAIL,
    password: 'correct-horse-battery-staple-42',
  });
  return setup.api_token;
}

export function newEmbeddedStore(): Store {
  return { kind: 'embedded', dataDir: mkdtempSync(path.join(os.tmpdir(), 'haven-bench-')) };
}

export async function removeStore(store: Store): Promise<void> {
  if (store.kind === 'embedded') rmSync(store.dataDir, { recursive: true, force: true });
  else await store.database.drop();
}

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function newPostgresStore(): Promise<Store> {
  return { kind: 'postgres', database: await createScratchDatabase(PG_ADMIN_URL, 'haven_bench') };
}

/** Whether PostgreSQL answers at PG_ADMIN_URL; the reason when it does not. */
export const postgresReachable = () => postgresUnreachable(PG_ADMIN_URL);

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The nearest-rank percentile `p` (0–100) of ascending `sorted` values; 0 when there are none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs bench/load.ts in its own Node process (so the client never shares the server's event loop). */
export function runLoad<T>(config: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench', 'load.ts'), JSON.stringify(config)],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
    });
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench/load.ts exited with ${code}`));
      try {
        resolve(JSON.parse(out) as T);
      } catch (err) {
        reject(err);
      }
    });
  });
}

// CPU accounting, so a figure taken while something else loads the machine can be recognised as such.
const TICK_MS = 10; // USER_HZ is 100 on Linux

function procTicks(pid: number | string, withReapedChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime + stime, plus cutime + cstime: the time of exited children it has waited for.
    const own = Number(fields[11]) + Number(fields[12]);
    return withReapedChildren ? own + Number(fields[13]) + Number(fields[14]) : own;
  } catch {
    return 0;
  }
}

/**
 * CPU ticks of every `postgres` process, counting backends that exited through the postmaster's reaped
 * children time, so the sum only grows.
 */
function postgresTicks(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += procTicks(pid, true);
    } catch {}
  }
  return total;
}

/** Backends connected to `database`, by their process title (`postgres: … user database host …`). */
function backendsOf(database: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(` ${database} `))
        out.set(pid, procTicks(pid));
    } catch {}
  }
  return out;
}

/**
 * CPU time of the PostgreSQL backends serving one database, sampled every 250 ms until `stop()`, so a
 * backend that exits meanwhile (a pool closing an idle connection) keeps what it used up to its last
 * sample. Other databases on the same server (other test suites) are not counted.
 */
export function samplePostgresDatabase(database: string): { stop(): number } {
  const first = backendsOf(database);
  const last = new Map(first);
  const sample = () => {
    for (const [pid, ticks] of backendsOf(database)) {
      if (!first.has(pid)) first.set(pid, 0); // started during the run
      last.set(pid, ticks);
    }
  };
  const timer = setInterval(sample, 250);
  return {
    stop() {
      clearInterval(timer);
      sample();
      let ticks = 0;
      for (const [pid, end] of last) ticks += end - (first.get(pid) ?? 0);
      return ticks * TICK_MS;
    },
  };
}

function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - cpu[3]! - cpu[4]!, total };
}

export interface CpuSnapshot {
  at: number;
  server: number;
  postgres: number;
  machine: { busy: number; total: number };
}

export function cpuSnapshot(serverPid: number): CpuSnapshot {
  return {
    at: performance.now(),
    server: procTicks(serverPid),
    postgres: postgresTicks(),
    machine: machineTicks(),
  };
}

/** Where the machine's CPU went between two snapshots, in percent of all cores (100 = every core busy). */
export interface CpuShare {
  serverPct: number;
  clientPct: number;
  postgresPct: number;
  otherPct: number;
  idlePct: number;
  serverCpuMsPerRequest: number;
  /** The run's database's backends (samplePostgresDatabase), when given. */
  postgresDbCpuMsPerRequest?: number;
}

export function cpuShare(
  a: CpuSnapshot,
  b: CpuSnapshot,
  clientCpuMs: number,
  requests: number,
  postgresDbCpuMs?: number,
): CpuShare {
  const total = b.machine.total - a.machine.total || 1;
  const pct = (ticks: number) => Math.round((1000 * ticks) / total) / 10;
  const perRequest = (ms: number) => (requests ? Math.round((100 * ms) / requests) / 100 : 0);
  const server = b.server - a.server;
  const postgres = b.postgres - a.postgres;
  const client = clientCpuMs / TICK_MS;
  const busy = b.machine.busy - a.machine.busy;
  return {
    serverPct: pct(server),
    clientPct: pct(client),
    postgresPct: pct(postgres),
    otherPct: pct(Math.max(0, busy - server - client - postgres)),
    idlePct: pct(total - busy),
    serverCpuMsPerRequest: perRequest(server * TICK_MS),
    ...(postgresDbCpuMs === undefined ? {} : { postgresDbCpuMsPerRequest: perRequest(postgresDbCpuMs) }),
  };
}

/** The setup result of `haven setup --json` on a store: account id, admin id and the admin's API token. */
export async function setupBenchAccountInfo(store: Store) {
  return setupAccount(storeEnv(store), {
    subdomain: 'bench',
    name: 'Bench Co',
    email: ADMIN_EMAIL,
    password: 'correct-horse-battery-staple-42',
  });
}

export function basicAuth(email: string, token: string): string {
  return `Basic ${Buffer.from(`${email}/token:${token}`).toString('base64')}`;
}

/**
 * The store's database opened the way Haven opens it (server/platform/db/database.ts). For the embedded
 * store no server may hold the data dir meanwhile (Haven's lock file refuses a second holder).
 */
export async function openStoreDatabase(store: Store): Promise<DatabaseHandle> {
  // Imported here, so the load process (which imports this file for the vocabulary) stays light.
  const { openDatabase } = await import('../server/platform/db/database.ts');
  return store.kind === 'embedded'
    ? openDatabase({ kind: 'embedded', dataDir: store.dataDir })
    : openDatabase({ kind: 'postgres', url: store.database.url, max: 2 });
}

// Ticket text: a 2,000-word vocabulary whose first words are frequent (function words, then help desk
// words), the rest rare, so full-text search has a realistic spread of selectivity.

/** A small seeded PRNG (mulberry32), so generated text is the same on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FUNCTION_WORDS = 'the to and a i is it my on for not with we can you this in of have be'.split(' ');

const HELPDESK_WORDS = `
account password reset login error email order invoice refund payment printer help please issue problem
update access support thanks customer shipping delivery cancel subscription charge billing card credit
app mobile browser page website link working broken crash slow report data export import file upload
download attachment screen button settings profile user admin team invite permission role license plan
upgrade downgrade trial renewal price discount coupon code tax receipt statement bank transfer paypal
address phone number verify verification twofactor authentication token expired locked blocked disabled
network wifi vpn connection server outage maintenance down timeout latency sync calendar integration slack
api webhook key secret certificate domain dns ssl migration backup restore delete remove duplicate merge
missing wrong damaged return exchange warranty replacement repair device laptop desktop monitor keyboard
mouse battery charger cable adapter router scanner ink toner paper jam tray driver install uninstall
version release feature request bug feedback suggestion question urgent asap today tomorrow yesterday
week month morning afternoon evening weekend holiday office store warehouse package tracking courier
carrier label customs international domestic express standard weight size color model serial quantity
item product catalog inventory stock available unavailable backorder preorder checkout cart basket wishlist
review rating complaint manager escalate escalation callback chat ticket case reference status pending
resolved closed reopen follow response reply waiting still again already never always sometimes tried
restart reboot cleared cache cookies incognito chrome firefox safari edge windows mac ios android tablet
notification alert reminder message inbox spam folder filter forward signature template report dashboard
chart analytics metric usage quota limit exceeded storage space full database query search results
performance memory cpu disk log logs trace screenshot video recording sound audio microphone camera
meeting conference room booking reservation appointment schedule shift payroll salary expense reimbursement
policy contract agreement terms privacy gdpr consent compliance audit security breach phishing virus malware
firewall antivirus encryption vault badge door parking desk chair headset copier fax
`
  .trim()
  .split(/\s+/);

function buildVocabulary(size: number): string[] {
  const words = [...new Set([...FUNCTION_WORDS, ...HELPDESK_WORDS])];
  const seen = new Set(words);
  // Pronounceable made-up words for the long tail (product names, jargon, typos, names).
  const onsets = 'b c d f g h j k l m n p r s t v w z br cr dr fl gr pl pr st tr sh ch th'.split(' ');
  const vowels = 'a e i o u ai ea io ou'.split(' ');
  const codas = ' n r s t l m x nd rt st ng'.split(' ');
  const rand = mulberry32(2000);
  const pick = (xs: string[]) => xs[Math.floor(rand() * xs.length)]!;
  while (words.length < size) {
    const syllables = 2 + Math.floor(rand() * 2);
    let w = '';
    for (let i = 0; i < syllables; i++) w += pick(onsets) + pick(vowels);
    w += pick(codas);
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  return words;
}

export const VOCABULARY: readonly string[] = buildVocabulary(2000);

/**
 * Index into VOCABULARY of a random word: floor(r² × size), so word i is drawn with probability about
 * 1/(2·sqrt(i·size)). The SQL seeding draws the same way (`power(random(), 2)`).
 */
export function randomWord(rand: () => number): string {
  return VOCABULARY[Math.floor(rand() ** 2 * VOCABULARY.length)]!;
}

export function randomText(rand: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(randomWord(rand));
  return out.join(' ');
}

/** Subjects start with one of these (the rest is two vocabulary words), as help desk subjects repeat. */
export const SUBJECT_TEMPLATES: readonly string[] = [
  'Password reset link not working',
  'Password reset email never arrived',
  'Refund for invoice',
  'Refund not received yet',
  'Question about my invoice',
  'Charged twice for the same order',
  'Printer offline again',
  'Printer paper jam on second floor',
  'Cannot log in to my account',
  'Account locked after too many attempts',
  'Two-factor code not received',
  'Order has not arrived',
  'Wrong size delivered',
  'Damaged item received',
  'Return label request',
  'Warranty claim for laptop',
  'Cancel my subscription',
  'Upgrade to the annual plan',
  'Update payment method',
  'Discount code not applied at checkout',
  'Error 500 on checkout page',
  'App crashes on startup',
  'Mobile app does not sync',
  'Slow page loading since yesterday',
  'How do I export my data',
  'Data import failed',
  'Invite a new team member',
  'Delete my account and data',
  'Change the account owner',
  'SSO configuration help',
  'VPN connection keeps dropping',
  'Email notifications missing',
  'Feature request: dark mode',
  'Integration with Slack stopped working',
  'API rate limit exceeded',
  'Tax exemption certificate',
  'Request a copy of my receipt',
  'Shipping address change',
  'Software license renewal',
  'Laptop screen flickering',
];

/** Tags of seeded tickets (besides `vip`, which about 5% of tickets carry). */
export const TICKET_TAGS: readonly string[] = [
  'billing',
  'refund',
  'shipping',
  'login',
  'password',
  'bug',
  'feature_request',
  'hardware',
  'printer',
  'mobile',
  'api',
  'integration',
  'account',
  'returns',
  'warranty',
  'invoice',
  'urgent_followup',
  'enterprise',
  'trial',
  'churn_risk',
  'escalated',
  'how_to',
  'security',
  'network',
  'onboarding',
];

/** One statement a traced server sent: its connection, when, and its text. */
export interface TracedStatement {
  conn: number;
  at: number;
  sql: string;
  /** Bound parameters (text format; binary ones as hex), for the extended protocol. */
  params?: (string | null)[];
}

export interface SqlTrace {
  /** A DATABASE_URL that reaches the database through the trace. */
  url: string;
  /** Statements seen since the trace started (or since `clear()`). */
  statements(): TracedStatement[];
  clear(): void;
  close(): Promise<void>;
}

/**
 * A TCP relay in front of PostgreSQL that reads the frontend side of the wire protocol and records every
 * statement executed: a simple Query message, or an Execute of the portal last bound on that connection
 * (with the text its Parse gave the statement, named or unnamed, and the bound parameters). It adds
 * latency, so it is for counting statements, not for timing.
 */
export async function startSqlTrace(databaseUrl: string): Promise<SqlTrace> {
  const target = new URL(databaseUrl);
  let log: TracedStatement[] = [];
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const conn = ++connections;
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.pipe(client);
    let buf: Buffer = Buffer.alloc(0);
    let startup = true;
    // Statement text by prepared statement name ('' is the unnamed one), and what the last Bind bound.
    const prepared = new Map<string, string>();
    let bound: { sql: string; params: (string | null)[] } = { sql: '', params: [] };
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (true) {
        if (startup) {
          // Untyped: int32 length, int32 code. SSL and GSS encryption requests precede the real startup.
          if (buf.length < 8) break;
          const len = buf.readInt32BE(0);
          if (buf.length < len) break;
          const code = buf.readInt32BE(4);
          if (code !== 80877103 && code !== 80877104) startup = false;
          buf = buf.subarray(len);
          continue;
        }
        if (buf.length < 5) break;
        const type = String.fromCharCode(buf[0]!);
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) break;
        const body = buf.subarray(5, 1 + len);
        if (type === 'Q') log.push({ conn, at: performance.now(), sql: cstring(body, 0).text });
        else if (type === 'P') {
          const name = cstring(body, 0);
          prepared.set(name.text, cstring(body, name.end + 1).text);
        } else if (type === 'B') {
          const statement = cstring(body, cstring(body, 0).end + 1).text;
          bound = {
            sql: prepared.get(statement) ?? `(prepared statement ${statement})`,
            params: bindParams(body),
          };
        } else if (type === 'E') log.push({ conn, at: performance.now(), ...bound });
        buf = buf.subarray(1 + len);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    statements: () => log,
    clear: () => {
      log = [];
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A Bind message's parameter values: portal, statement, format codes, then length-prefixed values. */
function bindParams(body: Buffer): (string | null)[] {
  let at = cstring(body, cstring(body, 0).end + 1).end + 1;
  const nFormats = body.readInt16BE(at);
  const formats: number[] = [];
  for (let i = 0; i < nFormats; i++) formats.push(body.readInt16BE(at + 2 + 2 * i));
  at += 2 + 2 * nFormats;
  const n = body.readInt16BE(at);
  at += 2;
  const out: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const len = body.readInt32BE(at);
    at += 4;
    if (len < 0) {
      out.push(null);
      continue;
    }
    const binary = (nFormats === 1 ? formats[0] : formats[i]) === 1;
    out.push(body.toString(binary ? 'hex' : 'utf8', at, at + len));
    at += len;
  }
  return out;
}

function cstring(buf: Buffer, start: number): { text: string; end: number } {
  const end = buf.indexOf(0, start);
  return { text: buf.toString('utf8', start, end < 0 ? buf.length : end), end: end < 0 ? buf.length : end };
}

/** Rows as an aligned text table: first row the header, first column left-aligned, the rest right-aligned. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell = '', i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
