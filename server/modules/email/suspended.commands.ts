import type { Kysely } from 'kysely';
import { digestToken, newToken, safeEqual } from '../../platform/auth/secrets.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { invalid, notFound } from '../../platform/http/errors.ts';
import type { Jobs } from '../../platform/jobs/jobs.ts';
import { enqueueProcessing } from './email.inbound.ts';
import { type Outcome, type ProcessDeps, processInbound } from './email.process.ts';

/** Writes of the inbound side: the account's inbound secret, retrying failed messages, reviewing suspended mail. */

/** A new inbound secret replaces the old one at once; only its digest is kept, the secret is shown once. */
export async function resetInboundSecret(db: TenantDb): Promise<{ secret: string; createdAt: Date }> {
  const secret = newToken();
  const createdAt = new Date();
  const values = {
    inbound_secret_digest: digestToken(secret),
    inbound_secret_created_at: createdAt,
    updated_at: createdAt,
  };
  await db
    .insertInto('email_settings', values)
    .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
    .execute();
  return { secret, createdAt };
}

/** Whether `presented` is the account's inbound secret (digests compared in constant time). */
export async function inboundSecretMatches(db: TenantDb, presented: string | null): Promise<boolean> {
  const row = await db.selectFrom('email_settings').select('inbound_secret_digest').executeTakeFirst();
  const expected = row?.inbound_secret_digest;
  if (!expected || !presented) return false;
  return safeEqual(digestToken(presented), expected);
}

/** A failed message goes back to `received` with a fresh set of attempts, and is queued. */
export async function retryInbound(db: TenantDb, jobs: Pick<Jobs, 'send'>, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await tx
      .selectFrom('inbound_emails')
      .select('status')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound();
    if (row.status !== 'failed') {
      throw invalid('status', `Status: only failed messages can be retried (this one is ${row.status})`);
    }
    await tx
      .updateTable('inbound_emails')
      .set({ status: 'received', attempts: 0 })
      .where('id', '=', id)
      .execute();
    await enqueueProcessing(jobs, db.accountId, id, tx.connection as Kysely<Database>);
  });
}

/** Recovering processes the message as if it had not been suspended; the ticket it made or updated is returned. */
export async function recoverSuspended(
  system: Kysely<Database>,
  deps: ProcessDeps,
  db: TenantDb,
  id: number,
): Promise<Outcome> {
  const outcome = await processInbound(system, deps, db.accountId, id, { recover: true });
  if (!outcome) throw notFound();
  if (outcome.ticketId === null) {
    throw invalid(
      'base',
      'The message could not make a ticket (it has no usable sender, or its sender was deleted)',
      'Unprocessable',
    );
  }
  return outcome;
}

/** Deleting a suspended ticket deletes the stored message. */
export async function deleteSuspended(db: TenantDb, ids: number[]): Promise<number> {
  if (!ids.length) return 0;
  const result = await db
    .deleteFrom('inbound_emails')
    .where('id', 'in', ids)
    .where('status', '=', 'suspended')
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
