import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { HavenConfig } from '../../config.ts';
import { safeEqual } from '../../platform/auth/secrets.ts';
import type { Database } from '../../platform/db/schema.ts';
import { sql } from '../../platform/db/tenant-db.ts';
import { inTransaction, type Jobs } from '../../platform/jobs/jobs.ts';
import type { InboundSource } from './email.tables.ts';

/**
 * The one door every incoming message goes through, whichever way it came (SMTP, IMAP, raw MIME over HTTP):
 * the message is stored whole and its processing job enqueued in the same transaction. Only after that commits
 * does the transport acknowledge it (SMTP 250, IMAP flag/move, HTTP 202), so nothing accepted can be lost;
 * processing happens in `email.process` (retried, visible when it fails).
 */
export const EMAIL_PROCESS_JOB = 'email.process';

/** The line outgoing mail starts with; whatever a reply quotes below it is history, not the new comment. */
export const REPLY_MARKER = '##- Please type your reply above this line -##';

export interface InboundMessageInput {
  accountId: number;
  source: InboundSource;
  raw: Buffer;
  envelopeFrom?: string | null;
  envelopeTo?: string[];
  /** The address the message was delivered to, as given (`+tag` included, so a reply token survives). */
  recipient?: string | null;
  imapConnectionId?: number | null;
  imapUid?: number | null;
}

export interface ProcessJobData {
  account_id: number;
  inbound_id: number;
}

/** Retries of a processing job before the message is marked failed (it stays listed and can be retried). */
export const PROCESS_RETRY = { retryLimit: 5, retryDelay: 5, retryBackoff: true } as const;

/** A processing job whose node died is taken up again after this long (processing one message takes well under a second). */
const PROCESS_EXPIRY_SECONDS = 120;

/** Stores one message and enqueues its processing; resolves with its id once both are committed. */
export async function acceptInbound(
  system: Kysely<Database>,
  jobs: Pick<Jobs, 'send'> & Partial<Pick<Jobs, 'wake'>>,
  input: InboundMessageInput,
): Promise<number> {
  const id = await system.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('inbound_emails')
      .values({
        account_id: input.accountId,
        source: input.source,
        raw: input.raw,
        size: input.raw.length,
        envelope_from: input.envelopeFrom ?? null,
        envelope_to: input.envelopeTo ?? [],
        recipient: input.recipient ?? null,
        imap_connection_id: input.imapConnectionId ?? null,
        imap_uid: input.imapUid ?? null,
        message_id: null,
        from_address: null,
        from_name: null,
        subject: null,
        cause: null,
        last_error: null,
        author_id: null,
        ticket_id: null,
        comment_id: null,
        processed_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await enqueueProcessing(jobs, input.accountId, row.id, trx);
    return row.id;
  });
  jobs.wake?.(EMAIL_PROCESS_JOB);
  return id;
}

/** Enqueues (again) the processing of a stored message; inside `trx` when given. */
export async function enqueueProcessing(
  jobs: Pick<Jobs, 'send'>,
  accountId: number,
  inboundId: number,
  trx?: Kysely<Database>,
): Promise<void> {
  const data: ProcessJobData = { account_id: accountId, inbound_id: inboundId };
  await jobs.send(EMAIL_PROCESS_JOB, data, {
    singletonKey: `${EMAIL_PROCESS_JOB}:${accountId}:${inboundId}`,
    ...PROCESS_RETRY,
    expireInSeconds: PROCESS_EXPIRY_SECONDS,
    ...(trx ? { db: inTransaction(trx) } : {}),
  });
}

/** Messages still `received` a while after arrival (their job lost with a crashed node) are enqueued again. */
export async function requeueStranded(
  system: Kysely<Database>,
  jobs: Pick<Jobs, 'send'>,
  olderThanSeconds = 120,
): Promise<number> {
  const rows = await sql<{ account_id: number; id: number }>`
    select account_id, id from inbound_emails
    where status = 'received' and received_at < now() - make_interval(secs => ${olderThanSeconds})
    order by received_at limit 1000`.execute(system);
  for (const r of rows.rows) await enqueueProcessing(jobs, Number(r.account_id), Number(r.id));
  return rows.rows.length;
}

export interface ResolvedRecipient {
  accountId: number;
  /** The support address without its `+tag`, lower-cased. */
  address: string;
  /** What followed `+` in the local part (a ticket's reply token), if anything. */
  tag: string | null;
}

/**
 * Which account a recipient address belongs to: `support@{subdomain}.{base domain}` (every account has it), or
 * an address an admin added under Support addresses. A `+tag` is allowed on either. Null: not ours (the SMTP
 * server refuses it at RCPT TO).
 */
/** `Local+Tag@Domain` → `{address: 'local@domain', tag: 'tag'}`, lower-cased; the tag is null without a `+`. */
export function splitAddress(address: string): { address: string; tag: string | null } {
  const at = address.lastIndexOf('@');
  const full = address.slice(0, at).toLowerCase();
  const plus = full.indexOf('+');
  return {
    address: `${plus >= 0 ? full.slice(0, plus) : full}${address.slice(at).toLowerCase()}`,
    tag: plus >= 0 ? full.slice(plus + 1) || null : null,
  };
}

export async function resolveRecipient(
  system: Kysely<Database>,
  config: Pick<HavenConfig, 'baseDomain'>,
  address: string,
): Promise<ResolvedRecipient | null> {
  if (address.lastIndexOf('@') <= 0) return null;
  const { address: split, tag } = splitAddress(address);
  const at = split.lastIndexOf('@');
  const local = split.slice(0, at);
  const domain = split.slice(at + 1).replace(/\.$/, '');
  const base = `${local}@${domain}`;
  const suffix = `.${config.baseDomain}`;
  if (local === 'support' && domain.endsWith(suffix)) {
    const subdomain = domain.slice(0, -suffix.length);
    if (subdomain && !subdomain.includes('.')) {
      const account = await system
        .selectFrom('accounts')
        .select('id')
        .where(sql<string>`lower(subdomain)`, '=', subdomain)
        .executeTakeFirst();
      if (account) return { accountId: Number(account.id), address: base, tag };
    }
  }
  const configured = await system
    .selectFrom('support_addresses')
    .select('account_id')
    .where(sql<string>`lower(email)`, '=', base)
    .executeTakeFirst();
  return configured ? { accountId: Number(configured.account_id), address: base, tag } : null;
}

/** The built-in address of an account: `support@{subdomain}.{base domain}`. */
export function systemAddress(config: Pick<HavenConfig, 'baseDomain'>, subdomain: string): string {
  return `support@${subdomain.toLowerCase()}.${config.baseDomain}`;
}

const secrets = new WeakMap<object, Promise<string>>();

/** The installation's secret, read once per database handle; it keys reply tokens. */
export function installationSecret(system: Kysely<Database>): Promise<string> {
  let found = secrets.get(system);
  if (!found) {
    found = system
      .selectFrom('installation')
      .select('secret')
      .executeTakeFirstOrThrow()
      .then((r) => r.secret);
    secrets.set(system, found);
  }
  return found;
}

function tokenSignature(secret: string, accountId: number, ticketId: number): string {
  return createHmac('sha256', secret).update(`reply:${accountId}:${ticketId}`).digest('hex').slice(0, 10);
}

/** A ticket's reply token for the Reply-To address: `support+id{ticket}-{signature}@…`. */
export function replyToken(secret: string, accountId: number, ticketId: number): string {
  return `id${ticketId}-${tokenSignature(secret, accountId, ticketId)}`;
}

/** The ticket a reply token names, when its signature is right for this account. */
export function ticketFromReplyToken(secret: string, accountId: number, tag: string | null): number | null {
  const m = /^id(\d{1,15})-([0-9a-f]{10})$/.exec(tag ?? '');
  if (!m) return null;
  const ticketId = Number(m[1]);
  return safeEqual(tokenSignature(secret, accountId, ticketId), m[2]) ? ticketId : null;
}

/** `address` with a `+tag` added to its local part. */
export function taggedAddress(address: string, tag: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}+${tag}${address.slice(at)}`;
}
