import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { HavenConfig } from '../../config.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { Jobs } from '../../platform/jobs/jobs.ts';
import type { Logger } from '../../platform/logging/logger.ts';
import { acceptInbound, resolveRecipient } from './email.inbound.ts';

/**
 * Haven's own mail exchanger: it receives mail for every account's support addresses, like an MX does. There is
 * no AUTH (anyone may deliver to a support address); a recipient that is not ours is refused at RCPT TO; the
 * message is stored whole through `acceptInbound`, and only after that commits does the client get its 250. A
 * database that cannot store it gets a 451, so the sending server keeps the message and tries again.
 */
export const MAX_RECIPIENTS = 50;
const SOCKET_TIMEOUT_MS = 60_000;
const MAX_CLIENTS = 200;

export interface InboundSmtpServer {
  /** Starts listening; resolves with the bound port (0 picks a free one). */
  listen(port: number, host: string): Promise<number>;
  /** Stops taking connections and waits for those in flight (a DATA being stored finishes first). */
  close(): Promise<void>;
}

interface Accepted {
  accountId: number;
  /** The first recipient of this account, exactly as the client wrote it (`+tag` kept). */
  recipient: string;
}

/** Per session: the recipients accepted so far, captured at RCPT TO (the envelope is reset after DATA). */
type HavenSession = SMTPServerSession & { havenRecipients?: Map<string, Accepted & { all: string[] }> };

class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the PEM files named by HAVEN_SMTP_TLS_CERT / _KEY; a missing file stops start-up, saying which. */
function readTls(config: Pick<HavenConfig, 'smtpTls'>): { cert: Buffer; key: Buffer } | null {
  if (!config.smtpTls) return null;
  const read = (file: string, setting: string) => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new Error(
        `${setting} names ${file}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  };
  return {
    cert: read(config.smtpTls.certFile, 'HAVEN_SMTP_TLS_CERT'),
    key: read(config.smtpTls.keyFile, 'HAVEN_SMTP_TLS_KEY'),
  };
}

export function createSmtpServer(deps: {
  system: Kysely<Database>;
  jobs: Pick<Jobs, 'send' | 'wake'>;
  config: Pick<HavenConfig, 'baseDomain' | 'smtpTls' | 'smtpMaxBytes' | 'smtpHost'>;
  logger: Logger;
  /** The name in the banner and EHLO answer; the base domain by default. */
  name?: string;
}): InboundSmtpServer {
  const { system, jobs, config, logger } = deps;
  const tls = readTls(config);
  const name = deps.name ?? config.baseDomain;
  const server = new SMTPServer({
    name,
    banner: 'Haven ESMTP',
    logger: false,
    secure: false,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ? { key: tls.key, cert: tls.cert } : {}),
    size: config.smtpMaxBytes,
    maxClients: MAX_CLIENTS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    // On shutdown, connections still open after this are cut; a message cut off had no 250, so its sender retries.
    closeTimeout: 10_000,
    // Bounces have an empty sender and must arrive; any sender is accepted.
    onMailFrom(_address, session: HavenSession, callback) {
      session.havenRecipients = new Map();
      callback();
    },
    onRcptTo(address, session: HavenSession, callback) {
      if (!session.havenRecipients) session.havenRecipients = new Map();
      const recipients = session.havenRecipients;
      const count = [...recipients.values()].reduce((n, r) => n + r.all.length, 0);
      if (count >= MAX_RECIPIENTS) {
        callback(new SmtpReply(452, '4.5.3 Too many recipients'));
        return;
      }
      resolveRecipient(system, config, address.address).then(
        (resolved) => {
          if (!resolved) {
            callback(new SmtpReply(550, `5.1.1 <${address.address}>: no such mailbox here`));
            return;
          }
          const existing = recipients.get(String(resolved.accountId));
          if (existing) existing.all.push(address.address);
          else
            recipients.set(String(resolved.accountId), {
              accountId: resolved.accountId,
              recipient: address.address,
              all: [address.address],
            });
          callback();
        },
        (err) => {
          logger.error({ err }, 'SMTP recipient check failed');
          callback(new SmtpReply(451, '4.3.0 Try again later'));
        },
      );
    },
    onData(stream: SMTPServerDataStream, session: HavenSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(new SmtpReply(552, '5.3.4 Message too big for this server'));
          return;
        }
        const raw = Buffer.concat(chunks);
        const recipients = [...(session.havenRecipients?.values() ?? [])];
        const mailFrom = session.envelope.mailFrom;
        const envelopeFrom = mailFrom ? mailFrom.address || null : null;
        const storing = storeAll(raw, envelopeFrom, recipients);
        inFlight.add(storing);
        void storing.finally(() => inFlight.delete(storing)).catch(() => {});
        storing.then(
          (ids) => {
            logger.info({ ids, bytes: raw.length }, 'mail received over SMTP');
            callback(null, `2.0.0 Stored as ${ids.join(', ')}`);
          },
          (err) => {
            logger.error({ err }, 'storing mail received over SMTP failed');
            callback(new SmtpReply(451, '4.3.0 Try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => logger.warn({ err: { message: err.message } }, 'SMTP connection error'));

  async function storeAll(
    raw: Buffer,
    envelopeFrom: string | null,
    recipients: (Accepted & { all: string[] })[],
  ): Promise<number[]> {
    const ids: number[] = [];
    for (const r of recipients) {
      ids.push(
        await acceptInbound(system, jobs, {
          accountId: r.accountId,
          source: 'smtp',
          raw,
          envelopeFrom,
          envelopeTo: r.all,
          recipient: r.recipient,
        }),
      );
    }
    return ids;
  }

  /** Messages being stored: shutdown waits for them before the database closes. */
  const inFlight = new Set<Promise<unknown>>();
  let listening = false;
  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.server.once('error', onError);
        server.listen(port, host, () => {
          server.server.off('error', onError);
          listening = true;
          resolve((server.server.address() as AddressInfo).port);
        });
      });
    },
    close() {
      if (!listening) return Promise.resolve();
      listening = false;
      return new Promise<void>((resolve) => server.close(() => resolve())).then(async () => {
        await Promise.allSettled([...inFlight]);
      });
    },
  };
}
