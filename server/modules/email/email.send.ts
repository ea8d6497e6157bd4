import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { defineJob } from '../../platform/jobs/jobs.ts';
import {
  deliverOutbound,
  EMAIL_OUTBOX_JOB,
  EMAIL_SEND_JOB,
  type OutboxDeps,
  releaseWaitingMail,
  type SendJobData,
} from './email.outbound.ts';

/**
 * The outbox's jobs: `email.send` hands one message to the relay (each retry is a job of its own, due after
 * its backoff); `email.outbox` runs every minute and releases mail that waited for a relay, or whose job was
 * lost with a node.
 */
export function emailOutboxJobs(system: Kysely<Database>, deps: OutboxDeps) {
  return [
    defineJob<SendJobData>({
      name: EMAIL_SEND_JOB,
      pollingIntervalSeconds: 0.5,
      concurrency: 4,
      async handler(data) {
        await deliverOutbound(system, deps, data.account_id, data.outbound_id);
      },
    }),
    defineJob<Record<string, never>>({
      name: EMAIL_OUTBOX_JOB,
      cron: '* * * * *',
      async handler() {
        await releaseWaitingMail(system, deps);
      },
    }),
  ];
}
