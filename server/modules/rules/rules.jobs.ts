import type { Kysely } from 'kysely';
import type { HavenConfig } from '../../config.ts';
import type { Database } from '../../platform/db/schema.ts';
import { TenantDb } from '../../platform/db/tenant-db.ts';
import { defineJob, type Jobs } from '../../platform/jobs/jobs.ts';
import type { Logger } from '../../platform/logging/logger.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { accountBaseUrl } from '../../platform/tenancy/account-urls.ts';
import type { AccountsDirectory } from '../../platform/tenancy/accounts-directory.ts';
import { installationSecret } from '../email/email.inbound.ts';
import {
  deliverOutbound,
  type OutgoingMail,
  queueMail,
  recordSentMessageIds,
} from '../email/email.outbound.ts';
import type { AuditEvent } from '../tickets/tickets.tables.ts';
import { ruleMail } from './rules.mail.ts';

/**
 * Delivering what fired rules asked for. The ticket write records each notification and webhook call as an
 * audit event and appends one `rules.effects_requested` event; after commit the relay enqueues
 * `rules.effects` for it, which hands each notification and webhook call to its own job (keyed by the audit
 * event, so a repeated hand-off queues nothing twice) with retries. Texts are rendered when they go out.
 */
export const RULE_EFFECTS_JOB = 'rules.effects';
export const RULE_NOTIFY_JOB = 'rules.notify';
export const RULE_WEBHOOK_JOB = 'rules.webhook';

export interface RuleJobDeps {
  mailer: Mailer;
  accounts: AccountsDirectory;
  config: Pick<HavenConfig, 'baseUrl' | 'baseDomain'> & Partial<Pick<HavenConfig, 'mailRetryBaseMs'>>;
  logger?: Logger;
  /** The job queue (a getter in runtime.ts: the queue is built from these jobs). */
  readonly jobs: Jobs;
  /** The webhooks module's hand-off (recordWebhookInvocation + enqueueWebhookDelivery). */
  webhooks?: {
    record(
      db: TenantDb,
      input: { webhookId: string; body: string; source: Record<string, unknown> },
    ): Promise<string | null>;
    enqueue(jobs: Jobs, accountId: number, invocationId: string): Promise<void>;
  };
}

interface EffectData {
  account_id: number;
  audit_id: number;
  event_id: number;
}

async function auditEvent(db: TenantDb, auditId: number, eventId: number) {
  const audit = await db
    .selectFrom('ticket_audits')
    .select(['id', 'ticket_id', 'author_id', 'events'])
    .where('id', '=', auditId)
    .executeTakeFirst();
  const event = audit?.events.find((e) => e.id === eventId);
  return audit && event ? { audit, event } : null;
}

export function ruleEffectsJob(system: Kysely<Database>, deps: RuleJobDeps) {
  return defineJob<{ event_id: number; account_id: number; subject_id: number | null }>({
    name: RULE_EFFECTS_JOB,
    pollingIntervalSeconds: 0.5,
    async handler(data) {
      const row = await system
        .selectFrom('events')
        .select('payload')
        .where('id', '=', data.event_id)
        .where('account_id', '=', data.account_id)
        .executeTakeFirst();
      const auditId = Number((row?.payload as { audit_id?: unknown } | undefined)?.audit_id);
      if (!Number.isSafeInteger(auditId)) return;
      const db = new TenantDb(data.account_id, system);
      const audit = await db
        .selectFrom('ticket_audits')
        .select('events')
        .where('id', '=', auditId)
        .executeTakeFirst();
      for (const e of audit?.events ?? []) {
        const job =
          e.type === 'Notification' ? RULE_NOTIFY_JOB : e.type === 'WebhookCall' ? RULE_WEBHOOK_JOB : null;
        if (!job) continue;
        const effect: EffectData = { account_id: data.account_id, audit_id: auditId, event_id: e.id };
        await deps.jobs.send(job, effect, {
          singletonKey: `${job}:${data.account_id}:${e.id}`,
          retryLimit: 8,
          retryDelay: 30,
          retryBackoff: true,
        });
      }
    },
  });
}

/**
 * Mails one notification to each of its recipients who has an email address and is not suspended: the mails
 * are stored in the outbox (with their Message-IDs recorded for threading) in one transaction, then handed to
 * the relay right away; whatever does not go through now is retried by `email.send`. A repeated job stores
 * nothing twice (the Message-ID is unique) and a message another node holds is left to it.
 */
export function ruleNotifyJob(system: Kysely<Database>, deps: RuleJobDeps) {
  return defineJob<EffectData>({
    name: RULE_NOTIFY_JOB,
    pollingIntervalSeconds: 0.5,
    async handler(data) {
      const db = new TenantDb(data.account_id, system);
      const found = await auditEvent(db, data.audit_id, data.event_id);
      const account = await system
        .selectFrom('accounts')
        .selectAll()
        .where('id', '=', data.account_id)
        .executeTakeFirst();
      if (!found || !account) return;
      const ticket = await db
        .selectFrom('tickets')
        .selectAll()
        .where('id', '=', found.audit.ticket_id)
        .executeTakeFirst();
      if (!ticket || ticket.deleted_at) return;
      const baseUrl = await accountBaseUrl(deps.accounts, deps.config, account);
      const secret = await installationSecret(system);
      const via = found.event.via as { source?: { rel?: string } } | undefined;
      const recipients = await recipientsOf(db, found.event, ticket);
      const mails: OutgoingMail[] = [];
      for (const to of recipients) {
        mails.push(
          await ruleMail(db, {
            account,
            baseUrl,
            config: deps.config,
            secret,
            ticket,
            auditId: data.audit_id,
            eventId: data.event_id,
            actorId: found.audit.author_id,
            rule: via?.source?.rel ?? null,
            recipient: to,
            subject: String(found.event.subject ?? ''),
            body: String(found.event.body ?? ''),
          }),
        );
      }
      const ids = await db.transaction(async (tx) => {
        const queued = await queueMail(tx, deps, mails, { sendSoon: true });
        await recordSentMessageIds(
          tx,
          ticket.id,
          mails.map((m) => m.messageId),
        );
        return queued;
      });
      // Straight to the relay: the reply reaches the customer within the second, not after the next poll.
      for (const id of ids) {
        await deliverOutbound(system, deps, data.account_id, id).catch((err) =>
          deps.logger?.error(
            { err, outbound_id: id },
            'sending a notification now failed; email.send retries it',
          ),
        );
      }
    },
  });
}

/** Renders a webhook call's body and hands it to the webhooks module, which signs, delivers and retries it. */
export function ruleWebhookJob(system: Kysely<Database>, deps: RuleJobDeps) {
  return defineJob<EffectData>({
    name: RULE_WEBHOOK_JOB,
    async handler(data) {
      if (!deps.webhooks) return;
      const db = new TenantDb(data.account_id, system);
      const found = await auditEvent(db, data.audit_id, data.event_id);
      if (!found) return;
      const ticket = await db
        .selectFrom('tickets')
        .selectAll()
        .where('id', '=', found.audit.ticket_id)
        .executeTakeFirst();
      if (!ticket) return;
      const { renderWebhookBody } = await import('./rules.mail.ts');
      const body = await renderWebhookBody(db, ticket, found.audit.author_id, String(found.event.body ?? ''));
      const via = found.event.via as
        | { source?: { from?: Record<string, unknown>; rel?: string } }
        | undefined;
      const invocation = await deps.webhooks.record(db, {
        webhookId: String(found.event.webhook_id),
        body,
        source: {
          ticket_id: ticket.id,
          audit_id: data.audit_id,
          event_id: data.event_id,
          rule: via?.source?.rel ?? null,
          rule_id: via?.source?.from?.id ?? null,
          rule_title: via?.source?.from?.title ?? null,
        },
      });
      if (invocation) await deps.webhooks.enqueue(deps.jobs, data.account_id, invocation);
    },
  });
}

interface Recipient {
  id: number;
  name: string;
  email: string;
  role: string;
}

/** Who a notification goes to: its direct recipients, or the members of a group, or every agent. */
async function recipientsOf(
  db: TenantDb,
  event: AuditEvent,
  ticket: { group_id: number | null },
): Promise<Recipient[]> {
  const recipient = String(event.recipient ?? '');
  let ids: number[] = Array.isArray(event.recipients) ? (event.recipients as number[]) : [];
  let agentsOnly = false;
  if (recipient.startsWith('group:')) {
    const groupId = recipient === 'group:ticket' ? ticket.group_id : Number(recipient.slice(6));
    if (groupId === null) return [];
    const members = await db
      .selectFrom('group_memberships')
      .select('user_id')
      .where('group_id', '=', groupId)
      .execute();
    ids = members.map((m) => m.user_id);
    agentsOnly = true;
  } else if (recipient === 'all_agents') {
    const agents = await db
      .selectFrom('users')
      .select('id')
      .where('role', 'in', ['agent', 'admin'])
      .execute();
    ids = agents.map((a) => a.id);
    agentsOnly = true;
  }
  if (ids.length === 0) return [];
  let q = db
    .selectFrom('users')
    .innerJoin('user_identities', (j) =>
      j
        .onRef('user_identities.account_id', '=', 'users.account_id')
        .onRef('user_identities.user_id', '=', 'users.id')
        .on('user_identities.type', '=', 'email')
        .on('user_identities.primary', '=', true),
    )
    .select(['users.id', 'users.name', 'users.role', 'user_identities.value as email'])
    .where('users.id', 'in', ids)
    .where('users.deleted_at', 'is', null)
    .where('users.suspended', '=', false)
    .where('users.active', '=', true);
  if (agentsOnly) q = q.where('users.role', 'in', ['agent', 'admin']);
  return q.execute();
}
