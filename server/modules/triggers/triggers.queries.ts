import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { notFound } from '../../platform/http/errors.ts';
import { type PaginationQuery, paginate } from '../../platform/http/pagination.ts';
import type { TriggerRow } from './triggers.presenter.ts';
import type { ActiveTrigger } from './triggers.runner.ts';

export async function findTrigger(db: TenantDb, id: number): Promise<TriggerRow> {
  const row = await db.selectFrom('triggers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export async function listTriggers(
  db: TenantDb,
  filters: { active?: boolean; titleContains?: string },
  page: PaginationQuery,
) {
  let q = db.selectFrom('triggers').selectAll();
  if (filters.active !== undefined) q = q.where('active', '=', filters.active);
  if (filters.titleContains) {
    q = q.where('title', 'ilike', `%${filters.titleContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  return paginate(q, 'id', page);
}

/** The account's active triggers in the order they run: read on every ticket write, from a partial index. */
export async function loadActiveTriggers(db: TenantDb): Promise<ActiveTrigger[]> {
  return db
    .selectFrom('triggers')
    .select(['id', 'title', 'conditions', 'actions'])
    .where('active', '=', true)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export async function nextTriggerPosition(db: TenantDb): Promise<number> {
  const rows = await db
    .selectFrom('triggers')
    .select('position')
    .orderBy('position', 'desc')
    .limit(1)
    .execute();
  return rows.length ? rows[0]!.position + 1 : 0;
}
