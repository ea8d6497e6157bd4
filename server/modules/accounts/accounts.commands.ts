import type { Kysely } from 'kysely';
import { hashPassword } from '../../platform/auth/secrets.ts';
import type { Database } from '../../platform/db/schema.ts';
import { sql, TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { HavenError, invalid } from '../../platform/http/errors.ts';
import { zodDetails } from '../../platform/http/zod-details.ts';
import type { Account } from '../../platform/tenancy/accounts-directory.ts';
import { createApiToken } from '../access/access.commands.ts';
import { accountSeeds } from '../account-seeds.ts';
import { recordAudit } from '../audit/audit.commands.ts';
import { createUser } from '../users/users.commands.ts';
import type { UserRow } from '../users/users.queries.ts';
import { type NewAccountInput, newAccountInput } from './accounts.schema.ts';

export interface NewAccount {
  account: Account;
  admin: UserRow;
  apiToken: string;
}

/**
 * Creates an account with its first admin and an account API token, in one transaction.
 * This is cross-account work (nothing scopes it yet), so it takes the system handle.
 */
export async function createAccount(
  system: Kysely<Database>,
  raw: NewAccountInput,
  options: { onlyIfFirst?: boolean; ip?: string | null } = {},
): Promise<NewAccount> {
  const parsed = newAccountInput.safeParse(raw);
  if (!parsed.success) throw new HavenError('CS_INVALID', { details: zodDetails(parsed.error) });
  const input = parsed.data;
  const passwordHash = await hashPassword(input.adminPassword);
  return system.transaction().execute(async (trx) => {
    // Serialises concurrent sign-ups, so "the first account" and "subdomain free" checks hold.
    await sql`select pg_advisory_xact_lock(7411001)`.execute(trx);
    if (options.onlyIfFirst) {
      const any = await trx.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
      if (any) throw new HavenError('CS_FORBIDDEN', { description: 'Haven is already set up' });
    }
    const taken = await trx
      .selectFrom('accounts')
      .select('id')
      .where(sql`lower(subdomain)`, '=', input.subdomain)
      .executeTakeFirst();
    if (taken) {
      throw invalid('subdomain', `The subdomain "${input.subdomain}" is already taken`, 'DuplicateValue');
    }
    const account = await trx
      .insertInto('accounts')
      .values({
        subdomain: input.subdomain,
        name: input.name,
        host_mapping: null,
        region: input.region,
        industry: input.industry,
        settings: {},
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const db = new TenantDb(account.id, trx);
    const admin = await createUser(
      { db, actor: null, ip: options.ip ?? null },
      { name: input.adminName, email: input.adminEmail, role: 'admin', verified: true },
      { passwordHash },
    );
    const token = await createApiToken(
      { db, actor: null, ip: options.ip ?? null },
      'Created at account setup',
      admin.id,
    );
    for (const seed of accountSeeds) await seed(db, admin.id);
    await recordAudit(db, {
      actorId: admin.id,
      action: 'account.created',
      sourceType: 'account',
      sourceId: account.id,
      sourceLabel: account.name,
      changeDescription: `Account ${account.subdomain} created`,
      ip: options.ip ?? null,
    });
    await appendEvent(db, {
      type: 'account.created',
      subjectType: 'account',
      subjectId: account.id,
      actorId: admin.id,
    });
    return { account, admin, apiToken: token.token };
  });
}

export async function updateAccount(
  system: Kysely<Database>,
  accountId: number,
  changes: {
    name?: string;
    region?: string;
    industry?: string;
    time_zone?: string;
    locale?: string;
    host_mapping?: string | null;
    brand_color?: string | null;
  },
  actor: { userId: number; ip: string | null },
): Promise<Account> {
  return system.transaction().execute(async (trx) => {
    if (changes.host_mapping) {
      const other = await trx
        .selectFrom('accounts')
        .select('id')
        .where(sql`lower(host_mapping)`, '=', changes.host_mapping)
        .where('id', '!=', accountId)
        .executeTakeFirst();
      if (other) throw invalid('host_mapping', 'is already used by another account', 'DuplicateValue');
    }
    const account = await trx
      .updateTable('accounts')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', accountId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const db = new TenantDb(accountId, trx);
    await recordAudit(db, {
      actorId: actor.userId,
      action: 'account.updated',
      sourceType: 'account',
      sourceId: accountId,
      sourceLabel: account.name,
      changeDescription: `Changed ${Object.keys(changes).join(', ')}`,
      ip: actor.ip,
    });
    await appendEvent(db, {
      type: 'account.updated',
      subjectType: 'account',
      subjectId: accountId,
      actorId: actor.userId,
      payload: { changes: Object.keys(changes) },
    });
    return account;
  });
}
