import type { Expression, SelectQueryBuilder, SqlBool } from 'kysely';
import type { Actor } from '../../platform/auth/authenticate.ts';
import type { Database } from '../../platform/db/schema.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { HavenError, invalid, notFound } from '../../platform/http/errors.ts';
import { type PaginationQuery, paginate } from '../../platform/http/pagination.ts';
import { scopeFilter, type TicketScope } from '../tickets/tickets.policy.ts';
import { COLUMNS, type Join, type KeyType, ROW_SOURCES, rawExpr, resolveColumn } from './views.columns.ts';
import { compileConditions, needsGroups, parseConditions, type TicketPredicate } from './views.conditions.ts';
import { type Restricted, rulePolicy } from './views.policy.ts';
import type { ViewRow } from './views.presenter.ts';
import type { StoredExecution } from './views.tables.ts';

export type { ViewRow };

type TicketsQuery = SelectQueryBuilder<Database, 'tickets', any>;

/** bigint[] columns arrive as strings from the driver; ids are numbers everywhere else. */
export function idArray(value: unknown): number[] | null {
  return Array.isArray(value) ? value.map(Number) : null;
}

function normalizeRow<T extends Restricted>(row: T): T {
  return { ...row, restriction_group_ids: idArray(row.restriction_group_ids) };
}

/** The caller's group ids, as a subquery that rides along with the rule it is loaded with. */
export const actorGroupIdsSql = (table: 'views' | 'macros', userId: number) =>
  sql<
    string[]
  >`array(select gm.group_id from group_memberships gm where gm.account_id = ${sql.ref(`${table}.account_id`)} and gm.user_id = ${userId})`;

/** The caller's group ids (views restricted to groups, and `current_groups` conditions, need them). */
export async function actorGroupIds(db: TenantDb, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('group_memberships')
    .select('group_id')
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => Number(r.group_id));
}

/** Whether seeing or running the view depends on the caller's groups. */
function dependsOnGroups(actor: Actor, view: ViewRow): boolean {
  if (view.restriction_group_ids !== null && actor.role !== 'admin') return true;
  return needsGroups(parseConditions(view.conditions));
}

/** How long a large view's estimated count is reused for the same agent (Zendesk: up to 90 minutes). */
export const COUNT_REUSE_SECONDS = 60;

/** A view as an execution needs it: the row, the caller's groups, and their kept count when still valid. */
export interface LoadedView {
  view: ViewRow;
  groupIds: number[];
  keptCount: number | null;
}

/** Views with the caller's kept estimate, while it is recent and the view unchanged (else null). */
function viewsWithKeptCount(db: TenantDb, actor: Actor) {
  return db
    .selectFrom('views')
    .selectAll('views')
    .select(
      sql<number | null>`(select vc.value from view_counts vc
        where vc.account_id = views.account_id and vc.view_id = views.id and vc.user_id = ${actor.userId}
          and vc.view_updated_at = date_trunc('milliseconds', views.updated_at)
          and vc.refreshed_at > now() - make_interval(secs => ${COUNT_REUSE_SECONDS}))`.as('kept_count'),
    );
}

function loaded(row: ViewRow & { kept_count: number | null }, groupIds: number[]): LoadedView {
  const { kept_count, ...view } = row;
  return { view: normalizeRow(view), groupIds, keptCount: kept_count === null ? null : Number(kept_count) };
}

/**
 * A view the caller may see (else 404), in one small statement; the caller's groups are read only for views
 * that depend on them.
 */
export async function findVisibleView(db: TenantDb, actor: Actor, id: number): Promise<LoadedView> {
  const row = await viewsWithKeptCount(db, actor).where('views.id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  const found = loaded(row, []);
  if (dependsOnGroups(actor, found.view)) found.groupIds = await actorGroupIds(db, actor.userId);
  if (!rulePolicy.canSee(actor, found.view, found.groupIds)) throw notFound();
  return found;
}

/** The views among `ids` the caller may see, in id order. */
export async function findVisibleViews(db: TenantDb, actor: Actor, ids: number[]): Promise<LoadedView[]> {
  if (ids.length === 0) return [];
  const [rows, groupIds] = await Promise.all([
    viewsWithKeptCount(db, actor)
      .where('views.id', 'in', ids)
      .where(visibleRules('views', actor))
      .orderBy('views.id')
      .execute(),
    actorGroupIds(db, actor.userId),
  ]);
  return rows.map((row) => loaded(row, groupIds));
}

/** Rules (views or macros) visible to the caller, as a where-clause: the SQL form of rulePolicy.canSee. */
export function visibleRules(table: 'views' | 'macros', actor: Actor) {
  return sql<SqlBool>`(${sql.ref(`${table}.owner_user_id`)} is null or ${sql.ref(`${table}.owner_user_id`)} = ${actor.userId})
    and (${sql.ref(`${table}.restriction_group_ids`)} is null or ${actor.role === 'admin'}
      or ${sql.ref(`${table}.restriction_group_ids`)} && ${actorGroupIdsSql(table, actor.userId)})`;
}

export interface RuleListFilters {
  active?: boolean;
  access?: 'personal' | 'shared' | 'account';
  groupId?: number;
  titleContains?: string;
}

/** Filters shared by view and macro lists. */
export function ruleFilters<Q extends SelectQueryBuilder<Database, 'views' | 'macros', any>>(
  query: Q,
  table: 'views' | 'macros',
  f: RuleListFilters,
): Q {
  let q: any = query;
  const col = (c: string) => sql.ref(`${table}.${c}`);
  if (f.active !== undefined) q = q.where(col('active'), '=', f.active);
  if (f.access === 'personal') q = q.where(col('owner_user_id'), 'is not', null);
  if (f.access === 'shared') q = q.where(col('restriction_group_ids'), 'is not', null);
  if (f.access === 'account') {
    q = q.where(col('owner_user_id'), 'is', null).where(col('restriction_group_ids'), 'is', null);
  }
  if (f.groupId !== undefined) q = q.where(sql<SqlBool>`${f.groupId} = any(${col('restriction_group_ids')})`);
  if (f.titleContains) {
    q = q.where(col('title'), 'ilike', `%${f.titleContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  return q;
}

export async function listViews(db: TenantDb, actor: Actor, filters: RuleListFilters, page: PaginationQuery) {
  const q = ruleFilters(
    db.selectFrom('views').selectAll('views').where(visibleRules('views', actor)),
    'views',
    filters,
  );
  const result = await paginate(q, 'views.id', page);
  return { ...result, rows: result.rows.map(normalizeRow) };
}

export async function nextPosition(db: TenantDb, table: 'views' | 'macros'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select(sql<number | null>`max(position)`.as('max'))
    .executeTakeFirst();
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
}

// ---------------------------------------------------------------------------------------------------------
// Executing a view: one query for the page and one (capped) count, both on the indexes the conditions match.

/** Counts above this are estimated by the planner instead of counted (Zendesk's counts are approximate too). */
export const EXACT_COUNT_LIMIT = 1_000;
const OFFSET_LIMIT = 10_000;

export interface ViewCount {
  value: number;
  /** False when the view holds more than EXACT_COUNT_LIMIT tickets and `value` is the planner's estimate. */
  exact: boolean;
}

interface OrderKey {
  expr: string;
  type: KeyType;
  desc: boolean;
  nullable: boolean;
}

/** Everything one execution needs, compiled once per request. */
export interface CompiledView {
  /** The stored view (null for previews) and its caller: large counts are kept per view and agent. */
  viewId: number | null;
  viewUpdatedAt: Date | null;
  userId: number;
  /** The caller's kept estimate, still valid: nothing to count. */
  keptCount: number | null;
  predicate: TicketPredicate;
  scope: TicketScope;
  sortBy: string;
  sortOrder: 'asc' | 'desc';
  groupBy: string | null;
  groupOrder: 'asc' | 'desc';
  columns: string[];
}

export function compileView(
  view: Pick<ViewRow, 'conditions' | 'execution'> & Partial<Pick<ViewRow, 'id' | 'updated_at'>>,
  scope: TicketScope,
  ctx: { userId: number; groupIds: number[]; now: Date; keptCount?: number | null },
  override: { sortBy?: string; sortOrder?: 'asc' | 'desc' } = {},
): CompiledView {
  const execution: StoredExecution = view.execution;
  let sortBy = execution.sort_by;
  if (override.sortBy) {
    const id = resolveColumn(override.sortBy);
    if (!id || !COLUMNS[id]!.sort)
      throw invalid('sort_by', `"${override.sortBy}" is not a column views can sort by`);
    sortBy = id;
  }
  return {
    viewId: view.id ?? null,
    viewUpdatedAt: view.updated_at ?? null,
    userId: ctx.userId,
    keptCount: ctx.keptCount ?? null,
    predicate: compileConditions(parseConditions(view.conditions), ctx),
    scope,
    sortBy,
    sortOrder: override.sortOrder ?? execution.sort_order,
    groupBy: execution.group_by,
    groupOrder: execution.group_order,
    columns: execution.columns,
  };
}

function joinsOf(c: CompiledView): Set<Join> {
  const joins = new Set<Join>();
  const sortJoin = COLUMNS[c.sortBy]?.sort?.join;
  if (sortJoin) joins.add(sortJoin);
  const groupJoin = c.groupBy ? COLUMNS[c.groupBy]?.group?.join : undefined;
  if (groupJoin) joins.add(groupJoin);
  return joins;
}

const JOIN_TARGET: Record<Join, { table: 'users' | 'groups' | 'organizations'; column: string }> = {
  requester: { table: 'users', column: 'requester_id' },
  assignee: { table: 'users', column: 'assignee_id' },
  submitter: { table: 'users', column: 'submitter_id' },
  group: { table: 'groups', column: 'group_id' },
  organization: { table: 'organizations', column: 'organization_id' },
};

/** The tickets a view holds for its caller: the caller's ticket scope and the view's conditions. */
function baseQuery(db: TenantDb, c: CompiledView, joins: Set<Join> = new Set()): TicketsQuery {
  let q: any = db.selectFrom('tickets');
  for (const join of joins) {
    const { table, column } = JOIN_TARGET[join];
    const alias = `${join}_j`;
    q = q.leftJoin(`${table} as ${alias}`, (j: any) =>
      j
        .onRef(`${alias}.account_id`, '=', 'tickets.account_id')
        .onRef(`${alias}.id`, '=', `tickets.${column}`),
    );
  }
  return q.where(scopeFilter(c.scope)).where(c.predicate);
}

/** Row order: the group column (when grouped), the sort column, then id in the sort's direction. */
function orderKeys(c: CompiledView): OrderKey[] {
  const keys: OrderKey[] = [];
  if (c.groupBy) {
    const g = COLUMNS[c.groupBy]!;
    // Grouped rows come in the group column's sort order (statuses by rank, people by name).
    const s = g.sort ?? { expr: g.group!.expr, nullable: true, type: g.group!.type };
    keys.push({ expr: s.expr, type: s.type, desc: c.groupOrder === 'desc', nullable: s.nullable });
  }
  const s = COLUMNS[c.sortBy]!.sort!;
  const desc = c.sortOrder === 'desc';
  keys.push({ expr: s.expr, type: s.type, desc, nullable: s.nullable });
  keys.push({ expr: 'tickets.id', type: 'int', desc, nullable: false });
  return keys;
}

interface Cursor {
  v: (string | null)[];
}

function encodeCursor(values: (string | null)[]): string {
  return Buffer.from(JSON.stringify({ v: values } satisfies Cursor)).toString('base64url');
}

function decodeCursor(cursor: string, field: string, length: number): (string | null)[] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (
      Array.isArray(parsed.v) &&
      parsed.v.length === length &&
      parsed.v.every((x) => x === null || typeof x === 'string')
    ) {
      return parsed.v;
    }
  } catch {}
  throw invalid(field, 'is not a cursor this view issued (or the view changed its sort)', 'InvalidCursor');
}

/**
 * Rows strictly after `values` in the order `keys` (PostgreSQL's null placement: last when ascending, first
 * when descending). Non-null keys in one direction become a row comparison, which an index scan can start
 * from; otherwise the comparison is spelled out key by key.
 */
function keysetAfter(keys: OrderKey[], values: (string | null)[]): Expression<SqlBool> {
  const cast = (v: string, type: KeyType) => sql`cast(${v} as ${sql.raw(type === 'int' ? 'bigint' : type)})`;
  // A row comparison skips rows whose key is null; that is right only where nulls come first (descending).
  const sameDirection = keys.every((k) => k.desc === keys[0]!.desc && (k.desc || !k.nullable));
  if (sameDirection && values.every((v) => v !== null)) {
    const left = sql.join(keys.map((k) => rawExpr(k.expr)));
    const right = sql.join(keys.map((k, i) => cast(values[i]!, k.type)));
    return sql<SqlBool>`(${left}) ${sql.raw(keys[0]!.desc ? '<' : '>')} (${right})`;
  }
  const ors = keys.map((key, i) => {
    const parts = keys.slice(0, i).map((k, j) => {
      const v = values[j];
      return v === null ? sql`${rawExpr(k.expr)} is null` : sql`${rawExpr(k.expr)} = ${cast(v, k.type)}`;
    });
    const v = values[i];
    let after: ReturnType<typeof sql>;
    if (key.desc) {
      after =
        v === null ? sql`${rawExpr(key.expr)} is not null` : sql`${rawExpr(key.expr)} < ${cast(v, key.type)}`;
    } else if (v === null) {
      after = sql`false`;
    } else {
      after = key.nullable
        ? sql`(${rawExpr(key.expr)} > ${cast(v, key.type)} or ${rawExpr(key.expr)} is null)`
        : sql`${rawExpr(key.expr)} > ${cast(v, key.type)}`;
    }
    return sql`(${sql.join([...parts, after], sql` and `)})`;
  });
  return sql<SqlBool>`(${sql.join(ors, sql` or `)})`;
}

export type ViewPage<T> =
  | { style: 'offset'; rows: T[]; page: number; perPage: number; hasMore: boolean; count: ViewCount }
  | {
      style: 'cursor';
      rows: T[];
      hasMore: boolean;
      afterCursor: string | null;
      beforeCursor: string | null;
      size: number;
    };

/** Matching tickets, counted up to one past EXACT_COUNT_LIMIT: an index-only scan that stops early. */
function cappedCount(db: TenantDb, c: CompiledView) {
  const capped = baseQuery(db, c)
    .select(sql`1`.as('one'))
    .limit(EXACT_COUNT_LIMIT + 1);
  return db.connection.selectFrom(capped.as('capped')).select(sql<number>`count(*)::int`.as('n'));
}

/**
 * One page of a view's tickets with `select` choosing the columns: offset pages (with a count) unless the
 * client asked for cursors (`page[size]`, `page[after]`, `page[before]`), which page by the sort keys.
 * An offset page and its count are one statement.
 */
export async function pageOfView<T>(
  db: TenantDb,
  c: CompiledView,
  page: PaginationQuery,
  select: (q: TicketsQuery) => TicketsQuery,
): Promise<ViewPage<T>> {
  const keys = orderKeys(c);
  const ordered = (q: TicketsQuery, reverse: boolean) => {
    let out = q;
    for (const k of keys) out = out.orderBy(rawExpr(k.expr), k.desc !== reverse ? 'desc' : 'asc');
    return out;
  };
  const base = select(baseQuery(db, c, joinsOf(c)));

  const cursorStyle =
    page['page[size]'] !== undefined ||
    page['page[after]'] !== undefined ||
    page['page[before]'] !== undefined;
  if (cursorStyle) {
    const size = page['page[size]'] ?? 100;
    const before = page['page[before]'];
    const after = page['page[after]'];
    // The sort keys of each row, as text, become the cursors of the page's first and last rows.
    const keyValues = sql<
      (string | null)[]
    >`array[${sql.join(keys.map((k) => sql`(${rawExpr(k.expr)})::text`))}]`;
    let q = base.select(keyValues.as('_k'));
    if (after) q = q.where(keysetAfter(keys, decodeCursor(after, 'page[after]', keys.length)));
    if (before) {
      const reversed = keys.map((k) => ({ ...k, desc: !k.desc }));
      q = q.where(keysetAfter(reversed, decodeCursor(before, 'page[before]', keys.length)));
    }
    const rows = (await ordered(q, Boolean(before))
      .limit(size + 1)
      .execute()) as (T & { _k: (string | null)[] })[];
    const hasMore = rows.length > size;
    const pageRows = rows.slice(0, size);
    if (before) pageRows.reverse();
    const first = pageRows[0];
    const last = pageRows.at(-1);
    return {
      style: 'cursor',
      rows: pageRows.map(({ _k, ...row }) => row as T),
      hasMore: before ? true : hasMore,
      afterCursor: last && (before || hasMore) ? encodeCursor(last._k) : null,
      beforeCursor: first && (after || (before && hasMore)) ? encodeCursor(first._k) : null,
      size,
    };
  }

  const perPage = page.per_page ?? 100;
  const pageNumber = page.page ?? 1;
  if ((pageNumber - 1) * perPage >= OFFSET_LIMIT) throw new HavenError('CS_PAGINATION_LIMIT');
  const paged = ordered(base, false)
    .limit(perPage + 1)
    .offset((pageNumber - 1) * perPage);
  // A kept estimate needs no count; otherwise the capped count rides along as a scalar subquery.
  const rows = (await (c.keptCount === null
    ? paged.select(cappedCount(db, c).as('_n'))
    : paged
  ).execute()) as (T & {
    _n?: number;
  })[];
  let count: ViewCount;
  if (c.keptCount !== null) count = { value: c.keptCount, exact: false };
  else if (rows[0]) count = await finishCount(db, c, Number(rows[0]._n));
  // Past the last page no row carries the count; an empty first page is an empty view.
  else count = pageNumber === 1 ? { value: 0, exact: true } : await countView(db, c);
  return {
    style: 'offset',
    rows: rows.slice(0, perPage).map(({ _n, ...row }) => row as T),
    page: pageNumber,
    perPage,
    hasMore: rows.length > perPage,
    count,
  };
}

/**
 * The answer from a capped count: exact up to the limit; past it, the planner's estimate (one EXPLAIN),
 * kept in view_counts so that the caller's next executions within COUNT_REUSE_SECONDS neither count nor
 * estimate.
 */
async function finishCount(db: TenantDb, c: CompiledView, n: number): Promise<ViewCount> {
  if (n <= EXACT_COUNT_LIMIT) return { value: n, exact: true };
  const plan = (await baseQuery(db, c).select(sql`1`.as('one')).explain('json')) as {
    'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }];
  }[];
  const estimate = Math.round(plan[0]?.['QUERY PLAN']?.[0]?.Plan?.['Plan Rows'] ?? 0);
  const value = Math.max(estimate, EXACT_COUNT_LIMIT + 1);
  if (c.viewId !== null && c.viewUpdatedAt !== null)
    await keepCount(db, c.viewId, c.userId, c.viewUpdatedAt, value);
  return { value, exact: false };
}

async function keepCount(db: TenantDb, viewId: number, userId: number, viewUpdatedAt: Date, value: number) {
  try {
    await db
      .insertInto('view_counts', { view_id: viewId, user_id: userId, value, view_updated_at: viewUpdatedAt })
      .onConflict((oc) =>
        oc
          .columns(['account_id', 'view_id', 'user_id'])
          .doUpdateSet({ value, view_updated_at: viewUpdatedAt, refreshed_at: sql`now()` }),
      )
      .execute();
  } catch {
    // The view or the agent went away meanwhile; a kept count is only ever a shortcut, so the answer stands.
  }
}

/**
 * How many tickets a view holds for its caller. Counting reads every matching index entry, so it stops at
 * EXACT_COUNT_LIMIT; past that the value is the planner's row estimate for the same query, kept for a
 * minute per view and agent (what a large queue's size needs to be, and what Zendesk does too).
 */
export async function countView(db: TenantDb, c: CompiledView): Promise<ViewCount> {
  if (c.keptCount !== null) return { value: c.keptCount, exact: false };
  return finishCount(db, c, Number((await cappedCount(db, c).executeTakeFirstOrThrow()).n));
}

export interface ViewGroup {
  id: string | number | null;
  name: string | null;
  count: number;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Row counts per value of the group column (grouped views only), in the group order. */
export async function groupsOfView(db: TenantDb, c: CompiledView): Promise<ViewGroup[]> {
  if (!c.groupBy) return [];
  const spec = COLUMNS[c.groupBy]!;
  const group = spec.group!;
  const joins = new Set<Join>(group.join ? [group.join] : []);
  const label = group.join ? rawExpr(`${group.join}_j.name`) : sql`null`;
  const orderExpr = spec.sort?.expr ?? group.expr;
  const rows = (await baseQuery(db, c, joins)
    .select([
      sql<string | number | null>`${rawExpr(group.expr)}`.as('id'),
      sql<string | null>`min(${label})`.as('name'),
      sql<number>`count(*)::int`.as('count'),
    ])
    .groupBy(rawExpr(group.expr))
    .orderBy(sql`min(${rawExpr(orderExpr)})`, c.groupOrder)
    .execute()) as { id: string | number | null; name: string | null; count: number }[];
  return rows.map((r) => ({
    id: r.id,
    name: r.name ?? (typeof r.id === 'string' ? capitalize(r.id) : r.id === null ? '-' : String(r.id)),
    count: Number(r.count),
  }));
}

/** The columns an executed row needs: the partial ticket's and those of the row keys the view shows. */
export function selectRowColumns(rowKeys: string[]) {
  const columns = new Set(['id', 'subject', 'description', 'status', 'priority', 'type']);
  for (const key of rowKeys) columns.add(ROW_SOURCES[key]!.column);
  return (q: TicketsQuery): TicketsQuery => q.select([...columns].map((c) => `tickets.${c}` as any));
}

export function selectAllTicketColumns(q: TicketsQuery): TicketsQuery {
  return q.selectAll('tickets');
}
