import type { Selectable } from 'kysely';
import { defineRoute, type HandlerContext, listBody, respond } from '../../platform/http/define-route.ts';
import { HavenError, notFound } from '../../platform/http/errors.ts';
import { parseIdList } from '../../platform/http/format.ts';
import { paginate } from '../../platform/http/pagination.ts';
import { presentTicket } from '../tickets/tickets.presenter.ts';
import { findTicket, presentationFor } from '../tickets/tickets.queries.ts';
import { findUserByEmail } from '../users/users.queries.ts';
import { parseMessage } from './email.parse.ts';
import { stripQuotedText } from './email.quotes.ts';
import type { InboundEmailsTable } from './email.tables.ts';
import { idsQuery, inboundParams, suspendedListQuery } from './inbound.schema.ts';
import { deleteSuspended, recoverSuspended } from './suspended.commands.ts';
import { presentSuspended, type SuspendedView } from './suspended.presenter.ts';

const tags = ['Suspended Tickets'];
type Ctx = HandlerContext<any, any, any>;
type Row = Selectable<InboundEmailsTable>;

/** Each message's author (a known user, or the sender as written), its stripped text and its files. */
async function views(ctx: Ctx, rows: Row[]): Promise<SuspendedView[]> {
  return Promise.all(
    rows.map(async (row) => {
      const message = await parseMessage(row.raw).catch(() => null);
      const user = row.from_address ? await findUserByEmail(ctx.db, row.from_address) : undefined;
      const { raw: _raw, ...rest } = row;
      return {
        row: rest,
        author: {
          id: user?.id ?? null,
          name: user?.name ?? row.from_name ?? row.from_address,
          email: row.from_address,
        },
        content: message ? stripQuotedText(message.text) : '',
        attachments: (message?.attachments ?? []).map((a) => ({
          file_name: a.filename ?? 'attachment',
          content_type: a.contentType,
          size: a.size,
        })),
      };
    }),
  );
}

async function findSuspended(ctx: Ctx, id: number): Promise<Row> {
  const row = await ctx.db
    .selectFrom('inbound_emails')
    .selectAll()
    .where('id', '=', id)
    .where('status', '=', 'suspended')
    .executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

function idsFrom(query: { ids?: string }): number[] {
  const ids = parseIdList(query.ids);
  if (!ids.length)
    throw new HavenError('CS_BAD_REQUEST', { description: 'Give ids as a comma-separated list' });
  if (ids.length > 100) throw new HavenError('CS_BAD_REQUEST', { description: 'At most 100 ids at once' });
  return ids;
}

async function recover(ctx: Ctx, id: number) {
  const deps = { config: ctx.services.config, logger: ctx.services.logger };
  const outcome = await recoverSuspended(ctx.services.system('recovering suspended mail'), deps, ctx.db, id);
  const ticket = await findTicket(ctx.db, outcome.ticketId!);
  if (!ticket) throw notFound();
  const p = await presentationFor(ctx.db, [ticket]);
  return presentTicket(ticket, ctx.url, p);
}

/** Mail held for review (`inbound_emails` suspended): agents list and recover it, admins delete it. */
export const suspendedRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/suspended_tickets',
    auth: 'agent',
    tags,
    summary: 'List suspended tickets (offset or cursor pagination)',
    query: suspendedListQuery,
    handler: async (ctx) => {
      const q = ctx.db.selectFrom('inbound_emails').selectAll().where('status', '=', 'suspended');
      const page = await paginate(q, 'inbound_emails.id', { sort_order: 'desc', ...ctx.query });
      const presented = new Map((await views(ctx, page.rows)).map((v) => [v.row.id, v]));
      return respond(
        200,
        listBody(ctx, 'suspended_tickets', page, '/api/v2/suspended_tickets', (r: Row) =>
          presentSuspended(presented.get(r.id)!, ctx.url),
        ),
      );
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/suspended_tickets/recover_many',
    auth: 'agent',
    tags,
    summary: 'Recover several suspended tickets (?ids=1,2,3)',
    query: idsQuery,
    handler: async (ctx) => {
      const tickets = [];
      for (const id of idsFrom(ctx.query)) {
        await findSuspended(ctx, id);
        tickets.push(await recover(ctx, id));
      }
      return respond(200, { tickets });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/suspended_tickets/destroy_many',
    auth: 'admin',
    tags,
    summary: 'Delete several suspended tickets (?ids=1,2,3)',
    query: idsQuery,
    handler: async (ctx) => {
      await deleteSuspended(ctx.db, idsFrom(ctx.query));
      return respond(204);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/suspended_tickets/:id',
    auth: 'agent',
    tags,
    summary: 'Show a suspended ticket',
    params: inboundParams,
    handler: async (ctx) => {
      const [view] = await views(ctx, [await findSuspended(ctx, ctx.params.id)]);
      return respond(200, { suspended_ticket: presentSuspended(view!, ctx.url) });
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/suspended_tickets/:id/recover',
    auth: 'agent',
    tags,
    summary: 'Recover a suspended ticket: the message is processed as if it had not been suspended',
    params: inboundParams,
    handler: async (ctx) => {
      await findSuspended(ctx, ctx.params.id);
      return respond(200, { ticket: await recover(ctx, ctx.params.id) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/suspended_tickets/:id',
    auth: 'admin',
    tags,
    summary: 'Delete a suspended ticket (the stored message goes with it)',
    params: inboundParams,
    handler: async (ctx) => {
      await findSuspended(ctx, ctx.params.id);
      await deleteSuspended(ctx.db, [ctx.params.id]);
      return respond(204);
    },
  }),
];
