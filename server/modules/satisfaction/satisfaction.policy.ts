import type { Actor } from '../../platform/auth/authenticate.ts';
import { forbidden } from '../../platform/http/errors.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';

/**
 * Only a ticket's requester rates it, as an end-user (Zendesk): agents read ratings, they never give them, even
 * on tickets they requested themselves. The caller first checks the ticket is visible (404 otherwise).
 */
export const satisfactionPolicy = {
  assertCanRate(actor: Actor, ticket: Pick<TicketRow, 'requester_id'>): void {
    if (actor.role !== 'end-user') throw forbidden('Only the requester of a ticket can rate it');
    if (ticket.requester_id !== actor.userId) throw forbidden('Only the requester of a ticket can rate it');
  },
};
