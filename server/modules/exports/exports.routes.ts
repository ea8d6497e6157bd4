import { defineRoute, type HandlerContext, respond } from '../../platform/http/define-route.ts';
import { presentOrganization } from '../organizations/organizations.presenter.ts';
import { presentTicket, presentTicketSideloads } from '../tickets/tickets.presenter.ts';
import { presentationFor, type TicketRow } from '../tickets/tickets.queries.ts';
import { presentUser } from '../users/users.presenter.ts';
import { exportedStatus, presentTicketEvent } from './exports.presenter.ts';
import {
  auditsInSlice,
  commentsByIds,
  organizationsInSlice,
  positionBefore,
  positionOf,
  type Stamped,
  ticketsAfter,
  ticketsInSlice,
  timePage,
  usersAfter,
  usersInSlice,
} from './exports.queries.ts';
import {
  type CursorPosition,
  decodeExportCursor,
  type ExportQuery,
  encodeExportCursor,
  excludeDeleted,
  exportQuery,
  givenCursor,
  includes,
  pageSize,
  startTime,
} from './exports.schema.ts';

const tags = ['Incremental export'];
type Ctx = HandlerContext<unknown, ExportQuery, unknown>;

/** The URL of the next page: the caller's page size, side-loads and filters, at the new position. */
function followUrl(ctx: Ctx, path: string, position: Record<string, string>): string {
  const q = new URLSearchParams();
  if (ctx.query.per_page !== undefined || ctx.query['page[size]'] !== undefined) {
    q.set('per_page', String(pageSize(ctx.query)));
  }
  if (ctx.query.include) q.set('include', ctx.query.include);
  if (ctx.query.exclude_deleted) q.set('exclude_deleted', ctx.query.exclude_deleted);
  for (const [k, v] of Object.entries(position)) q.set(k, v);
  return ctx.url(`${path}?${q.toString()}`);
}

async function presentTickets(ctx: Ctx, rows: TicketRow[]) {
  const p = await presentationFor(ctx.db, rows);
  return rows.map((t) => ({ ...presentTicket(t, ctx.url, p), status: exportedStatus(t) }));
}

/** `include=users,groups,organizations`: the records the page's tickets point at. */
function ticketSideloads(ctx: Ctx, rows: TicketRow[]) {
  return presentTicketSideloads(ctx.db, ctx.url, rows, includes(ctx.query));
}

/** A cursor-based page: rows after `position`, and the cursor after the last of them (or the same place). */
async function cursorPage<R extends { id: number }>(
  ctx: Ctx,
  resource: string,
  fetch: (p: CursorPosition, limit: number) => Promise<Stamped<R>[]>,
) {
  const cursor = givenCursor(ctx.query);
  const position = cursor
    ? decodeExportCursor(resource, cursor)
    : positionBefore(startTime(ctx.query.start_time));
  const size = pageSize(ctx.query);
  const rows = await fetch(position, size + 1);
  const page = rows.slice(0, size);
  const last = page.at(-1);
  const after = encodeExportCursor(resource, last ? positionOf(last) : position);
  return {
    rows: page,
    envelope: {
      after_url: followUrl(ctx, `/api/v2/incremental/${resource}/cursor.json`, { cursor: after }),
      after_cursor: after,
      before_url: null,
      before_cursor: null,
      end_of_stream: rows.length <= size,
    },
  };
}

function timeEnvelope(
  ctx: Ctx,
  path: string,
  page: { rows: unknown[]; endTime: number; endOfStream: boolean },
) {
  return {
    next_page: followUrl(ctx, path, { start_time: String(page.endTime) }),
    count: page.rows.length,
    end_of_stream: page.endOfStream,
    end_time: page.endTime,
  };
}

export const exportRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/incremental/tickets',
    auth: 'admin',
    tags,
    summary: 'Tickets changed since start_time (time-based), deleted ones with status "deleted"',
    query: exportQuery,
    handler: async (ctx) => {
      const page = await timePage(
        ticketsInSlice(ctx.db, excludeDeleted(ctx.query)),
        (t) => t.updated_at,
        startTime(ctx.query.start_time),
        pageSize(ctx.query),
      );
      return respond(200, {
        tickets: await presentTickets(ctx, page.rows),
        ...timeEnvelope(ctx, '/api/v2/incremental/tickets.json', page),
        ...(await ticketSideloads(ctx, page.rows)),
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/incremental/tickets/cursor',
    auth: 'admin',
    tags,
    summary: 'Tickets changed since start_time, then since each after_cursor (cursor-based)',
    query: exportQuery,
    handler: async (ctx) => {
      const exclude = excludeDeleted(ctx.query);
      const { rows, envelope } = await cursorPage(ctx, 'tickets', (p, limit) =>
        ticketsAfter(ctx.db, p, limit, exclude),
      );
      return respond(200, {
        tickets: await presentTickets(ctx, rows),
        ...envelope,
        ...(await ticketSideloads(ctx, rows)),
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/incremental/users',
    auth: 'admin',
    tags,
    summary: 'Users changed since start_time (time-based); deleted users are inactive',
    query: exportQuery,
    handler: async (ctx) => {
      const page = await timePage(
        usersInSlice(ctx.db),
        (u) => u.updated_at,
        startTime(ctx.query.start_time),
        pageSize(ctx.query),
      );
      return respond(200, {
        users: page.rows.map((u) => presentUser(u, ctx.url)),
        ...timeEnvelope(ctx, '/api/v2/incremental/users.json', page),
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/incremental/users/cursor',
    auth: 'admin',
    tags,
    summary: 'Users changed since start_time, then since each after_cursor (cursor-based)',
    query: exportQuery,
    handler: async (ctx) => {
      const { rows, envelope } = await cursorPage(ctx, 'users', (p, limit) => usersAfter(ctx.db, p, limit));
      return respond(200, { users: rows.map((u) => presentUser(u, ctx.url)), ...envelope });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/incremental/organizations',
    auth: 'admin',
    tags,
    summary: 'Organizations changed since start_time (time-based)',
    query: exportQuery,
    handler: async (ctx) => {
      const page = await timePage(
        organizationsInSlice(ctx.db),
        (o) => o.updated_at,
        startTime(ctx.query.start_time),
        pageSize(ctx.query),
      );
      return respond(200, {
        organizations: page.rows.map((o) => presentOrganization(o, ctx.url)),
        ...timeEnvelope(ctx, '/api/v2/incremental/organizations.json', page),
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/incremental/ticket_events',
    auth: 'admin',
    tags,
    summary: 'Ticket changes (audits) since start_time; comment text only with include=comment_events',
    query: exportQuery,
    handler: async (ctx) => {
      const page = await timePage(
        auditsInSlice(ctx.db),
        (a) => a.created_at,
        startTime(ctx.query.start_time),
        pageSize(ctx.query),
      );
      const commentIds = page.rows.flatMap((a) =>
        a.events.filter((e) => e.type === 'Comment').map((e) => e.id),
      );
      const comments = await commentsByIds(ctx.db, commentIds);
      const withComments = includes(ctx.query).has('comment_events');
      return respond(200, {
        ticket_events: page.rows.map((a) => presentTicketEvent(a, comments, withComments)),
        ...timeEnvelope(ctx, '/api/v2/incremental/ticket_events.json', page),
      });
    },
  }),
];
