import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { notFound } from '../../platform/http/errors.ts';
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
