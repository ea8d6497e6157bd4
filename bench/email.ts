// Issue 6's figures, on a real `haven serve` (PostgreSQL by default):
//
//   1. Inbound throughput through the built-in SMTP server: small messages with one attachment, each from its
//      own sender, sent over `--connections` SMTP connections; the clock runs from the first MAIL FROM to the
//      moment the last message is a ticket (inbound_emails.status = 'processed'). Also: how fast the SMTP
//      server accepted them (every 250 means the raw message is stored), and the delay from 250 to ticket.
//   2. Time from an agent's public reply (PUT /api/v2/tickets/{id} with a public comment) to the mail being
//      handed to the SMTP relay: a relay in this process (smtp-server) stamps each message as its DATA ends.
//      Replies go `--reply-concurrency` at a time; p50 / p95 / p99 / max.
//
//   npm run bench:email                               # PostgreSQL, 3,000 messages, 300 replies
//   npm run bench:email -- --db embedded              # the embedded database instead
//   npm run bench:email -- --messages 5000 --connections 16 --replies 500
//
// The server runs with HAVEN_SMTP_URL pointing at the in-process relay, so every new ticket also sends the
// default trigger's "request received" mail (part of the load, as in production). Results are printed and
// written to tmp/bench/email-<db>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../test/support/processes.ts';
import {
  ADMIN_EMAIL,
  basicAuth,
  formatTable,
  newEmbeddedStore,
  newPostgresStore,
  percentile,
  postgresReachable,
  ROOT,
  removeStore,
  type Store,
  setupBenchAccountInfo,
  startServer,
} from './lib.ts';
import { api, inParallel } from './seed.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'postgres' },
    messages: { type: 'string', default: '3000' },
    connections: { type: 'string', default: '8' },
    replies: { type: 'string', default: '300' },
    'reply-concurrency': { type: 'string', default: '4' },
  },
});
const MESSAGES = Number(values.messages);
const CONNECTIONS = Number(values.connections);
const REPLIES = Number(values.replies);
const REPLY_CONCURRENCY = Number(values['reply-concurrency']);
const BASE_DOMAIN = 'haven.bench';
const SUPPORT = `support@bench.${BASE_DOMAIN}`;

/** The relay Haven hands mail to: keeps, per ticket id, when each message arrived. */
async function startRelay() {
  const arrivals: { at: number; ticketId: number | null; to: string }[] = [];
  const waiters = new Map<string, (at: number) => void>();
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const at = performance.now();
        const head = Buffer.concat(chunks).subarray(0, 8192).toString('latin1');
        const ticket = /^X-Haven-Ticket-Id:\s*(\d+)/im.exec(head);
        const marker = /bench-reply-(\d+)/.exec(Buffer.concat(chunks).toString('latin1'));
        arrivals.push({
          at,
          ticketId: ticket ? Number(ticket[1]) : null,
          to: session.envelope.rcptTo[0]?.address ?? '',
        });
        if (marker) waiters.get(marker[1])?.(at);
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    arrivals,
    /** Resolves with the arrival time of the mail carrying `bench-reply-{key}`. */
    expect(key: string, timeoutMs = 60_000): Promise<number> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no mail for reply ${key}`)), timeoutMs);
        waiters.set(key, (at) => {
          clearTimeout(timer);
          waiters.delete(key);
          resolve(at);
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A small customer message with one 2 KB attachment, as raw RFC 5322 bytes. */
function buildMessage(i: number): Promise<Buffer> {
  const attachment = Buffer.alloc(2048, `line ${i} of the attached log\n`);
  return new MailComposer({
    from: `Customer ${i} <customer${i}@example.test>`,
    to: SUPPORT,
    subject: `Order ${10_000 + i} has not arrived`,
    messageId: `<bench-${i}-${Date.now()}@example.test>`,
    text: `Hello,\n\nmy order ${10_000 + i} was due last week and has not arrived. Could you check?\n\nThanks,\nCustomer ${i}`,
    attachments: [{ filename: `order-${i}.txt`, content: attachment, contentType: 'text/plain' }],
  })
    .compile()
    .build();
}

const ms = (v: number) => `${v.toFixed(0)} ms`;

async function processedCount(store: Store, server: { baseUrl: string }, auth: string): Promise<number> {
  if (store.kind === 'postgres') {
    const client = new pg.Client({ connectionString: store.database.url });
    await client.connect();
    try {
      const r = await client.query(
        `select count(*)::int as n from inbound_emails where status <> 'received'`,
      );
      return r.rows[0].n;
    } finally {
      await client.end();
    }
  }
  const res = await fetch(`${server.baseUrl}/api/v2/tickets/count`, { headers: { authorization: auth } });
  return ((await res.json()) as { count: { value: number } }).count.value;
}

async function run(kind: 'postgres' | 'embedded') {
  const store = kind === 'postgres' ? await newPostgresStore() : newEmbeddedStore();
  const relay = await startRelay();
  const smtpPort = await freePort();
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    const setup = await setupBenchAccountInfo(store);
    const auth = basicAuth(ADMIN_EMAIL, setup.api_token);
    server = await startServer(store, {
      HAVEN_BASE_DOMAIN: BASE_DOMAIN,
      HAVEN_SMTP_PORT: String(smtpPort),
      HAVEN_SMTP_HOST: '127.0.0.1',
      HAVEN_SMTP_URL: relay.url,
      HAVEN_API_RATE_LIMIT: '0',
    });
    console.log(
      `${kind}: server up (HTTP ${server.port}, SMTP ${smtpPort}); composing ${MESSAGES} messages…`,
    );
    const raws = await Promise.all(Array.from({ length: MESSAGES }, (_, i) => buildMessage(i)));
    const bytes = raws.reduce((n, r) => n + r.length, 0);

    // 1. Inbound throughput.
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: CONNECTIONS,
      maxMessages: Number.POSITIVE_INFINITY,
    });
    const start = performance.now();
    const acceptedAt: number[] = new Array(MESSAGES);
    await inParallel(raws, CONNECTIONS * 2, async (raw, i) => {
      await transport.sendMail({
        envelope: { from: `customer${i}@example.test`, to: [SUPPORT] },
        raw,
      });
      acceptedAt[i] = performance.now();
    });
    const allAccepted = performance.now();
    transport.close();
    let done = 0;
    while (done < MESSAGES) {
      done = await processedCount(store, server, auth);
      if (performance.now() - allAccepted > 600_000) throw new Error(`only ${done} of ${MESSAGES} processed`);
      if (done < MESSAGES) await sleep(100);
    }
    const allProcessed = performance.now();
    const acceptSeconds = (allAccepted - start) / 1000;
    const totalSeconds = (allProcessed - start) / 1000;
    let delays: number[] = [];
    let statuses: Record<string, number> = {};
    if (store.kind === 'postgres') {
      const client = new pg.Client({ connectionString: store.database.url });
      await client.connect();
      const d = await client.query(
        `select extract(epoch from (processed_at - received_at)) * 1000 as d from inbound_emails where processed_at is not null`,
      );
      delays = d.rows.map((r) => Number(r.d)).sort((a, b) => a - b);
      const s = await client.query(`select status, count(*)::int as n from inbound_emails group by status`);
      statuses = Object.fromEntries(s.rows.map((r) => [r.status, r.n]));
      await client.end();
    }
    console.log(
      formatTable([
        ['inbound', 'value'],
        ['messages', String(MESSAGES)],
        ['average size', `${(bytes / MESSAGES / 1024).toFixed(1)} KB`],
        ['SMTP connections', String(CONNECTIONS)],
        ['accepted (250) in', `${acceptSeconds.toFixed(1)} s`],
        ['accept rate', `${(MESSAGES / acceptSeconds).toFixed(0)} msg/s`],
        ['into tickets in', `${totalSeconds.toFixed(1)} s`],
        ['into tickets rate', `${(MESSAGES / totalSeconds).toFixed(0)} msg/s (goal ≥ 200 on PostgreSQL)`],
        ...(delays.length
          ? [
              ['stored → ticket p50', ms(percentile(delays, 50))],
              ['stored → ticket p99', ms(percentile(delays, 99))],
            ]
          : []),
        ...(Object.keys(statuses).length ? [['statuses', JSON.stringify(statuses)]] : []),
      ]),
    );

    // Let the "request received" mails drain before timing replies.
    const drainStart = performance.now();
    while (relay.arrivals.length < MESSAGES && performance.now() - drainStart < 300_000) await sleep(200);
    console.log(`received-notifications at the relay: ${relay.arrivals.length}`);

    // 2. Agent reply → relay.
    const list = await api(server, auth, 'GET', `/api/v2/tickets?page[size]=100`);
    let ticketIds: number[] = list.tickets.map((t: { id: number }) => t.id);
    while (ticketIds.length < REPLIES) ticketIds = ticketIds.concat(ticketIds);
    ticketIds = ticketIds.slice(0, REPLIES);
    const latencies: number[] = [];
    await inParallel(ticketIds, REPLY_CONCURRENCY, async (id, i) => {
      const key = String(i);
      const arrived = relay.expect(key);
      const t0 = performance.now();
      await api(server!, auth, 'PUT', `/api/v2/tickets/${id}`, {
        ticket: { comment: { body: `We are on it (bench-reply-${key}).`, public: true } },
      });
      latencies.push((await arrived) - t0);
    });
    latencies.sort((a, b) => a - b);
    console.log(
      formatTable([
        ['agent reply → relay', 'value'],
        ['replies', String(latencies.length)],
        ['concurrency', String(REPLY_CONCURRENCY)],
        ['p50', ms(percentile(latencies, 50))],
        ['p95', ms(percentile(latencies, 95))],
        ['p99', `${ms(percentile(latencies, 99))} (goal ≤ 2,000 ms)`],
        ['max', ms(latencies[latencies.length - 1])],
      ]),
    );
    const result = {
      db: kind,
      messages: MESSAGES,
      connections: CONNECTIONS,
      acceptRate: MESSAGES / acceptSeconds,
      ticketRate: MESSAGES / totalSeconds,
      storedToTicketP50: percentile(delays, 50),
      storedToTicketP99: percentile(delays, 99),
      statuses,
      replyLatency: {
        n: latencies.length,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1],
      },
    };
    mkdirSync(path.join(ROOT, 'tmp', 'bench'), { recursive: true });
    writeFileSync(
      path.join(ROOT, 'tmp', 'bench', `email-${kind}.json`),
      `${JSON.stringify(result, null, 2)}\n`,
    );
  } finally {
    await server?.stop();
    await relay.close();
    await removeStore(store);
  }
}

if (values.db === 'postgres') {
  const why = await postgresReachable();
  if (why) {
    console.log(`PostgreSQL is not reachable (${why}); nothing measured.`);
    process.exit(0);
  }
}
await run(values.db === 'embedded' ? 'embedded' : 'postgres');
process.exit(0);
