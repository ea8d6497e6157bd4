import { CompiledQuery, type Kysely } from 'kysely';
import type pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from '../logging/logger.ts';

export interface JobSpec<T extends object = Record<string, unknown>> {
  name: string;
  /** Cron expression (UTC) when the scheduler role should enqueue this job on its own. */
  cron?: string;
  /** Seconds between fetches when the queue is empty (pg-boss's minimum is 0.5). Default 1. */
  pollingIntervalSeconds?: number;
  /** Jobs taken per fetch. Default 20. */
  batchSize?: number;
  /** Jobs of one fetch run at once (each on its own connection). Default 1: one after another. */
  concurrency?: number;
  handler(data: T, meta: { id: string }): Promise<void>;
}

export function defineJob<T extends object>(spec: JobSpec<T>): JobSpec<T> {
  return spec;
}

/** Jobs a worker takes per fetch (see start()). */
const BATCH_SIZE = 20;

/** Advisory lock key held while a process creates pg-boss's schema and queues ("Have"). */
const JOBS_START_LOCK = 0x4861_7665;

export type Executor = { executeSql(text: string, values: unknown[]): Promise<{ rows: any[] }> };

/** The executor that makes `Jobs.send` enqueue inside `trx`, so the job exists exactly when the transaction commits. */
export function inTransaction(trx: Kysely<any>): Executor {
  return {
    executeSql: (text, values) =>
      trx.executeQuery(CompiledQuery.raw(text, values)) as Promise<{ rows: any[] }>,
  };
}

/**
 * Background jobs on pg-boss, in the same database as everything else (embedded or PostgreSQL),
 * so a job can be enqueued in the transaction that makes it necessary.
 */
export class Jobs {
  private readonly boss: PgBoss;
  private started = false;
  /** This process's worker for each queue it works, so a job enqueued here can be started without waiting. */
  private readonly workers = new Map<string, string>();
  /** pg-boss statements not answered yet plus job batches being handled in this process. */
  private busy = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly roles: { work: boolean; schedule: boolean },
    private readonly specs: JobSpec<any>[],
  ) {
    this.boss = new PgBoss({
      db: { executeSql: (text, values) => this.query(text, values ?? []) },
      schema: 'pgboss',
      supervise: roles.schedule,
      schedule: roles.schedule,
      migrate: true,
    });
    this.boss.on('error', (err) => this.logger.error({ err }, 'job queue error'));
  }

  async start(): Promise<void> {
    // Creating a queue attaches a partition to pg-boss's job table; two processes doing that at once
    // deadlock, so nodes starting together take turns.
    await this.oneStarterAtATime(async () => {
      await this.boss.start();
      for (const spec of this.specs) await this.boss.createQueue(spec.name);
    });
    // The embedded database belongs to this one process: jobs still marked active were cut off when it last
    // stopped (a crash, kill -9), and would otherwise wait for pg-boss's expiry (15 minutes) to run again.
    if (this.singleProcess) {
      await this.pool.query(
        `update pgboss.job set state = 'retry', start_after = now() where state = 'active'`,
      );
    }
    this.started = true;
    for (const spec of this.specs) {
      if (this.roles.work) {
        // pg-boss waits the polling interval between fetches, so one job per fetch would cap every queue at one
        // job a second per node. A fetch takes a batch; each job that fails is failed on its own (pg-boss then
        // completes only the jobs still active), so one bad job neither fails nor repeats the others.
        const workerId = await this.boss.work(
          spec.name,
          {
            batchSize: spec.batchSize ?? BATCH_SIZE,
            pollingIntervalSeconds: spec.pollingIntervalSeconds ?? 1,
          },
          async (jobs) => {
            this.busy += 1;
            try {
              await this.handleBatch(spec, jobs);
            } finally {
              this.busy -= 1;
            }
          },
        );
        this.workers.set(spec.name, workerId);
      }
      if (this.roles.schedule && spec.cron) await this.boss.schedule(spec.name, spec.cron, {}, { tz: 'UTC' });
    }
  }

  private async handleBatch(spec: JobSpec<any>, jobs: PgBoss.Job<any>[]): Promise<void> {
    const run = async (job: (typeof jobs)[number]) => {
      try {
        await spec.handler(job.data, { id: job.id });
      } catch (err) {
        this.logger.error({ err, job: spec.name }, 'job failed');
        // While the process stops, the database may already be closing: the job then stays active and is
        // retried once it expires (or at the next start, on the embedded database).
        await this.boss
          .fail(spec.name, job.id, { message: (err as Error).message ?? String(err) })
          .catch((failure) =>
            this.logger.warn({ err: failure, job: spec.name }, 'could not record a job failure'),
          );
      }
    };
    const lanes = Math.max(1, Math.min(spec.concurrency ?? 1, jobs.length));
    let next = 0;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < jobs.length) await run(jobs[next++]);
      }),
    );
  }

  /** The embedded database: one process with one connection. */
  private get singleProcess(): boolean {
    return (this.pool.options.max ?? 10) < 2;
  }

  private async oneStarterAtATime(start: () => Promise<void>): Promise<void> {
    // The embedded database is one process with one connection: nobody to take turns with.
    if (this.singleProcess) return start();
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [JOBS_START_LOCK]);
      await start();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [JOBS_START_LOCK]).catch(() => {});
      client.release();
    }
  }

  /** Enqueues a job; pass `db` to enqueue inside an open transaction. */
  async send(
    name: string,
    data: object,
    options: {
      singletonKey?: string;
      db?: Executor;
      /** Retries after a failure, spaced `retryDelay` seconds apart (doubling each time with `retryBackoff`). */
      retryLimit?: number;
      retryDelay?: number;
      retryBackoff?: boolean;
      /** Not before this time (a Date) or this many seconds from now. */
      startAfter?: Date | number;
      /** An active job not finished in this time (its node died) is retried; pg-boss's default is 15 minutes. */
      expireInSeconds?: number;
    } = {},
  ): Promise<string | null> {
    const id = await this.boss.send(name, data, options as PgBoss.SendOptions);
    // Enqueued inside a transaction, the job is not visible yet: the caller wakes the worker after commit.
    if (!options.db) this.wake(name);
    return id;
  }

  /**
   * Starts this process's worker for `name` now instead of at its next poll (a no-op when this process does not
   * work that queue; other nodes find the job at their next poll).
   */
  wake(name: string): void {
    const workerId = this.workers.get(name);
    if (workerId && this.started) this.boss.notifyWorker(workerId);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: 10_000 });
    // pg-boss may still be busy when stop() resolves: a fetch that was on its way hands its jobs to the handler
    // afterwards, and a batch is marked complete without waiting. Let that work land (it is real work, done once)
    // before the caller closes the database: wait until nothing has been busy for a moment.
    const deadline = Date.now() + 10_000;
    let quiet = 0;
    while (quiet < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      quiet = this.busy === 0 ? quiet + 1 : 0;
    }
  }

  private async query(text: string, values: unknown[]) {
    this.busy += 1;
    try {
      return await this.pool.query(text, values);
    } finally {
      this.busy -= 1;
    }
  }
}
