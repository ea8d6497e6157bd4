/** Events the macros module appends to the outbox. Payloads name fields, never their values. */
export const MACRO_EVENTS = {
  created: 'macro.created',
  updated: 'macro.updated',
  deleted: 'macro.deleted',
} as const;
