/** Events the groups module appends to the outbox. Payloads carry ids and field names, never values. */
export const GROUP_EVENTS = {
  created: 'group.created',
  updated: 'group.updated',
  deleted: 'group.deleted',
} as const;

export const GROUP_MEMBERSHIP_EVENTS = {
  created: 'group_membership.created',
  /** The membership became (or stopped being) its user's default. */
  updated: 'group_membership.updated',
  deleted: 'group_membership.deleted',
} as const;
