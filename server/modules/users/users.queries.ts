import type { Selectable } from 'kysely';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { invalid } from '../../platform/http/errors.ts';
import { type PaginationQuery, paginate } from '../../platform/http/pagination.ts';
import type { UserIdentitiesTable, UserRole, UsersTable } from './users.tables.ts';

export type UserRow = Selectable<UsersTable> & { email: string | null };
export type IdentityRow = Selectable<UserIdentitiesTable>;

/** Users, deleted ones included, with their primary email (incremental export reads deleted users too). */
export function usersWithPrimaryEmail(db: TenantDb) {
  return db
    .selectFrom('users')
    .leftJoin('user_identities as primary_email', (j) =>
      j
        .onRef('primary_email.account_id', '=', 'users.account_id')
        .onRef('primary_email.user_id', '=', 'users.id')
        .on('primary_email.type', '=', 'email')
        .on('primary_email.primary', '=', true),
    )
    .selectAll('users')
    .select('primary_email.value as email');
}

/** Live users with their primary email, the base of every user read. */
function usersWithEmail(db: TenantDb) {
  return usersWithPrimaryEmail(db).where('users.deleted_at', 'is', null);
}

/** A user row from the credential lookup's JSON snapshot (see Actor.snapshot). */
export function userFromSnapshot(snapshot: Record<string, unknown> & { email: string | null }): UserRow {
  const date = (v: unknown) => (typeof v === 'string' ? new Date(v) : null);
  return {
    ...(snapshot as unknown as UserRow),
    created_at: date(snapshot.created_at)!,
    updated_at: date(snapshot.updated_at)!,
    last_login_at: date(snapshot.last_login_at),
    deleted_at: date(snapshot.deleted_at),
    password_hash: null,
  };
}

export async function findUser(db: TenantDb, id: number): Promise<UserRow | undefined> {
  return usersWithEmail(db).where('users.id', '=', id).executeTakeFirst();
}

export async function findUsersByIds(db: TenantDb, ids: number[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return usersWithEmail(db).where('users.id', 'in', ids).orderBy('users.id').execute();
}

export async function findUsersByExternalIds(db: TenantDb, externalIds: string[]): Promise<UserRow[]> {
  if (externalIds.length === 0) return [];
  return usersWithEmail(db).where('users.external_id', 'in', externalIds).orderBy('users.id').execute();
}

/** The user owning an email identity (any identity, not only the primary one). */
export async function findUserByEmail(db: TenantDb, email: string): Promise<UserRow | undefined> {
  const identity = await db
    .selectFrom('user_identities')
    .select('user_id')
    .where('type', '=', 'email')
    .where(sql`lower(value)`, '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return identity ? findUser(db, identity.user_id) : undefined;
}

export async function findUserByExternalId(db: TenantDb, externalId: string): Promise<UserRow | undefined> {
  return usersWithEmail(db).where('users.external_id', '=', externalId).executeTakeFirst();
}

export async function listUsers(
  db: TenantDb,
  filters: { roles?: UserRole[]; externalId?: string; organizationId?: number },
  page: PaginationQuery,
) {
  let q = usersWithEmail(db);
  if (filters.roles?.length) q = q.where('users.role', 'in', filters.roles);
  if (filters.externalId !== undefined) q = q.where('users.external_id', '=', filters.externalId);
  if (filters.organizationId !== undefined) q = q.where('users.organization_id', '=', filters.organizationId);
  return paginate(q, 'users.id', page);
}

const SEARCH_FIELDS = new Set([
  'email',
  'name',
  'role',
  'external_id',
  'organization_id',
  'phone',
  'tags',
  'tag',
]);

/**
 * `query` as Zendesk's user search takes it: `field:value` terms (email, name, role, external_id,
 * organization_id, phone, tags) and bare words matched against name, email and phone. Terms are ANDed.
 */
export async function searchUsers(
  db: TenantDb,
  query: string | undefined,
  externalId: string | undefined,
  page: PaginationQuery,
) {
  let q = usersWithEmail(db);
  if (externalId !== undefined) q = q.where('users.external_id', '=', externalId);
  const terms = (query ?? '').match(/(\w+:"[^"]*"|\w+:\S+|"[^"]*"|\S+)/g) ?? [];
  for (const raw of terms) {
    const colon = raw.indexOf(':');
    const field = colon > 0 ? raw.slice(0, colon).toLowerCase() : null;
    if (field && !SEARCH_FIELDS.has(field) && !raw.includes('@')) {
      throw invalid(
        'query',
        `cannot search users by ${field}; use email, name, role, external_id, organization_id, phone or tags`,
        'UnsupportedSearchField',
      );
    }
    const value = (field && SEARCH_FIELDS.has(field) ? raw.slice(colon + 1) : raw).replace(/^"|"$/g, '');
    if (!value) continue;
    const like = `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    switch (field) {
      case 'email':
        q = q.where((eb) =>
          eb.exists(
            db
              .selectFrom('user_identities')
              .select(sql`1`.as('one'))
              .where('user_identities.user_id', '=', sql.ref<number>('users.id'))
              .where('user_identities.type', '=', 'email')
              .where(
                sql`lower(user_identities.value)`,
                value.includes('*') ? 'like' : '=',
                value.toLowerCase().replace(/\*/g, '%'),
              ),
          ),
        );
        break;
      case 'name':
        q = q.where('users.name', 'ilike', like);
        break;
      case 'role':
        q = q.where('users.role', '=', value as UserRole);
        break;
      case 'external_id':
        q = q.where('users.external_id', '=', value);
        break;
      case 'organization_id':
        q = q.where('users.organization_id', '=', Number(value) || -1);
        break;
      case 'phone':
        q = q.where('users.phone', 'ilike', like);
        break;
      case 'tags':
      case 'tag':
        q = q.where(sql<boolean>`${value} = any(users.tags)`);
        break;
      default:
        q = q.where((eb) =>
          eb.or([
            eb('users.name', 'ilike', like),
            eb('primary_email.value', 'ilike', like),
            eb('users.phone', 'ilike', like),
          ]),
        );
    }
  }
  return paginate(q, 'users.id', page);
}

export async function findIdentity(
  db: TenantDb,
  userId: number,
  identityId: number,
): Promise<IdentityRow | undefined> {
  return db
    .selectFrom('user_identities')
    .selectAll()
    .where('id', '=', identityId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function listIdentities(db: TenantDb, userId: number): Promise<IdentityRow[]> {
  return db.selectFrom('user_identities').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

export async function countAdmins(db: TenantDb): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select(sql<number>`count(*)`.as('n'))
    .where('role', '=', 'admin')
    .where('active', '=', true)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Group ids per user, for side-loading and presenting agents. */
export async function groupIdsForUsers(db: TenantDb, userIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  if (userIds.length === 0) return map;
  const rows = await db
    .selectFrom('group_memberships')
    .select(['user_id', 'group_id'])
    .where('user_id', 'in', userIds)
    .orderBy('id')
    .execute();
  for (const r of rows) map.set(r.user_id, [...(map.get(r.user_id) ?? []), r.group_id]);
  return map;
}
