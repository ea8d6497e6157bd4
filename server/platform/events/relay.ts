import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { defineJob } from '../jobs/jobs.ts';
import type { Logger } from '../logging/logger.ts';
import type { DispatchedEvent } from './outbox.ts';

/** An asynchronous reaction to an event: a job enqueued once per event, in the relay's transaction. */
export interface EventListener {
  event: string;
  job: string;
}

const BATCH = 200;

/**
 * Moves committed events out of the outbox: jobs for async listeners are enqueued in the same transaction
 * that marks the events dispatched (so each is enqueued exactly once), and after commit the events are
 * pushed to connected agents. Several relays on several nodes share the work through SKIP LOCKED.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly jobs: Jobs,
    private readonly publish: (event: DispatchedEvent) => void,
    private readonly listeners: EventListener[],
    private readonly logger: Logger,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Called after a local commit so events go out without waiting for the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.idle;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.idle = this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    let moved = 0;
    try {
      moved = await this.drain();
    } catch (err) {
      this.logger.error({ err }, 'outbox relay failed; retrying');
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    const more = moved === BATCH || this.again;
    this.again = false;
    this.schedule(more ? 0 : this.intervalMs);
  }

  /** One batch; returns how many events it dispatched. */
  async drain(): Promise<number> {
    const events = await this.db.transaction().execute(async (trx) => {
      const rows = await sql<{
        id: number;
        account_id: number;
        type: string;
        subject_type: string;
        subject_id: number | null;
        actor_id: number | null;
        payload: Record<string, unknown>;
        created_at: Date;
      }>`select id, account_id, type, subject_type, subject_id, actor_id, payload, created_at
          from events where dispatched_at is null order by id limit ${BATCH} for update skip locked`.execute(
        trx,
      );
      if (rows.rows.length === 0) return [];
      const executor = {
        executeSql: (text: string, values: unknown[]) => trx.executeQuery(CompiledQuery.raw(text, values)),
      };
      for (const row of rows.rows) {
        for (const listener of this.listeners) {
          if (listener.event !== row.type) continue;
          await this.jobs.send(
            listener.job,
            { event_id: row.id, account_id: row.account_id, subject_id: row.subject_id },
            { singletonKey: `${listener.job}:${row.id}`, db: executor as any },
          );
        }
      }
      const ids = rows.rows.map((r) => r.id);
      await sql`update events set dispatched_at = now() where id = any(${ids}::bigint[])`.execute(trx);
      return rows.rows;
    });
    // The jobs just enqueued are committed now: start this node's workers for them without waiting for a poll.
    const queues = new Set(
      this.listeners.filter((l) => events.some((e) => e.type === l.event)).map((l) => l.job),
    );
    for (const queue of queues) this.jobs.wake(queue);
    for (const row of events) {
      this.publish({
        id: row.id,
        accountId: row.account_id,
        type: row.type,
        subjectType: row.subject_type,
        subjectId: row.subject_id,
        actorId: row.actor_id,
        payload: row.payload,
        createdAt: row.created_at,
      });
    }
    return events.length;
  }
}

/** Dispatched events are kept three days for debugging, then removed by the scheduler. */
export function pruneOutboxJob(db: Kysely<Database>) {
  return defineJob({
    name: 'outbox.prune',
    cron: '17 * * * *',
    handler: async () => {
      await sql`delete from events where dispatched_at < now() - interval '3 days'`.execute(db);
    },
  });
}
