/** Events the organizations module appends to the outbox. Payloads name fields, never their values. */
export const ORGANIZATION_EVENTS = {
  created: 'organization.created',
  updated: 'organization.updated',
  deleted: 'organization.deleted',
} as const;
