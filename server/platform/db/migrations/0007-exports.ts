import { type Kysely, sql } from 'kysely';

// Incremental exports (server/modules/exports) walk users and organizations in (updated_at, id) order from a
// start time or a cursor. Tickets (tickets_export) and audits (ticket_audits_created) already have theirs.
// Deleted users are exported too (active: false), so the users index is not partial.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(`
create index users_export on users (account_id, updated_at, id);
create index organizations_export on organizations (account_id, updated_at, id);
`)
    .execute(db);
}
