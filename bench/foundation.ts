// The foundation's figures, on the embedded database and on PostgreSQL: cold start, idle memory,
// GET /api/v2/users/me throughput and user creation throughput. Prints a table and writes
// tmp/bench/foundation-<db>.json. See bench/README.md.
//
//   npm run bench                       # both databases
//   npm run bench -- --db embedded      # or --db postgres
//   npm run bench -- --duration 5       # seconds per throughput run (default 10)
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { HavenProcess } from '../test/support/processes.ts';
import {
  ADMIN_EMAIL,
  type CpuShare,
  cpuShare,
  cpuSnapshot,
  median,
  newEmbeddedStore,
  newPostgresStore,
  PG_ADMIN_URL,
  postgresReachable,
  ROOT,
  removeStore,
  rssMiB,
  runLoad,
  type Store,
  setupBenchAccount,
  startServer,
} from './lib.ts';
import type { AutocannonSummary, CreateUsersSummary } from './load.ts';

type DbKind = 'embedded' | 'postgres';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'all' },
    duration: { type: 'string', default: process.env.BENCH_DURATION ?? '10' },
    warmup: { type: 'string', default: '3' },
    idle: { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
  },
});
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const IDLE = Number(values.idle);
const RUNS = Number(values.runs);
const CONNECTIONS = 10;
const kinds: DbKind[] = values.db === 'all' ? ['embedded', 'postgres'] : [values.db as DbKind];
if (!kinds.every((k) => k === 'embedded' || k === 'postgres')) {
  console.error('--db must be embedded, postgres or all');
  process.exit(64);
}

interface DbResult {
  db: DbKind;
  date: string;
  machine: { cpus: number; cpuModel: string; node: string; memGiB: number };
  settings: { durationS: number; warmupS: number; idleS: number; runs: number; connections: number };
  coldStartMs: { fresh: number[]; existing: number[]; freshMedian: number; existingMedian: number };
  rssIdleMiB: number;
  rssAfterLoadMiB: number;
  loadAvgBefore: number[];
  usersMe: AutocannonSummary & { cpu: CpuShare };
  createUsers: CreateUsersSummary & {
    usersBefore: number;
    usersAfter: number;
    verified: boolean;
    cpu: CpuShare;
  };
}

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function newStore(kind: DbKind): Promise<Store> {
  return kind === 'embedded' ? Promise.resolve(newEmbeddedStore()) : newPostgresStore();
}

async function getJson(server: HavenProcess, url: string, authorization: string): Promise<any> {
  const res = await fetch(`${server.baseUrl}${url}`, { headers: { authorization } });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function benchDb(kind: DbKind): Promise<DbResult> {
  const stores: Store[] = [];
  let server: HavenProcess | null = null;
  try {
    // Cold start on a fresh store: creates the schema (PGlite also initialises its data dir).
    const fresh: number[] = [];
    let store: Store | null = null;
    for (let i = 0; i < RUNS; i++) {
      if (store) await removeStore(stores.pop()!);
      store = await newStore(kind);
      stores.push(store);
      server = await startServer(store);
      fresh.push(server.readyMs);
      log(
        `${kind}: cold start on a fresh ${kind === 'embedded' ? 'data dir' : 'database'} ${server.readyMs.toFixed(0)} ms`,
      );
      await server.stop();
      server = null;
    }

    // An account and its admin's API token, made while no server holds the store.
    const token = await setupBenchAccount(store!);
    const authorization = `Basic ${Buffer.from(`${ADMIN_EMAIL}/token:${token}`).toString('base64')}`;

    // Cold start on the existing store (a restart); the last server stays up for the rest.
    const existing: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      server = await startServer(store!);
      existing.push(server.readyMs);
      log(`${kind}: cold start on the existing store ${server.readyMs.toFixed(0)} ms`);
      if (i < RUNS - 1) {
        await server.stop();
        server = null;
      }
    }
    const s = server!;

    await sleep(IDLE * 1000);
    const rssIdle = rssMiB(s.pid);
    log(`${kind}: idle RSS ${rssIdle.toFixed(1)} MiB`);

    const me = await getJson(s, '/api/v2/users/me.json', authorization);
    if (me.user?.email !== ADMIN_EMAIL) throw new Error(`users/me answered ${JSON.stringify(me)}`);

    const meUrl = `${s.baseUrl}/api/v2/users/me.json`;
    const headers = { authorization };
    log(`${kind}: users/me warm-up ${WARMUP} s`);
    await runLoad<AutocannonSummary>({
      mode: 'autocannon',
      url: meUrl,
      headers,
      connections: CONNECTIONS,
      duration: WARMUP,
    });
    log(`${kind}: users/me ${DURATION} s, ${CONNECTIONS} connections`);
    const loadAvgBefore = os.loadavg();
    const meCpu0 = cpuSnapshot(s.pid);
    const meRun = await runLoad<AutocannonSummary>({
      mode: 'autocannon',
      url: meUrl,
      headers,
      connections: CONNECTIONS,
      duration: DURATION,
    });
    const usersMe = {
      ...meRun,
      cpu: cpuShare(meCpu0, cpuSnapshot(s.pid), meRun.clientCpuMs, meRun.total2xx + meRun.non2xx),
    };

    const prefix = `u${Date.now().toString(36)}`;
    log(`${kind}: user creation warm-up ${WARMUP} s`);
    await runLoad<CreateUsersSummary>({
      mode: 'create-users',
      base: s.baseUrl,
      authorization,
      workers: CONNECTIONS,
      duration: WARMUP,
      prefix: `${prefix}w`,
    });
    const usersBefore = (await getJson(s, '/api/v2/users.json?per_page=1', authorization)).count as number;
    log(`${kind}: user creation ${DURATION} s, ${CONNECTIONS} workers`);
    const createCpu0 = cpuSnapshot(s.pid);
    const created = await runLoad<CreateUsersSummary>({
      mode: 'create-users',
      base: s.baseUrl,
      authorization,
      workers: CONNECTIONS,
      duration: DURATION,
      prefix,
    });
    const createCpu = cpuShare(
      createCpu0,
      cpuSnapshot(s.pid),
      created.clientCpuMs,
      created.created + created.failed,
    );
    const usersAfter = (await getJson(s, '/api/v2/users.json?per_page=1', authorization)).count as number;
    const rssAfterLoad = rssMiB(s.pid);

    return {
      db: kind,
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        memGiB: Math.round(os.totalmem() / 2 ** 30),
      },
      settings: { durationS: DURATION, warmupS: WARMUP, idleS: IDLE, runs: RUNS, connections: CONNECTIONS },
      coldStartMs: { fresh, existing, freshMedian: median(fresh), existingMedian: median(existing) },
      rssIdleMiB: rssIdle,
      rssAfterLoadMiB: rssAfterLoad,
      loadAvgBefore,
      usersMe,
      createUsers: {
        ...created,
        usersBefore,
        usersAfter,
        verified: usersAfter - usersBefore === created.created && created.failed === 0,
        cpu: createCpu,
      },
    };
  } finally {
    if (server) await server.stop().catch(() => {});
    for (const st of stores)
      await removeStore(st).catch((err) => log(`could not remove ${JSON.stringify(st)}: ${err}`));
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const shares = (c: CpuShare) =>
  [c.serverPct, c.clientPct, c.postgresPct, c.otherPct, c.idlePct].map((x) => fmt(x)).join('/');

function printTable(results: DbResult[]): void {
  const rows: [string, ...string[]][] = [
    ['', ...results.map((r) => r.db)],
    ['cold start, fresh store (median ms)', ...results.map((r) => fmt(r.coldStartMs.freshMedian))],
    ['  runs', ...results.map((r) => r.coldStartMs.fresh.map((x) => fmt(x)).join(' / '))],
    ['cold start, existing store (median ms)', ...results.map((r) => fmt(r.coldStartMs.existingMedian))],
    ['  runs', ...results.map((r) => r.coldStartMs.existing.map((x) => fmt(x)).join(' / '))],
    ['RSS idle (MiB)', ...results.map((r) => fmt(r.rssIdleMiB, 1))],
    ['RSS after the load runs (MiB)', ...results.map((r) => fmt(r.rssAfterLoadMiB, 1))],
    ['GET users/me req/s (avg)', ...results.map((r) => fmt(r.usersMe.requestsPerSec))],
    ['  latency p50 / p99 (ms)', ...results.map((r) => `${r.usersMe.p50} / ${r.usersMe.p99}`)],
    [
      '  errors / timeouts / non-2xx',
      ...results.map((r) => `${r.usersMe.errors} / ${r.usersMe.timeouts} / ${r.usersMe.non2xx}`),
    ],
    ['  server CPU per request (ms)', ...results.map((r) => fmt(r.usersMe.cpu.serverCpuMsPerRequest, 2))],
    ['  CPU server/client/postgres/other/idle %', ...results.map((r) => shares(r.usersMe.cpu))],
    ['POST users req/s', ...results.map((r) => fmt(r.createUsers.requestsPerSec))],
    [
      '  latency p50 / p99 (ms)',
      ...results.map((r) => `${fmt(r.createUsers.p50, 1)} / ${fmt(r.createUsers.p99, 1)}`),
    ],
    ['  201s / failures', ...results.map((r) => `${r.createUsers.created} / ${r.createUsers.failed}`)],
    [
      '  users counted after − before',
      ...results.map(
        (r) =>
          `${r.createUsers.usersAfter - r.createUsers.usersBefore} ${r.createUsers.verified ? '✓' : '✗'}`,
      ),
    ],
    ['  server CPU per request (ms)', ...results.map((r) => fmt(r.createUsers.cpu.serverCpuMsPerRequest, 2))],
    ['  CPU server/client/postgres/other/idle %', ...results.map((r) => shares(r.createUsers.cpu))],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log();
  console.log(
    `Haven foundation benchmark: ${os.cpus().length} cores, Node ${process.version}, ${CONNECTIONS} connections, ${DURATION} s runs`,
  );
  console.log(line(rows[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) console.log(line(row));
  console.log(
    'CPU shares are of all cores during the measured run; "other" is everything else on the machine. A high\n' +
      '"other" means the figures were taken on a busy machine; server CPU per request is the steadier measure.',
  );
}

const results: DbResult[] = [];
let failed = false;
for (const kind of kinds) {
  if (kind === 'postgres') {
    const reason = await postgresReachable();
    if (reason) {
      console.log(
        `PostgreSQL at ${PG_ADMIN_URL} is not reachable (${reason}); skipping the PostgreSQL runs.`,
      );
      continue;
    }
  }
  log(`=== ${kind} ===`);
  const result = await benchDb(kind);
  results.push(result);
  const out = path.join(ROOT, 'tmp', 'bench', `foundation-${kind}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, out)}`);
  const me = result.usersMe;
  if (me.errors || me.timeouts || me.non2xx) {
    console.error(`${kind}: users/me had ${me.errors} errors, ${me.timeouts} timeouts, ${me.non2xx} non-2xx`);
    failed = true;
  }
  if (!result.createUsers.verified) {
    console.error(
      `${kind}: user creation mismatch: ${result.createUsers.created} 201s, ${result.createUsers.failed} failures, ` +
        `${result.createUsers.usersAfter - result.createUsers.usersBefore} users counted (first failure: ${result.createUsers.firstFailure})`,
    );
    failed = true;
  }
}
if (results.length) printTable(results);
process.exitCode = failed ? 1 : 0;
