import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';

export type InboundSource = 'smtp' | 'imap' | 'http';
export type InboundStatus = 'received' | 'processed' | 'suspended' | 'ignored' | 'duplicate' | 'failed';
export type OutboundStatus = 'queued' | 'waiting' | 'sent' | 'failed' | 'suppressed' | 'bounced';
export type MailCategory = 'transactional' | 'security' | 'marketing';

/** An address customers write to. `support@{subdomain}.{base domain}` is implicit and needs no row. */
export interface SupportAddressesTable {
  account_id: number;
  id: Generated<number>;
  email: string;
  name: string | null;
  is_default: Generated<boolean>;
  verified_at: Date | null;
  verification_digest: string | null;
  verification_sent_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** One row per account: the inbound secret, suspension rules, templates and DKIM key. */
export interface EmailSettingsTable {
  account_id: number;
  /** SHA-256 of the secret mail providers present when they post raw MIME. */
  inbound_secret_digest: string | null;
  inbound_secret_created_at: Date | null;
  spam_threshold: Generated<number>;
  /** Mail from these addresses or domains is suspended for review. */
  blocked_senders: Generated<string[]>;
  /** Mail from these addresses or domains is refused and kept only in the inbound log. */
  rejected_senders: Generated<string[]>;
  /** Messages one sender may open tickets with per hour before further ones are suspended. */
  sender_rate_limit: Generated<number>;
  text_template: string | null;
  html_template: string | null;
  dkim_domain: string | null;
  dkim_selector: string | null;
  dkim_private_key: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ImapConnectionsTable {
  account_id: number;
  id: Generated<number>;
  name: string;
  host: string;
  port: Generated<number>;
  secure: Generated<boolean>;
  username: string;
  password: string;
  mailbox: Generated<string>;
  after_processing: Generated<'seen' | 'move' | 'delete'>;
  move_to: string | null;
  active: Generated<boolean>;
  uid_validity: number | null;
  last_uid: Generated<number>;
  status: Generated<'pending' | 'connected' | 'error'>;
  last_error: string | null;
  last_polled_at: Date | null;
  /** The node polling this mailbox, and until when its lease holds. */
  lease_owner: string | null;
  lease_until: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Every message accepted, stored whole before anything else happens to it. */
export interface InboundEmailsTable {
  account_id: number;
  id: Generated<number>;
  source: InboundSource;
  imap_connection_id: number | null;
  imap_uid: number | null;
  envelope_from: string | null;
  envelope_to: Generated<string[]>;
  /** The support address it was delivered to (the envelope recipient that routed it here). */
  recipient: string | null;
  message_id: string | null;
  from_address: string | null;
  from_name: string | null;
  subject: string | null;
  /** The message exactly as received (RFC 5322 bytes). */
  raw: Buffer;
  size: number;
  status: Generated<InboundStatus>;
  /** Why it is suspended or ignored (`auto_reply`, `bounce`, `loop`, `blocked_sender`, `spam` …). */
  cause: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  author_id: number | null;
  ticket_id: number | null;
  comment_id: number | null;
  received_at: Generated<Date>;
  processed_at: Date | null;
}

export interface EmailMessageIdsTable {
  account_id: number;
  message_id: string;
  ticket_id: number;
  comment_id: number | null;
  direction: 'in' | 'out';
  created_at: Generated<Date>;
}

/** The outbox and the delivery log: one row per message per recipient. */
export interface OutboundEmailsTable {
  account_id: number;
  id: Generated<number>;
  /** `notification` (a rule's email), `verification`, `test` … */
  kind: string;
  category: Generated<MailCategory>;
  ticket_id: number | null;
  audit_id: number | null;
  recipient_id: number | null;
  to_address: string;
  cc_addresses: Generated<string[]>;
  from_address: string;
  reply_to: string | null;
  subject: string;
  /** Cleared once the relay accepted the message: the log keeps who, when and what state, not the text. */
  text_body: string | null;
  html_body: string | null;
  message_id: string;
  in_reply_to: string | null;
  references: string | null;
  headers: Generated<Record<string, string>>;
  attachment_ids: Generated<number[]>;
  status: Generated<OutboundStatus>;
  attempts: Generated<number>;
  last_error: string | null;
  relay_response: string | null;
  created_at: Generated<Date>;
  sent_at: Date | null;
  /** While one worker hands the message to the relay (a lease, so two nodes never send it twice). */
  claimed_until: Date | null;
  /** When a queued message is next due (after a failed attempt). */
  next_attempt_at: Date | null;
  /** The mailing list the recipient can leave (List-Unsubscribe); null for a direct reply. */
  list: string | null;
}

export interface EmailSuppressionsTable {
  account_id: number;
  email: string;
  /** A mail category or the list left through List-Unsubscribe (`ticket_notifications`, `satisfaction` …). */
  category: Generated<string>;
  reason: 'unsubscribe' | 'bounce' | 'complaint';
  created_at: Generated<Date>;
}

export interface EmailTables {
  support_addresses: SupportAddressesTable;
  email_settings: EmailSettingsTable;
  imap_connections: ImapConnectionsTable;
  inbound_emails: InboundEmailsTable;
  email_message_ids: EmailMessageIdsTable;
  outbound_emails: OutboundEmailsTable;
  email_suppressions: EmailSuppressionsTable;
}

// Support addresses, settings and mailboxes are account configuration. The IMAP password and DKIM key are kept
// in clear because Haven must use them; the API never returns them and logs never carry them.
defineTable<SupportAddressesTable>('support_addresses', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    email: pd.technical('retain:account configuration (the help desk’s own address)'),
    name: pd.none(),
    is_default: pd.none(),
    verified_at: pd.none(),
    verification_digest: pd.secret(),
    verification_sent_at: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});

defineTable<EmailSettingsTable>('email_settings', {
  columns: {
    account_id: pd.none(),
    inbound_secret_digest: pd.secret(),
    inbound_secret_created_at: pd.none(),
    spam_threshold: pd.none(),
    blocked_senders: pd.contact('redact'),
    rejected_senders: pd.contact('redact'),
    sender_rate_limit: pd.none(),
    text_template: pd.none(),
    html_template: pd.none(),
    dkim_domain: pd.none(),
    dkim_selector: pd.none(),
    dkim_private_key: pd.secret('retain:account configuration; needed to sign outgoing mail'),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});

defineTable<ImapConnectionsTable>('imap_connections', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    name: pd.none(),
    host: pd.technical('retain:account configuration'),
    port: pd.none(),
    secure: pd.none(),
    username: pd.technical('retain:account configuration (a mailbox login)'),
    password: pd.secret('retain:account configuration; needed to log in to the mailbox'),
    mailbox: pd.none(),
    after_processing: pd.none(),
    move_to: pd.none(),
    active: pd.none(),
    uid_validity: pd.none(),
    last_uid: pd.none(),
    status: pd.none(),
    last_error: pd.technical('retain:operational diagnostics about the mailbox'),
    last_polled_at: pd.none(),
    lease_owner: pd.none(),
    lease_until: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});

// A received message belongs to its sender: erasing them deletes the stored original (their ticket comments are
// handled by the tickets module's own declarations).
defineTable<InboundEmailsTable>('inbound_emails', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    source: pd.none(),
    imap_connection_id: pd.none(),
    imap_uid: pd.none(),
    envelope_from: pd.contact('delete_row'),
    envelope_to: pd.contact('delete_row'),
    recipient: pd.none(),
    message_id: pd.technical('delete_row'),
    from_address: pd.contact('delete_row'),
    from_name: pd.identifier('delete_row'),
    subject: pd.content('delete_row'),
    raw: pd.content('delete_row'),
    size: pd.none(),
    status: pd.none(),
    cause: pd.none(),
    attempts: pd.none(),
    last_error: pd.technical('delete_row'),
    author_id: pd.subject('delete_row'),
    ticket_id: pd.none(),
    comment_id: pd.none(),
    received_at: pd.none(),
    processed_at: pd.none(),
  },
});

defineTable<EmailMessageIdsTable>('email_message_ids', {
  columns: {
    account_id: pd.none(),
    message_id: pd.technical('retain:threading; a Message-ID names no person'),
    ticket_id: pd.none(),
    comment_id: pd.none(),
    direction: pd.none(),
    created_at: pd.none(),
  },
});

// The delivery log keeps who was mailed and when; the text is cleared once the relay accepted the message.
defineTable<OutboundEmailsTable>('outbound_emails', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    kind: pd.none(),
    category: pd.none(),
    ticket_id: pd.none(),
    audit_id: pd.none(),
    recipient_id: pd.subject('delete_row'),
    to_address: pd.contact('delete_row'),
    cc_addresses: pd.contact('delete_row'),
    from_address: pd.none(),
    reply_to: pd.none(),
    subject: pd.content('delete_row'),
    text_body: pd.content('delete_row'),
    html_body: pd.content('delete_row'),
    message_id: pd.technical('delete_row'),
    in_reply_to: pd.none(),
    references: pd.none(),
    headers: pd.none(),
    attachment_ids: pd.none(),
    status: pd.none(),
    attempts: pd.none(),
    last_error: pd.technical('delete_row'),
    relay_response: pd.technical('delete_row'),
    created_at: pd.none(),
    sent_at: pd.none(),
    claimed_until: pd.none(),
    next_attempt_at: pd.none(),
    list: pd.none(),
  },
});

// An unsubscribe must outlive erasure of everything else, or the address would be mailed again.
defineTable<EmailSuppressionsTable>('email_suppressions', {
  columns: {
    account_id: pd.none(),
    email: pd.contact('retain:the suppression list must keep the address so it is never mailed again'),
    category: pd.none(),
    reason: pd.none(),
    created_at: pd.none(),
  },
});
