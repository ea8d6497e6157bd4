import type { Kysely, Selectable } from 'kysely';
import type { HavenConfig } from '../../config.ts';
import type { Actor } from '../../platform/auth/authenticate.ts';
import type { CommandContext } from '../../platform/commands.ts';
import type { Database } from '../../platform/db/schema.ts';
import { isUniqueViolation, sql, TenantDb } from '../../platform/db/tenant-db.ts';
import { HavenError } from '../../platform/http/errors.ts';
import type { Logger } from '../../platform/logging/logger.ts';
import { uploadFile } from '../attachments/attachments.commands.ts';
import { contentPath } from '../attachments/attachments.presenter.ts';
import { escapeHtml } from '../tickets/comment-text.ts';
import { writeFromChannel } from '../tickets/tickets.commands.ts';
import type { TicketInput } from '../tickets/tickets.schema.ts';
import { createUser } from '../users/users.commands.ts';
import { findUserByEmail } from '../users/users.queries.ts';
import {
  bouncedMessageIds,
  type Classification,
  classifyMessage,
  loadEmailRules,
  stripTag,
} from './email.classify.ts';
import { installationSecret, PROCESS_RETRY, splitAddress, systemAddress } from './email.inbound.ts';
import { type ParsedMessage, parseMessage } from './email.parse.ts';
import { stripQuotedHtml, stripQuotedText } from './email.quotes.ts';
import type { InboundEmailsTable } from './email.tables.ts';
import { findThread } from './email.threading.ts';

export type InboundRow = Selectable<InboundEmailsTable>;

export interface ProcessDeps {
  config: Pick<HavenConfig, 'baseDomain' | 'maxUploadBytes'>;
  logger: Logger;
}

/** Thrown inside the transaction when another copy of the message already made its comment: undo this one. */
class AlreadyProcessed extends Error {}

/** The account's own addresses (built-in and configured), lower-case, and its built-in one. */
async function accountAddresses(system: Kysely<Database>, config: ProcessDeps['config'], db: TenantDb) {
  const account = await system
    .selectFrom('accounts')
    .select('subdomain')
    .where('id', '=', db.accountId)
    .executeTakeFirstOrThrow();
  const builtIn = systemAddress(config, account.subdomain);
  const configured = await db.selectFrom('support_addresses').select(['email', 'name']).execute();
  const all = new Set([builtIn, ...configured.map((a) => a.email.toLowerCase())]);
  return { all, builtIn, configured };
}

/** The support address a message reached: the stored recipient (tag removed), else the first of ours it names. */
function deliveredTo(
  row: InboundRow,
  message: ParsedMessage,
  ours: Set<string>,
  builtIn: string,
): { address: string; tag: string | null } {
  if (row.recipient) return splitAddress(row.recipient);
  const named = [...message.to, ...message.cc].find((a) => ours.has(stripTag(a.address)));
  return { address: named ? stripTag(named.address) : builtIn, tag: null };
}

/** What processing did with a message. */
export interface Outcome {
  status: InboundRow['status'];
  ticketId: number | null;
}

/**
 * Turns one stored message into a ticket or a comment (or records why not). Idempotent: a message no longer in
 * `expected` state is left alone, and everything it writes — ticket, comment, attachments, its Message-ID and
 * its new state — commits together or not at all.
 */
export async function processInbound(
  system: Kysely<Database>,
  deps: ProcessDeps,
  accountId: number,
  inboundId: number,
  options: { recover?: boolean } = {},
): Promise<Outcome | null> {
  const db = new TenantDb(accountId, system);
  const first = await db
    .selectFrom('inbound_emails')
    .select(['raw', 'status'])
    .where('id', '=', inboundId)
    .executeTakeFirst();
  const expected = options.recover ? 'suspended' : 'received';
  if (!first || first.status !== expected) return null;
  // Decoding happens outside the transaction: a large message takes a moment. What the installation and the
  // account hold is read first too (the embedded database has one connection, held by the transaction).
  const message = await parseMessage(first.raw);
  const context: Context = {
    secret: await installationSecret(system),
    ours: await accountAddresses(system, deps.config, db),
  };
  // Two copies of a new sender's first message may each create the sender; the loser sees a unique violation
  // and, tried again, finds the winner's comment.
  for (let attempt = 1; ; attempt++) {
    try {
      return await processParsed(deps, db, inboundId, message, context, options.recover ?? false);
    } catch (err) {
      if ((err instanceof AlreadyProcessed || isUniqueViolation(err)) && attempt < 3) continue;
      throw err;
    }
  }
}

interface Context {
  secret: string;
  ours: Awaited<ReturnType<typeof accountAddresses>>;
}

async function processParsed(
  deps: ProcessDeps,
  db0: TenantDb,
  inboundId: number,
  message: ParsedMessage,
  context: Context,
  recover: boolean,
): Promise<Outcome | null> {
  return db0.transaction(async (db) => {
    const row = await db
      .selectFrom('inbound_emails')
      .selectAll()
      .where('id', '=', inboundId)
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.status !== (recover ? 'suspended' : 'received')) return null;
    const headerFields = {
      message_id: message.messageId,
      from_address: message.from?.address ?? null,
      from_name: message.from?.name ?? null,
      subject: message.subject?.slice(0, 998) ?? null,
    };
    const finish = async (
      status: InboundRow['status'],
      extra: Partial<Pick<InboundRow, 'cause' | 'ticket_id' | 'comment_id' | 'author_id'>> = {},
    ): Promise<Outcome> => {
      await db
        .updateTable('inbound_emails')
        .set({ ...headerFields, status, last_error: null, processed_at: new Date(), ...extra })
        .where('id', '=', inboundId)
        .execute();
      return { status, ticketId: extra.ticket_id ?? null };
    };

    const { ours } = context;
    const rules = await loadEmailRules(db);
    if (!recover) {
      const verdict: Classification = classifyMessage(message, {
        envelopeFrom: row.envelope_from,
        ourAddresses: ours.all,
        rules,
      });
      if (verdict) {
        if (verdict.cause === 'bounce') await markBounced(db, row.raw);
        return finish(verdict.status, { cause: verdict.cause });
      }
    }
    const from = message.from;
    if (!from) return finish('suspended', { cause: 'no_sender' });

    // The same Message-ID twice makes one comment.
    if (message.messageId) {
      const seen = await db
        .selectFrom('email_message_ids')
        .select('ticket_id')
        .where('message_id', '=', message.messageId)
        .executeTakeFirst();
      if (seen) return finish('duplicate', { ticket_id: Number(seen.ticket_id) });
    }

    const to = deliveredTo(row, message, ours.all, ours.builtIn);
    const sender = await findUserByEmail(db, from.address);
    // A deleted user's address still names them, and a suspended user's mail waits for an agent (as in Zendesk).
    if (!sender && (await addressOfDeletedUser(db, from.address))) {
      return finish('suspended', { cause: 'sender_deleted' });
    }
    if (!recover && sender?.suspended) return finish('suspended', { cause: 'sender_suspended' });
    const thread = await findThread(db, {
      message,
      tag: to.tag,
      installationSecret: context.secret,
      sender: sender ? { id: sender.id, role: sender.role } : null,
    });
    let ticket = thread
      ? await db
          .selectFrom('tickets')
          .select(['id', 'status', 'deleted_at'])
          .where('id', '=', thread.ticketId)
          .executeTakeFirst()
      : undefined;
    if (ticket?.deleted_at) ticket = undefined;
    const appendTo = ticket && ticket.status !== 'closed' ? Number(ticket.id) : null;
    const followUpOf = ticket && ticket.status === 'closed' ? Number(ticket.id) : null;

    if (appendTo === null && !recover && sender) {
      // A robot that does not mark its mail, answering our notifications: the sender's tickets this hour.
      const opened = await db
        .selectFrom('tickets')
        .select(sql<number>`count(*)`.as('n'))
        .where('requester_id', '=', sender.id)
        .where('via_channel', '=', 'email')
        .where('created_at', '>', new Date(Date.now() - 3_600_000))
        .executeTakeFirstOrThrow();
      if (Number(opened.n) >= rules.senderRateLimit)
        return finish('suspended', { cause: 'sender_rate_limit' });
    }

    const author =
      sender ??
      (await createUser(
        { db, actor: null, ip: null },
        {
          name: from.name || from.address.split('@')[0] || from.address,
          email: from.address,
          role: 'end-user',
        },
      ));
    const actor: Actor = {
      userId: author.id,
      accountId: db.accountId,
      role: author.role,
      name: author.name,
      email: from.address,
      method: 'api_token',
      scopes: null,
    };
    // The sender writes: triggers see an end-user's reply as the end-user's (and do not mail it back to them).
    const ctx: CommandContext = { db, actor, ip: null };
    const files = await storeAttachments(db, actor, message, deps.config.maxUploadBytes);
    const comment = commentOf(message, files);
    const supportName = ours.configured.find((a) => a.email.toLowerCase() === to.address)?.name ?? null;
    const via = {
      channel: 'email',
      source: {
        from: { address: from.address, name: from.name },
        to: { address: to.address, name: supportName },
        rel: null,
      },
    };
    const written =
      appendTo !== null
        ? await writeFromChannel(
            ctx,
            appendTo,
            {
              comment: { ...comment, author_id: author.id, public: true },
              ...copiedPeople(message, ours.all),
            },
            { via },
          )
        : await writeFromChannel(
            ctx,
            null,
            newTicketInput(message, author.id, comment, ours.all, to.address, followUpOf),
            {
              via,
            },
          );
    const ticketId = written.ticket.id;
    const commentId = written.comment?.id ?? null;
    if (message.messageId) {
      const claimed = await db
        .insertInto('email_message_ids', {
          message_id: message.messageId,
          ticket_id: ticketId,
          comment_id: commentId,
          direction: 'in',
        })
        .onConflict((oc) => oc.columns(['account_id', 'message_id']).doNothing())
        .returning('message_id')
        .executeTakeFirst();
      if (!claimed) throw new AlreadyProcessed();
    }
    return finish('processed', { ticket_id: ticketId, comment_id: commentId, author_id: author.id });
  });
}

/** Whether an email identity still names a user who was deleted (lookups by email skip deleted users). */
async function addressOfDeletedUser(db: TenantDb, address: string): Promise<boolean> {
  const row = await db
    .selectFrom('user_identities')
    .innerJoin('users', (j) =>
      j
        .onRef('users.account_id', '=', 'user_identities.account_id')
        .onRef('users.id', '=', 'user_identities.user_id'),
    )
    .select('users.id')
    .where('user_identities.type', '=', 'email')
    .where(sql<string>`lower(user_identities.value)`, '=', address.trim().toLowerCase())
    .where('users.deleted_at', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The people a message copies (To and Cc, without our own addresses and the sender) as the ticket's email CCs,
 * as a mail client's "reply all" keeps them in the conversation.
 */
function copiedPeople(message: ParsedMessage, ours: Set<string>): Pick<TicketInput, 'email_ccs'> {
  const seen = new Set<string>();
  const ccs = [...message.to, ...message.cc].filter((a) => {
    const key = a.address.toLowerCase();
    if (ours.has(stripTag(key)) || key === message.from?.address.toLowerCase() || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (!ccs.length) return {};
  return {
    email_ccs: ccs.slice(0, 48).map((a) => ({
      user_email: a.address,
      ...(a.name ? { user_name: a.name.slice(0, 255) } : {}),
      action: 'put' as const,
    })),
  };
}

function newTicketInput(
  message: ParsedMessage,
  requesterId: number,
  comment: { body?: string; html_body?: string; uploads?: string[] },
  ours: Set<string>,
  recipient: string,
  followUpOf: number | null,
): TicketInput {
  return {
    subject: (message.subject ?? '(no subject)').slice(0, 255),
    requester_id: requesterId,
    comment: { ...comment, author_id: requesterId, public: true },
    recipient,
    ...copiedPeople(message, ours),
    ...(followUpOf !== null ? { via_followup_source_id: followUpOf } : {}),
  };
}

interface StoredFiles {
  token: string | null;
  /** Content-ID (without brackets) → where the stored file is served. */
  cids: Map<string, string>;
  /** Files left out, with why, for a note in the comment. */
  dropped: { name: string; reason: string }[];
}

/** Attachments and inline images go through the attachments module, uploaded as the sender. */
async function storeAttachments(
  db: TenantDb,
  actor: Actor,
  message: ParsedMessage,
  maxBytes: number,
): Promise<StoredFiles> {
  const stored: StoredFiles = { token: null, cids: new Map(), dropped: [] };
  let n = 0;
  for (const a of message.attachments) {
    if (a.contentType === 'message/delivery-status') continue;
    n += 1;
    const name = a.filename || defaultName(a.contentType, n);
    if (!a.content?.length) continue;
    try {
      const upload = await uploadFile(
        { db, actor, ip: null },
        {
          fileName: name,
          bytes: a.content,
          declaredType: a.contentType,
          maxBytes,
          ...(stored.token ? { token: stored.token } : {}),
        },
      );
      stored.token = upload.token;
      const cid = a.cid?.replace(/^<|>$/g, '');
      if (cid) stored.cids.set(cid, contentPath(upload.attachment));
    } catch (err) {
      if (!(err instanceof HavenError) || err.code !== 'CS_INVALID') throw err;
      const reason = Object.values(err.details ?? {})[0]?.[0]?.description ?? 'not allowed';
      stored.dropped.push({ name, reason });
    }
  }
  return stored;
}

function defaultName(contentType: string, n: number): string {
  const ext =
    contentType
      .split('/')[1]
      ?.replace(/[^a-z0-9]/gi, '')
      .slice(0, 10) || 'bin';
  return `attachment-${n}.${ext}`;
}

function commentOf(
  message: ParsedMessage,
  files: StoredFiles,
): { body?: string; html_body?: string; uploads?: string[] } {
  const uploads = files.token ? { uploads: [files.token] } : {};
  const note = files.dropped.length
    ? `Not attached: ${files.dropped.map((d) => `${d.name} (${d.reason.replace(/^[^:]*:\s*/, '')})`).join('; ')}.`
    : '';
  if (message.html) {
    const linked = message.html.replace(/(["'(])cid:([^"')\s>]+)/gi, (all, q: string, cid: string) => {
      const path = files.cids.get(decodeURIComponent(cid));
      return path ? `${q}${path}` : all;
    });
    let html = stripQuotedHtml(linked);
    if (note) html += `<p>${escapeHtml(note)}</p>`;
    return { html_body: html.slice(0, 262_144), ...uploads };
  }
  let body = stripQuotedText(message.text);
  if (note) body = body ? `${body}\n\n${note}` : note;
  if (!body && !files.token) body = message.subject ?? '(no content)';
  return { body: body.slice(0, 65_536), ...uploads };
}

/** A bounce names the outgoing mail it reports by its Message-ID: that delivery is marked bounced. */
async function markBounced(db: TenantDb, raw: Buffer): Promise<void> {
  const ids = bouncedMessageIds(raw);
  if (!ids.length) return;
  await db.updateTable('outbound_emails').set({ status: 'bounced' }).where('message_id', 'in', ids).execute();
}

/** What a failure says in the inbound log: its kind and code, never the message's addresses or text. */
export function describeFailure(err: unknown): string {
  if (err instanceof HavenError) {
    const fields = Object.keys(err.details ?? {}).join(', ');
    return `${err.code}${fields ? ` (${fields})` : ''}`;
  }
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return `database error ${code}`;
  return (err as Error)?.name && (err as Error).name !== 'Error' ? (err as Error).name : 'processing error';
}

/**
 * The job's step: process, and on failure count the attempt and keep the error; the queue retries the job
 * (PROCESS_RETRY) until its last attempt, when the message is marked failed instead (listed, retryable).
 */
export async function runProcessJob(
  system: Kysely<Database>,
  deps: ProcessDeps,
  data: { account_id: number; inbound_id: number },
): Promise<void> {
  const accountId = Number(data.account_id);
  const inboundId = Number(data.inbound_id);
  try {
    await processInbound(system, deps, accountId, inboundId);
  } catch (err) {
    const db = new TenantDb(accountId, system);
    const row = await db
      .updateTable('inbound_emails')
      .set({ attempts: sql<number>`attempts + 1`, last_error: describeFailure(err) })
      .where('id', '=', inboundId)
      .where('status', '=', 'received')
      .returning('attempts')
      .executeTakeFirst();
    const attempts = row?.attempts ?? 0;
    const final = attempts >= PROCESS_RETRY.retryLimit + 1;
    if (final) {
      await db
        .updateTable('inbound_emails')
        .set({ status: 'failed' })
        .where('id', '=', inboundId)
        .where('status', '=', 'received')
        .execute();
    }
    deps.logger.warn(
      {
        account_id: accountId,
        inbound_id: inboundId,
        attempts,
        problem: describeFailure(err),
        failed: final,
      },
      'incoming mail processing failed',
    );
    // The queue logs and keeps what is thrown: the short description, never the message's addresses or text.
    if (!final && row) throw new Error(describeFailure(err));
  }
}
