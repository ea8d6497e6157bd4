import type { Kysely } from 'kysely';
import type { HavenConfig } from '../config.ts';
import type { Authenticator } from './auth/authenticate.ts';
import type { DatabaseHandle } from './db/database.ts';
import type { Database } from './db/schema.ts';
import { TenantDb } from './db/tenant-db.ts';
import type { OutboxRelay } from './events/relay.ts';
import type { Jobs } from './jobs/jobs.ts';
import type { Logger } from './logging/logger.ts';
import type { Mailer } from './mail/mailer.ts';
import type { RealtimeGateway } from './realtime/gateway.ts';
import type { AccountsDirectory } from './tenancy/accounts-directory.ts';

/** What a running Haven process holds; built once by runtime.ts and handed to routes and jobs. */
export class Services {
  constructor(
    readonly config: HavenConfig,
    readonly database: DatabaseHandle,
    readonly logger: Logger,
    readonly accounts: AccountsDirectory,
    readonly auth: Authenticator,
    readonly jobs: Jobs,
    readonly realtime: RealtimeGateway,
    readonly relay: OutboxRelay,
    /** Outgoing mail; `mailer.enabled` is false when no SMTP relay is configured. */
    readonly mailer: Mailer,
  ) {}

  tenantDb(accountId: number): TenantDb {
    return new TenantDb(accountId, this.database.db);
  }

  /** The explicit, logged way to work across accounts (sign-up, operator tools, the scheduler). */
  system(reason: string): Kysely<Database> {
    this.logger.debug({ reason }, 'system database handle');
    return this.database.db;
  }
}
