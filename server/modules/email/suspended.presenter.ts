import type { Selectable } from 'kysely';
import { isoTime } from '../../platform/http/format.ts';
import type { InboundEmailsTable } from './email.tables.ts';

export type InboundListRow = Omit<Selectable<InboundEmailsTable>, 'raw'>;

/** An entry of the inbound log (`/api/v2/email/inbound`): what arrived, how, and what became of it. */
export function presentInboundEmail(row: InboundListRow, url: (path: string) => string) {
  return {
    id: row.id,
    url: url(`/api/v2/email/inbound/${row.id}`),
    source: row.source,
    status: row.status,
    cause: row.cause,
    from: { address: row.from_address, name: row.from_name },
    recipient: row.recipient,
    subject: row.subject,
    message_id: row.message_id,
    ticket_id: row.ticket_id,
    comment_id: row.comment_id,
    size: row.size,
    attempts: row.attempts,
    last_error: row.last_error,
    received_at: isoTime(row.received_at),
    processed_at: isoTime(row.processed_at),
  };
}

/** Zendesk's cause ids and texts (suspensions reference) for the causes Haven suspends mail for. */
const CAUSES: Record<string, { id: number; text: string }> = {
  spam: { id: 0, text: 'Detected as spam' },
  sender_rate_limit: { id: 4, text: 'Detected as mail loop' },
  no_sender: { id: 10, text: 'Permission denied for unknown email submitter' },
  blocked_sender: { id: 13, text: 'Email is from a blocklisted sender or domain' },
  sender_suspended: { id: 6, text: 'Submitted by a suspended user' },
  sender_deleted: { id: 6, text: 'Submitted by a deleted user' },
};

export interface SuspendedView {
  row: InboundListRow;
  author: { id: number | null; name: string | null; email: string | null };
  /** The message's new text, quoted history stripped. */
  content: string;
  attachments: { file_name: string; content_type: string; size: number }[];
}

/** A suspended message in Zendesk's suspended-ticket shape. */
export function presentSuspended(v: SuspendedView, url: (path: string) => string) {
  const { row } = v;
  const cause = CAUSES[row.cause ?? ''] ?? { id: 0, text: row.cause ?? 'Suspended' };
  const at = isoTime(row.received_at);
  return {
    id: row.id,
    url: url(`/api/v2/suspended_tickets/${row.id}.json`),
    author: v.author,
    subject: row.subject,
    content: v.content,
    cause: cause.text,
    cause_id: cause.id,
    cause_name: row.cause,
    message_id: row.message_id,
    ticket_id: row.ticket_id,
    recipient: row.recipient,
    created_at: at,
    updated_at: isoTime(row.processed_at) ?? at,
    via: {
      channel: 'email',
      source: {
        from: { address: row.from_address, name: row.from_name },
        to: { address: row.recipient, name: null },
        rel: null,
      },
    },
    attachments: v.attachments,
    brand_id: null,
    error_messages: null,
  };
}
