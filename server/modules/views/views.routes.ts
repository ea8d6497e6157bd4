import {
  commandContext,
  created,
  defineRoute,
  type HandlerContext,
  listBody,
  respond,
} from '../../platform/http/define-route.ts';
import { HavenError } from '../../platform/http/errors.ts';
import { parseIdList } from '../../platform/http/format.ts';
import { listEnvelope } from '../../platform/http/pagination.ts';
import { ticketScope } from '../tickets/tickets.policy.ts';
import { presentTicket } from '../tickets/tickets.presenter.ts';
import { presentationFor, type TicketRow } from '../tickets/tickets.queries.ts';
import { normalizeExecution } from './views.columns.ts';
import { createView, deleteView, updateView } from './views.commands.ts';
import { normalizeConditions } from './views.conditions.ts';
import {
  type ExecutedTicket,
  presentColumn,
  presentView,
  presentViewCount,
  presentViewRow,
  rowKeysOf,
  type ViewRow,
} from './views.presenter.ts';
import {
  actorGroupIds,
  type CompiledView,
  compileView,
  countView,
  findVisibleView,
  findVisibleViews,
  groupsOfView,
  listViews,
  pageOfView,
  selectAllTicketColumns,
  selectRowColumns,
  type ViewPage,
} from './views.queries.ts';
import {
  createViewBody,
  type ExecuteQuery,
  executeQuery,
  idParams,
  idsQuery,
  listViewsQuery,
  previewBody,
  searchViewsQuery,
  updateViewBody,
} from './views.schema.ts';

const tags = ['Views'];
type Ctx = HandlerContext<any, any, any>;

const presentAll = (ctx: Ctx) => (v: ViewRow) => presentView(v, ctx.url);

/** Offset links from whether another row exists (counts past 1,000 are estimates); cursor links as usual. */
function pageEnvelope<T>(
  ctx: Ctx,
  key: string,
  page: ViewPage<T>,
  path: string,
  present: (row: T) => unknown,
) {
  const kept = Object.entries(ctx.query as Record<string, unknown>).filter(
    ([k, v]) => typeof v === 'string' && !k.startsWith('page') && k !== 'per_page',
  ) as [string, string][];
  const pageUrl = (params: Record<string, string>) => {
    const q = new URLSearchParams(kept);
    for (const [k, v] of Object.entries(params)) q.set(k, v);
    return ctx.url(`${path}?${q.toString()}`);
  };
  if (page.style === 'cursor') return listEnvelope(key, page, present, pageUrl);
  const perPage = String(page.perPage);
  return {
    [key]: page.rows.map(present),
    next_page: page.hasMore ? pageUrl({ page: String(page.page + 1), per_page: perPage }) : null,
    previous_page: page.page > 1 ? pageUrl({ page: String(page.page - 1), per_page: perPage }) : null,
    count: page.count.value,
  };
}

/** The view, compiled for its caller: their ticket scope (read alongside the view), groups and the clock. */
async function loadCompiled(ctx: Ctx, id: number, query: ExecuteQuery = {}) {
  const [{ view, groupIds, keptCount }, scope] = await Promise.all([
    findVisibleView(ctx.db, ctx.actor, id),
    ticketScope(ctx.db, ctx.actor),
  ]);
  const compiled = compileView(
    view,
    scope,
    { userId: ctx.actor.userId, groupIds, now: new Date(), keptCount },
    { sortBy: query.sort_by, sortOrder: query.sort_order },
  );
  return { view, compiled };
}

async function executeBody(ctx: Ctx, compiled: CompiledView, path: string) {
  const rowKeys = rowKeysOf(compiled.columns, compiled.groupBy);
  const [page, groups] = await Promise.all([
    pageOfView<ExecutedTicket>(ctx.db, compiled, ctx.query, selectRowColumns(rowKeys)),
    groupsOfView(ctx.db, compiled),
  ]);
  return {
    ...pageEnvelope(ctx, 'rows', page, path, (t) => presentViewRow(t, rowKeys, ctx.url)),
    columns: compiled.columns.map(presentColumn),
    groups,
  };
}

function idsFrom(value: string, max: number): number[] {
  const ids = [...new Set(parseIdList(value))];
  if (ids.length > max) throw new HavenError('CS_BAD_REQUEST', { description: `At most ${max} ids at once` });
  return ids;
}

export const viewRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/views',
    auth: 'agent',
    tags,
    summary: 'List the views the caller can use (shared, their groups’ and their personal ones)',
    query: listViewsQuery,
    handler: async (ctx) => {
      const { active, access, group_id: groupId } = ctx.query;
      const page = await listViews(ctx.db, ctx.actor, { active, access, groupId }, ctx.query);
      return respond(200, listBody(ctx, 'views', page, '/api/v2/views.json', presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/views/active',
    auth: 'agent',
    tags,
    summary: 'List the active views the caller can use',
    query: listViewsQuery,
    handler: async (ctx) => {
      const { access, group_id: groupId } = ctx.query;
      const page = await listViews(ctx.db, ctx.actor, { active: true, access, groupId }, ctx.query);
      return respond(200, listBody(ctx, 'views', page, '/api/v2/views/active.json', presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/views/search',
    auth: 'agent',
    tags,
    summary: 'Views whose title contains the query',
    query: searchViewsQuery,
    handler: async (ctx) => {
      const { active, access, group_id: groupId, query } = ctx.query;
      const filters = { active, access, groupId, titleContains: query };
      const page = await listViews(ctx.db, ctx.actor, filters, ctx.query);
      return respond(200, listBody(ctx, 'views', page, '/api/v2/views/search.json', presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/views/show_many',
    auth: 'agent',
    tags,
    summary: 'Show several views by id',
    query: idsQuery,
    handler: async (ctx) => {
      const views = await findVisibleViews(ctx.db, ctx.actor, idsFrom(ctx.query.ids, 100));
      return respond(200, { views: views.map(({ view }) => presentView(view, ctx.url)) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/views/count_many',
    auth: 'agent',
    tags,
    summary: 'Ticket counts of up to 20 views (views the caller cannot use are left out)',
    query: idsQuery,
    handler: async (ctx) => {
      const ids = idsFrom(ctx.query.ids, 20);
      const [views, scope] = await Promise.all([
        findVisibleViews(ctx.db, ctx.actor, ids),
        ticketScope(ctx.db, ctx.actor),
      ]);
      const now = new Date();
      const counts = await Promise.all(
        views.map(({ view, groupIds, keptCount }) =>
          countView(ctx.db, compileView(view, scope, { userId: ctx.actor.userId, groupIds, now, keptCount })),
        ),
      );
      return respond(200, {
        view_counts: views.map(({ view }, i) => presentViewCount(view.id, counts[i]!, ctx.url)),
      });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/views/preview',
    auth: 'agent',
    tags,
    summary: 'Execute unsaved conditions and columns, as a view would',
    body: previewBody,
    query: executeQuery,
    handler: async (ctx) => {
      const compiled = await compilePreview(ctx);
      return respond(200, await executeBody(ctx, compiled, '/api/v2/views/preview.json'));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/views/preview/count',
    auth: 'agent',
    tags,
    summary: 'Count the tickets unsaved conditions would hold',
    body: previewBody,
    handler: async (ctx) => {
      const compiled = await compilePreview(ctx);
      const count = await countView(ctx.db, compiled);
      const shown = presentViewCount(0, count, ctx.url);
      return respond(200, { view_count: { ...shown, view_id: null, url: null } });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/views/:id',
    auth: 'agent',
    tags,
    summary: 'Show a view',
    params: idParams,
    handler: async (ctx) => {
      const { view } = await findVisibleView(ctx.db, ctx.actor, ctx.params.id);
      return respond(200, { view: presentView(view, ctx.url) });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/views',
    auth: 'agent',
    tags,
    summary: 'Create a view (agents: personal views only)',
    body: createViewBody,
    handler: async (ctx) => {
      const view = await createView(commandContext(ctx), ctx.body.view);
      return created('view', presentView(view, ctx.url));
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/views/:id',
    auth: 'agent',
    tags,
    summary: 'Update a view; `all` and `any` each replace their whole list',
    params: idParams,
    body: updateViewBody,
    handler: async (ctx) => {
      const view = await updateView(commandContext(ctx), ctx.params.id, ctx.body.view);
      return respond(200, { view: presentView(view, ctx.url) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/views/:id',
    auth: 'agent',
    tags,
    summary: 'Delete a view',
    params: idParams,
    handler: async (ctx) => {
      await deleteView(commandContext(ctx), ctx.params.id);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/views/:id/execute',
    auth: 'agent',
    tags,
    summary: 'Run a view: its columns and a page of rows (a partial ticket and the column values each)',
    params: idParams,
    query: executeQuery,
    handler: async (ctx) => {
      const { view, compiled } = await loadCompiled(ctx, ctx.params.id, ctx.query);
      const body = await executeBody(ctx, compiled, `/api/v2/views/${view.id}/execute.json`);
      return respond(200, { view: presentView(view, ctx.url), ...body });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/views/:id/tickets',
    auth: 'agent',
    tags,
    summary: "List a view's tickets as full tickets",
    params: idParams,
    query: executeQuery,
    handler: async (ctx) => {
      const { view, compiled } = await loadCompiled(ctx, ctx.params.id, ctx.query);
      const page = await pageOfView<TicketRow>(ctx.db, compiled, ctx.query, selectAllTicketColumns);
      const presentation = await presentationFor(ctx.db, page.rows);
      const path = `/api/v2/views/${view.id}/tickets.json`;
      return respond(
        200,
        pageEnvelope(ctx, 'tickets', page, path, (t) => presentTicket(t, ctx.url, presentation)),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/views/:id/count',
    auth: 'agent',
    tags,
    summary: 'How many tickets a view holds for the caller (estimated past 1,000)',
    params: idParams,
    handler: async (ctx) => {
      const { view, compiled } = await loadCompiled(ctx, ctx.params.id);
      const count = await countView(ctx.db, compiled);
      return respond(200, { view_count: presentViewCount(view.id, count, ctx.url) });
    },
  }),
];

/** A preview is a view that is never stored: same validation, the caller's scope, no restriction. */
async function compilePreview(ctx: Ctx): Promise<CompiledView> {
  const input = ctx.body.view;
  const conditions = normalizeConditions({
    all: input.all ?? input.conditions?.all,
    any: input.any ?? input.conditions?.any,
  });
  const execution = normalizeExecution(input.output ?? input.execution ?? {});
  const [scope, groupIds] = await Promise.all([
    ticketScope(ctx.db, ctx.actor),
    actorGroupIds(ctx.db, ctx.actor.userId),
  ]);
  const view = { conditions, execution };
  const query = (ctx.query ?? {}) as ExecuteQuery;
  return compileView(
    view,
    scope,
    { userId: ctx.actor.userId, groupIds, now: new Date() },
    { sortBy: query.sort_by, sortOrder: query.sort_order },
  );
}
