/** Events the views module appends to the outbox. Payloads name fields, never their values. */
export const VIEW_EVENTS = {
  created: 'view.created',
  updated: 'view.updated',
  deleted: 'view.deleted',
} as const;
