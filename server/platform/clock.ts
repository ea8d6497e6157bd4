/**
 * The time rules run on. Time-based rules (automations, SLA breaches, rating links) read `clock.now()` instead
 * of `new Date()`, so tests can move time forward without waiting; in production it is the wall clock.
 */
let offsetMs = 0;

export const clock = {
  now(): Date {
    return new Date(Date.now() + offsetMs);
  },
  /** Tests only: moves the rules' clock by `ms` (cumulative); `reset()` goes back to wall time. */
  advance(ms: number): void {
    offsetMs += ms;
  },
  reset(): void {
    offsetMs = 0;
  },
};
