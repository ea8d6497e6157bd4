import type { Kysely } from 'kysely';
import { clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import { defineJob } from '../../platform/jobs/jobs.ts';
import type { Logger } from '../../platform/logging/logger.ts';
import { runAutomations } from './automations.run.ts';

export const AUTOMATIONS_JOB = 'automations.run';

/**
 * The hourly pass over every account (the scheduler role enqueues it; pg-boss hands each run to one worker).
 * A pass that finds nothing to do reads one index per active automation.
 */
export function automationsJob(system: Kysely<Database>, deps: { logger?: Logger }) {
  return defineJob<Record<string, never>>({
    name: AUTOMATIONS_JOB,
    cron: '0 * * * *',
    async handler() {
      const stats = await runAutomations(system, { now: clock.now(), logger: deps.logger });
      if (stats.errors) deps.logger?.warn({ ...stats }, 'automations pass finished with errors');
    },
  });
}
