import type { HavenConfig } from '../../config.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import type { Account } from '../../platform/tenancy/accounts-directory.ts';
import { replyToken, taggedAddress } from '../email/email.inbound.ts';
import { type OutgoingMail, threadHeaders, ticketSender } from '../email/email.outbound.ts';
import { renderLayout } from '../email/email.templates.ts';
import { listUnsubscribeHeaders, type MailList, unsubscribeToken } from '../email/email.unsubscribe.ts';
import { renderPlaceholders } from '../macros/placeholders.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';

/**
 * A rule's email to one recipient, ready for the outbox. Placeholders are rendered per recipient: an end-user's
 * copy only ever quotes public comments (and carries only a public comment's files), whatever the template asks
 * for. The mail comes from the ticket's support address with a Reply-To that names the ticket, and threads on
 * the Message-IDs recorded for the ticket, so mail clients keep the conversation in one thread.
 */
const isAgent = (role: string) => role === 'agent' || role === 'admin';

/** Files of a quoted comment attached to a mail, at most this much in all; beyond it they are listed as links. */
export const ATTACHMENT_CAP_BYTES = 10 * 1024 * 1024;

interface QuotedComment {
  id: number;
  public: boolean;
  text: string;
}

async function latestComment(
  db: TenantDb,
  ticketId: number,
  publicOnly: boolean,
): Promise<QuotedComment | null> {
  let q = db
    .selectFrom('ticket_comments')
    .leftJoin('users', (j) =>
      j
        .onRef('users.account_id', '=', 'ticket_comments.account_id')
        .onRef('users.id', '=', 'ticket_comments.author_id'),
    )
    .select([
      'ticket_comments.id',
      'ticket_comments.public',
      'ticket_comments.body',
      'ticket_comments.created_at',
      'users.name',
    ])
    .where('ticket_comments.ticket_id', '=', ticketId);
  if (publicOnly) q = q.where('ticket_comments.public', '=', true);
  const row = await q.orderBy('ticket_comments.id', 'desc').limit(1).executeTakeFirst();
  return row
    ? {
        id: row.id,
        public: row.public,
        text: `${row.name ?? 'Support'}, ${row.created_at.toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n${row.body}`,
      }
    : null;
}

/** The files of a quoted public comment: attached up to the cap, the rest named with their links. */
async function commentFiles(db: TenantDb, commentId: number, baseUrl: string) {
  const files = await db
    .selectFrom('attachments')
    .select(['id', 'file_name', 'size', 'content_token'])
    .where('comment_id', '=', commentId)
    .where('parent_id', 'is', null)
    .where('deleted', '=', false)
    .orderBy('id')
    .execute();
  const attach: number[] = [];
  const links: string[] = [];
  let total = 0;
  for (const f of files) {
    if (total + Number(f.size) <= ATTACHMENT_CAP_BYTES) {
      total += Number(f.size);
      attach.push(f.id);
    } else {
      links.push(
        `${f.file_name}: ${baseUrl}/attachments/token/${f.content_token}/?name=${encodeURIComponent(f.file_name)}`,
      );
    }
  }
  return { attach, links };
}

/** `{{satisfaction.*}}`: the rating links, made only when a template asks for them. */
async function satisfactionVars(db: TenantDb, ticketId: number, baseUrl: string, template: string) {
  if (!template.includes('satisfaction')) return {};
  const { satisfactionRatingUrl } = await import('../satisfaction/satisfaction.commands.ts');
  const url = await satisfactionRatingUrl(db, ticketId, baseUrl);
  const join = url.includes('?') ? '&' : '?';
  return {
    satisfaction: {
      rating_url: url,
      positive_rating_url: `${url}${join}score=good`,
      negative_rating_url: `${url}${join}score=bad`,
      rating_section: `How would you rate the support you received?\n\nGood, I'm satisfied: ${url}${join}score=good\nBad, I'm unsatisfied: ${url}${join}score=bad`,
    },
  };
}

/**
 * Which list a mail is on, or null for a direct reply: the requester's own notifications are replies; mail to
 * anyone else, satisfaction surveys and what automations send can be left through List-Unsubscribe.
 */
function mailList(
  recipient: { id: number },
  ticket: TicketRow,
  template: string,
  rule: string | null,
): MailList | null {
  if (template.includes('satisfaction')) return 'satisfaction';
  if (rule === 'automation') return 'automation';
  return recipient.id === ticket.requester_id ? null : 'ticket_notifications';
}

export async function ruleMail(
  db: TenantDb,
  m: {
    account: Account;
    baseUrl: string;
    config: Pick<HavenConfig, 'baseDomain'>;
    /** The installation's secret (reply tokens and unsubscribe links). */
    secret: string;
    ticket: TicketRow;
    auditId: number;
    eventId: number;
    actorId: number | null;
    /** `trigger` or `automation`: what fired. */
    rule: string | null;
    recipient: { id: number; name: string; email: string; role: string };
    subject: string;
    body: string;
  },
): Promise<OutgoingMail> {
  const agent = isAgent(m.recipient.role);
  const template = `${m.subject}\n${m.body}`;
  const wantsLatest = template.includes('latest_comment');
  const latest = wantsLatest ? await latestComment(db, m.ticket.id, !agent) : null;
  const latestPublic = template.includes('latest_public_comment')
    ? await latestComment(db, m.ticket.id, true)
    : null;
  const extra: Record<string, unknown> = {
    ticket: {
      account: m.account.name,
      latest_comment: latest?.text ?? '',
      latest_public_comment: latestPublic?.text ?? '',
    },
    ...(await satisfactionVars(db, m.ticket.id, m.baseUrl, template)),
  };
  const url = (path: string) => `${m.baseUrl}${path}`;
  const ctx = {
    ticket: m.ticket,
    actor: m.actorId ? { userId: m.actorId } : null,
    url,
    extra,
  };
  const subject = (await renderPlaceholders(db, m.subject, ctx)).trim() || m.ticket.subject;
  let content = await renderPlaceholders(db, m.body, ctx);
  // A quoted comment's files go along; only a public comment's, whoever reads it.
  const quoted = latestPublic ?? (latest?.public ? latest : null);
  const files = quoted ? await commentFiles(db, quoted.id, m.baseUrl) : { attach: [], links: [] };
  if (files.links.length) content += `\n\nAttachments:\n${files.links.join('\n')}`;

  const domain = new URL(m.baseUrl).hostname;
  const sender = await ticketSender(db, m.config, m.account, m.ticket);
  const list = mailList(m.recipient, m.ticket, template, m.rule);
  const token = list
    ? unsubscribeToken(m.secret, { accountId: m.account.id, email: m.recipient.email, list })
    : null;
  const footer = token
    ? `${m.account.name}\nTo stop receiving these emails: ${m.baseUrl}/email/unsubscribe/${token}`
    : m.account.name;
  const settings = await db
    .selectFrom('email_settings')
    .select(['text_template', 'html_template'])
    .executeTakeFirst();
  const { text, html } = await renderLayout(db, {
    templates: settings ?? null,
    account: m.account,
    ticket: m.ticket,
    content,
    footer,
  });
  const thread = await threadHeaders(db, domain, m.account.id, m.ticket.id, m.recipient.email);
  return {
    kind: 'notification',
    ticketId: m.ticket.id,
    auditId: m.auditId,
    recipientId: m.recipient.id,
    to: `${m.recipient.name.replace(/["<>\r\n]/g, '')} <${m.recipient.email}>`,
    from: `${m.account.name.replace(/["<>\r\n]/g, '')} <${sender}>`,
    replyTo: taggedAddress(sender, replyToken(m.secret, m.account.id, m.ticket.id)),
    subject,
    text,
    html,
    messageId: `<haven-${m.account.id}-${m.ticket.id}-${m.auditId}-${m.eventId}-${m.recipient.id}@${domain}>`,
    inReplyTo: thread.inReplyTo,
    references: thread.references,
    headers: {
      'Auto-Submitted': 'auto-generated',
      'X-Haven-Ticket-Id': String(m.ticket.id),
      ...(token ? listUnsubscribeHeaders(m.baseUrl, token) : {}),
    },
    attachmentIds: files.attach,
    list,
  };
}

/** A webhook call's body: placeholders rendered as text (use Liquid's `json` filter for values inside JSON strings). */
export async function renderWebhookBody(
  db: TenantDb,
  ticket: TicketRow,
  actorId: number | null,
  template: string,
) {
  return renderPlaceholders(db, template, { ticket, actor: actorId ? { userId: actorId } : null });
}
