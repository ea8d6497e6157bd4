import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { notFound } from '../../platform/http/errors.ts';
import { type PaginationQuery, paginate } from '../../platform/http/pagination.ts';
import type { AutomationRow } from './automations.presenter.ts';

export type { AutomationRow };

export async function findAutomation(db: TenantDb, id: number): Promise<AutomationRow> {
  const row = await db.selectFrom('automations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/** Several automations by id; 404 unless every one exists in this account. */
export async function findAutomations(db: TenantDb, ids: number[]): Promise<AutomationRow[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('automations').selectAll().where('id', 'in', ids).execute();
  if (rows.length !== new Set(ids).size) throw notFound();
  return rows;
}

export async function listAutomations(
  db: TenantDb,
  filters: { active?: boolean; titleContains?: string },
  page: PaginationQuery,
) {
  let q = db.selectFrom('automations').selectAll();
  if (filters.active !== undefined) q = q.where('active', '=', filters.active);
  if (filters.titleContains) {
    q = q.where('title', 'ilike', `%${filters.titleContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  return paginate(q, 'id', page);
}

/** The account's active automations in the order a pass runs them (partial index automations_active). */
export async function loadActiveAutomations(db: TenantDb): Promise<AutomationRow[]> {
  return db
    .selectFrom('automations')
    .selectAll()
    .where('active', '=', true)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export async function nextAutomationPosition(db: TenantDb): Promise<number> {
  const rows = await db
    .selectFrom('automations')
    .select('position')
    .orderBy('position', 'desc')
    .limit(1)
    .execute();
  return rows.length ? rows[0]!.position + 1 : 0;
}
