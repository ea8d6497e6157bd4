import { type Kysely, sql } from 'kysely';

// The outbox's delivery bookkeeping: a row is claimed for a short lease while one worker hands it to the relay
// (so two nodes never send it twice), waits until `next_attempt_at` after a failure, and names the mailing list
// (`ticket_notifications`, `satisfaction` …) a recipient can leave through List-Unsubscribe.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(`
alter table outbound_emails add column claimed_until timestamptz;
alter table outbound_emails add column next_attempt_at timestamptz;
alter table outbound_emails add column list text;
`)
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `alter table outbound_emails drop column claimed_until, drop column next_attempt_at, drop column list;`,
    )
    .execute(db);
}
