import type { Kysely } from 'kysely';
import { clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import { sql } from '../../platform/db/tenant-db.ts';
import { defineJob } from '../../platform/jobs/jobs.ts';

export const SLA_BREACHES_JOB = 'sla.breaches';

/**
 * Records a `breached` outcome for every metric whose breach time has passed while it still runs, across all
 * accounts, in one statement: reports see a breach when it happens, not only when a later write completes the
 * metric. Idempotent: a metric already recorded (by an earlier run or by the write path) is left alone, and
 * the write path later fills in its fulfilment time. Reads tickets through their partial breach index.
 */
export async function recordDueBreaches(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await sql`
    insert into sla_metric_events (account_id, ticket_id, policy_id, metric, started_at, breach_at, fulfilled_at, outcome)
    select t.account_id, t.id, t.sla_policy_id, m ->> 'metric', (m ->> 'started_at')::timestamptz,
           (m ->> 'breach_at')::timestamptz, null, 'breached'
      from tickets t
      cross join lateral jsonb_array_elements(t.sla_metrics) as m
     where t.sla_breach_at is not null and t.sla_breach_at <= ${now} and t.deleted_at is null
       and m ->> 'fulfilled_at' is null and m ->> 'target' is not null
       and (m ->> 'breach_at')::timestamptz <= ${now}
    on conflict (account_id, ticket_id, metric, started_at) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Every five minutes (the scheduler role enqueues it). */
export function slaBreachesJob(db: Kysely<Database>) {
  return defineJob({
    name: SLA_BREACHES_JOB,
    cron: '*/5 * * * *',
    handler: async () => {
      await recordDueBreaches(db, clock.now());
    },
  });
}
