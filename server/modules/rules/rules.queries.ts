import type { Selectable } from 'kysely';
import type { Database, TenantDb } from '../../platform/db/tenant-db.ts';
import { type Page, type PaginationQuery, paginate } from '../../platform/http/pagination.ts';

/** The tables of the two rule kinds. Both have `title`, `active` and `position`, which is all read here. */
export type RuleTable = 'triggers' | 'automations';
export type RuleRow<T extends RuleTable> = Selectable<Database[T]>;

export interface RuleFilters {
  active?: boolean;
  titleContains?: string;
}

/** A page of rules of one kind (`GET /triggers`, `/active`, `/search` and the automations' alike). */
export async function listRules<T extends RuleTable>(
  db: TenantDb,
  table: T,
  filters: RuleFilters,
  page: PaginationQuery,
): Promise<Page<RuleRow<T>>> {
  // Kysely cannot see columns through a generic table name; `triggers` stands for both (same columns here).
  let q = db.selectFrom(table as 'triggers').selectAll();
  if (filters.active !== undefined) q = q.where('active', '=', filters.active);
  if (filters.titleContains) {
    q = q.where('title', 'ilike', `%${filters.titleContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  return paginate(q, 'id', page) as Promise<Page<RuleRow<T>>>;
}

/** The position after the last rule of a kind: where a rule created without one goes. */
export async function nextRulePosition(db: TenantDb, table: RuleTable): Promise<number> {
  const rows = await db
    .selectFrom(table as 'triggers')
    .select('position')
    .orderBy('position', 'desc')
    .limit(1)
    .execute();
  return rows.length ? rows[0]!.position + 1 : 0;
}

/**
 * The account's groups, active agents and active custom ticket fields, in the order editors list them: what
 * the rule definitions (rules.definitions.ts) and the SLA filter definitions (sla.queries.ts) offer.
 */
export async function accountLists(db: TenantDb) {
  const [groups, agents, fields] = await Promise.all([
    db.selectFrom('groups').select(['id', 'name']).where('deleted', '=', false).orderBy('name').execute(),
    db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('role', 'in', ['agent', 'admin'])
      .where('active', '=', true)
      .where('deleted_at', 'is', null)
      .orderBy('name')
      .limit(500)
      .execute(),
    db
      .selectFrom('fields')
      .select(['id', 'title', 'type'])
      .where('kind', '=', 'ticket')
      .where('system', '=', false)
      .where('active', '=', true)
      .orderBy('position')
      .orderBy('id')
      .execute(),
  ]);
  return { groups, agents, fields };
}
