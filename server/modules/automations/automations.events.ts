/** Events the automations module appends to the outbox. Payloads name fields, never their values. */
export const AUTOMATION_EVENTS = {
  created: 'automation.created',
  updated: 'automation.updated',
  deleted: 'automation.deleted',
} as const;
