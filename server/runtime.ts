import type { FastifyInstance } from 'fastify';
import type { HavenConfig } from './config.ts';
import { recordAudit } from './modules/audit/audit.commands.ts';
import { ImapSupervisor } from './modules/email/email.imap.ts';
import { releaseWaitingMail } from './modules/email/email.outbound.ts';
import { createSmtpServer, type InboundSmtpServer } from './modules/email/email.smtp-server.ts';
import {
  moduleJobs,
  moduleListeners,
  moduleRoutes,
  realtimeHandlers,
  realtimeRouting,
} from './modules/index.ts';
import { Authenticator } from './platform/auth/authenticate.ts';
import { parseCredentials, SESSION_COOKIE } from './platform/auth/credentials.ts';
import { type DatabaseHandle, type DatabaseTarget, openDatabase } from './platform/db/database.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { TenantDb } from './platform/db/tenant-db.ts';
import { OutboxRelay, pruneOutboxJob } from './platform/events/relay.ts';
import { buildHttpApp } from './platform/http/app.ts';
import { HavenError } from './platform/http/errors.ts';
import { systemRoutes } from './platform/http/system.routes.ts';
import { Jobs } from './platform/jobs/jobs.ts';
import { createLogger, type Logger } from './platform/logging/logger.ts';
import { createMailer } from './platform/mail/mailer.ts';
import { RealtimeGateway } from './platform/realtime/gateway.ts';
import { Services } from './platform/services.ts';
import { AccountsDirectory } from './platform/tenancy/accounts-directory.ts';

export type Role = 'web' | 'worker' | 'scheduler' | 'all';

export const VERSION = '0.1.0';

export interface Runtime {
  services: Services;
  app: FastifyInstance | null;
  /** Starts listening (web role); resolves with the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /** Starts the inbound SMTP server (web and all roles); resolves with the bound port. */
  listenSmtp(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export function databaseTarget(config: HavenConfig): DatabaseTarget {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl }
    : { kind: 'embedded', dataDir: config.dataDir };
}

/**
 * Boots one Haven process: database (migrated), jobs, realtime and, for the web role, the HTTP app.
 * `role: 'all'` is the embedded default; scale-out runs web, worker and scheduler processes separately.
 */
export async function startRuntime(
  config: HavenConfig,
  options: { role?: Role; logger?: Logger; database?: DatabaseHandle } = {},
): Promise<Runtime> {
  const role = options.role ?? 'all';
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = options.database ?? (await openDatabase(databaseTarget(config)));
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    const secret = await database.db.selectFrom('installation').select('secret').executeTakeFirstOrThrow();

    const baseUrlHost = new URL(config.baseUrl).hostname.toLowerCase();
    const accounts = new AccountsDirectory(database.db, config.baseDomain, baseUrlHost);
    const auth = new Authenticator({
      db: database.db,
      pool: database.pool,
      accounts,
      signInMaxFailures: config.signInMaxFailures,
      signInLockMinutes: config.signInLockMinutes,
      throttleKey: secret.secret,
      audit: (accountId, entry) => recordAudit(new TenantDb(accountId, database.db), entry),
    });
    const work = role === 'all' || role === 'worker';
    const schedule = role === 'all' || role === 'scheduler';
    const mailer = createMailer(config, logger);
    const jobs: Jobs = new Jobs(database.pool, logger, { work, schedule }, [
      pruneOutboxJob(database.db),
      ...moduleJobs(database.db, {
        mailer,
        accounts,
        config,
        logger,
        // Rule jobs enqueue further jobs; they run only once the queue below exists.
        get jobs(): Jobs {
          return jobs;
        },
      }),
    ]);
    // Made before anything starts, so an unreadable TLS certificate stops start-up with nothing left running.
    const smtp: InboundSmtpServer | null =
      (role === 'all' || role === 'web') && config.smtpPort !== null
        ? createSmtpServer({ system: database.db, jobs, config, logger })
        : null;
    const realtime = new RealtimeGateway(logger);
    realtime.route(realtimeRouting(database.db));
    realtime.handle(realtimeHandlers(database.db));
    // Embedded mode is one process, so the in-memory adapter is enough there.
    await realtime.attachAdapter({ redisUrl: config.redisUrl, databaseUrl: config.databaseUrl });
    const relay = new OutboxRelay(database.db, jobs, (e) => realtime.publish(e), moduleListeners, logger);
    const services = new Services(config, database, logger, accounts, auth, jobs, realtime, relay, mailer);

    await jobs.start();
    if (work) relay.start();
    // Mail that waited in the outbox for a relay goes out as soon as a worker starts with one configured.
    if (work && mailer.enabled) {
      await releaseWaitingMail(database.db, { mailer, config, jobs, logger }).catch((err) =>
        logger.error({ err }, 'releasing waiting mail'),
      );
    }

    let app: FastifyInstance | null = null;
    if (role === 'all' || role === 'web') {
      const routes = [...moduleRoutes];
      routes.push(...systemRoutes(() => routes, VERSION));
      const httpApp = await buildHttpApp(services, routes);
      await httpApp.ready();
      app = httpApp;
      realtime.attach(httpApp.server, async (headers, authorization) => {
        const cookies = httpApp.parseCookie(String(headers.cookie ?? ''));
        const credentials = parseCredentials(
          authorization ?? (headers.authorization as string | undefined),
          cookies[SESSION_COOKIE],
        );
        const resolved = await auth.resolve(
          accounts.classifyHost(headers.host as string | undefined),
          credentials,
          null,
        );
        if (!resolved.actor) throw new HavenError('CS_AUTH_REQUIRED');
        return resolved.actor;
      });
    }

    // Incoming mail: IMAP polling where jobs are worked (the SMTP server is made above, where HTTP is served).
    const imap = work ? new ImapSupervisor({ system: database.db, jobs, config, logger }) : null;
    imap?.start();

    let closing: Promise<void> | null = null;
    return {
      services,
      app,
      async listen(port = config.port, host = config.host) {
        if (!app) throw new Error(`The ${role} role serves no HTTP`);
        await app.listen({ port, host });
        const address = app.server.address();
        return typeof address === 'object' && address ? address.port : port;
      },
      async listenSmtp(port = config.smtpPort ?? 0, host = config.smtpHost) {
        if (!smtp) throw new Error(`The ${role} role receives no mail over SMTP (or HAVEN_SMTP_PORT is off)`);
        return smtp.listen(port, host);
      },
      close() {
        closing ??= (async () => {
          // Stop taking mail and requests and finish the ones in flight, then stop background work, then the
          // database.
          if (smtp) await smtp.close().catch((err) => logger.error({ err }, 'closing SMTP'));
          if (app) await app.close().catch((err) => logger.error({ err }, 'closing HTTP'));
          await realtime.close().catch(() => {});
          await imap?.stop().catch((err) => logger.error({ err }, 'stopping IMAP polling'));
          await relay.stop();
          await jobs.stop().catch((err) => logger.error({ err }, 'stopping jobs'));
          mailer.close();
          await database.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await database.close().catch(() => {});
    throw err;
  }
}
