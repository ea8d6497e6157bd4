import { isoTime } from '../../platform/http/format.ts';
import type { CommentRow, TicketRow } from '../tickets/tickets.presenter.ts';
import { presentVia } from '../tickets/tickets.presenter.ts';
import type { UserRow } from '../users/users.queries.ts';

type UrlFor = (path: string) => string;

/** What presenting requests needs beyond their rows. */
export interface RequestPresentation {
  /** The caller: `can_be_solved_by_me` is about them. */
  viewerId: number;
  /** Custom ticket fields shown in the help center, in position order (all others stay hidden). */
  portalFieldIds: number[];
  /** Per ticket, whether its first comment is public (else the description is not shown). */
  firstCommentPublic: Map<number, boolean>;
}

/**
 * Zendesk shows end-users "open" for on-hold tickets: hold is an internal state (waiting on a third party).
 * Agents calling /requests are treated as end-users and see the same.
 */
export function requestStatus(status: TicketRow['status']): TicketRow['status'] {
  return status === 'hold' ? 'open' : status;
}

/** A requester may mark their request solved once an agent is assigned to it (Zendesk's rule). */
export function canBeSolvedBy(t: TicketRow, userId: number): boolean {
  return (
    t.requester_id === userId && t.assignee_id !== null && t.status !== 'solved' && t.status !== 'closed'
  );
}

/** A request: the end-user's view of a ticket. An allowlist: tags, internal fields and notes never appear. */
export function presentRequest(t: TicketRow, url: UrlFor, p: RequestPresentation) {
  const custom = p.portalFieldIds.map((id) => ({ id, value: t.custom_fields[String(id)] ?? null }));
  return {
    url: url(`/api/v2/requests/${t.id}.json`),
    id: t.id,
    status: requestStatus(t.status),
    priority: t.priority,
    type: t.type,
    subject: t.subject,
    description: p.firstCommentPublic.get(t.id) ? t.description : '',
    organization_id: t.organization_id,
    via: presentVia(t.via_channel, t.via_source),
    custom_fields: custom,
    fields: custom,
    requester_id: t.requester_id,
    collaborator_ids: t.collaborator_ids,
    email_cc_ids: t.email_cc_ids,
    is_public: t.is_public,
    due_at: isoTime(t.due_at),
    can_be_solved_by_me: canBeSolvedBy(t, p.viewerId),
    solved: t.status === 'solved' || t.status === 'closed',
    assignee_id: t.assignee_id,
    group_id: t.group_id,
    recipient: t.recipient,
    followup_source_id: t.followup_source_id,
    ticket_form_id: null,
    brand_id: null,
    custom_status_id: null,
    created_at: isoTime(t.created_at),
    updated_at: isoTime(t.updated_at),
  };
}

/** A public comment as a request shows it. Callers pass public comments only. */
export function presentRequestComment(c: CommentRow, attachments: unknown[]) {
  return {
    id: c.id,
    type: 'Comment',
    request_id: c.ticket_id,
    body: c.body,
    html_body: c.html_body,
    plain_body: c.body,
    public: c.public,
    author_id: c.author_id,
    attachments,
    created_at: isoTime(c.created_at),
  };
}

/** What a request shows of the people on it: a name and whether they are staff, nothing more. */
export function presentRequestUser(u: UserRow) {
  return {
    id: u.id,
    name: u.name,
    photo: null,
    agent: u.role !== 'end-user',
    organization_id: u.organization_id,
  };
}
