import nodemailer, { type Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { HavenConfig } from '../../config.ts';
import type { Logger } from '../logging/logger.ts';
import { defineStore } from '../privacy/registry.ts';

/** One message: plain text for every reader, HTML for the ones that show it. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Shown as the sender's name (the help desk's name); the address stays the configured one. */
  fromName?: string;
  /** The message's own Message-ID (with angle brackets), so replies and later mails can thread on it. */
  messageId?: string;
  /** Threading and list headers (`In-Reply-To`, `References`, `Auto-Submitted` …). */
  headers?: Record<string, string>;
  /** The sender's address (a support address); the configured HAVEN_MAIL_FROM address when absent. */
  fromAddress?: string;
  replyTo?: string;
  cc?: string[];
  /** Files attached to the message. */
  attachments?: { filename: string; content: Buffer; contentType: string }[];
  /** Signs the message with DKIM (RFC 6376) for this domain. */
  dkim?: { domainName: string; keySelector: string; privateKey: string };
}

/** What the relay answered when it accepted a message. */
export interface MailSent {
  messageId: string;
  /** The relay's reply line (e.g. `250 2.0.0 OK queued as …`). */
  response: string;
}

/** The relay refused a message; `permanent` when it answered 5xx (retrying would not help). */
export class MailRelayError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode: number | null,
  ) {
    super(message);
  }
}

/** Outgoing mail. `enabled` is false when no SMTP relay is configured; `send` then refuses. */
export interface Mailer {
  readonly enabled: boolean;
  /** Hands the message to the relay; resolves with its Message-ID once the relay accepted it. */
  send(message: MailMessage): Promise<MailSent>;
  close(): void;
}

export class MailNotConfiguredError extends Error {
  constructor() {
    super('Outgoing mail is not configured (set HAVEN_SMTP_URL)');
  }
}

defineStore({
  store: 'smtp',
  class: 'contact',
  erase: 'retain:Haven keeps no copy of sent mail; the operator’s SMTP relay keeps its own logs',
  description:
    'Outgoing mail: recipient addresses and message text are handed to the SMTP relay and not stored.',
});

/** The configured From address, without its display name, so each message can carry its own name. */
function fromAddress(mailFrom: string): { name: string; address: string } {
  const [first] = addressparser(mailFrom, { flatten: true });
  return { name: first?.name || 'Haven', address: first?.address ?? mailFrom };
}

/** Header values come from names people typed; a line break in one must not start a new header. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

class SmtpMailer implements Mailer {
  readonly enabled = true;
  private readonly transport: Transporter;
  private readonly from: { name: string; address: string };

  constructor(smtpUrl: string, mailFrom: string) {
    // Query parameters of the URL (e.g. `?tls.rejectUnauthorized=false`) reach nodemailer as options.
    this.transport = nodemailer.createTransport({
      url: smtpUrl,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
      // nodemailer's own logger would print addresses and message text.
      logger: false,
      debug: false,
    });
    this.from = fromAddress(mailFrom);
  }

  async send(message: MailMessage): Promise<MailSent> {
    let info: { messageId: string; response?: string };
    try {
      info = await this.transport.sendMail({
        from: {
          name: oneLine(message.fromName ?? this.from.name),
          address: message.fromAddress ?? this.from.address,
        },
        to: message.to,
        ...(message.cc?.length ? { cc: message.cc } : {}),
        ...(message.replyTo ? { replyTo: message.replyTo } : {}),
        subject: oneLine(message.subject),
        text: message.text,
        html: message.html,
        ...(message.messageId ? { messageId: message.messageId } : {}),
        ...(message.headers ? { headers: message.headers } : {}),
        ...(message.attachments?.length ? { attachments: message.attachments } : {}),
        ...(message.dkim ? { dkim: message.dkim } : {}),
      });
    } catch (err) {
      throw relayError(err);
    }
    return {
      messageId: info.messageId,
      response: withoutAddresses(oneLine(String(info.response ?? ''))).slice(0, 500),
    };
  }

  close(): void {
    this.transport.close();
  }
}

/** A relay's reply line with any address in it replaced (relays often echo the recipient). */
function withoutAddresses(line: string): string {
  return line.replace(/<?[^\s<>@]+@[^\s<>]+>?/g, '<address>');
}

/**
 * A relay failure without the message's addresses or text: the SMTP reply code and the relay's reply line
 * (which names the problem, e.g. `451 4.7.1 Try again later`), or the connection error's code.
 */
function relayError(err: unknown): MailRelayError {
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  const permanent = code !== null && code >= 500 && code < 600;
  const detail =
    code !== null ? withoutAddresses(oneLine(String(e.response ?? code))).slice(0, 300) : (e.code ?? 'ERROR');
  const message =
    code !== null ? `The relay refused the message: ${detail}` : `The relay could not be reached (${detail})`;
  return new MailRelayError(message, permanent, code);
}

const noMail: Mailer = {
  enabled: false,
  send: async () => {
    throw new MailNotConfiguredError();
  },
  close: () => {},
};

export function createMailer(config: Pick<HavenConfig, 'smtpUrl' | 'mailFrom'>, logger: Logger): Mailer {
  if (!config.smtpUrl) {
    logger.info('outgoing mail is off: HAVEN_SMTP_URL is not set');
    return noMail;
  }
  return new SmtpMailer(config.smtpUrl, config.mailFrom);
}
