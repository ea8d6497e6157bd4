import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createScratchDatabase, type ScratchDatabase } from './databases.ts';

/**
 * Real `haven` processes for tests that need more than an in-process app: several nodes on one database,
 * a kill -9, a SIGTERM. Every process started here is killed when the test process exits, whatever happens.
 */
export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const havenBin = path.join(repoRoot, 'bin', 'haven.js');

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A temporary directory, removed by the returned function. */
export function tempDir(prefix = 'haven-test-'): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The environment every spawned haven gets: quiet, loopback only, no rate limit, plus the test's own. */
function havenEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  // The parent's test-runner and database settings must not leak into the server under test.
  for (const key of [
    'DATABASE_URL',
    'REDIS_URL',
    'HAVEN_DATA_DIR',
    'PORT',
    'NODE_TEST_CONTEXT',
    'NODE_OPTIONS',
  ]) {
    delete base[key];
  }
  return {
    ...base,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    HAVEN_API_RATE_LIMIT: '0',
    HAVEN_SMTP_PORT: '0',
    ...env,
  };
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a `haven` command to completion (e.g. `setup --json`). */
export async function runHaven(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 120_000,
): Promise<CommandResult> {
  const child = spawn(process.execPath, [havenBin, ...args], {
    cwd: repoRoot,
    env: havenEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = (await new Promise((resolve) => child.on('exit', (c, s) => resolve([c, s])))) as [
    number | null,
    NodeJS.Signals | null,
  ];
  clearTimeout(timer);
  live.delete(child);
  return { code, signal, stdout, stderr };
}

export interface SetupResult {
  account: { id: number; subdomain: string; name: string };
  admin: { id: number; email: string };
  api_token: string;
  /** Basic `email/token:TOKEN` for the admin. */
  auth: string;
}

/** `haven setup --json` against the given database; throws with the command's output if it fails. */
export async function setupAccount(
  env: Record<string, string | undefined>,
  options: { subdomain?: string; email?: string; password?: string; name?: string } = {},
): Promise<SetupResult> {
  const email = options.email ?? 'admin@example.com';
  const result = await runHaven(
    [
      'setup',
      '--subdomain',
      options.subdomain ?? 'acme',
      '--name',
      options.name ?? 'Acme Support',
      '--admin-email',
      email,
      '--admin-password',
      options.password ?? 'correct horse battery staple',
      '--admin-name',
      'Ada Admin',
      '--json',
    ],
    env,
  );
  if (result.code !== 0)
    throw new Error(`haven setup exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  const parsed = JSON.parse(result.stdout.trim().split('\n').pop()!) as Omit<SetupResult, 'auth'>;
  return { ...parsed, auth: basicToken(email, parsed.api_token) };
}

export function basicToken(email: string, token: string): string {
  return `Basic ${Buffer.from(`${email}/token:${token}`).toString('base64')}`;
}

export interface HavenProcess {
  pid: number;
  /** Milliseconds from spawn until the process was ready (see startHaven). */
  readyMs: number;
  /** Null for roles that serve no HTTP. */
  port: number | null;
  baseUrl: string;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  /** Resolves with the exit code and signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal and waits for the exit (SIGKILLs it after `timeoutMs`). */
  stop(
    signal?: NodeJS.Signals,
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `haven serve` and waits until it is ready: /readyz answers 200 for roles with HTTP, the
 * "is running" log line for the others. Rejects with the process's output if it exits first.
 */
export async function startHaven(options: {
  env: Record<string, string | undefined>;
  role?: 'all' | 'web' | 'worker' | 'scheduler';
  port?: number;
  readyTimeoutMs?: number;
  /** How often readiness is polled; benchmarks timing cold starts poll often. */
  pollMs?: number;
  /** Flags for the server's `node` (e.g. `--cpu-prof`). */
  nodeFlags?: string[];
}): Promise<HavenProcess> {
  const role = options.role ?? 'all';
  const serves = role === 'all' || role === 'web';
  const port = serves ? (options.port ?? (await freePort())) : null;
  const args = [...(options.nodeFlags ?? []), havenBin, 'serve', '--role', role];
  if (port !== null) args.push('--port', String(port));
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: havenEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  // The tail is enough for failure messages, and a long load run must not grow it without bound.
  const keep = (d: Buffer) => {
    out = (out + d).slice(-64_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const baseUrl = port === null ? '' : `http://127.0.0.1:${port}`;

  const proc: HavenProcess = {
    pid: child.pid!,
    readyMs: 0,
    port,
    baseUrl,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (!hasExited) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  try {
    while (true) {
      if (hasExited) throw new Error(`haven serve --role ${role} exited before it was ready`);
      if (Date.now() > deadline) throw new Error(`haven serve --role ${role} was not ready in time`);
      if (serves) {
        const ok = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) })
          .then((r) => r.status === 200)
          .catch(() => false);
        if (ok) return Object.assign(proc, { readyMs: performance.now() - started });
      } else if (/is running/.test(out)) {
        return Object.assign(proc, { readyMs: performance.now() - started });
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
    }
  } catch (err) {
    await proc.stop('SIGKILL');
    throw new Error(`${(err as Error).message}. Its output:\n${out}`);
  }
}

/** A fresh PostgreSQL database on TEST_DATABASE_URL's server, or null when that is not set. */
export async function freshPostgresDatabase(): Promise<ScratchDatabase | null> {
  const admin = process.env.TEST_DATABASE_URL;
  return admin ? createScratchDatabase(admin, 'haven_p') : null;
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** POST /api/v2/users as the given credentials; returns the status and body. */
export async function createUserVia(
  baseUrl: string,
  auth: string,
  user: { name: string; email: string; role?: string },
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}/api/v2/users`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ user }),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body };
}
