import type { Actor } from './auth/authenticate.ts';
import type { TenantDb } from './db/tenant-db.ts';

/** What every command receives: the account's database handle and who is acting (null for the system). */
export interface CommandContext {
  db: TenantDb;
  actor: Actor | null;
  ip: string | null;
}

/** The fields of `changes` whose values differ from the record's (compared as JSON: arrays and objects by value). */
export function changedKeys(record: object, changes: object): string[] {
  const before = record as Record<string, unknown>;
  return Object.entries(changes)
    .filter(([k, v]) => JSON.stringify(before[k]) !== JSON.stringify(v))
    .map(([k]) => k);
}
