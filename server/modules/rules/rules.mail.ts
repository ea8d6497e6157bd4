import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { escapeHtml } from '../../platform/http/pages.ts';
import type { MailMessage } from '../../platform/mail/mailer.ts';
import type { Account } from '../../platform/tenancy/accounts-directory.ts';
import { renderPlaceholders } from '../macros/placeholders.ts';
import { textToHtml } from '../tickets/comment-text.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';

/**
 * A rule's email to one recipient. Placeholders are rendered per recipient: an end-user's copy only ever
 * quotes public comments, whatever the template asks for. Every mail of a ticket names the ticket's thread in
 * `References`, so mail clients keep them in one conversation (the email channel builds on this).
 */
const isAgent = (role: string) => role === 'agent' || role === 'admin';

async function latestComment(db: TenantDb, ticketId: number, publicOnly: boolean) {
  let q = db
    .selectFrom('ticket_comments')
    .leftJoin('users', (j) =>
      j
        .onRef('users.account_id', '=', 'ticket_comments.account_id')
        .onRef('users.id', '=', 'ticket_comments.author_id'),
    )
    .select(['ticket_comments.body', 'ticket_comments.created_at', 'users.name'])
    .where('ticket_comments.ticket_id', '=', ticketId);
  if (publicOnly) q = q.where('ticket_comments.public', '=', true);
  const row = await q.orderBy('ticket_comments.id', 'desc').limit(1).executeTakeFirst();
  return row
    ? `${row.name ?? 'Support'}, ${row.created_at.toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n${row.body}`
    : '';
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

export async function ruleMail(
  db: TenantDb,
  m: {
    account: Account;
    baseUrl: string;
    ticket: TicketRow;
    auditId: number;
    eventId: number;
    actorId: number | null;
    recipient: { id: number; name: string; email: string; role: string };
    subject: string;
    body: string;
  },
): Promise<MailMessage> {
  const agent = isAgent(m.recipient.role);
  const template = `${m.subject}\n${m.body}`;
  const extra: Record<string, unknown> = {
    ticket: {
      account: m.account.name,
      latest_comment: template.includes('latest_comment') ? await latestComment(db, m.ticket.id, !agent) : '',
      latest_public_comment: template.includes('latest_public_comment')
        ? await latestComment(db, m.ticket.id, true)
        : '',
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
  const text = await renderPlaceholders(db, m.body, ctx);
  const domain = new URL(m.baseUrl).hostname;
  const thread = `<haven-ticket-${m.account.id}-${m.ticket.id}@${domain}>`;
  return {
    to: `${m.recipient.name.replace(/["<>]/g, '')} <${m.recipient.email}>`,
    subject,
    text,
    html: mailHtml(text, m.account),
    fromName: m.account.name,
    messageId: `<haven-${m.account.id}-${m.ticket.id}-${m.auditId}-${m.eventId}-${m.recipient.id}@${domain}>`,
    headers: {
      'In-Reply-To': thread,
      References: thread,
      'Auto-Submitted': 'auto-generated',
      'X-Haven-Ticket-Id': String(m.ticket.id),
    },
  };
}

function mailHtml(text: string, account: Pick<Account, 'name'> & { brand_color?: string | null }): string {
  const brand =
    account.brand_color && /^#[0-9a-f]{6}$/i.test(account.brand_color) ? account.brand_color : '#1f73b7';
  return `<!doctype html><html><body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2933;line-height:1.5">
<div style="border-top:4px solid ${brand};padding:16px 0;max-width:640px">${textToHtml(text)}</div>
<p style="color:#52606d;font-size:12px">${escapeHtml(account.name)}</p></body></html>`;
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
