import { isoTime } from '../../platform/http/format.ts';
import { presentVia } from '../tickets/tickets.presenter.ts';
import type { AuditRow, CommentRow, TicketRow } from '../tickets/tickets.queries.ts';
import type { AuditEvent } from '../tickets/tickets.tables.ts';

/** A deleted ticket stays in the export with status "deleted", as in Zendesk, so consumers can drop it. */
export function exportedStatus(t: TicketRow): string {
  return t.deleted_at ? 'deleted' : t.status;
}

/**
 * One change inside a ticket event. Field changes carry the field's new value under its own name as well
 * (`{"status": "open", "previous_value": "new", "event_type": "Change"}`), as Zendesk's ticket events do.
 * Comments carry their text only when `include=comment_events` asks for it; otherwise only whether there was
 * one and whether it is public.
 */
function childEvent(
  audit: AuditRow,
  e: AuditEvent,
  comments: Map<number, CommentRow>,
  withComments: boolean,
) {
  const via = presentVia(audit.via_channel, audit.via_source);
  if (e.type === 'Comment') {
    const live = comments.get(e.id);
    const isPublic = live ? live.public : e.public === true;
    const base = {
      id: e.id,
      via,
      via_reference_id: null,
      comment_present: true,
      comment_public: isPublic,
      event_type: 'Comment',
    };
    if (!withComments) return base;
    return {
      ...base,
      type: 'Comment',
      author_id: live?.author_id ?? e.author_id ?? null,
      body: live?.body ?? '',
      html_body: live?.html_body ?? '',
      plain_body: live?.body ?? '',
      public: isPublic,
      attachments: Array.isArray(e.attachments) ? e.attachments : [],
      audit_id: audit.id,
      created_at: isoTime(live?.created_at ?? audit.created_at),
    };
  }
  const { type, ...rest } = e;
  return {
    ...rest,
    via,
    via_reference_id: null,
    ...(typeof e.field_name === 'string' ? { [e.field_name]: e.value ?? null } : {}),
    event_type: type,
  };
}

/** An audit as a ticket event of the incremental export. */
export function presentTicketEvent(
  audit: AuditRow,
  comments: Map<number, CommentRow>,
  withComments: boolean,
) {
  return {
    id: audit.id,
    ticket_id: audit.ticket_id,
    timestamp: Math.floor(audit.created_at.getTime() / 1000),
    created_at: isoTime(audit.created_at),
    updater_id: audit.author_id,
    via: presentVia(audit.via_channel, audit.via_source),
    system: { client: audit.client, ip_address: audit.ip_address },
    event_type: 'Audit',
    child_events: audit.events.map((e) => childEvent(audit, e, comments, withComments)),
  };
}
