import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { notFound } from '../../platform/http/errors.ts';
import type { TriggerRow } from './triggers.presenter.ts';
import type { ActiveTrigger } from './triggers.runner.ts';

export async function findTrigger(db: TenantDb, id: number): Promise<TriggerRow> {
  const row = await db.selectFrom('triggers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return row;
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
