import type { Selectable } from 'kysely';
import { isoTime } from '../../platform/http/format.ts';
import type { OutboundEmailsTable } from './email.tables.ts';

export type OutboundRow = Selectable<OutboundEmailsTable>;

/** One message of the delivery log: who, from where, where it stands and what the relay said. Never the text. */
export function presentDelivery(r: OutboundRow) {
  return {
    id: r.id,
    kind: r.kind,
    category: r.category,
    ticket_id: r.ticket_id,
    recipient_id: r.recipient_id,
    to: r.to_address,
    cc: r.cc_addresses,
    from: r.from_address,
    reply_to: r.reply_to,
    subject: r.subject,
    message_id: r.message_id,
    status: r.status,
    attempts: r.attempts,
    last_error: r.last_error,
    relay_response: r.relay_response,
    next_attempt_at: r.status === 'queued' ? isoTime(r.next_attempt_at) : null,
    created_at: isoTime(r.created_at),
    sent_at: isoTime(r.sent_at),
  };
}
