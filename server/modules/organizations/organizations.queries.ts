import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { type PaginationQuery, paginate } from '../../platform/http/pagination.ts';
import type { OrganizationRow } from './organizations.presenter.ts';

export type { OrganizationRow };

/** Escapes LIKE wildcards so a user's `%` or `_` matches literally. */
function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function findOrganization(db: TenantDb, id: number): Promise<OrganizationRow | undefined> {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOrganizationsByIds(db: TenantDb, ids: number[]): Promise<OrganizationRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('organizations').selectAll().where('id', 'in', ids).orderBy('id').execute();
}

export async function findOrganizationsByExternalIds(
  db: TenantDb,
  externalIds: string[],
): Promise<OrganizationRow[]> {
  if (externalIds.length === 0) return [];
  return db
    .selectFrom('organizations')
    .selectAll()
    .where('external_id', 'in', externalIds)
    .orderBy('id')
    .execute();
}

export async function findOrganizationByExternalId(
  db: TenantDb,
  externalId: string,
): Promise<OrganizationRow | undefined> {
  return db.selectFrom('organizations').selectAll().where('external_id', '=', externalId).executeTakeFirst();
}

/** Names are unique per account regardless of case (organizations_name_key), so this finds at most one. */
export async function findOrganizationByName(
  db: TenantDb,
  name: string,
): Promise<OrganizationRow | undefined> {
  return db
    .selectFrom('organizations')
    .selectAll()
    .where(sql`lower(name)`, '=', name.trim().toLowerCase())
    .executeTakeFirst();
}

export async function listOrganizations(db: TenantDb, page: PaginationQuery) {
  return paginate(db.selectFrom('organizations').selectAll(), 'organizations.id', page);
}

/** Zendesk's organization search: exact external_id, or exact (case-insensitive) name. */
export async function searchOrganizations(
  db: TenantDb,
  filters: { externalId?: string; name?: string },
  page: PaginationQuery,
) {
  let q = db.selectFrom('organizations').selectAll();
  if (filters.externalId !== undefined) q = q.where('external_id', '=', filters.externalId);
  if (filters.name !== undefined) q = q.where(sql`lower(name)`, '=', filters.name.trim().toLowerCase());
  return paginate(q, 'organizations.id', page);
}

/** Organizations whose name starts with `prefix`, ignoring case. */
export async function autocompleteOrganizations(db: TenantDb, prefix: string, page: PaginationQuery) {
  const q = db
    .selectFrom('organizations')
    .selectAll()
    .where('name', 'ilike', `${likeEscape(prefix)}%`);
  return paginate(q, 'organizations.id', page);
}

export async function countOrganizations(db: TenantDb): Promise<number> {
  const row = await db
    .selectFrom('organizations')
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
