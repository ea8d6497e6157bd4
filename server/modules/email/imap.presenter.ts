import { isoTime } from '../../platform/http/format.ts';
import type { ImapConnectionRecord } from './imap.commands.ts';

/** An IMAP connection as the API shows it. An allowlist: the password is write-only and never appears. */
export function presentImapConnection(c: ImapConnectionRecord) {
  return {
    id: Number(c.id),
    name: c.name,
    host: c.host,
    port: c.port,
    secure: c.secure,
    username: c.username,
    mailbox: c.mailbox,
    after_processing: c.after_processing,
    move_to: c.move_to,
    active: c.active,
    status: c.status,
    last_error: c.last_error,
    last_polled_at: isoTime(c.last_polled_at),
    created_at: isoTime(c.created_at),
    updated_at: isoTime(c.updated_at),
  };
}
