import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';

export interface StaffAccountRow {
  id: number;
  name: string;
  subdomain: string;
  host_mapping: string | null;
}

/** A user's primary email identity in their own account, if they have one. */
export async function primaryEmail(
  db: TenantDb,
  userId: number,
): Promise<{ value: string; verified: boolean } | undefined> {
  return db
    .selectFrom('user_identities')
    .select(['value', 'verified'])
    .where('user_id', '=', userId)
    .where('type', '=', 'email')
    .where('primary', '=', true)
    .executeTakeFirst();
}

/**
 * Every account on this install where the owner of `email` works: an active, unsuspended agent or admin
 * whose verified primary email it is. Reads across accounts, so it takes the system handle, never a
 * tenant's. The lookup runs per account (the lateral join) so it stays on the per-account identity index
 * however many customers' identities the install holds.
 */
export async function accountsWhereStaff(
  system: Kysely<Database>,
  email: string,
): Promise<StaffAccountRow[]> {
  return system
    .selectFrom('accounts as a')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('user_identities as i')
          .innerJoin('users as u', (j) =>
            j.onRef('u.account_id', '=', 'i.account_id').onRef('u.id', '=', 'i.user_id'),
          )
          .select('u.id')
          .whereRef('i.account_id', '=', 'a.id')
          .where('i.type', '=', 'email')
          .where(sql`lower(i.value)`, '=', email.toLowerCase())
          .where('i.primary', '=', true)
          .where('i.verified', '=', true)
          .where('u.role', 'in', ['agent', 'admin'])
          .where('u.active', '=', true)
          .where('u.suspended', '=', false)
          .where('u.deleted_at', 'is', null)
          .limit(1)
          .as('staff'),
      (join) => join.onTrue(),
    )
    .select(['a.id', 'a.name', 'a.subdomain', 'a.host_mapping'])
    .orderBy(sql`lower(a.name)`)
    .orderBy('a.id')
    .execute();
}
