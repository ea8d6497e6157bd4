/** Events the tickets module appends to the outbox. Payloads carry ids and field names, never text people wrote. */
export const TICKET_EVENTS = {
  created: 'ticket.created',
  updated: 'ticket.updated',
  commented: 'ticket.commented',
  deleted: 'ticket.deleted',
  restored: 'ticket.restored',
  destroyed: 'ticket.destroyed',
  merged: 'ticket.merged',
} as const;
