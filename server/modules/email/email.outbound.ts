import type { Kysely } from 'kysely';
import type { HavenConfig } from '../../config.ts';
import type { Database } from '../../platform/db/schema.ts';
import { sql, TenantDb } from '../../platform/db/tenant-db.ts';
import { inTransaction, type Jobs } from '../../platform/jobs/jobs.ts';
import type { Logger } from '../../platform/logging/logger.ts';
import { type Mailer, MailRelayError } from '../../platform/mail/mailer.ts';
import { blobStore } from '../../platform/storage/blob-store.ts';
import { systemAddress } from './email.inbound.ts';
import type { MailCategory } from './email.tables.ts';
import { isSuppressed } from './email.unsubscribe.ts';

/**
 * The outbox and delivery log. `queueMail` stores one `outbound_emails` row per recipient and enqueues its
 * `email.send` job in the same transaction. While no SMTP relay is configured the rows wait (`waiting`, with
 * the reason) and a minute-by-minute sweep releases them once one is. Delivery claims a row for a short lease
 * (two nodes never hand the same message to the relay), checks the suppression list for list mail, hands it
 * over, and records the relay's answer; the text is cleared once the relay accepted it. Temporary failures
 * are retried with doubling delays, a permanent (5xx) refusal fails at once.
 */
export const EMAIL_SEND_JOB = 'email.send';
export const EMAIL_OUTBOX_JOB = 'email.outbox';

export const NOT_CONFIGURED = 'Outgoing mail is not configured (HAVEN_SMTP_URL)';
/** Attempts before a message is marked failed. */
export const MAX_ATTEMPTS = 8;
/** How long a worker holds a message while handing it to the relay. */
const CLAIM_SECONDS = 120;

export interface OutgoingMail {
  kind: string;
  category?: MailCategory;
  ticketId?: number | null;
  auditId?: number | null;
  recipientId?: number | null;
  to: string;
  cc?: string[];
  /** `Name <address>` or a bare address. */
  from: string;
  replyTo?: string | null;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo?: string | null;
  references?: string | null;
  headers?: Record<string, string>;
  attachmentIds?: number[];
  /** The list the recipient can leave; the message is suppressed when they did. */
  list?: string | null;
}

export interface OutboxDeps {
  mailer: Mailer;
  /** Without it (a bench or tool that builds its own deps), retries start 30 s apart. */
  config: Partial<Pick<HavenConfig, 'mailRetryBaseMs'>>;
  readonly jobs: Jobs;
  logger?: Logger;
}

export interface SendJobData {
  account_id: number;
  outbound_id: number;
}

/**
 * Stores the messages and enqueues their delivery, in one transaction (joins `db`'s when it is in one).
 * `sendSoon`: the caller will try delivering right away (`deliverOutbound`), so the job is only the fallback.
 */
export async function queueMail(
  db: TenantDb,
  deps: Pick<OutboxDeps, 'mailer' | 'jobs'>,
  mails: OutgoingMail[],
  options: { sendSoon?: boolean } = {},
): Promise<number[]> {
  if (mails.length === 0) return [];
  const waiting = !deps.mailer.enabled;
  return db.transaction(async (tx) => {
    const rows = await tx
      .insertInto(
        'outbound_emails',
        mails.map((m) => ({
          kind: m.kind,
          category: m.category ?? 'transactional',
          ticket_id: m.ticketId ?? null,
          audit_id: m.auditId ?? null,
          recipient_id: m.recipientId ?? null,
          to_address: m.to,
          cc_addresses: m.cc ?? [],
          from_address: m.from,
          reply_to: m.replyTo ?? null,
          subject: m.subject,
          text_body: m.text,
          html_body: m.html,
          message_id: m.messageId,
          in_reply_to: m.inReplyTo ?? null,
          references: m.references ?? null,
          headers: m.headers ?? {},
          attachment_ids: m.attachmentIds ?? [],
          status: waiting ? ('waiting' as const) : ('queued' as const),
          last_error: waiting ? NOT_CONFIGURED : null,
          relay_response: null,
          sent_at: null,
          claimed_until: null,
          next_attempt_at: null,
          list: m.list ?? null,
        })),
      )
      // The same notification handed over twice (a job retried after a crash) is stored once.
      .onConflict((oc) => oc.columns(['account_id', 'message_id']).doNothing())
      .returning('id')
      .execute();
    const ids = rows.map((r) => Number(r.id));
    if (!waiting) {
      const trx = tx.connection as Kysely<Database>;
      for (const id of ids) await enqueueSend(deps.jobs, db.accountId, id, trx, options.sendSoon ? 30 : 0);
    }
    return ids;
  });
}

async function enqueueSend(
  jobs: Pick<Jobs, 'send'>,
  accountId: number,
  id: number,
  trx: Kysely<Database> | null,
  delaySeconds: number | Date,
  attempt = 0,
): Promise<void> {
  const data: SendJobData = { account_id: accountId, outbound_id: id };
  await jobs.send(EMAIL_SEND_JOB, data, {
    singletonKey: `${EMAIL_SEND_JOB}:${accountId}:${id}:${attempt}`,
    retryLimit: 3,
    retryDelay: 10,
    retryBackoff: true,
    ...(delaySeconds ? { startAfter: delaySeconds } : {}),
    ...(trx ? { db: inTransaction(trx) } : {}),
  });
}

export type DeliveryOutcome = 'sent' | 'retrying' | 'failed' | 'suppressed' | 'skipped';

/** Hands one queued message to the relay, unless another worker holds it or it is no longer queued. */
export async function deliverOutbound(
  system: Kysely<Database>,
  deps: OutboxDeps,
  accountId: number,
  id: number,
): Promise<DeliveryOutcome> {
  if (!deps.mailer.enabled) return 'skipped';
  const db = new TenantDb(accountId, system);
  const claimed = await db
    .updateTable('outbound_emails')
    .set({ claimed_until: sql<Date>`now() + make_interval(secs => ${CLAIM_SECONDS})` })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
  if (!claimed) return 'skipped';
  const done = (values: Record<string, unknown>) =>
    db
      .updateTable('outbound_emails')
      .set({ ...values, claimed_until: null })
      .where('id', '=', id)
      .execute();

  if (claimed.list && (await isSuppressed(db, parseFrom(claimed.to_address).address, claimed.list))) {
    await done({ status: 'suppressed', text_body: null, html_body: null, last_error: null });
    return 'suppressed';
  }
  try {
    const headers: Record<string, string> = { ...claimed.headers };
    if (claimed.in_reply_to) headers['In-Reply-To'] = claimed.in_reply_to;
    if (claimed.references) headers.References = claimed.references;
    const from = parseFrom(claimed.from_address);
    const result = await deps.mailer.send({
      to: claimed.to_address,
      cc: claimed.cc_addresses,
      subject: claimed.subject,
      text: claimed.text_body ?? '',
      html: claimed.html_body ?? '',
      fromName: from.name ?? undefined,
      fromAddress: from.address,
      replyTo: claimed.reply_to ?? undefined,
      messageId: claimed.message_id,
      headers,
      attachments: await attachmentsOf(db, claimed.attachment_ids),
      dkim: await dkimFor(db, from.address),
    });
    await done({
      status: 'sent',
      sent_at: sql<Date>`now()`,
      relay_response: result.response || null,
      last_error: null,
      text_body: null,
      html_body: null,
      attempts: claimed.attempts + 1,
    });
    return 'sent';
  } catch (err) {
    const relay = err instanceof MailRelayError ? err : null;
    const message = relay ? relay.message : 'The message could not be prepared for sending';
    if (!relay) deps.logger?.error({ err, outbound_id: id }, 'outgoing mail failed');
    const attempts = claimed.attempts + 1;
    if (relay?.permanent || attempts >= MAX_ATTEMPTS) {
      await done({ status: 'failed', attempts, last_error: message });
      return 'failed';
    }
    const delayMs = (deps.config.mailRetryBaseMs ?? 30_000) * 2 ** (attempts - 1);
    const due = new Date(Date.now() + delayMs);
    await done({ attempts, last_error: message, next_attempt_at: due });
    await enqueueSend(deps.jobs, accountId, id, null, due, attempts);
    return 'retrying';
  }
}

/** `Name <address>` (a sender or a recipient) → its parts (the name unquoted). */
function parseFrom(from: string): { name: string | null; address: string } {
  const m = /^\s*"?(.*?)"?\s*<([^>]+)>\s*$/.exec(from);
  return m ? { name: m[1] || null, address: m[2] } : { name: null, address: from.trim() };
}

async function attachmentsOf(db: TenantDb, ids: number[]) {
  if (ids.length === 0) return undefined;
  const rows = await db
    .selectFrom('attachments')
    .select(['id', 'file_id', 'file_name', 'content_type'])
    .where('id', 'in', ids)
    .where('deleted', '=', false)
    .orderBy('id')
    .execute();
  const out: { filename: string; content: Buffer; contentType: string }[] = [];
  for (const r of rows) {
    if (r.file_id === null) continue;
    const content = await blobStore.get(db, r.file_id);
    if (content) out.push({ filename: r.file_name, content, contentType: r.content_type });
  }
  return out;
}

/** The account's DKIM key, when the sender's domain is the key's domain. */
async function dkimFor(db: TenantDb, fromAddress: string) {
  const settings = await db
    .selectFrom('email_settings')
    .select(['dkim_domain', 'dkim_selector', 'dkim_private_key'])
    .executeTakeFirst();
  const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1).toLowerCase();
  if (!settings?.dkim_domain || !settings.dkim_selector || !settings.dkim_private_key) return undefined;
  if (settings.dkim_domain.toLowerCase() !== domain) return undefined;
  return {
    domainName: settings.dkim_domain,
    keySelector: settings.dkim_selector,
    privateKey: settings.dkim_private_key,
  };
}

/**
 * Once a relay is configured: messages that waited for one are queued and enqueued; queued messages whose job
 * was lost (a node crashed) are enqueued again. Runs every minute and when a worker starts.
 */
export async function releaseWaitingMail(system: Kysely<Database>, deps: OutboxDeps): Promise<number> {
  if (!deps.mailer.enabled) return 0;
  const released = await sql<{ account_id: number; id: number }>`
    update outbound_emails set status = 'queued', last_error = null
    where status = 'waiting' returning account_id, id`.execute(system);
  const stranded = await sql<{ account_id: number; id: number; attempts: number }>`
    select account_id, id, attempts from outbound_emails
    where status = 'queued' and (claimed_until is null or claimed_until < now())
      and coalesce(next_attempt_at, created_at) < now() - interval '2 minutes'
    order by created_at limit 1000`.execute(system);
  for (const r of released.rows) await enqueueSend(deps.jobs, Number(r.account_id), Number(r.id), null, 0);
  for (const r of stranded.rows) {
    // A fresh key: the lost job's key may still be taken by its failed record.
    await enqueueSend(deps.jobs, Number(r.account_id), Number(r.id), null, 0, Date.now());
  }
  return released.rows.length + stranded.rows.length;
}

/** Puts a failed or waiting message back in the queue (the delivery log's Retry). */
export async function retryOutbound(
  db: TenantDb,
  deps: Pick<OutboxDeps, 'mailer' | 'jobs'>,
  id: number,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const row = await tx
      .updateTable('outbound_emails')
      .set(
        deps.mailer.enabled
          ? { status: 'queued', attempts: 0, last_error: null, next_attempt_at: null }
          : { status: 'waiting', last_error: NOT_CONFIGURED },
      )
      .where('id', '=', id)
      .where('status', 'in', ['failed', 'waiting'])
      .where((eb) => eb.or([eb('text_body', 'is not', null), eb('html_body', 'is not', null)]))
      .returning('id')
      .executeTakeFirst();
    if (row && deps.mailer.enabled) {
      await enqueueSend(deps.jobs, db.accountId, id, tx.connection as Kysely<Database>, 0, Date.now());
    }
    return Boolean(row);
  });
}

/**
 * The address a ticket's mail comes from: the support address the customer wrote to, when it is one of the
 * account's verified addresses; else the account's default (verified) address; else the built-in one.
 */
export async function ticketSender(
  db: TenantDb,
  config: Pick<HavenConfig, 'baseDomain'>,
  account: { subdomain: string },
  ticket: { recipient: string | null },
): Promise<string> {
  const verified = await db
    .selectFrom('support_addresses')
    .select(['email', 'is_default'])
    .where('verified_at', 'is not', null)
    .execute();
  const wrote = ticket.recipient?.toLowerCase().replace(/\+[^@]*@/, '@');
  const match = wrote ? verified.find((a) => a.email.toLowerCase() === wrote) : undefined;
  return (match ?? verified.find((a) => a.is_default))?.email ?? systemAddress(config, account.subdomain);
}

/** How many Message-IDs a References header carries at most (the thread root and the first message stay). */
const MAX_REFERENCES = 20;

/**
 * `In-Reply-To` and `References` for the next mail of a ticket to `recipient`: the thread root, then every
 * message the customer sent and every mail this recipient was sent, oldest first; In-Reply-To is the newest.
 */
export async function threadHeaders(
  db: TenantDb,
  host: string,
  accountId: number,
  ticketId: number,
  recipient: string,
): Promise<{ inReplyTo: string; references: string }> {
  const root = `<haven-ticket-${accountId}-${ticketId}@${host}>`;
  const rows = await db
    .selectFrom('email_message_ids')
    .select(['message_id', 'created_at', 'direction'])
    .where('ticket_id', '=', ticketId)
    .where((eb) =>
      eb.or([
        eb('direction', '=', 'in'),
        eb(
          'message_id',
          'in',
          db
            .selectFrom('outbound_emails')
            .select('message_id')
            .where('ticket_id', '=', ticketId)
            .where(sql<boolean>`strpos(lower(to_address), ${recipient.toLowerCase()}) > 0`),
        ),
      ]),
    )
    .orderBy('created_at')
    .orderBy('message_id')
    .execute();
  const ids = rows.map((r) => (r.message_id.startsWith('<') ? r.message_id : `<${r.message_id}>`));
  const kept = ids.length > MAX_REFERENCES - 1 ? [ids[0], ...ids.slice(-(MAX_REFERENCES - 2))] : ids;
  const chain = [root, ...kept.filter((id) => id !== root)];
  return { inReplyTo: chain[chain.length - 1], references: chain.join(' ') };
}

/** Records Message-IDs sent for a ticket, so replies to them thread onto it. */
export async function recordSentMessageIds(
  db: TenantDb,
  ticketId: number,
  messageIds: string[],
): Promise<void> {
  if (messageIds.length === 0) return;
  await db
    .insertInto(
      'email_message_ids',
      messageIds.map((message_id) => ({
        message_id,
        ticket_id: ticketId,
        comment_id: null,
        direction: 'out' as const,
      })),
    )
    .onConflict((oc) => oc.columns(['account_id', 'message_id']).doNothing())
    .execute();
}
