import { presentOrganization } from '../organizations/organizations.presenter.ts';
import { presentTicket, type TicketPresentation } from '../tickets/tickets.presenter.ts';
import { presentUser } from '../users/users.presenter.ts';
import type { SearchHit } from './search.queries.ts';

type UrlFor = (path: string) => string;

/** A search result: the record as its own endpoint presents it, plus `result_type`. */
export function presentHit(hit: SearchHit, url: UrlFor, tickets: TicketPresentation) {
  switch (hit.kind) {
    case 'ticket':
      return { ...presentTicket(hit.row, url, tickets), result_type: 'ticket' };
    case 'user':
      return { ...presentUser(hit.row, url), result_type: 'user' };
    case 'organization':
      return { ...presentOrganization(hit.row, url), result_type: 'organization' };
  }
}
