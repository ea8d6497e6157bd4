import { clock } from '../../platform/clock.ts';
import { sql } from '../../platform/db/tenant-db.ts';
import { defineRoute, type HandlerContext, listBody, respond } from '../../platform/http/define-route.ts';
import { HavenError } from '../../platform/http/errors.ts';
import { presentationFor } from '../tickets/tickets.queries.ts';
import { invalidSearch, parseSearchQuery, type SearchAst } from './search.parser.ts';
import { presentHit } from './search.presenter.ts';
import {
  countSearch,
  exportSearch,
  RESULT_LIMIT,
  type SearchHit,
  type Sort,
  search,
  searchScope,
} from './search.queries.ts';
import { countQuery, exportQuery, type SearchQuery, searchQuery } from './search.schema.ts';

const tags = ['Search'];
type Ctx = HandlerContext<any, any, any>;

function parsed(query: string | undefined): SearchAst {
  if (query === undefined || query.trim() === '') throw invalidSearch('Give the search as query=…');
  // Rules' time (platform/clock.ts): `sla:breached` and relative dates agree with the SLA clock.
  return parseSearchQuery(query, { now: clock.now() });
}

async function presentHits(ctx: Ctx, hits: SearchHit[]) {
  const tickets = hits.flatMap((h) => (h.kind === 'ticket' ? [h.row] : []));
  const presentation = await presentationFor(ctx.db, tickets);
  return hits.map((h) => presentHit(h, ctx.url, presentation));
}

/** `next_page` / `previous_page` keep the query and sort, with the page replaced. */
function pageUrl(ctx: Ctx, q: SearchQuery, page: number, perPage: number): string {
  const params = new URLSearchParams();
  for (const key of ['query', 'sort_by', 'sort_order'] as const) {
    if (q[key] !== undefined) params.set(key, q[key]);
  }
  params.set('page', String(page));
  params.set('per_page', String(perPage));
  return ctx.url(`/api/v2/search.json?${params.toString()}`);
}

export const searchRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/search',
    auth: 'end_user',
    tags,
    summary:
      'Search tickets, users and organizations with the Zendesk query language (end-users: their own tickets)',
    query: searchQuery,
    handler: async (ctx) => {
      const q = ctx.query;
      if (
        q['page[size]'] !== undefined ||
        q['page[after]'] !== undefined ||
        q['page[before]'] !== undefined
      ) {
        throw invalidSearch(
          'Search pages with page and per_page; for cursor pages use /api/v2/search/export.json',
        );
      }
      const ast = parsed(q.query);
      const page = q.page ?? 1;
      const perPage = q.per_page ?? 100;
      if ((page - 1) * perPage >= RESULT_LIMIT) throw new HavenError('CS_SEARCH_RESULT_LIMIT');
      const sort: Sort = q.sort_by
        ? { by: q.sort_by, order: q.sort_order ?? 'desc' }
        : ast.hasText
          ? { by: 'relevance', order: 'desc' }
          : { by: 'updated_at', order: q.sort_order ?? 'desc' };
      const scope = await searchScope(ctx.db, ctx.actor);
      // Many agents search at once: one process per search serves them better than parallel workers each.
      const result = await ctx.db.transaction(async (tx) => {
        await sql`set local max_parallel_workers_per_gather = 0`.execute(tx.connection);
        return search(tx, scope, ast, { sort, page, perPage });
      });
      const reachable = Math.min(result.count, RESULT_LIMIT);
      return respond(200, {
        results: await presentHits(ctx, result.hits),
        facets: null,
        next_page: page * perPage < reachable ? pageUrl(ctx, q, page + 1, perPage) : null,
        previous_page: page > 1 ? pageUrl(ctx, q, page - 1, perPage) : null,
        count: result.count,
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/search/count',
    auth: 'end_user',
    tags,
    summary: 'Count the results of a search',
    query: countQuery,
    handler: async (ctx) => {
      const ast = parsed(ctx.query.query);
      const scope = await searchScope(ctx.db, ctx.actor);
      return respond(200, { count: (await countSearch(ctx.db, scope, ast)).count });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/search/export',
    auth: 'end_user',
    tags,
    summary: 'Every result of a search for one record type, in cursor pages (no 1,000-result limit)',
    query: exportQuery,
    handler: async (ctx) => {
      const kind = ctx.query['filter[type]'];
      if (!kind) throw invalidSearch('Export needs filter[type]: ticket, user or organization');
      const ast = parsed(ctx.query.query);
      if (!ast.kinds.includes(kind)) {
        throw invalidSearch(`The query cannot match records of type ${kind} (filter[type])`);
      }
      const scope = await searchScope(ctx.db, ctx.actor);
      const page = await exportSearch(ctx.db, scope, ast, kind, ctx.query);
      const results = await presentHits(ctx, page.rows);
      const body = listBody(
        ctx,
        'results',
        { ...page, rows: results },
        '/api/v2/search/export.json',
        (r) => r,
      );
      return respond(200, { ...body, facets: null });
    },
  }),
];
