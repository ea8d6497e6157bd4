/** Events the SLA module appends to the outbox. Payloads name fields, never their values. */
export const SLA_EVENTS = {
  policyCreated: 'sla_policy.created',
  policyUpdated: 'sla_policy.updated',
  policyDeleted: 'sla_policy.deleted',
  policiesReordered: 'sla_policy.reordered',
  scheduleCreated: 'business_schedule.created',
  scheduleUpdated: 'business_schedule.updated',
  scheduleDeleted: 'business_schedule.deleted',
} as const;
