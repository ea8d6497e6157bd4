import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { defineTable, pd } from '../privacy/registry.ts';
import * as foundation from './migrations/0001-foundation.ts';
import * as tickets from './migrations/0002-tickets.ts';
import * as fields from './migrations/0003-fields.ts';
import * as attachments from './migrations/0004-attachments.ts';
import * as viewsMacros from './migrations/0005-views-macros.ts';
import * as search from './migrations/0006-search.ts';
import * as exportsIndexes from './migrations/0007-exports.ts';
import * as invitations from './migrations/0008-invitations.ts';
import * as triggers from './migrations/0009-triggers.ts';
import * as sla from './migrations/0010-sla.ts';
import * as satisfaction from './migrations/0011-satisfaction.ts';
import * as webhooks from './migrations/0012-webhooks.ts';
import * as automations from './migrations/0013-automations.ts';
import * as email from './migrations/0014-email.ts';
import * as emailOutbound from './migrations/0015-email-outbound.ts';
import * as emailInbound from './migrations/0016-email-inbound.ts';

const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-tickets': tickets,
  '0003-fields': fields,
  '0004-attachments': attachments,
  '0005-views-macros': viewsMacros,
  '0006-search': search,
  '0007-exports': exportsIndexes,
  '0008-invitations': invitations,
  '0011-satisfaction': satisfaction,
  '0009-triggers': triggers,
  '0010-sla': sla,
  '0012-webhooks': webhooks,
  '0013-automations': automations,
  '0014-email': email,
  '0015-email-outbound': emailOutbound,
  '0016-email-inbound': emailInbound,
};

// Kysely's own bookkeeping tables live in the same schema, so the registry classifies their columns too.
defineTable<{ name: string; timestamp: string }>('kysely_migration', {
  scope: { global: 'schema bookkeeping: which migrations ran' },
  columns: { name: pd.none(), timestamp: pd.none() },
});
defineTable<{ id: string; is_locked: number }>('kysely_migration_lock', {
  scope: { global: 'schema bookkeeping: the migration lock' },
  columns: { id: pd.none(), is_locked: pd.none() },
});

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies pending migrations; several nodes starting together are serialised by Kysely's migration lock. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every migration this build knows has been applied (readiness). */
export async function migrationsApplied(db: Kysely<any>): Promise<boolean> {
  const migrator = new Migrator({ db, provider });
  const all = await migrator.getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}
