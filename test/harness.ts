import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { type HavenConfig, loadConfig } from '../server/config.ts';
import { createAccount } from '../server/modules/accounts/accounts.commands.ts';
import { type DatabaseHandle, openDatabase } from '../server/platform/db/database.ts';
import { createLogger, type Logger } from '../server/platform/logging/logger.ts';
import { type Runtime, startRuntime } from '../server/runtime.ts';
import { createScratchDatabase, type ScratchDatabase } from './support/databases.ts';

/**
 * Test harness: a real Haven app on a real database, listening on a loopback port.
 * Embedded PGlite in memory by default; a fresh PostgreSQL database per app when HAVEN_TEST_DB=postgres
 * (TEST_DATABASE_URL names the server). Nothing of our own is mocked.
 */
export interface TestApp {
  runtime: Runtime;
  config: HavenConfig;
  baseUrl: string;
  port: number;
  /** Creates an account with an admin and API token through the same command `haven setup` uses. */
  createAccount(subdomain?: string): Promise<TestAccount>;
  close(): Promise<void>;
}

export interface TestAccount {
  id: number;
  subdomain: string;
  adminId: number;
  adminEmail: string;
  adminPassword: string;
  token: string;
  /** Basic `email/token:TOKEN` for the admin. */
  auth: string;
  /** Basic `email/token:TOKEN` for any user of this account (Zendesk semantics). */
  authAs(email: string): string;
  /** Creates a user through the API as this account's admin; throws unless it answers 201. */
  createUser(
    name: string,
    email: string,
    role?: 'end-user' | 'agent' | 'admin' | string,
  ): Promise<{ id: number } & Record<string, any>>;
}

export const usePostgres = process.env.HAVEN_TEST_DB === 'postgres';

export async function createTestDatabase(): Promise<ScratchDatabase | null> {
  if (!usePostgres) return null;
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error('HAVEN_TEST_DB=postgres needs TEST_DATABASE_URL');
  return createScratchDatabase(admin, 'haven_t');
}

/** `options.logger` lets a test capture the app's log output (e.g. to check redaction). */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { logger?: Logger } = {},
): Promise<TestApp> {
  const pgDb = await createTestDatabase();
  const config = loadConfig({
    HAVEN_BASE_DOMAIN: 'haven.test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HAVEN_API_RATE_LIMIT: '0',
    ...(pgDb ? { DATABASE_URL: pgDb.url } : {}),
    ...env,
  });
  let database: DatabaseHandle;
  if (pgDb) database = await openDatabase({ kind: 'postgres', url: pgDb.url });
  else database = await openDatabase({ kind: 'embedded', memory: true });
  const runtime = await startRuntime(config, {
    role: 'all',
    database,
    logger: options.logger ?? createLogger(config.logLevel),
  });
  const port = await runtime.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${port}`;
  let counter = 0;
  const app: TestApp = {
    runtime,
    config,
    baseUrl,
    port,
    async createAccount(subdomain?: string) {
      counter += 1;
      const sub = subdomain ?? `acct${counter}${randomBytes(2).toString('hex')}`;
      const adminEmail = `admin@${sub}.example`;
      const adminPassword = 'correct horse battery staple';
      const created = await createAccount(runtime.services.system('test set-up'), {
        subdomain: sub,
        name: `Account ${sub}`,
        adminName: `Admin ${sub}`,
        adminEmail,
        adminPassword,
      });
      runtime.services.accounts.invalidate();
      const authAs = (email: string) =>
        `Basic ${Buffer.from(`${email}/token:${created.apiToken}`).toString('base64')}`;
      const account: TestAccount = {
        id: created.account.id,
        subdomain: sub,
        adminId: created.admin.id,
        adminEmail,
        adminPassword,
        token: created.apiToken,
        auth: authAs(adminEmail),
        authAs,
        async createUser(name, email, role = 'end-user') {
          const res = await api(app, 'POST', '/api/v2/users.json', {
            auth: account.auth,
            body: { user: { name, email, role } },
          });
          if (res.status !== 201) throw new Error(`Creating ${email} answered ${res.status}: ${res.text}`);
          return res.body.user;
        },
      };
      return account;
    },
    async close() {
      await runtime.close();
      await pgDb?.drop();
    },
  };
  return app;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/**
 * A small HTTP client: JSON in, JSON (or text) out. Built on node:http rather than fetch because fetch
 * will not send a custom Host header, and account resolution by host is part of what tests exercise.
 */
export async function api<T = any>(
  app: TestApp,
  method: string,
  path: string,
  options: {
    auth?: string;
    body?: unknown;
    rawBody?: string | Buffer;
    headers?: Record<string, string>;
    host?: string;
  } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.auth) headers.authorization = options.auth;
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (options.host) headers.host = options.host;
  return new Promise((resolve, reject) => {
    const req = http.request(`${app.baseUrl}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const responseHeaders = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) responseHeaders.set(k, Array.isArray(v) ? v.join(', ') : v);
        }
        let body: any = text;
        if ((res.headers['content-type'] ?? '').includes('application/json') && text) body = JSON.parse(text);
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export function basic(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
}
