import {
  commandContext,
  created,
  defineRoute,
  type HandlerContext,
  listBody,
  respond,
} from '../../platform/http/define-route.ts';
import { forbidden, HavenError, invalid, notFound } from '../../platform/http/errors.ts';
import { parseCsv } from '../../platform/http/format.ts';
import { presentAttachment } from '../attachments/attachments.presenter.ts';
import { attachmentsForComments } from '../attachments/attachments.queries.ts';
import { isBlankValue } from '../fields/fields.values.ts';
import { writeAsEndUser } from '../tickets/tickets.commands.ts';
import type { CommentRow, TicketRow } from '../tickets/tickets.presenter.ts';
import { findComment, listComments } from '../tickets/tickets.queries.ts';
import type { TicketInput } from '../tickets/tickets.schema.ts';
import { TICKET_STATUSES, type TicketStatus } from '../tickets/tickets.tables.ts';
import { findUsersByIds } from '../users/users.queries.ts';
import {
  canBeSolvedBy,
  presentRequest,
  presentRequestComment,
  presentRequestUser,
  type RequestPresentation,
} from './requests.presenter.ts';
import {
  firstCommentPublic,
  listRequests,
  mayComment,
  type PortalField,
  portalTicketFields,
  type RequestFilter,
  requestScope,
  visibleRequest,
} from './requests.queries.ts';
import {
  type CreateRequestInput,
  createRequestBody,
  idParams,
  listRequestCommentsQuery,
  listRequestsQuery,
  requestCommentParams,
  showRequestQuery,
  type UpdateRequestInput,
  updateRequestBody,
} from './requests.schema.ts';

const tags = ['Requests'];
type Ctx = HandlerContext<any, any, any>;

const UNSOLVED: TicketStatus[] = ['new', 'open', 'pending', 'hold'];
const SOLVED: TicketStatus[] = ['solved', 'closed'];

async function presentation(ctx: Ctx, rows: TicketRow[]): Promise<RequestPresentation> {
  const [fields, firstPublic] = await Promise.all([
    portalTicketFields(ctx.db),
    firstCommentPublic(
      ctx.db,
      rows.map((t) => t.id),
    ),
  ]);
  return {
    viewerId: ctx.actor.userId,
    portalFieldIds: fields.filter((f) => !f.system).map((f) => f.id),
    firstCommentPublic: firstPublic,
  };
}

async function presentOne(ctx: Ctx, ticket: TicketRow) {
  return presentRequest(ticket, ctx.url, await presentation(ctx, [ticket]));
}

/** `include=users`: the people on the requests, as much of them as an end-user may see. */
async function usersOf(ctx: Ctx, ids: (number | null)[]) {
  const unique = [...new Set(ids.filter((id): id is number => id !== null))];
  return (await findUsersByIds(ctx.db, unique)).map(presentRequestUser);
}

/**
 * `status=` as Zendesk's requests take it, in the requester's terms: "open" covers on-hold tickets (shown as
 * open), and "hold" matches nothing because requesters never see it.
 */
function statusFilter(raw: string | undefined): TicketStatus[] | undefined {
  const asked = parseCsv(raw);
  if (!asked.length) return undefined;
  const unknown = asked.find((s) => !(TICKET_STATUSES as readonly string[]).includes(s));
  if (unknown) {
    throw new HavenError('CS_BAD_REQUEST', {
      description: `Unknown status "${unknown}"; use ${TICKET_STATUSES.filter((s) => s !== 'hold').join(', ')}`,
    });
  }
  const statuses = new Set<TicketStatus>();
  for (const s of asked as TicketStatus[]) {
    if (s === 'hold') continue;
    statuses.add(s);
    if (s === 'open') statuses.add('hold');
  }
  return [...statuses];
}

async function requestList(ctx: Ctx, filter: RequestFilter, path: string) {
  const scope = await requestScope(ctx.db, ctx.actor);
  const page = await listRequests(ctx.db, scope, filter, ctx.query);
  const p = await presentation(ctx, page.rows);
  const body = listBody(ctx, 'requests', page, path, (t: TicketRow) => presentRequest(t, ctx.url, p));
  if (parseCsv(ctx.query.include).includes('users')) {
    body.users = await usersOf(
      ctx,
      page.rows.flatMap((t) => [t.requester_id, t.assignee_id, ...t.collaborator_ids]),
    );
  }
  return respond(200, body);
}

/** Custom fields an end-user may fill in (editable in the help center); any others are ignored, as in Zendesk. */
function portalFieldValues(fields: PortalField[], given: { id: number; value: unknown }[] | undefined) {
  const editable = new Set(fields.filter((f) => !f.system && f.editable).map((f) => f.id));
  const values = (given ?? []).filter((v) => editable.has(v.id));
  const missing = fields.filter(
    (f) =>
      !f.system &&
      f.editable &&
      f.required &&
      isBlankValue(f, values.find((v) => v.id === f.id)?.value ?? null),
  );
  if (missing.length) {
    throw invalid(
      'custom_fields',
      `${missing.map((f) => f.title).join(', ')}: cannot be blank`,
      'BlankValue',
    );
  }
  return values;
}

/** A person added as a CC, in the `email_ccs` form the ticket command takes. */
function ccFor(ref: number | string | { name?: string; email: string }) {
  if (typeof ref === 'number') return { user_id: ref, action: 'put' as const };
  if (typeof ref === 'string') return { user_email: ref, action: 'put' as const };
  return { user_email: ref.email, user_name: ref.name, action: 'put' as const };
}

/** The ticket a new request becomes: the caller requests it and writes its first, public comment. */
async function newRequestInput(ctx: Ctx, r: CreateRequestInput): Promise<TicketInput> {
  const fields = await portalTicketFields(ctx.db);
  const editableSystem = new Set(fields.filter((f) => f.system && f.editable).map((f) => f.type));
  const custom = portalFieldValues(fields, r.custom_fields ?? r.fields);
  const input: TicketInput = {
    requester_id: ctx.actor.userId,
    comment: { ...r.comment, public: true },
  };
  if (r.subject !== undefined) input.subject = r.subject;
  if (r.priority !== undefined && editableSystem.has('priority')) input.priority = r.priority;
  if (r.type !== undefined && editableSystem.has('tickettype')) input.type = r.type;
  if (custom.length) input.custom_fields = custom;
  const ccs = [
    ...(r.collaborators ?? []).map(ccFor),
    ...(r.collaborator_ids ?? []).map(ccFor),
    ...(r.email_ccs ?? []),
  ];
  if (ccs.length) input.email_ccs = ccs;
  return input;
}

/** An update to a request: a public comment, CCs, and `solved: true` from the requester. */
async function updateInput(ctx: Ctx, ticket: TicketRow, r: UpdateRequestInput): Promise<TicketInput> {
  const input: TicketInput = {};
  const ccs = [...(r.additional_collaborators ?? []).map(ccFor), ...(r.email_ccs ?? [])];
  if (r.comment || ccs.length) {
    if (!(await mayComment(ctx.db, ctx.actor.userId, ticket))) {
      throw forbidden('Your organization shares this request with you, but not its conversation');
    }
  }
  if (r.comment) input.comment = { ...r.comment, public: true };
  if (ccs.length) input.email_ccs = ccs;
  if (r.solved === true && ticket.status === 'solved') {
    // Already solved stays solved: without this, the comment would reopen it.
    if (input.comment) input.status = 'solved';
  } else if (r.solved === true && ticket.status !== 'closed') {
    if (!canBeSolvedBy(ticket, ctx.actor.userId)) {
      throw invalid(
        'solved',
        ticket.requester_id === ctx.actor.userId
          ? 'Solved: a request can be marked solved once an agent is assigned to it'
          : 'Solved: only the requester can mark a request solved',
        'InvalidValue',
      );
    }
    input.status = 'solved';
  }
  return input;
}

function clientOf(ctx: Ctx): string | null {
  return String(ctx.req.headers['user-agent'] ?? '').slice(0, 200) || null;
}

async function commentFiles(ctx: Ctx, rows: CommentRow[]) {
  const files = await attachmentsForComments(
    ctx.db,
    rows.map((c) => c.id),
  );
  return (c: CommentRow) =>
    presentRequestComment(
      c,
      (files.get(c.id) ?? []).map((a) => presentAttachment(a, ctx.url)),
    );
}

export const requestRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/requests',
    auth: 'end_user',
    tags,
    summary: "Your requests: those you requested or are CC'd on, and your organization's when it shares them",
    query: listRequestsQuery,
    handler: (ctx) => requestList(ctx, { statuses: statusFilter(ctx.query.status) }, '/api/v2/requests.json'),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/requests/open',
    auth: 'end_user',
    tags,
    summary: 'Your unsolved requests (new, open, pending or on hold)',
    query: listRequestsQuery,
    handler: (ctx) => requestList(ctx, { statuses: UNSOLVED }, '/api/v2/requests/open.json'),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/requests/solved',
    auth: 'end_user',
    tags,
    summary: 'Your solved and closed requests',
    query: listRequestsQuery,
    handler: (ctx) => requestList(ctx, { statuses: SOLVED }, '/api/v2/requests/solved.json'),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/requests/ccd',
    auth: 'end_user',
    tags,
    summary: "Requests you are CC'd on",
    query: listRequestsQuery,
    handler: (ctx) =>
      requestList(
        ctx,
        { statuses: statusFilter(ctx.query.status), ccdBy: ctx.actor.userId },
        '/api/v2/requests/ccd.json',
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/requests/:id',
    auth: 'end_user',
    tags,
    summary: 'Show one of your requests',
    params: idParams,
    query: showRequestQuery,
    handler: async (ctx) => {
      const { ticket } = await visibleRequest(ctx.db, ctx.actor, ctx.params.id);
      const body: Record<string, unknown> = { request: await presentOne(ctx, ticket) };
      if (parseCsv(ctx.query.include).includes('users')) {
        body.users = await usersOf(ctx, [
          ticket.requester_id,
          ticket.assignee_id,
          ...ticket.collaborator_ids,
        ]);
      }
      return respond(200, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/requests',
    auth: 'end_user',
    tags,
    summary: 'Open a request: you are its requester and its comment is public',
    body: createRequestBody,
    handler: async (ctx) => {
      const input = await newRequestInput(ctx, ctx.body.request);
      const { ticket } = await writeAsEndUser(commandContext(ctx), null, input, { client: clientOf(ctx) });
      return created('request', await presentOne(ctx, ticket));
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/requests/:id',
    auth: 'end_user',
    tags,
    summary: 'Add a public comment or CCs to one of your requests, or mark it solved',
    params: idParams,
    body: updateRequestBody,
    handler: async (ctx) => {
      const { ticket } = await visibleRequest(ctx.db, ctx.actor, ctx.params.id);
      const input = await updateInput(ctx, ticket, ctx.body.request);
      // Nothing to change answers with the request as it is; a closed one still refuses, as any write does.
      if (Object.keys(input).length === 0 && ticket.status !== 'closed') {
        return respond(200, { request: await presentOne(ctx, ticket) });
      }
      const written = await writeAsEndUser(commandContext(ctx), ticket.id, input, { client: clientOf(ctx) });
      return respond(200, { request: await presentOne(ctx, written.ticket) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/requests/:id/comments',
    auth: 'end_user',
    tags,
    summary: "A request's public comments, oldest first, with their authors side-loaded",
    params: idParams,
    query: listRequestCommentsQuery,
    handler: async (ctx) => {
      const { ticket } = await visibleRequest(ctx.db, ctx.actor, ctx.params.id);
      const page = await listComments(ctx.db, ticket.id, { publicOnly: true }, ctx.query);
      const present = await commentFiles(ctx, page.rows);
      const body = listBody(ctx, 'comments', page, `/api/v2/requests/${ticket.id}/comments.json`, present);
      body.users = await usersOf(
        ctx,
        page.rows.map((c) => c.author_id),
      );
      return respond(200, body);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/requests/:id/comments/:comment_id',
    auth: 'end_user',
    tags,
    summary: 'One public comment of a request',
    params: requestCommentParams,
    handler: async (ctx) => {
      const { ticket } = await visibleRequest(ctx.db, ctx.actor, ctx.params.id);
      const comment = await findComment(ctx.db, ticket.id, ctx.params.comment_id);
      if (!comment?.public) throw notFound();
      const present = await commentFiles(ctx, [comment]);
      return respond(200, { comment: present(comment) });
    },
  }),
];
