import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { defineJob, type JobSpec, type Jobs } from '../../platform/jobs/jobs.ts';
import { EMAIL_PROCESS_JOB, type ProcessJobData, requeueStranded } from './email.inbound.ts';
import { type ProcessDeps, runProcessJob } from './email.process.ts';

export const EMAIL_RECOVER_JOB = 'email.recover';

export interface EmailJobDeps extends ProcessDeps {
  jobs: Pick<Jobs, 'send'>;
}

/** Turns stored messages into tickets; several at once, fetched twice a second so mail lands promptly. */
export function emailProcessJob(system: Kysely<Database>, deps: ProcessDeps): JobSpec<ProcessJobData> {
  return defineJob<ProcessJobData>({
    name: EMAIL_PROCESS_JOB,
    pollingIntervalSeconds: 0.5,
    concurrency: 4,
    handler: (data) => runProcessJob(system, deps, data),
  });
}

/** Every minute: a message whose job was lost (a node killed between accept and processing) is queued again. */
export function emailRecoverJob(system: Kysely<Database>, deps: EmailJobDeps): JobSpec {
  return defineJob({
    name: EMAIL_RECOVER_JOB,
    cron: '* * * * *',
    handler: async () => {
      const requeued = await requeueStranded(system, deps.jobs);
      if (requeued) deps.logger.warn({ requeued }, 'stranded incoming mail queued again');
    },
  });
}

export function emailInboundJobs(system: Kysely<Database>, deps: EmailJobDeps): JobSpec<any>[] {
  return [emailProcessJob(system, deps), emailRecoverJob(system, deps)];
}
