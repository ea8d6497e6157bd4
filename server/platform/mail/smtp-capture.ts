import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * For tests: a real SMTP server on 127.0.0.1 that keeps every message it accepts, so Haven's outgoing mail is
 * tested over the wire (connection, AUTH, DATA) rather than through a fake transport. Plain SMTP with
 * AUTH PLAIN/LOGIN; STARTTLS is off because the test server has no trusted certificate.
 */
export interface CapturedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  text: string;
  html: string;
}

export interface SmtpCapture {
  port: number;
  /** `smtp://user:pass@127.0.0.1:port`, for HAVEN_SMTP_URL. */
  url: string;
  messages: CapturedMail[];
  /** Resolves with the next message to arrive (or the first one not yet taken). */
  next(timeoutMs?: number): Promise<CapturedMail>;
  /**
   * The first message (arrived or still to come) to `to` that `match` accepts: a string is looked for in the
   * subject (`in: 'subject'`) or anywhere in the raw message (`in: 'raw'`). Messages are not taken.
   */
  waitFor(
    to: string,
    match?: string,
    options?: { in?: 'subject' | 'raw'; timeoutMs?: number },
  ): Promise<CapturedMail>;
  close(): Promise<void>;
}

export async function startSmtpCapture(
  credentials = { user: 'haven', pass: 'relay-secret' },
): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  let taken = 0;
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('Invalid username or password'));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mailFrom = session.envelope.mailFrom;
        messages.push({
          from: mailFrom ? mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          ...parseMessage(raw),
        });
        for (const wake of waiters.splice(0)) wake();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://${credentials.user}:${credentials.pass}@127.0.0.1:${port}`,
    messages,
    async next(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (taken >= messages.length) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`No mail arrived within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return messages[taken++]!;
    },
    async waitFor(to, match, options = {}) {
      const where = options.in ?? 'subject';
      const accepts = (m: CapturedMail) =>
        m.to.includes(to) &&
        (match === undefined || (where === 'raw' ? m.raw : (m.headers.subject ?? '')).includes(match));
      const deadline = Date.now() + (options.timeoutMs ?? 20_000);
      for (;;) {
        const found = messages.find(accepts);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) {
          const seen = messages.map((m) => `${m.to.join(',')} "${m.headers.subject ?? ''}"`).join(' | ');
          throw new Error(`No mail to ${to}${match ? ` with ${match}` : ''} arrived; got ${seen || 'none'}`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Just enough MIME to read what Haven sends: headers, and the text and HTML parts of multipart/alternative. */
function parseMessage(raw: string): { headers: Record<string, string>; text: string; html: string } {
  const { headers, body } = splitPart(raw);
  const out = { headers, text: '', html: '' };
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  const parts = boundary
    ? body
        .split(`--${boundary}`)
        .slice(1)
        .filter((p) => !p.startsWith('--'))
        .map(splitPart)
    : [{ headers, body }];
  for (const part of parts) {
    const type = (part.headers['content-type'] ?? 'text/plain').toLowerCase();
    const decoded = decodeBody(part.body, part.headers['content-transfer-encoding'] ?? '7bit');
    if (type.startsWith('text/plain')) out.text = decoded;
    else if (type.startsWith('text/html')) out.html = decoded;
  }
  return out;
}

function splitPart(part: string): { headers: Record<string, string>; body: string } {
  const trimmed = part.replace(/^\r?\n/, '');
  const at = trimmed.search(/\r?\n\r?\n/);
  const head = at === -1 ? trimmed : trimmed.slice(0, at);
  const body = at === -1 ? '' : trimmed.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function decodeBody(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable': {
      const bytes = body
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    }
    default:
      return body;
  }
}
