import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { ticketOfHavenMessageId } from './email.classify.ts';
import { ticketFromReplyToken } from './email.inbound.ts';
import type { ParsedMessage } from './email.parse.ts';

export type ThreadedBy = 'in_reply_to' | 'references' | 'reply_token' | 'subject';

export interface ThreadInput {
  message: ParsedMessage;
  /** The `+tag` of the address the message was delivered to. */
  tag: string | null;
  installationSecret: string;
  /** The sender's user, when Haven knows them. */
  sender: { id: number; role: string } | null;
}

/** The ticket each Message-ID is recorded for (incoming and outgoing), or that a Haven id names. */
async function ticketsForIds(db: TenantDb, ids: string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (!ids.length) return found;
  const rows = await db
    .selectFrom('email_message_ids')
    .select(['message_id', 'ticket_id'])
    .where('message_id', 'in', ids)
    .execute();
  for (const r of rows) found.set(r.message_id, Number(r.ticket_id));
  for (const id of ids) {
    if (found.has(id)) continue;
    const named = ticketOfHavenMessageId(id, db.accountId);
    if (named !== null) found.set(id, named);
  }
  return found;
}

async function ticketExists(db: TenantDb, id: number): Promise<boolean> {
  const row = await db.selectFrom('tickets').select('id').where('id', '=', id).executeTakeFirst();
  return !!row;
}

/**
 * The ticket a reply belongs to, tried in this order: `In-Reply-To`, then `References` newest first (ids Haven
 * sent or received for a ticket), then the reply token in the address it was delivered to, then a `[#123]`
 * subject token — the last only for the ticket's requester, a CC or collaborator, or an agent, since anyone can
 * type a number into a subject.
 */
export async function findThread(
  db: TenantDb,
  input: ThreadInput,
): Promise<{ ticketId: number; by: ThreadedBy } | null> {
  const { message } = input;
  const ids = [...new Set([...message.inReplyTo, ...message.references])].slice(0, 100);
  const known = await ticketsForIds(db, ids);
  for (const id of message.inReplyTo) {
    const t = known.get(id);
    if (t !== undefined && (await ticketExists(db, t))) return { ticketId: t, by: 'in_reply_to' };
  }
  for (const id of [...message.references].reverse()) {
    const t = known.get(id);
    if (t !== undefined && (await ticketExists(db, t))) return { ticketId: t, by: 'references' };
  }
  const tokenTicket = ticketFromReplyToken(input.installationSecret, db.accountId, input.tag);
  if (tokenTicket !== null && (await ticketExists(db, tokenTicket))) {
    return { ticketId: tokenTicket, by: 'reply_token' };
  }
  const subjectTicket = /\[#(\d{1,15})\]/.exec(message.subject ?? '')?.[1];
  if (subjectTicket && input.sender) {
    const ticket = await db
      .selectFrom('tickets')
      .select(['id', 'requester_id', 'collaborator_ids', 'email_cc_ids', 'follower_ids'])
      .where('id', '=', Number(subjectTicket))
      .executeTakeFirst();
    const sender = input.sender;
    const involved =
      ticket &&
      (ticket.requester_id === sender.id ||
        ticket.collaborator_ids.includes(sender.id) ||
        ticket.email_cc_ids.includes(sender.id) ||
        sender.role === 'agent' ||
        sender.role === 'admin');
    if (ticket && involved) return { ticketId: Number(ticket.id), by: 'subject' };
  }
  return null;
}
