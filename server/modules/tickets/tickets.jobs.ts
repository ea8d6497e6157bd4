import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/auth/authenticate.ts';
import type { Database } from '../../platform/db/schema.ts';
import { TenantDb } from '../../platform/db/tenant-db.ts';
import { HavenError } from '../../platform/http/errors.ts';
import { zodDetails } from '../../platform/http/zod-details.ts';
import { defineJob, type Jobs } from '../../platform/jobs/jobs.ts';
import { findUser } from '../users/users.queries.ts';
import {
  createTicket,
  deleteTicket,
  destroyTicket,
  mergeTickets,
  restoreTicket,
  updateTicket,
} from './tickets.commands.ts';
import type { JobStatusRow } from './tickets.presenter.ts';
import { ticketInput } from './tickets.schema.ts';

export const TICKET_BULK_JOB = 'tickets.bulk';

/** What a bulk request asks for; items are the raw JSON the client sent, validated again item by item. */
export type BulkWork =
  | { kind: 'create_many'; items: unknown[] }
  | { kind: 'update_many'; items: { id: number; changes: unknown }[] }
  | { kind: 'destroy_many'; ids: number[] }
  | { kind: 'restore_many'; ids: number[] }
  | { kind: 'destroy_deleted_many'; ids: number[] }
  | {
      kind: 'merge';
      targetId: number;
      ids: number[];
      options: {
        targetComment?: string;
        sourceComment?: string;
        targetCommentIsPublic?: boolean;
        sourceCommentIsPublic?: boolean;
      };
    };

interface BulkJobData {
  accountId: number;
  jobStatusId: string;
  actorId: number;
  ip: string | null;
  work: BulkWork;
}

function totalOf(work: BulkWork): number {
  switch (work.kind) {
    case 'create_many':
    case 'update_many':
      return work.items.length;
    case 'merge':
      return 1;
    default:
      return work.ids.length;
  }
}

/**
 * Records a job status (queued) and enqueues the work; the client polls /job_statuses/{id} until it is
 * completed. The job survives a restart: pg-boss keeps it in the database.
 */
export async function enqueueBulk(
  db: TenantDb,
  jobs: Jobs,
  actor: Actor,
  ip: string | null,
  work: BulkWork,
): Promise<JobStatusRow> {
  const id = `V3-${randomBytes(16).toString('hex')}`;
  const row = await db
    .insertInto('job_statuses', {
      id,
      job_type: `tickets.${work.kind}`,
      total: totalOf(work),
      created_by_id: actor.userId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const data: BulkJobData = { accountId: db.accountId, jobStatusId: id, actorId: actor.userId, ip, work };
  try {
    await jobs.send(TICKET_BULK_JOB, data);
  } catch (err) {
    await db
      .updateTable('job_statuses')
      .set({ status: 'failed', message: 'Could not be queued', updated_at: new Date() })
      .where('id', '=', id)
      .execute();
    throw err;
  }
  return row;
}

function failure(err: unknown): Record<string, unknown> {
  if (err instanceof HavenError) {
    const body = err.body();
    return { error: body.error, description: body.description, details: body.details, code: err.code };
  }
  return { error: 'InternalError', description: 'This item could not be processed' };
}

async function actorFor(db: TenantDb, userId: number): Promise<Actor | null> {
  const user = await findUser(db, userId);
  if (!user?.active || user.role === 'end-user') return null;
  return {
    userId: user.id,
    accountId: db.accountId,
    role: user.role,
    name: user.name,
    email: user.email,
    method: 'api_token',
    scopes: null,
  };
}

export function ticketBulkJob(system: Kysely<Database>) {
  return defineJob<BulkJobData>({
    name: TICKET_BULK_JOB,
    async handler(data) {
      const db = new TenantDb(data.accountId, system);
      const status = await db
        .selectFrom('job_statuses')
        .selectAll()
        .where('id', '=', data.jobStatusId)
        .executeTakeFirst();
      // Idempotent: a retried job whose status already finished does nothing.
      if (!status || status.status === 'completed' || status.status === 'failed') return;
      const actor = await actorFor(db, data.actorId);
      const set = (values: Partial<Pick<JobStatusRow, 'status' | 'progress' | 'message' | 'results'>>) =>
        db
          .updateTable('job_statuses')
          .set({
            ...values,
            results: values.results ? (JSON.stringify(values.results) as never) : undefined,
            updated_at: new Date(),
          })
          .where('id', '=', data.jobStatusId)
          .execute();
      if (!actor) {
        await set({ status: 'failed', message: 'The user who started this job can no longer do it' });
        return;
      }
      const ctx = { db, actor, ip: data.ip };
      await set({ status: 'working', progress: 0 });
      const results: Record<string, unknown>[] = [];
      const work = data.work;
      const step = async (i: number, label: string) => {
        if ((i + 1) % 10 === 0) await set({ progress: i + 1, message: label });
      };
      switch (work.kind) {
        case 'create_many':
          for (const [index, raw] of work.items.entries()) {
            const parsed = ticketInput.safeParse(raw);
            try {
              if (!parsed.success) throw new HavenError('CS_INVALID', { details: zodDetails(parsed.error) });
              const { ticket } = await createTicket(ctx, parsed.data);
              results.push({ index, id: ticket.id, status: 'Created', success: true });
            } catch (err) {
              results.push({ index, status: 'Failed', success: false, ...failure(err) });
            }
            await step(index, `Creating ticket #${index + 1}`);
          }
          break;
        case 'update_many':
          for (const [index, item] of work.items.entries()) {
            const parsed = ticketInput.safeParse(item.changes);
            try {
              if (!parsed.success) throw new HavenError('CS_INVALID', { details: zodDetails(parsed.error) });
              await updateTicket(ctx, item.id, parsed.data);
              results.push({ action: 'update', id: item.id, status: 'Updated', success: true });
            } catch (err) {
              results.push({
                action: 'update',
                id: item.id,
                status: 'Failed',
                success: false,
                ...failure(err),
              });
            }
            await step(index, `Updating ticket #${item.id}`);
          }
          break;
        case 'destroy_many':
        case 'restore_many':
        case 'destroy_deleted_many': {
          const run = {
            destroy_many: deleteTicket,
            restore_many: restoreTicket,
            destroy_deleted_many: destroyTicket,
          }[work.kind];
          const action = work.kind === 'restore_many' ? 'restore' : 'delete';
          for (const [index, id] of work.ids.entries()) {
            try {
              await run(ctx, id);
              results.push({
                action,
                id,
                status: action === 'restore' ? 'Restored' : 'Deleted',
                success: true,
              });
            } catch (err) {
              results.push({ action, id, status: 'Failed', success: false, ...failure(err) });
            }
            await step(index, `Processing ticket #${id}`);
          }
          break;
        }
        case 'merge':
          try {
            await mergeTickets(ctx, work.targetId, work.ids, work.options);
            results.push({ action: 'merge', id: work.targetId, status: 'Merged', success: true });
          } catch (err) {
            await set({
              status: 'failed',
              progress: 0,
              message: String(failure(err).description),
              results: [failure(err)],
            });
            return;
          }
          break;
      }
      await set({
        status: 'completed',
        progress: results.length,
        message: `Completed at ${new Date().toISOString().replace('T', ' ').slice(0, 19)} +0000`,
        results,
      });
    },
  });
}
