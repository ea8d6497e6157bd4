import type { Actor } from './auth/authenticate.ts';
import type { TenantDb } from './db/tenant-db.ts';

/** What every command receives: the account's database handle and who is acting (null for the system). */
export interface CommandContext {
  db: TenantDb;
  actor: Actor | null;
  ip: string | null;
}
