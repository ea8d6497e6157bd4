import type { Kysely } from 'kysely';
import type { HavenConfig } from '../../config.ts';
import type { Database } from '../../platform/db/schema.ts';
import { TenantDb } from '../../platform/db/tenant-db.ts';
import { EGRESS_TIMEOUT_MS, EgressError, egressRequest } from '../../platform/http/egress.ts';
import { defineJob, type JobSpec, type Jobs } from '../../platform/jobs/jobs.ts';
import type { Logger } from '../../platform/logging/logger.ts';
import {
  countFailedInvocation,
  newUlid,
  recordWebhookInvocation,
  resetFailureStreak,
  type WebhookInvocationSource,
} from './webhooks.commands.ts';
import {
  buildWebhookRequest,
  describeOutcome,
  type Outcome,
  outcomeOf,
  retryDelayMs,
} from './webhooks.delivery.ts';
import { maybeWebhook } from './webhooks.queries.ts';

export const WEBHOOK_DELIVERY_JOB = 'webhooks.deliver';
export const WEBHOOK_SWEEP_JOB = 'webhooks.sweep';
export const WEBHOOK_PRUNE_JOB = 'webhooks.prune';

/** Attempts per invocation: the first and four retries (10 s, 20 s, 40 s, 80 s apart by default). */
export const MAX_ATTEMPTS = 5;
/** An attempt in flight holds its invocation this long; a worker that died is noticed after it. */
const LEASE_MS = EGRESS_TIMEOUT_MS + 50_000;
/** An invocation this late past its time has lost its job; the sweeper queues it again. */
const SWEEP_GRACE_MS = 60_000;
const SWEEP_BATCH = 500;
/** Invocations hold ticket text (payload, response): kept a week, as Zendesk shows a week of activity. */
export const INVOCATION_RETENTION_DAYS = 7;

export interface WebhookJobDeps {
  config: Pick<HavenConfig, 'allowPrivateEgress' | 'webhookRetryBaseMs' | 'webhookFailureLimit'>;
  jobs: Pick<Jobs, 'send'>;
  logger: Logger;
}

/** Ids and the attempt's number only: the job finds the payload and the credentials when it runs. */
interface DeliveryData {
  account_id: number;
  invocation_id: string;
  attempt: number;
}

/** Queues an invocation's delivery (its first attempt unless told otherwise) once its transaction committed. */
export async function enqueueWebhookDelivery(
  jobs: Pick<Jobs, 'send'>,
  accountId: number,
  invocationId: string,
  options: { attempt?: number; startAfter?: Date } = {},
): Promise<void> {
  const attempt = options.attempt ?? 1;
  const data: DeliveryData = { account_id: accountId, invocation_id: invocationId, attempt };
  await jobs.send(WEBHOOK_DELIVERY_JOB, data, {
    singletonKey: `webhook:${accountId}:${invocationId}:${attempt}`,
    ...(options.startAfter ? { startAfter: options.startAfter } : {}),
  });
}

/**
 * One attempt of one invocation. The attempt is claimed first (the attempt count moves from n-1 to n only
 * once), so a duplicate job or a second worker does nothing. The answer is recorded with the invocation's new
 * state; a retry is queued for its time after commit (the sweeper covers a queue that lost it). A delivery
 * resets the webhook's failure streak; an invocation that finally fails counts towards deactivation.
 */
async function deliver(system: Kysely<Database>, deps: WebhookJobDeps, data: DeliveryData): Promise<void> {
  const db = new TenantDb(data.account_id, system);
  const invocation = await db
    .updateTable('webhook_invocations')
    .set({ attempts: data.attempt, next_attempt_at: new Date(Date.now() + LEASE_MS) })
    .where('id', '=', data.invocation_id)
    .where('attempts', '=', data.attempt - 1)
    .where('status', 'in', ['pending', 'retrying'])
    .returningAll()
    .executeTakeFirst();
  if (!invocation) return;
  const webhook = await maybeWebhook(db, invocation.webhook_id);
  if (!webhook) return;

  const started = performance.now();
  let outcome: Outcome;
  if (webhook.status !== 'active') {
    outcome = {
      delivered: false,
      retry: false,
      statusCode: null,
      error: 'not sent: the webhook is inactive',
      retryAfterMs: null,
      responseBody: null,
    };
  } else {
    const request = buildWebhookRequest({
      accountId: data.account_id,
      webhookId: webhook.id,
      invocationId: invocation.id,
      attempt: data.attempt,
      endpoint: webhook.endpoint,
      httpMethod: webhook.http_method,
      authType: webhook.auth_type,
      authName: webhook.auth_name,
      authSecret: webhook.auth_secret,
      customHeaders: webhook.custom_headers,
      signingSecret: webhook.signing_secret,
      payload: invocation.payload,
      now: new Date(),
    });
    try {
      outcome = outcomeOf(await egressRequest({ ...request, allowPrivate: deps.config.allowPrivateEgress }));
    } catch (err) {
      if (!(err instanceof EgressError)) throw err;
      outcome = outcomeOf(err);
    }
  }
  const durationMs = Math.round(performance.now() - started);

  const now = new Date();
  const status = outcome.delivered
    ? 'delivered'
    : outcome.retry && data.attempt < MAX_ATTEMPTS
      ? 'retrying'
      : 'failed';
  const nextAttemptAt =
    status === 'retrying'
      ? new Date(
          now.getTime() + retryDelayMs(data.attempt, deps.config.webhookRetryBaseMs, outcome.retryAfterMs),
        )
      : null;
  const deactivated = await db.transaction(async (tx) => {
    await tx
      .insertInto('webhook_attempts', {
        id: newUlid(now.getTime()),
        invocation_id: invocation.id,
        attempt: data.attempt,
        status: outcome.delivered ? 'success' : 'failed',
        status_code: outcome.statusCode,
        error: outcome.error,
        duration_ms: durationMs,
        response_body: outcome.responseBody,
        created_at: now,
      })
      .execute();
    await tx
      .updateTable('webhook_invocations')
      .set({
        status,
        next_attempt_at: nextAttemptAt,
        last_status_code: outcome.statusCode,
        last_attempt_at: now,
        completed_at: status === 'delivered' || status === 'failed' ? now : null,
      })
      .where('id', '=', invocation.id)
      .execute();
    if (status === 'delivered') await resetFailureStreak(tx, webhook.id);
    if (status === 'failed' && webhook.status === 'active') {
      return countFailedInvocation(tx, webhook.id, deps.config.webhookFailureLimit, describeOutcome(outcome));
    }
    return null;
  });

  const log = {
    account_id: data.account_id,
    webhook_id: webhook.id,
    invocation_id: invocation.id,
    attempt: data.attempt,
    status_code: outcome.statusCode,
    outcome: status,
    ms: durationMs,
  };
  if (status === 'delivered') deps.logger.info(log, 'webhook delivered');
  else deps.logger.warn({ ...log, problem: describeOutcome(outcome) }, 'webhook delivery failed');
  if (deactivated)
    deps.logger.warn({ account_id: data.account_id, webhook_id: webhook.id }, 'webhook deactivated');
  if (nextAttemptAt) {
    await enqueueWebhookDelivery(deps.jobs, data.account_id, invocation.id, {
      attempt: data.attempt + 1,
      startAfter: nextAttemptAt,
    });
  }
}

export function webhookDeliveryJob(system: Kysely<Database>, deps: WebhookJobDeps): JobSpec<DeliveryData> {
  return defineJob<DeliveryData>({
    name: WEBHOOK_DELIVERY_JOB,
    handler: (data) => deliver(system, deps, data),
  });
}

/**
 * Every minute: invocations whose time passed well ago have lost their job (a crash between commit and
 * enqueue, or a worker that died mid-attempt); they are queued again. One that used all its attempts fails.
 */
export async function sweepInvocations(system: Kysely<Database>, deps: WebhookJobDeps): Promise<number> {
  const due = await system
    .selectFrom('webhook_invocations')
    .select(['account_id', 'id', 'attempts'])
    .where('status', 'in', ['pending', 'retrying'])
    .where('next_attempt_at', '<', new Date(Date.now() - SWEEP_GRACE_MS))
    .orderBy('next_attempt_at')
    .limit(SWEEP_BATCH)
    .execute();
  let requeued = 0;
  for (const row of due) {
    const spent = row.attempts >= MAX_ATTEMPTS;
    const now = new Date();
    const claimed = await system
      .updateTable('webhook_invocations')
      .set(
        spent
          ? { status: 'failed', completed_at: now, next_attempt_at: null }
          : { next_attempt_at: new Date(now.getTime() + LEASE_MS) },
      )
      .where('account_id', '=', row.account_id)
      .where('id', '=', row.id)
      .where('attempts', '=', row.attempts)
      .where('status', 'in', ['pending', 'retrying'])
      .executeTakeFirst();
    if (spent || Number(claimed.numUpdatedRows) === 0) continue;
    await enqueueWebhookDelivery(deps.jobs, row.account_id, row.id, { attempt: row.attempts + 1 });
    requeued += 1;
  }
  if (requeued) deps.logger.warn({ requeued }, 'webhook invocations queued again');
  return requeued;
}

export function webhookSweepJob(system: Kysely<Database>, deps: WebhookJobDeps): JobSpec {
  return defineJob({
    name: WEBHOOK_SWEEP_JOB,
    cron: '* * * * *',
    handler: async () => {
      await sweepInvocations(system, deps);
    },
  });
}

/** Daily: invocations older than the retention period go, with their attempts. */
export function webhookPruneJob(system: Kysely<Database>): JobSpec {
  return defineJob({
    name: WEBHOOK_PRUNE_JOB,
    cron: '23 3 * * *',
    handler: async () => {
      const cutoff = new Date(Date.now() - INVOCATION_RETENTION_DAYS * 86_400_000);
      await system.deleteFrom('webhook_invocations').where('created_at', '<', cutoff).execute();
    },
  });
}

export function webhookJobs(system: Kysely<Database>, deps: WebhookJobDeps): JobSpec<any>[] {
  return [webhookDeliveryJob(system, deps), webhookSweepJob(system, deps), webhookPruneJob(system)];
}

const idOf = (v: unknown): number | null => {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
};

/** The rules engine names the rule as `rule` / `rule_id` / `rule_title` and the ticket as `ticket_id`. */
function sourceOf(raw: Record<string, unknown>): WebhookInvocationSource {
  const title = raw.rule_title ?? raw.title;
  return {
    type: (raw.rule ?? raw.type) === 'automation' ? 'automation' : 'trigger',
    id: idOf(raw.rule_id ?? raw.id),
    title: typeof title === 'string' ? title.slice(0, 255) : null,
    ticketId: idOf(raw.ticket_id ?? raw.ticketId),
  };
}

/** The hand-off the rules engine calls when a fired trigger or automation calls a webhook (RuleJobDeps.webhooks). */
export const webhookHandOff = {
  record: (db: TenantDb, input: { webhookId: string; body: string; source: Record<string, unknown> }) =>
    recordWebhookInvocation(db, {
      webhookId: input.webhookId,
      body: input.body,
      source: sourceOf(input.source),
    }),
  enqueue: (jobs: Pick<Jobs, 'send'>, accountId: number, invocationId: string) =>
    enqueueWebhookDelivery(jobs, accountId, invocationId),
};
