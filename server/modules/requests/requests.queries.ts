import type { Actor } from '../../platform/auth/authenticate.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { notFound } from '../../platform/http/errors.ts';
import { type PaginationQuery, paginate } from '../../platform/http/pagination.ts';
import type { FieldType } from '../fields/fields.tables.ts';
import { findOrganization } from '../organizations/organizations.queries.ts';
import { scopeAllows, scopeFilter, type TicketScope, ticketScope } from '../tickets/tickets.policy.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';
import { findTicket } from '../tickets/tickets.queries.ts';
import type { TicketStatus } from '../tickets/tickets.tables.ts';

/**
 * Whose requests a caller sees. End-users get their ticket scope (requested, CC'd, and their organization's
 * when it shares tickets). Agents and admins are treated as end-users here, as Zendesk does: only the requests
 * they requested or are CC'd on, never the whole queue.
 */
export async function requestScope(db: TenantDb, actor: Actor): Promise<TicketScope> {
  if (actor.role === 'end-user') return ticketScope(db, actor);
  return { kind: 'end-user', userId: actor.userId, sharedOrganizationId: null };
}

/** A live request the caller may see, or 404 (another person's request does not exist for them). */
export async function visibleRequest(
  db: TenantDb,
  actor: Actor,
  id: number,
): Promise<{ ticket: TicketRow; scope: TicketScope }> {
  const [ticket, scope] = await Promise.all([findTicket(db, id), requestScope(db, actor)]);
  if (!ticket || !scopeAllows(scope, ticket)) throw notFound();
  return { ticket, scope };
}

/**
 * May the caller comment on a request they can see? Requesters and CCs may; someone who sees it only because
 * their organization shares tickets may when the organization also shares comments (Zendesk's rule).
 */
export async function mayComment(db: TenantDb, userId: number, ticket: TicketRow): Promise<boolean> {
  if (ticket.requester_id === userId || ticket.collaborator_ids.includes(userId)) return true;
  if (ticket.organization_id === null) return false;
  const org = await findOrganization(db, ticket.organization_id);
  return org?.shared_comments === true;
}

export type RequestFilter = { statuses?: TicketStatus[]; ccdBy?: number };

export async function listRequests(
  db: TenantDb,
  scope: TicketScope,
  filter: RequestFilter,
  page: PaginationQuery,
) {
  let q = db.selectFrom('tickets').selectAll().where(scopeFilter(scope));
  if (filter.statuses) {
    const statuses = filter.statuses;
    q = statuses.length ? q.where('tickets.status', 'in', statuses) : q.where(sql<boolean>`false`);
  }
  if (filter.ccdBy !== undefined) {
    const userId = filter.ccdBy;
    q = q.where((eb) => eb(eb.val(userId), '=', eb.fn.any('tickets.collaborator_ids')));
  }
  return paginate(q, 'tickets.id', page);
}

/** A ticket field as the help center shows it: what end-users see and may fill in. */
export interface PortalField {
  id: number;
  type: FieldType;
  system: boolean;
  title: string;
  editable: boolean;
  required: boolean;
}

/** Active ticket fields shown to end-users (visible_in_portal), system ones included, in position order. */
export async function portalTicketFields(db: TenantDb): Promise<PortalField[]> {
  const rows = await db
    .selectFrom('fields')
    .select(['id', 'type', 'system', 'title', 'title_in_portal', 'editable_in_portal', 'required_in_portal'])
    .where('kind', '=', 'ticket')
    .where('active', '=', true)
    .where('visible_in_portal', '=', true)
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map((f) => ({
    id: f.id,
    type: f.type,
    system: f.system,
    title: f.title_in_portal || f.title,
    editable: f.editable_in_portal,
    required: f.required_in_portal,
  }));
}

/**
 * For each ticket, whether its first comment is public. A ticket's description is a copy of its first
 * comment, so end-users see it only when that comment is public (it may have been an internal note, or made
 * private since).
 */
export async function firstCommentPublic(db: TenantDb, ticketIds: number[]): Promise<Map<number, boolean>> {
  if (!ticketIds.length) return new Map();
  const rows = await db
    .selectFrom('ticket_comments')
    .select(['ticket_id', 'public'])
    .distinctOn('ticket_id')
    .where('ticket_id', 'in', ticketIds)
    .orderBy('ticket_id')
    .orderBy('id')
    .execute();
  return new Map(rows.map((r) => [r.ticket_id, r.public]));
}
