/** Events of the rules engine. Payloads carry ids only; what a rule sends is read from the audit when it goes out. */
export const RULE_EVENTS = {
  /** A ticket write's audit holds notifications or webhook calls to deliver (rules.jobs.ts). */
  effectsRequested: 'rules.effects_requested',
} as const;
