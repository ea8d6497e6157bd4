import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { createAccount } from './modules/accounts/accounts.commands.ts';
import { DataDirLockedError, openDatabase } from './platform/db/database.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { HavenError } from './platform/http/errors.ts';
import { createLogger } from './platform/logging/logger.ts';
import { databaseTarget, type Role, startRuntime, VERSION } from './runtime.ts';

const USAGE = `haven ${VERSION}: open-source customer service

Usage:
  haven serve [--port N] [--role web|worker|scheduler|all]
  haven setup --subdomain S --name N --admin-email E --admin-password P [--admin-name A] [--json]
  haven migrate

Configuration comes from the environment: PORT, HAVEN_DATA_DIR, DATABASE_URL, REDIS_URL,
HAVEN_BASE_URL, HAVEN_BASE_DOMAIN, HAVEN_SMTP_PORT, LOG_LEVEL (see README.md).`;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'setup':
        return await setup(rest);
      case 'migrate':
        return await migrate(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return;
      case '--version':
        console.log(VERSION);
        return;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (err) {
    fail(err);
  }
}

function fail(err: unknown): never {
  if (err instanceof UsageError) console.error(`${err.message}\n\n${USAGE}`);
  else if (err instanceof ConfigError || err instanceof DataDirLockedError) console.error(err.message);
  else if (err instanceof HavenError) {
    const details = err.details
      ? Object.entries(err.details).map(([f, list]) => `  ${f}: ${list.map((d) => d.description).join('; ')}`)
      : [];
    console.error([`Error: ${err.message}`, ...details].join('\n'));
  } else console.error(err instanceof Error && err.message ? `Error: ${err.message}` : err);
  process.exit(err instanceof UsageError ? 64 : 1);
}

function args<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false })
      .values as unknown as Record<keyof T, string | boolean | undefined>;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function serve(argv: string[]): Promise<void> {
  const values = args(argv, { port: { type: 'string' }, role: { type: 'string', default: 'all' } });
  const env = { ...process.env };
  if (values.port !== undefined) env.PORT = String(values.port);
  const role = String(values.role) as Role;
  if (!['web', 'worker', 'scheduler', 'all'].includes(role))
    throw new UsageError(`--role must be web, worker, scheduler or all`);
  const config = loadConfig(env);
  if (!config.databaseUrl && role !== 'all') {
    throw new UsageError(
      'Separate roles need a shared PostgreSQL: set DATABASE_URL, or run --role all on the embedded database.',
    );
  }
  const logger = createLogger(config.logLevel);
  const started = Date.now();
  const runtime = await startRuntime(config, { role, logger });
  let port: number | null = null;
  if (runtime.app) port = await runtime.listen();
  let smtpPort: number | null = null;
  if (runtime.app && config.smtpPort !== null) smtpPort = await runtime.listenSmtp();
  logger.info(
    { role, port, smtpPort, database: runtime.services.database.kind, ms: Date.now() - started },
    port ? `Haven is ready at ${config.baseUrl}` : `Haven ${role} is running`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    await runtime.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function setup(argv: string[]): Promise<void> {
  const v = args(argv, {
    subdomain: { type: 'string' },
    name: { type: 'string' },
    'admin-email': { type: 'string' },
    'admin-password': { type: 'string' },
    'admin-name': { type: 'string' },
    region: { type: 'string' },
    industry: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const missing = ['subdomain', 'name', 'admin-email', 'admin-password'].filter(
    (k) => !v[k as keyof typeof v],
  );
  if (missing.length) throw new UsageError(`Missing ${missing.map((m) => `--${m}`).join(', ')}.`);
  const config = loadConfig();
  const database = await openDatabase(databaseTarget(config));
  try {
    await migrateToLatest(database.db);
    const created = await createAccount(database.db, {
      subdomain: String(v.subdomain),
      name: String(v.name),
      adminName: String(v['admin-name'] ?? String(v['admin-email']).split('@')[0]),
      adminEmail: String(v['admin-email']),
      adminPassword: String(v['admin-password']),
      region: (v.region as any) ?? undefined,
      industry: (v.industry as any) ?? undefined,
    });
    const result = {
      account: { id: created.account.id, subdomain: created.account.subdomain, name: created.account.name },
      admin: { id: created.admin.id, email: created.admin.email },
      api_token: created.apiToken,
    };
    if (v.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      console.log(
        `Created account "${result.account.name}" (${result.account.subdomain}) with admin ${result.admin.email}.`,
      );
      console.log(`API token (shown once): ${result.api_token}`);
      console.log(`Use it as Basic ${result.admin.email}/token:${result.api_token}`);
    }
  } finally {
    await database.close();
  }
}

async function migrate(argv: string[]): Promise<void> {
  args(argv, {});
  const config = loadConfig();
  const database = await openDatabase(databaseTarget(config));
  try {
    const applied = await migrateToLatest(database.db);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
  } finally {
    await database.close();
  }
}
