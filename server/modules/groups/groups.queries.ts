import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { type PaginationQuery, paginate } from '../../platform/http/pagination.ts';
import type { GroupMembershipRow, GroupRow } from './groups.presenter.ts';

export type { GroupMembershipRow, GroupRow };

/** A live group: deleted groups stay in lists (Zendesk shows them there) but are gone for everything else. */
export async function findGroup(db: TenantDb, id: number): Promise<GroupRow | undefined> {
  return db
    .selectFrom('groups')
    .selectAll()
    .where('id', '=', id)
    .where('deleted', '=', false)
    .executeTakeFirst();
}

/** Live names are unique regardless of case (groups_name_key); a deleted group's name is free again. */
export async function findGroupByName(db: TenantDb, name: string): Promise<GroupRow | undefined> {
  return db
    .selectFrom('groups')
    .selectAll()
    .where(sql`lower(name)`, '=', name.trim().toLowerCase())
    .where('deleted', '=', false)
    .executeTakeFirst();
}

export async function findGroupsByIds(db: TenantDb, ids: number[]): Promise<GroupRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('groups').selectAll().where('id', 'in', ids).orderBy('id').execute();
}

export async function findDefaultGroup(db: TenantDb): Promise<GroupRow | undefined> {
  return db
    .selectFrom('groups')
    .selectAll()
    .where('default', '=', true)
    .where('deleted', '=', false)
    .executeTakeFirst();
}

export async function listGroups(db: TenantDb, filters: { excludeDeleted: boolean }, page: PaginationQuery) {
  let q = db.selectFrom('groups').selectAll();
  if (filters.excludeDeleted) q = q.where('deleted', '=', false);
  return paginate(q, 'groups.id', page);
}

export async function countGroups(db: TenantDb, filters: { excludeDeleted: boolean }): Promise<number> {
  let q = db.selectFrom('groups').select(sql<number>`count(*)`.as('n'));
  if (filters.excludeDeleted) q = q.where('deleted', '=', false);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

export async function findMembership(db: TenantDb, id: number): Promise<GroupMembershipRow | undefined> {
  return db.selectFrom('group_memberships').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findMembershipByPair(
  db: TenantDb,
  userId: number,
  groupId: number,
): Promise<GroupMembershipRow | undefined> {
  return db
    .selectFrom('group_memberships')
    .selectAll()
    .where('user_id', '=', userId)
    .where('group_id', '=', groupId)
    .executeTakeFirst();
}

export async function listMemberships(db: TenantDb, filters: { groupId?: number }, page: PaginationQuery) {
  let q = db.selectFrom('group_memberships').selectAll();
  if (filters.groupId !== undefined) q = q.where('group_id', '=', filters.groupId);
  return paginate(q, 'group_memberships.id', page);
}

/** A user's memberships, oldest first (the order a new default is picked in). */
export async function membershipsOfUser(db: TenantDb, userId: number): Promise<GroupMembershipRow[]> {
  return db.selectFrom('group_memberships').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}
