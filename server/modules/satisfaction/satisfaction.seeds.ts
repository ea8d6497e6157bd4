import type { TenantDb } from '../../platform/db/tenant-db.ts';

/**
 * Zendesk's default reasons for a bad rating, with its codes (0 is "no reason picked"; custom reasons would
 * start at 1000). Migration 0011 wrote them for the accounts that existed then.
 */
export const DEFAULT_SATISFACTION_REASONS: readonly { reason_code: number; value: string }[] = [
  { reason_code: 0, value: 'No reason provided' },
  { reason_code: 5, value: 'The issue took too long to resolve' },
  { reason_code: 6, value: 'The issue was not resolved' },
  { reason_code: 7, value: "The agent's knowledge is unsatisfactory" },
  { reason_code: 8, value: "The agent's attitude is unsatisfactory" },
  { reason_code: 100, value: 'Some other reason' },
];

/** Writes the default reasons an account lacks; safe to run again and from concurrent requests. */
export async function seedSatisfactionReasons(db: TenantDb): Promise<void> {
  await db
    .insertInto(
      'satisfaction_reasons',
      DEFAULT_SATISFACTION_REASONS.map((r) => ({ ...r, system: true })),
    )
    .onConflict((oc) => oc.columns(['account_id', 'reason_code']).doNothing())
    .execute();
}
