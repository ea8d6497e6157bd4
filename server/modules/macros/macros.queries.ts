import type { Actor } from '../../platform/auth/authenticate.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { notFound } from '../../platform/http/errors.ts';
import { type PaginationQuery, paginate } from '../../platform/http/pagination.ts';
import {
  actorGroupIdsSql,
  idArray,
  type RuleListFilters,
  ruleFilters,
  visibleRules,
} from '../views/views.queries.ts';
import { macroPolicy } from './macros.policy.ts';
import type { MacroRow } from './macros.presenter.ts';

export type { MacroRow };

const normalize = (m: MacroRow): MacroRow => ({
  ...m,
  restriction_group_ids: idArray(m.restriction_group_ids),
});

/** A macro and the caller's groups, in one query; 404 unless the caller may see it. */
export async function findVisibleMacro(db: TenantDb, actor: Actor, id: number): Promise<MacroRow> {
  const row = await db
    .selectFrom('macros')
    .selectAll('macros')
    .select(actorGroupIdsSql('macros', actor.userId).as('actor_group_ids'))
    .where('macros.id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound();
  const { actor_group_ids, ...macro } = row;
  const normalized = normalize(macro);
  if (!macroPolicy.canSee(actor, normalized, idArray(actor_group_ids) ?? [])) throw notFound();
  return normalized;
}

export async function listMacros(
  db: TenantDb,
  actor: Actor,
  filters: RuleListFilters & { category?: string },
  page: PaginationQuery,
) {
  let q = ruleFilters(
    db.selectFrom('macros').selectAll('macros').where(visibleRules('macros', actor)),
    'macros',
    filters,
  );
  if (filters.category) {
    // The category is the title's part before "::", compared without case or surrounding spaces.
    q = q
      .where(sql`lower(trim(split_part(macros.title, '::', 1)))`, '=', filters.category.toLowerCase())
      .where('macros.title', 'like', '%::%');
  }
  const result = await paginate(q, 'macros.id', page);
  return { ...result, rows: result.rows.map(normalize) };
}

/** The categories of the macros the caller can use, alphabetically. */
export async function macroCategories(db: TenantDb, actor: Actor): Promise<string[]> {
  const rows = await db
    .selectFrom('macros')
    .select(sql<string>`distinct trim(split_part(macros.title, '::', 1))`.as('category'))
    .where('macros.title', 'like', '%::%')
    .where('macros.active', '=', true)
    .where(visibleRules('macros', actor))
    .orderBy('category')
    .execute();
  return rows.map((r) => r.category);
}
