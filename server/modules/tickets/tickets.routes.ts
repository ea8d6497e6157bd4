import { z } from 'zod';
import {
  commandContext,
  defineRoute,
  type HandlerContext,
  listBody,
  respond,
} from '../../platform/http/define-route.ts';
import { HavenError, notFound } from '../../platform/http/errors.ts';
import { isoTime, parseCsv, parseIdList } from '../../platform/http/format.ts';
import { paginationQuery } from '../../platform/http/pagination.ts';
import { presentAttachment } from '../attachments/attachments.presenter.ts';
import { attachmentsForComments } from '../attachments/attachments.queries.ts';
import { findOrganization } from '../organizations/organizations.queries.ts';
import { presentUser } from '../users/users.presenter.ts';
import { findUser, findUsersByIds } from '../users/users.queries.ts';
import {
  changeTags,
  createTicket,
  deleteTicket,
  destroyTicket,
  makeCommentPrivate,
  redactCommentText,
  restoreTicket,
  updateTicket,
} from './tickets.commands.ts';
import { type BulkWork, enqueueBulk } from './tickets.jobs.ts';
import { ticketScope } from './tickets.policy.ts';
import {
  type CommentRow,
  presentAudit,
  presentComment,
  presentJobStatus,
  presentTicket,
  presentTicketSideloads,
  type TicketRow,
} from './tickets.presenter.ts';
import {
  countTickets,
  findAudit,
  findJobStatus,
  findTicketsByExternalIds,
  findTicketsByIds,
  listAudits,
  listComments,
  listDeletedTickets,
  listTickets,
  presentationFor,
  type TicketFilter,
  tagCounts,
  visibleTicket,
} from './tickets.queries.ts';
import {
  auditParams,
  commentParams,
  createManyBody,
  createTicketBody,
  idParams,
  idsQuery,
  listCommentsQuery,
  listTicketsQuery,
  mergeBody,
  redactBody,
  tagsBody,
  updateManyBody,
  updateTicketBody,
  userTicketsParams,
} from './tickets.schema.ts';

const tags = ['Tickets'];
type Ctx = HandlerContext<any, any, any>;

/** A page of tickets in Zendesk shape, with `users`/`groups`/`organizations` side-loaded when asked. */
async function presentTickets(ctx: Ctx, rows: TicketRow[]) {
  const p = await presentationFor(ctx.db, rows);
  return rows.map((t) => presentTicket(t, ctx.url, p));
}

function sideloads(ctx: Ctx, rows: TicketRow[], include: string | undefined) {
  return presentTicketSideloads(ctx.db, ctx.url, rows, new Set(parseCsv(include)));
}

async function ticketList(ctx: Ctx, filter: TicketFilter, path: string) {
  const scope = await ticketScope(ctx.db, ctx.actor);
  const page = await listTickets(ctx.db, scope, filter, ctx.query);
  const p = await presentationFor(ctx.db, page.rows);
  const body = listBody(ctx, 'tickets', page, path, (t: TicketRow) => presentTicket(t, ctx.url, p));
  return respond(200, { ...body, ...(await sideloads(ctx, page.rows, ctx.query.include)) });
}

async function presentComments(ctx: Ctx, rows: CommentRow[]) {
  const files = await attachmentsForComments(
    ctx.db,
    rows.map((c) => c.id),
  );
  return (c: CommentRow) =>
    presentComment(
      c,
      (files.get(c.id) ?? []).map((a) => presentAttachment(a, ctx.url)),
    );
}

function idsFrom(query: { ids?: string }): number[] {
  const ids = parseIdList(query.ids);
  if (!ids.length)
    throw new HavenError('CS_BAD_REQUEST', { description: 'Give ids as a comma-separated list' });
  if (ids.length > 100) throw new HavenError('CS_BAD_REQUEST', { description: 'At most 100 ids at once' });
  return ids;
}

async function bulk(ctx: Ctx, work: BulkWork) {
  const job = await enqueueBulk(ctx.db, ctx.services.jobs, ctx.actor, ctx.ip, work);
  return respond(200, { job_status: presentJobStatus(job, ctx.url) });
}

const ticketResponse = async (ctx: Ctx, ticket: TicketRow, justCreated = false) => {
  const p = await presentationFor(ctx.db, [ticket], { justCreated });
  return presentTicket(ticket, ctx.url, p);
};

export const ticketRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/tickets',
    auth: 'agent',
    tags,
    summary: 'List tickets (offset, or cursor with page[size])',
    query: listTicketsQuery,
    handler: (ctx) =>
      ticketList(ctx, { kind: 'all', externalId: ctx.query.external_id }, '/api/v2/tickets.json'),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/tickets/count',
    auth: 'agent',
    tags,
    summary: 'Count the tickets you can see',
    handler: async (ctx) => {
      const value = await countTickets(ctx.db, await ticketScope(ctx.db, ctx.actor));
      return respond(200, { count: { value, refreshed_at: isoTime(new Date()) } });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/tickets/show_many',
    auth: 'agent',
    tags,
    summary: 'Show several tickets by ids or external_ids',
    query: idsQuery.extend({ include: z.string().optional() }),
    handler: async (ctx) => {
      const scope = await ticketScope(ctx.db, ctx.actor);
      const externalIds = parseCsv(ctx.query.external_ids);
      const rows = externalIds.length
        ? await findTicketsByExternalIds(ctx.db, scope, externalIds.slice(0, 100))
        : await findTicketsByIds(ctx.db, scope, idsFrom(ctx.query));
      return respond(200, {
        tickets: await presentTickets(ctx, rows),
        ...(await sideloads(ctx, rows, ctx.query.include)),
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/tickets/:id',
    auth: 'agent',
    tags,
    summary: 'Show a ticket',
    params: idParams,
    query: z.object({ include: z.string().optional() }),
    handler: async (ctx) => {
      const { ticket } = await visibleTicket(ctx.db, ctx.actor, ctx.params.id);
      return respond(200, {
        ticket: await ticketResponse(ctx, ticket),
        ...(await sideloads(ctx, [ticket], ctx.query.include)),
      });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/tickets',
    auth: 'agent',
    tags,
    summary: 'Create a ticket; its comment becomes the description',
    body: createTicketBody,
    handler: async (ctx) => {
      const { ticket, audit } = await createTicket(commandContext(ctx), ctx.body.ticket, {
        client: String(ctx.req.headers['user-agent'] ?? '').slice(0, 200) || null,
      });
      const presented = await ticketResponse(ctx, ticket, true);
      return respond(201, { ticket: presented, audit: presentAudit(audit) }, { Location: presented.url });
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/tickets/:id',
    auth: 'agent',
    tags,
    summary: 'Update a ticket (fields, a comment, or both; safe_update with updated_stamp)',
    params: idParams,
    body: updateTicketBody,
    handler: async (ctx) => {
      const { ticket, audit } = await updateTicket(commandContext(ctx), ctx.params.id, ctx.body.ticket, {
        client: String(ctx.req.headers['user-agent'] ?? '').slice(0, 200) || null,
      });
      return respond(200, { ticket: await ticketResponse(ctx, ticket), audit: presentAudit(audit) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/tickets/:id',
    auth: 'agent',
    tags,
    summary: 'Delete a ticket (it moves to deleted tickets)',
    params: idParams,
    handler: async (ctx) => {
      await deleteTicket(commandContext(ctx), ctx.params.id);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/tickets/create_many',
    auth: 'agent',
    tags,
    summary: 'Create up to 100 tickets in a background job',
    body: createManyBody,
    handler: (ctx) =>
      bulk(ctx, { kind: 'create_many', items: (ctx.req.body as { tickets: unknown[] }).tickets }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/tickets/update_many',
    auth: 'agent',
    tags,
    summary: 'Update up to 100 tickets in a background job (?ids= with one change, or a tickets list)',
    query: idsQuery,
    body: updateManyBody,
    handler: (ctx) => {
      const raw = ctx.req.body as { ticket?: unknown; tickets?: { id: number }[] };
      const items = raw.tickets
        ? raw.tickets.map(({ id, ...changes }) => ({ id: Number(id), changes }))
        : idsFrom(ctx.query).map((id) => ({ id, changes: raw.ticket }));
      return bulk(ctx, { kind: 'update_many', items });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/tickets/destroy_many',
    auth: 'agent',
    tags,
    summary: 'Delete up to 100 tickets in a background job',
    query: idsQuery,
    handler: (ctx) => bulk(ctx, { kind: 'destroy_many', ids: idsFrom(ctx.query) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/tickets/:id/merge',
    auth: 'agent',
    tags,
    summary: 'Merge tickets into this one (background job)',
    params: idParams,
    body: mergeBody,
    handler: async (ctx) => {
      await visibleTicket(ctx.db, ctx.actor, ctx.params.id);
      return bulk(ctx, {
        kind: 'merge',
        targetId: ctx.params.id,
        ids: ctx.body.ids,
        options: {
          targetComment: ctx.body.target_comment,
          sourceComment: ctx.body.source_comment,
          targetCommentIsPublic: ctx.body.target_comment_is_public,
          sourceCommentIsPublic: ctx.body.source_comment_is_public,
        },
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/job_statuses/:id',
    auth: 'agent',
    tags,
    summary: 'Show a background job status',
    params: z.object({ id: z.string().min(1).max(100) }),
    handler: async (ctx) => {
      const job = await findJobStatus(ctx.db, ctx.params.id);
      if (!job) throw notFound();
      return respond(200, { job_status: presentJobStatus(job, ctx.url) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/job_statuses',
    auth: 'agent',
    tags,
    summary: 'Recent background job statuses',
    handler: async (ctx) => {
      const rows = await ctx.db
        .selectFrom('job_statuses')
        .selectAll()
        .orderBy('created_at', 'desc')
        .limit(100)
        .execute();
      return respond(200, { job_statuses: rows.map((j) => presentJobStatus(j, ctx.url)) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/job_statuses/show_many',
    auth: 'agent',
    tags,
    summary: 'Show several job statuses',
    query: z.object({ ids: z.string() }),
    handler: async (ctx) => {
      const ids = parseCsv(ctx.query.ids).slice(0, 100);
      const rows = ids.length
        ? await ctx.db.selectFrom('job_statuses').selectAll().where('id', 'in', ids).execute()
        : [];
      return respond(200, { job_statuses: rows.map((j) => presentJobStatus(j, ctx.url)) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/tickets/:id/comments',
    auth: 'agent',
    tags,
    summary: "List a ticket's comments, oldest first (public replies and internal notes)",
    params: idParams,
    query: listCommentsQuery,
    handler: async (ctx) => {
      await visibleTicket(ctx.db, ctx.actor, ctx.params.id);
      const page = await listComments(ctx.db, ctx.params.id, { publicOnly: false }, ctx.query);
      const present = await presentComments(ctx, page.rows);
      const body = listBody(ctx, 'comments', page, `/api/v2/tickets/${ctx.params.id}/comments.json`, present);
      if (parseCsv(ctx.query.include).includes('users')) {
        const ids = [...new Set(page.rows.map((c) => c.author_id).filter((id): id is number => id !== null))];
        body.users = (await findUsersByIds(ctx.db, ids)).map((u) => presentUser(u, ctx.url));
      }
      return respond(200, body);
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/tickets/:id/comments/:comment_id/make_private',
    auth: 'agent',
    tags,
    summary: 'Turn a public comment into an internal note',
    params: commentParams,
    handler: async (ctx) => {
      await visibleTicket(ctx.db, ctx.actor, ctx.params.id);
      await makeCommentPrivate(commandContext(ctx), ctx.params.id, ctx.params.comment_id);
      return respond(200, {});
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/tickets/:id/comments/:comment_id/redact',
    auth: 'agent',
    tags,
    summary: 'Redact text from a comment for good',
    params: commentParams,
    body: redactBody,
    handler: async (ctx) => {
      await visibleTicket(ctx.db, ctx.actor, ctx.params.id);
      const comment = await redactCommentText(
        commandContext(ctx),
        ctx.params.id,
        ctx.params.comment_id,
        ctx.body.text,
      );
      const present = await presentComments(ctx, [comment]);
      return respond(200, { comment: present(comment) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/tickets/:id/audits',
    auth: 'agent',
    tags,
    summary: "List a ticket's audits: every change, who made it, when and through what",
    params: idParams,
    query: paginationQuery,
    handler: async (ctx) => {
      await visibleTicket(ctx.db, ctx.actor, ctx.params.id);
      const page = await listAudits(ctx.db, ctx.params.id, ctx.query);
      return respond(
        200,
        listBody(ctx, 'audits', page, `/api/v2/tickets/${ctx.params.id}/audits.json`, (a) => presentAudit(a)),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/tickets/:id/audits/:audit_id',
    auth: 'agent',
    tags,
    summary: 'Show one audit',
    params: auditParams,
    handler: async (ctx) => {
      await visibleTicket(ctx.db, ctx.actor, ctx.params.id);
      const audit = await findAudit(ctx.db, ctx.params.id, ctx.params.audit_id);
      if (!audit) throw notFound();
      return respond(200, { audit: presentAudit(audit) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/tickets/:id/incidents',
    auth: 'agent',
    tags,
    summary: "List a problem's incidents",
    params: idParams,
    query: paginationQuery,
    handler: async (ctx) => {
      await visibleTicket(ctx.db, ctx.actor, ctx.params.id);
      return ticketList(
        ctx,
        { kind: 'incidents', problemId: ctx.params.id },
        `/api/v2/tickets/${ctx.params.id}/incidents.json`,
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/problems',
    auth: 'agent',
    tags,
    summary: 'List problem tickets',
    query: paginationQuery,
    handler: (ctx) => ticketList(ctx, { kind: 'problems' }, '/api/v2/problems.json'),
  }),
  ...(
    [
      ['collaborators', 'collaborator_ids', "List a ticket's collaborators"],
      ['followers', 'follower_ids', "List a ticket's followers"],
      ['email_ccs', 'email_cc_ids', "List a ticket's email CCs"],
    ] as const
  ).map(([path, column, summary]) =>
    defineRoute({
      method: 'GET',
      url: `/api/v2/tickets/:id/${path}`,
      auth: 'agent',
      tags,
      summary,
      params: idParams,
      handler: async (ctx) => {
        const { ticket } = await visibleTicket(ctx.db, ctx.actor, ctx.params.id);
        const users = await findUsersByIds(ctx.db, ticket[column]);
        return respond(200, { users: users.map((u) => presentUser(u, ctx.url)) });
      },
    }),
  ),
  defineRoute({
    method: 'GET',
    url: '/api/v2/users/:id/tickets/:kind',
    auth: 'agent',
    tags,
    summary: 'Tickets a user requested, is assigned, or is CC’d on',
    params: userTicketsParams,
    query: listTicketsQuery,
    handler: async (ctx) => {
      if (!(await findUser(ctx.db, ctx.params.id))) throw notFound();
      return ticketList(
        ctx,
        { kind: ctx.params.kind, userId: ctx.params.id },
        `/api/v2/users/${ctx.params.id}/tickets/${ctx.params.kind}.json`,
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/organizations/:id/tickets',
    auth: 'agent',
    tags,
    summary: "An organization's tickets",
    params: idParams,
    query: listTicketsQuery,
    handler: async (ctx) => {
      if (!(await findOrganization(ctx.db, ctx.params.id))) throw notFound();
      return ticketList(
        ctx,
        { kind: 'organization', organizationId: ctx.params.id },
        `/api/v2/organizations/${ctx.params.id}/tickets.json`,
      );
    },
  }),

  // Deleted tickets.
  defineRoute({
    method: 'GET',
    url: '/api/v2/deleted_tickets',
    auth: 'agent',
    tags,
    summary: 'List deleted tickets',
    query: paginationQuery,
    handler: async (ctx) => {
      const page = await listDeletedTickets(ctx.db, ctx.query);
      const body = listBody(ctx, 'deleted_tickets', page, '/api/v2/deleted_tickets.json', (t: TicketRow) => ({
        id: t.id,
        subject: t.subject,
        description: t.description,
        actor: t.deleted_by_id ? { id: t.deleted_by_id } : null,
        deleted_at: isoTime(t.deleted_at),
        previous_state: t.status,
      }));
      return respond(200, body);
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/deleted_tickets/:id/restore',
    auth: 'agent',
    tags,
    summary: 'Restore a deleted ticket',
    params: idParams,
    handler: async (ctx) => {
      await restoreTicket(commandContext(ctx), ctx.params.id);
      return respond(200, {});
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/deleted_tickets/restore_many',
    auth: 'agent',
    tags,
    summary: 'Restore several deleted tickets',
    query: idsQuery,
    handler: async (ctx) => {
      for (const id of idsFrom(ctx.query)) await restoreTicket(commandContext(ctx), id);
      return respond(200, {});
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/deleted_tickets/:id',
    auth: 'admin',
    tags,
    summary: 'Destroy a deleted ticket for good',
    params: idParams,
    handler: async (ctx) => {
      await destroyTicket(commandContext(ctx), ctx.params.id);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/deleted_tickets/destroy_many',
    auth: 'admin',
    tags,
    summary: 'Destroy several deleted tickets for good (background job)',
    query: idsQuery,
    handler: (ctx) => bulk(ctx, { kind: 'destroy_deleted_many', ids: idsFrom(ctx.query) }),
  }),

  // Tags.
  defineRoute({
    method: 'GET',
    url: '/api/v2/tags',
    auth: 'agent',
    tags,
    summary: 'Tags in use, most used first',
    query: paginationQuery,
    handler: async (ctx) => {
      const rows = await tagCounts(ctx.db, 500);
      return respond(200, { tags: rows, next_page: null, previous_page: null, count: rows.length });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/autocomplete/tags',
    auth: 'agent',
    tags,
    summary: 'Tags starting with the given text',
    query: z.object({ name: z.string().trim().min(2).max(80) }),
    handler: async (ctx) => {
      const rows = await tagCounts(ctx.db, 20, ctx.query.name);
      return respond(200, { tags: rows.map((r) => r.name) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/tickets/:id/tags',
    auth: 'agent',
    tags,
    summary: "A ticket's tags",
    params: idParams,
    handler: async (ctx) => {
      const { ticket } = await visibleTicket(ctx.db, ctx.actor, ctx.params.id);
      return respond(200, { tags: ticket.tags });
    },
  }),
  ...(
    [
      ['PUT', 'add', 'Add tags to a ticket'],
      ['POST', 'set', "Replace a ticket's tags"],
      ['DELETE', 'remove', 'Remove tags from a ticket'],
    ] as const
  ).map(([method, mode, summary]) =>
    defineRoute({
      method,
      url: '/api/v2/tickets/:id/tags',
      auth: 'agent',
      tags,
      summary,
      params: idParams,
      body: tagsBody,
      handler: async (ctx) => {
        const ticket = await changeTags(commandContext(ctx), ctx.params.id, mode, ctx.body.tags, {
          safe_update: ctx.body.safe_update,
          updated_stamp: ctx.body.updated_stamp,
        });
        return respond(200, { tags: ticket.tags });
      },
    }),
  ),
];
