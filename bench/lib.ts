// Helpers shared by the benchmarks: real `haven` processes, readiness polling, RSS and throwaway databases.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const HAVEN = path.join(ROOT, 'bin', 'haven.js');

/** Where a benchmark's server keeps its data: a temp data dir (embedded) or a database URL (PostgreSQL). */
export type Store = { kind: 'embedded'; dataDir: string } | { kind: 'postgres'; url: string; name: string };

export function storeEnv(store: Store): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.HAVEN_DATA_DIR;
  if (store.kind === 'embedded') env.HAVEN_DATA_DIR = store.dataDir;
  else env.DATABASE_URL = store.url;
  return env;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** One GET, resolving with the status (0 when the connection failed). */
function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2_000, () => req.destroy());
  });
}

export interface Server {
  proc: ChildProcess;
  pid: number;
  port: number;
  base: string;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  readyMs: number;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Spawns `node bin/haven.js serve` and times it until /readyz first answers 200. */
export async function startServer(store: Store, extraEnv: NodeJS.ProcessEnv = {}): Promise<Server> {
  const port = await freePort();
  const env = {
    ...storeEnv(store),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    HAVEN_API_RATE_LIMIT: '0',
    ...extraEnv,
  };
  const started = performance.now();
  const proc = spawn(
    process.execPath,
    [...(process.env.BENCH_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), HAVEN, 'serve'],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  proc.stderr!.on('data', (d) => {
    err = (err + d).slice(-8_000);
  });
  let exited: number | null = null;
  const exit = new Promise<void>((resolve) =>
    proc.on('exit', (code) => {
      exited = code ?? -1;
      resolve();
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  const deadline = started + 120_000;
  for (;;) {
    if (exited !== null) throw new Error(`haven serve exited with ${exited} before it was ready:\n${err}`);
    if ((await status(`${base}/readyz`)) === 200) break;
    if (performance.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`haven serve was not ready within 120 s:\n${err}`);
    }
    await sleep(10);
  }
  const readyMs = performance.now() - started;
  return {
    proc,
    pid: proc.pid!,
    port,
    base,
    readyMs,
    stderr: () => err,
    async stop() {
      if (exited === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 25_000);
        await exit;
        clearTimeout(timer);
      }
    },
  };
}

/** Resident set size of a process, in MiB, from /proc/<pid>/status (VmRSS). */
export function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  if (!line) throw new Error(`No VmRSS for pid ${pid}`);
  return Number(line.replace(/\D+/g, '')) / 1024;
}

/** Runs `haven <args>` to completion and returns its stdout. */
export function runHaven(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [HAVEN, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => {
      out += d;
    });
    proc.stderr.on('data', (d) => {
      err += d;
    });
    proc.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`haven ${args[0]} exited with ${code}:\n${err}`)),
    );
  });
}

export const ADMIN_EMAIL = 'admin@bench.example.test';

/** `haven setup --json` on a store (before serving it); returns the admin's API token. */
export async function setupAccount(store: Store): Promise<string> {
  const out = await runHaven(
    [
      'setup',
      '--subdomain',
      'bench',
      '--name',
      'Bench Co',
      '--admin-email',
      ADMIN_EMAIL,
      '--admin-password',
      'correct-horse-battery-staple-42',
      '--json',
    ],
    storeEnv(store),
  );
  return JSON.parse(out.trim().split('\n').at(-1)!).api_token as string;
}

export function newEmbeddedStore(): Store {
  return { kind: 'embedded', dataDir: mkdtempSync(path.join(os.tmpdir(), 'haven-bench-')) };
}

export function removeStore(store: Store): Promise<void> {
  if (store.kind === 'embedded') {
    rmSync(store.dataDir, { recursive: true, force: true });
    return Promise.resolve();
  }
  return dropDatabase(store);
}

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let dbCounter = 0;

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Whether PostgreSQL answers at PG_ADMIN_URL; the reason when it does not. */
export async function postgresReachable(): Promise<string | null> {
  try {
    await withAdmin((c) => c.query('select 1'));
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  }
}

export async function newPostgresStore(): Promise<Store> {
  const name = `haven_bench_${process.pid}_${++dbCounter}`;
  await withAdmin((c) => c.query(`create database ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { kind: 'postgres', url: url.toString(), name };
}

async function dropDatabase(store: Store & { kind: 'postgres' }): Promise<void> {
  await withAdmin((c) => c.query(`drop database if exists ${store.name} with (force)`));
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
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

function procTicks(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

function postgresTicks(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += procTicks(pid);
    } catch {}
  }
  return total;
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
}

export function cpuShare(a: CpuSnapshot, b: CpuSnapshot, clientCpuMs: number, requests: number): CpuShare {
  const total = b.machine.total - a.machine.total || 1;
  const pct = (ticks: number) => Math.round((1000 * ticks) / total) / 10;
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
    serverCpuMsPerRequest: requests ? Math.round((100 * server * TICK_MS) / requests) / 100 : 0,
  };
}
