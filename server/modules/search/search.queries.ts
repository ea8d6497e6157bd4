import type { SelectQueryBuilder } from 'kysely';
import type { Actor } from '../../platform/auth/authenticate.ts';
import type { Database } from '../../platform/db/schema.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { type PaginationQuery, paginate } from '../../platform/http/pagination.ts';
import { findOrganizationsByIds, type OrganizationRow } from '../organizations/organizations.queries.ts';
import { scopeFilter, type TicketScope, ticketScope } from '../tickets/tickets.policy.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';
import { findUser, findUsersByIds, type UserRow } from '../users/users.queries.ts';
import { type CompiledSearch, compileSearch } from './search.compile.ts';
import type { SearchAst, SearchKind } from './search.parser.ts';

/** Zendesk returns at most this many results for one query (page × per_page beyond it is refused). */
export const RESULT_LIMIT = 1000;

/**
 * Up to this many matches everything is exact: the count, and relevance ranked over all of them. Beyond it
 * (more than can be paged to anyway) the count is PostgreSQL's estimate and results are ordered by last
 * update, because an exact count or a ranking reads every match and a broad word can match most tickets.
 */
export const EXACT_LIMIT = 1000;

export type SortBy = 'relevance' | 'updated_at' | 'created_at' | 'priority' | 'status' | 'ticket_type';
export interface Sort {
  by: SortBy;
  order: 'asc' | 'desc';
}

/** What the caller may see, read once per request. */
export interface SearchScope {
  actor: Actor;
  tickets: TicketScope;
  /** End-users see no organization but their own (null: none). Undefined for staff. */
  ownOrganizationId?: number | null;
}

export async function searchScope(db: TenantDb, actor: Actor): Promise<SearchScope> {
  const tickets = await ticketScope(db, actor);
  if (actor.role !== 'end-user') return { actor, tickets };
  const me = await findUser(db, actor.userId);
  return { actor, tickets, ownOrganizationId: me?.organization_id ?? null };
}

type AnyQuery = SelectQueryBuilder<Database, any, any>;

interface KindQuery {
  kind: SearchKind;
  /** The type's matching rows (FROM, scope and every condition), selecting nothing yet. */
  from: AnyQuery;
  compiled: CompiledSearch;
  table: 'tickets' | 'users' | 'organizations';
}

function kindQuery(db: TenantDb, scope: SearchScope, ast: SearchAst, kind: SearchKind): KindQuery {
  const endUser = scope.actor.role === 'end-user';
  const compiled = compileSearch(kind, ast.terms, { db, actorId: scope.actor.userId, publicOnly: endUser });
  let from: AnyQuery;
  let table: KindQuery['table'];
  switch (kind) {
    case 'ticket': {
      table = 'tickets';
      from = db.selectFrom('tickets').where(scopeFilter(scope.tickets));
      if (compiled.joinsDocument) {
        from = from.innerJoin('ticket_search_documents', (j) =>
          j
            .onRef('ticket_search_documents.account_id', '=', 'tickets.account_id')
            .onRef('ticket_search_documents.ticket_id', '=', 'tickets.id'),
        );
      }
      break;
    }
    case 'user':
      table = 'users';
      from = db.selectFrom('users').where('users.deleted_at', 'is', null);
      // End-users find themselves only.
      if (endUser) from = from.where('users.id', '=', scope.actor.userId);
      break;
    case 'organization':
      table = 'organizations';
      from = db.selectFrom('organizations');
      if (endUser) from = from.where('organizations.id', '=', scope.ownOrganizationId ?? -1);
      break;
  }
  from = from.where(compiled.where);
  if (compiled.text) from = from.where(compiled.text.match);
  return { kind, from, compiled, table };
}

const PRIORITY_RANK = sql`case tickets.priority when 'low' then 1 when 'normal' then 2 when 'high' then 3 when 'urgent' then 4 end`;
const STATUS_RANK = sql`case tickets.status when 'new' then 1 when 'open' then 2 when 'pending' then 3
  when 'hold' then 4 when 'solved' then 5 when 'closed' then 6 end`;

/** The value a type's rows sort by; null for orders that do not apply to the type (they sort last). */
function sortKey(q: KindQuery, by: SortBy) {
  const ticket = q.kind === 'ticket';
  switch (by) {
    case 'relevance':
      return q.compiled.text ? q.compiled.text.rank : sql`${sql.ref(`${q.table}.updated_at`)}`;
    case 'updated_at':
    case 'created_at':
      return sql`${sql.ref(`${q.table}.${by}`)}`;
    case 'priority':
      return ticket ? PRIORITY_RANK : sql`null::int`;
    case 'status':
      return ticket ? STATUS_RANK : sql`null::int`;
    case 'ticket_type':
      return ticket ? sql`tickets.type` : sql`null::text`;
  }
}

interface Key {
  kind: SearchKind;
  id: number;
  sort_key: number | string | Date | null;
}

const KIND_ORDER: Record<SearchKind, number> = { ticket: 0, user: 1, organization: 2 };

function compareKeys(a: Key, b: Key, desc: boolean): number {
  const dir = desc ? -1 : 1;
  if (a.sort_key !== b.sort_key) {
    if (a.sort_key === null) return 1;
    if (b.sort_key === null) return -1;
    const x = a.sort_key instanceof Date ? a.sort_key.getTime() : a.sort_key;
    const y = b.sort_key instanceof Date ? b.sort_key.getTime() : b.sort_key;
    if (x < y) return -dir;
    if (x > y) return dir;
  }
  if (a.id !== b.id) return a.id < b.id ? -dir : dir;
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
}

/** Sort keys that can be null (orders that do not apply to every row); they sort last either way. */
const NULLABLE: ReadonlySet<SortBy> = new Set(['priority', 'status', 'ticket_type']);

async function fetchKeys(q: KindQuery, sort: Sort, limit: number, offset: number): Promise<Key[]> {
  const desc = sort.by === 'relevance' || sort.order === 'desc';
  const direction = desc ? sql`desc` : sql`asc`;
  // Timestamps are never null; leaving out NULLS LAST there lets (account_id, updated_at, id) give the order.
  const nulls = NULLABLE.has(sort.by) ? sql` nulls last` : sql``;
  const rows = (await q.from
    .select([sql.ref(`${q.table}.id`).as('id'), sortKey(q, sort.by).as('sort_key')])
    .orderBy(sql`sort_key ${direction}${nulls}`)
    .orderBy(sql`${sql.ref(`${q.table}.id`)} ${direction}`)
    .limit(limit)
    .offset(offset)
    .execute()) as { id: number; sort_key: Key['sort_key'] }[];
  return rows.map((r) => ({ kind: q.kind, id: r.id, sort_key: r.sort_key }));
}

interface MatchCount {
  count: number;
  /** False when the count is the planner's estimate (more than EXACT_LIMIT matches). */
  exact: boolean;
}

/** Up to EXACT_LIMIT + 1 matches of one type, unordered, with the value each sorts by. */
async function matchingKeys(q: KindQuery, by: SortBy): Promise<Key[]> {
  const rows = (await q.from
    .select([sql.ref(`${q.table}.id`).as('id'), sortKey(q, by).as('sort_key')])
    .limit(EXACT_LIMIT + 1)
    .execute()) as { id: number; sort_key: Key['sort_key'] }[];
  return rows.map((r) => ({ kind: q.kind, id: r.id, sort_key: r.sort_key }));
}

/** The planner's estimate of how many rows match, for types with more than EXACT_LIMIT of them. */
async function estimateMatches(q: KindQuery): Promise<MatchCount> {
  const plan = (await q.from.select(sql<number>`1`.as('one')).explain('json')) as {
    'QUERY PLAN': { Plan: { 'Plan Rows': number } }[];
  }[];
  const estimate = Math.round(Number(plan[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0));
  return { count: Math.max(estimate, EXACT_LIMIT + 1), exact: false };
}

/** Counts up to EXACT_LIMIT matches exactly (reading at most that many rows), and estimates beyond. */
async function countMatches(q: KindQuery): Promise<MatchCount> {
  const rows = await q.from
    .select(sql<number>`1`.as('one'))
    .limit(EXACT_LIMIT + 1)
    .execute();
  if (rows.length <= EXACT_LIMIT) return { count: rows.length, exact: true };
  return estimateMatches(q);
}

function total(counts: MatchCount[]): MatchCount {
  return {
    count: counts.reduce((a, c) => a + c.count, 0),
    exact: counts.every((c) => c.exact),
  };
}

export async function countSearch(db: TenantDb, scope: SearchScope, ast: SearchAst): Promise<MatchCount> {
  return total(await Promise.all(ast.kinds.map((k) => countMatches(kindQuery(db, scope, ast, k)))));
}

/** A result: its type and its row, ready to present. */
export type SearchHit =
  | { kind: 'ticket'; row: TicketRow }
  | { kind: 'user'; row: UserRow }
  | { kind: 'organization'; row: OrganizationRow };

async function loadHits(db: TenantDb, keys: { kind: SearchKind; id: number }[]): Promise<SearchHit[]> {
  const idsOf = (kind: SearchKind) => keys.filter((k) => k.kind === kind).map((k) => k.id);
  const ticketIds = idsOf('ticket');
  const [tickets, users, organizations] = await Promise.all([
    ticketIds.length
      ? db.selectFrom('tickets').selectAll().where('id', 'in', ticketIds).execute()
      : ([] as TicketRow[]),
    findUsersByIds(db, idsOf('user')),
    findOrganizationsByIds(db, idsOf('organization')),
  ]);
  const byKey = new Map<string, SearchHit>();
  for (const row of tickets) byKey.set(`ticket:${row.id}`, { kind: 'ticket', row });
  for (const row of users) byKey.set(`user:${row.id}`, { kind: 'user', row });
  for (const row of organizations) byKey.set(`organization:${row.id}`, { kind: 'organization', row });
  return keys.flatMap((k) => byKey.get(`${k.kind}:${k.id}`) ?? []);
}

export interface SearchPage {
  hits: SearchHit[];
  /** Exact up to EXACT_LIMIT matches, estimated beyond. */
  count: number;
  page: number;
  perPage: number;
  /** The order actually used (relevance falls back to updated_at for very broad queries). */
  sort: Sort;
}

/**
 * One page of results over every type the query searches, merged in one order. Each type contributes at
 * most its first (offset + per_page) keys, so a page never reads more than 1,000 keys per type.
 */
export async function search(
  db: TenantDb,
  scope: SearchScope,
  ast: SearchAst,
  options: { sort: Sort; page: number; perPage: number },
): Promise<SearchPage> {
  const queries = ast.kinds.map((k) => kindQuery(db, scope, ast, k));
  const offset = (options.page - 1) * options.perPage;
  const limit = Math.max(0, Math.min(options.perPage, RESULT_LIMIT - offset));
  const desc = options.sort.by === 'relevance' || options.sort.order === 'desc';
  // One pass reads up to EXACT_LIMIT + 1 matches of each type with their sort keys: when that is all of
  // them, it is both the exact count and every key the page needs, ordered here.
  const candidates = await Promise.all(queries.map((q) => matchingKeys(q, options.sort.by)));
  if (candidates.every((c) => c.length <= EXACT_LIMIT)) {
    const all = candidates.flat().sort((a, b) => compareKeys(a, b, desc));
    return {
      hits: await loadHits(db, all.slice(offset, offset + limit)),
      count: all.length,
      page: options.page,
      perPage: options.perPage,
      sort: options.sort,
    };
  }
  const counted = total(
    await Promise.all(
      queries.map((q, i) =>
        candidates[i]!.length <= EXACT_LIMIT
          ? { count: candidates[i]!.length, exact: true }
          : estimateMatches(q),
      ),
    ),
  );
  const sort: Sort =
    options.sort.by === 'relevance' && counted.count > EXACT_LIMIT
      ? { by: 'updated_at', order: 'desc' }
      : options.sort;
  const single = queries.length === 1;
  const keyLists = await Promise.all(
    queries.map((q) =>
      limit === 0 ? [] : single ? fetchKeys(q, sort, limit, offset) : fetchKeys(q, sort, offset + limit, 0),
    ),
  );
  const sortedDesc = sort.by === 'relevance' || sort.order === 'desc';
  const keys = single
    ? keyLists[0]!
    : keyLists
        .flat()
        .sort((a, b) => compareKeys(a, b, sortedDesc))
        .slice(offset, offset + limit);
  return {
    hits: await loadHits(db, keys),
    count: counted.count,
    page: options.page,
    perPage: options.perPage,
    sort,
  };
}

/** Every match of one type, by id, in cursor pages (the export has no 1,000-result limit). */
export async function exportSearch(
  db: TenantDb,
  scope: SearchScope,
  ast: SearchAst,
  kind: SearchKind,
  page: PaginationQuery,
) {
  const q = kindQuery(db, scope, ast, kind);
  const idColumn = `${q.table}.id`;
  const result = await paginate(q.from.select(sql.ref(idColumn).as('id')) as AnyQuery, idColumn, {
    ...page,
    'page[size]': page['page[size]'] ?? 100,
  });
  const hits = await loadHits(
    db,
    (result.rows as { id: number }[]).map((r) => ({ kind, id: r.id })),
  );
  return { ...result, rows: hits };
}
