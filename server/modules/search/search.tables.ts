import { defineTable, pd } from '../../platform/privacy/registry.ts';
import type { TicketStatus } from '../tickets/tickets.tables.ts';

/**
 * The full-text document of one ticket (migration 0006). Written only by database triggers: inserting or
 * changing a ticket or a comment recomputes it, and so does any write to it, from the ticket's current
 * subject, description, status and comments. Keyed by its ticket, which it lives and dies with.
 */
export interface TicketSearchDocumentsTable {
  account_id: number;
  ticket_id: number;
  /** A copy of tickets.status, so words plus status are answered from this table's indexes together. */
  status: TicketStatus;
  /** Subject (weight A), description (B) and every comment (C), for agents. */
  vector: string;
  /** The same with public comments only, for end-users. */
  public_vector: string;
}

// Derived from the ticket's text: erasing the text there recomputes these, and so does any write here.
defineTable<TicketSearchDocumentsTable>('ticket_search_documents', {
  columns: {
    account_id: pd.none(),
    ticket_id: pd.none(),
    status: pd.none(),
    vector: pd.content('redact'),
    public_vector: pd.content('redact'),
  },
});
