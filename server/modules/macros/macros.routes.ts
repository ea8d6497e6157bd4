import type { TenantDb } from '../../platform/db/tenant-db.ts';
import {
  commandContext,
  created,
  defineRoute,
  type HandlerContext,
  listBody,
  respond,
} from '../../platform/http/define-route.ts';
import { htmlToText, sanitizeCommentHtml, textToHtml } from '../tickets/comment-text.ts';
import { presentTicket, type TicketRow } from '../tickets/tickets.presenter.ts';
import { presentationFor, visibleTicket } from '../tickets/tickets.queries.ts';
import { applyActions, type MacroComment } from './macros.actions.ts';
import { createMacro, deleteMacro, updateMacro } from './macros.commands.ts';
import { type MacroRow, presentMacro } from './macros.presenter.ts';
import { findVisibleMacro, listMacros, macroCategories } from './macros.queries.ts';
import {
  createMacroBody,
  idParams,
  listMacrosQuery,
  searchMacrosQuery,
  ticketMacroParams,
  updateMacroBody,
} from './macros.schema.ts';
import { renderPlaceholders } from './placeholders.ts';

const tags = ['Macros'];
type Ctx = HandlerContext<any, any, any>;

const presentAll = (ctx: Ctx) => (m: MacroRow) => presentMacro(m, ctx.url);

/**
 * The comment a macro would add, as Zendesk shows it: text and HTML bodies, public or not, and the
 * [channel, text] pair when the macro named a channel. With a ticket, placeholders are rendered against it
 * (HTML values escaped); without one they are left for when the comment is written.
 */
async function presentComment(db: TenantDb, c: MacroComment, ticket: TicketRow | null, ctx: Ctx) {
  const render = (template: string, html: boolean) =>
    ticket
      ? renderPlaceholders(db, template, { ticket, actor: { userId: ctx.actor.userId }, html, url: ctx.url })
      : Promise.resolve(template);
  let body = '';
  let html = '';
  if (c.html !== null) {
    html = sanitizeCommentHtml(await render(c.html, true));
    body = htmlToText(html);
  } else if (c.text !== null) {
    body = await render(c.text, false);
    html = body ? textToHtml(body) : '';
  }
  return { body, html_body: html, public: c.public, scoped_body: c.channel ? [[c.channel, body]] : [] };
}

/** A blank ticket for "show changes" without one: only what the macro sets is read from it. */
const NO_TICKET = { tags: [], custom_fields: {} } as unknown as TicketRow;

export const macroRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/macros',
    auth: 'agent',
    tags,
    summary: 'List the macros the caller can use (shared, their groups’ and their personal ones)',
    query: listMacrosQuery,
    handler: async (ctx) => {
      const { active, access, category, group_id: groupId } = ctx.query;
      const page = await listMacros(ctx.db, ctx.actor, { active, access, category, groupId }, ctx.query);
      return respond(200, listBody(ctx, 'macros', page, '/api/v2/macros.json', presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/macros/active',
    auth: 'agent',
    tags,
    summary: 'List the active macros the caller can use',
    query: listMacrosQuery,
    handler: async (ctx) => {
      const { access, category, group_id: groupId } = ctx.query;
      const page = await listMacros(
        ctx.db,
        ctx.actor,
        { active: true, access, category, groupId },
        ctx.query,
      );
      return respond(200, listBody(ctx, 'macros', page, '/api/v2/macros/active.json', presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/macros/search',
    auth: 'agent',
    tags,
    summary: 'Macros whose title contains the query',
    query: searchMacrosQuery,
    handler: async (ctx) => {
      const { active, access, category, group_id: groupId, query } = ctx.query;
      const filters = { active, access, category, groupId, titleContains: query };
      const page = await listMacros(ctx.db, ctx.actor, filters, ctx.query);
      return respond(200, listBody(ctx, 'macros', page, '/api/v2/macros/search.json', presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/macros/categories',
    auth: 'agent',
    tags,
    summary: 'The categories of active macros ("Category::Title")',
    handler: async (ctx) => respond(200, { categories: await macroCategories(ctx.db, ctx.actor) }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/macros/:id',
    auth: 'agent',
    tags,
    summary: 'Show a macro',
    params: idParams,
    handler: async (ctx) => {
      const macro = await findVisibleMacro(ctx.db, ctx.actor, ctx.params.id);
      return respond(200, { macro: presentMacro(macro, ctx.url) });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/macros',
    auth: 'agent',
    tags,
    summary: 'Create a macro (agents: personal macros only)',
    body: createMacroBody,
    handler: async (ctx) => {
      const macro = await createMacro(commandContext(ctx), ctx.body.macro);
      return created('macro', presentMacro(macro, ctx.url));
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/macros/:id',
    auth: 'agent',
    tags,
    summary: 'Update a macro; `actions` replaces the whole list',
    params: idParams,
    body: updateMacroBody,
    handler: async (ctx) => {
      const macro = await updateMacro(commandContext(ctx), ctx.params.id, ctx.body.macro);
      return respond(200, { macro: presentMacro(macro, ctx.url) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/macros/:id',
    auth: 'agent',
    tags,
    summary: 'Delete a macro',
    params: idParams,
    handler: async (ctx) => {
      await deleteMacro(commandContext(ctx), ctx.params.id);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/macros/:id/apply',
    auth: 'agent',
    tags,
    summary: 'The changes a macro would make to a ticket (nothing is written)',
    params: idParams,
    handler: async (ctx) => {
      const macro = await findVisibleMacro(ctx.db, ctx.actor, ctx.params.id);
      const applied = applyActions(NO_TICKET, macro.actions, ctx.actor.userId);
      const result: Record<string, unknown> = { ticket: applied.changes };
      if (applied.comment) result.comment = await presentComment(ctx.db, applied.comment, null, ctx);
      return respond(200, { result });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/tickets/:ticket_id/macros/:id/apply',
    auth: 'agent',
    tags,
    summary: 'A ticket as it would be after a macro, with the comment it would add (nothing is written)',
    params: ticketMacroParams,
    handler: async (ctx) => {
      const [macro, { ticket }] = await Promise.all([
        findVisibleMacro(ctx.db, ctx.actor, ctx.params.id),
        visibleTicket(ctx.db, ctx.actor, ctx.params.ticket_id),
      ]);
      const applied = applyActions(ticket, macro.actions, ctx.actor.userId);
      const presentation = await presentationFor(ctx.db, [ticket]);
      const result: Record<string, unknown> = {
        ticket: presentTicket(applied.ticket, ctx.url, presentation),
      };
      if (applied.comment)
        result.comment = await presentComment(ctx.db, applied.comment, applied.ticket, ctx);
      return respond(200, { result });
    },
  }),
];
