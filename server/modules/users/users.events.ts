/** Events the users module appends to the outbox. Payloads name fields, never their values. */
export const USER_EVENTS = {
  created: 'user.created',
  updated: 'user.updated',
  deleted: 'user.deleted',
} as const;
