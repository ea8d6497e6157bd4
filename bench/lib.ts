// Helpers shared by the benchmarks: stores, RSS, CPU shares and the load runner. Real `haven` processes
// and scratch databases come from the same support code the multi-node and durability tests use.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
export function startServer(store: Store): Promise<HavenProcess> {
  return startHaven({
    env: { ...storeEnv(store), LOG_LEVEL: 'warn' },
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
