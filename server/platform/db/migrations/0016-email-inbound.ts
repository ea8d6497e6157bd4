import { type Kysely, sql } from 'kysely';

// When the account's current inbound secret (raw MIME over HTTP) was made: the admin screen shows it, so an
// admin can tell whether the provider still holds the secret they gave it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table email_settings add column inbound_secret_created_at timestamptz').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table email_settings drop column inbound_secret_created_at').execute(db);
}
