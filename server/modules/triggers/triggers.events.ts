/** Events the triggers module appends to the outbox. Payloads name fields, never their values. */
export const TRIGGER_EVENTS = {
  created: 'trigger.created',
  updated: 'trigger.updated',
  deleted: 'trigger.deleted',
  reordered: 'trigger.reordered',
} as const;
