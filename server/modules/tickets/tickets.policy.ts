import type { ExpressionBuilder, Selectable } from 'kysely';
import type { Actor } from '../../platform/auth/authenticate.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { forbidden } from '../../platform/http/errors.ts';
import type { TicketsTable } from './tickets.tables.ts';

type TicketRow = Selectable<TicketsTable>;

/**
 * Which tickets a caller may see. Admins and unrestricted agents see every ticket of the account; restricted
 * agents (`ticket_restriction`) see their groups', their organization's, their assigned or their requested
 * ones; end-users see what they requested or are CC'd on, plus their organization's when it shares tickets.
 */
export type TicketScope =
  | { kind: 'all' }
  | { kind: 'groups'; userId: number; groupIds: number[] }
  | { kind: 'organization'; userId: number; organizationId: number | null }
  | { kind: 'assigned'; userId: number }
  | { kind: 'requested'; userId: number }
  | { kind: 'end-user'; userId: number; sharedOrganizationId: number | null };

export async function ticketScope(db: TenantDb, actor: Actor): Promise<TicketScope> {
  // The credential lookup already read the caller's row: admins and unrestricted agents need nothing more.
  const snap = actor.snapshot;
  if (snap && snap.id === actor.userId && 'ticket_restriction' in snap) {
    if (snap.role === 'admin' || (snap.role === 'agent' && snap.ticket_restriction === null))
      return { kind: 'all' };
  }
  const user = await db
    .selectFrom('users')
    .leftJoin('organizations', (j) =>
      j
        .onRef('organizations.account_id', '=', 'users.account_id')
        .onRef('organizations.id', '=', 'users.organization_id'),
    )
    .select([
      'users.role',
      'users.ticket_restriction',
      'users.organization_id',
      'organizations.shared_tickets',
    ])
    .where('users.id', '=', actor.userId)
    .executeTakeFirst();
  const role = user?.role ?? actor.role;
  if (role === 'end-user') {
    return {
      kind: 'end-user',
      userId: actor.userId,
      sharedOrganizationId: user?.shared_tickets ? (user.organization_id ?? null) : null,
    };
  }
  if (role === 'admin' || !user?.ticket_restriction) return { kind: 'all' };
  switch (user.ticket_restriction) {
    case 'groups': {
      const rows = await db
        .selectFrom('group_memberships')
        .select('group_id')
        .where('user_id', '=', actor.userId)
        .execute();
      return { kind: 'groups', userId: actor.userId, groupIds: rows.map((r) => r.group_id) };
    }
    case 'organization':
      return { kind: 'organization', userId: actor.userId, organizationId: user.organization_id };
    case 'assigned':
      return { kind: 'assigned', userId: actor.userId };
    default:
      return { kind: 'requested', userId: actor.userId };
  }
}

/**
 * The scope as a where-clause on `tickets` (use with `.where(scopeFilter(scope))`). Deleted tickets are
 * never included; callers that list deleted tickets filter on their own.
 */
export function scopeFilter(scope: TicketScope) {
  return (eb: ExpressionBuilder<Database, 'tickets'>) => {
    const live = eb('tickets.deleted_at', 'is', null);
    switch (scope.kind) {
      case 'all':
        return live;
      case 'groups':
        return eb.and([
          live,
          eb.or([
            eb('tickets.assignee_id', '=', scope.userId),
            eb('tickets.requester_id', '=', scope.userId),
            ...(scope.groupIds.length ? [eb('tickets.group_id', 'in', scope.groupIds)] : []),
          ]),
        ]);
      case 'organization':
        return eb.and([
          live,
          eb.or([
            eb('tickets.assignee_id', '=', scope.userId),
            eb('tickets.requester_id', '=', scope.userId),
            ...(scope.organizationId ? [eb('tickets.organization_id', '=', scope.organizationId)] : []),
          ]),
        ]);
      case 'assigned':
        return eb.and([
          live,
          eb.or([
            eb('tickets.assignee_id', '=', scope.userId),
            eb('tickets.requester_id', '=', scope.userId),
          ]),
        ]);
      case 'requested':
        return eb.and([live, eb('tickets.requester_id', '=', scope.userId)]);
      case 'end-user':
        return eb.and([
          live,
          eb.or([
            eb('tickets.requester_id', '=', scope.userId),
            eb(eb.val(scope.userId), '=', eb.fn.any('tickets.collaborator_ids')),
            ...(scope.sharedOrganizationId
              ? [eb('tickets.organization_id', '=', scope.sharedOrganizationId)]
              : []),
          ]),
        ]);
    }
  };
}

/** The same decision for one loaded ticket. */
export function scopeAllows(scope: TicketScope, t: TicketRow): boolean {
  if (t.deleted_at) return false;
  switch (scope.kind) {
    case 'all':
      return true;
    case 'groups':
      return (
        t.assignee_id === scope.userId ||
        t.requester_id === scope.userId ||
        (t.group_id !== null && scope.groupIds.includes(t.group_id))
      );
    case 'organization':
      return (
        t.assignee_id === scope.userId ||
        t.requester_id === scope.userId ||
        (scope.organizationId !== null && t.organization_id === scope.organizationId)
      );
    case 'assigned':
      return t.assignee_id === scope.userId || t.requester_id === scope.userId;
    case 'requested':
      return t.requester_id === scope.userId;
    case 'end-user':
      return (
        t.requester_id === scope.userId ||
        t.collaborator_ids.includes(scope.userId) ||
        (scope.sharedOrganizationId !== null && t.organization_id === scope.sharedOrganizationId)
      );
  }
}

export const ticketPolicy = {
  /** Agents and admins write tickets through /tickets; end-users through /requests. */
  assertAgent(actor: Actor): void {
    if (actor.role === 'end-user') throw forbidden('End-users use /api/v2/requests');
  },
  assertCanDelete(actor: Actor): void {
    if (actor.role === 'end-user') throw forbidden();
  },
  /** Permanently destroying or restoring deleted tickets is an admin's decision. */
  assertAdmin(actor: Actor): void {
    if (actor.role !== 'admin') throw forbidden('Only admins can do this');
  },
};
