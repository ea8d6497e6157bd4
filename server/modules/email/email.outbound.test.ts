import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { createMailer } from '../../platform/mail/mailer.ts';
import { REPLY_MARKER } from './email.inbound.ts';
import { deliverOutbound, NOT_CONFIGURED, releaseWaitingMail } from './email.outbound.ts';

/**
 * The outbox through the API and a real SMTP relay on loopback: mail waits while no relay is configured and
 * goes out once one is, temporary refusals are retried and permanent ones fail at once, the delivery log shows
 * it all, and every mail of a ticket threads (In-Reply-To / References) from its support address.
 */
interface Relay {
  url: string;
  mails: { to: string[]; raw: string; parsed: ParsedMail }[];
  /** SMTP codes to answer at RCPT TO for an address, one per attempt, before accepting it. */
  refuse: Map<string, number[]>;
  close(): Promise<void>;
}

async function startRelay(): Promise<Relay> {
  const mails: Relay['mails'] = [];
  const refuse = new Map<string, number[]>();
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onRcptTo(address, _session, callback) {
      const codes = refuse.get(address.address.toLowerCase());
      const code = codes?.shift();
      if (code) {
        const err = new Error(
          code >= 500 ? `<${address.address}>: mailbox unavailable` : 'try again later',
        ) as Error & {
          responseCode: number;
        };
        err.responseCode = code;
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          parsed: await simpleParser(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    refuse,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let relay: Relay;
let app: TestApp;
let acct: TestAccount;
let host: string;
let agent: { id: number; email: string };
let customer: { id: number; email: string };

const call = (method: string, path: string, body?: unknown, auth = acct.auth) =>
  api(app, method, path, { auth, host, body });

const mailsTo = (address: string) => relay.mails.filter((m) => m.to.includes(address));
const mailTo = (address: string, subject: string) =>
  waitFor(`mail to ${address} about ${subject}`, () =>
    relay.mails.find((m) => m.to.includes(address) && (m.parsed.subject ?? '').includes(subject)),
  );

async function setTriggers() {
  const list = await call('GET', '/api/v2/triggers');
  for (const t of list.body.triggers) {
    await call('PUT', `/api/v2/triggers/${t.id}`, { trigger: { active: false } });
  }
  const triggers = [
    {
      title: 'Reply to the requester',
      conditions: {
        all: [
          { field: 'update_type', operator: 'is', value: 'Change' },
          { field: 'role', operator: 'is_not', value: 'end_user' },
        ],
      },
      actions: [
        {
          field: 'notification_user',
          value: ['requester_and_ccs', 'Re: {{ticket.title}}', '{{ticket.latest_comment}}'],
        },
      ],
    },
    {
      title: 'Tell the agents',
      conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }] },
      actions: [
        { field: 'notification_user', value: ['all_agents', 'New: {{ticket.title}}', 'A new request.'] },
      ],
    },
  ];
  for (const trigger of triggers)
    assert.equal((await call('POST', '/api/v2/triggers', { trigger })).status, 201);
}

async function openRequest(subject: string): Promise<number> {
  const res = await call(
    'POST',
    '/api/v2/requests.json',
    { request: { subject, comment: { body: `About ${subject}` } } },
    acct.authAs(customer.email),
  );
  assert.equal(res.status, 201, res.text);
  return res.body.request.id;
}

async function reply(ticketId: number, body: string, extra: Record<string, unknown> = {}) {
  const res = await call('PUT', `/api/v2/tickets/${ticketId}.json`, {
    ticket: { comment: { body, public: true, ...extra } },
  });
  assert.equal(res.status, 200, res.text);
}

/** A message the customer sent, as the inbound side records it. */
async function recordIncoming(ticketId: number, messageId: string) {
  await app.runtime.services.database.db
    .insertInto('email_message_ids')
    .values({
      account_id: acct.id,
      message_id: messageId,
      ticket_id: ticketId,
      comment_id: null,
      direction: 'in',
    })
    .execute();
}

before(async () => {
  relay = await startRelay();
  app = await startTestApp({ HAVEN_SMTP_URL: relay.url, HAVEN_MAIL_RETRY_BASE_MS: '100' });
  acct = await app.createAccount();
  host = `${acct.subdomain}.haven.test`;
  agent = (await acct.createUser('Avery Agent', `avery@${acct.subdomain}.example`, 'agent')) as any;
  customer = (await acct.createUser('Casey Customer', `casey@${acct.subdomain}-customer.example`)) as any;
  await setTriggers();
});

after(async () => {
  await app?.close();
  await relay?.close();
});

describe('ticket mail', () => {
  test('threads every mail of a conversation on the thread root and the customer’s own messages', async () => {
    const ticketId = await openRequest('Threading');
    await recordIncoming(ticketId, '<first-message@customer.example>');

    await reply(ticketId, 'First answer');
    const first = (await mailTo(customer.email, 'Re: Threading')).parsed;
    const root = (first.references as string[])[0];
    assert.match(root, new RegExp(`^<haven-ticket-${acct.id}-${ticketId}@[^>]+>$`));
    assert.equal(first.inReplyTo, '<first-message@customer.example>');
    assert.deepEqual(first.references, [root, '<first-message@customer.example>']);
    assert.match(
      first.messageId ?? '',
      new RegExp(`^<haven-${acct.id}-${ticketId}-\\d+-\\d+-${customer.id}@`),
    );
    assert.equal(first.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(first.headers.get('x-haven-ticket-id'), String(ticketId));
    assert.ok(first.text?.startsWith(REPLY_MARKER), 'the reply marker leads the text');
    assert.match(first.text ?? '', /First answer/);
    // The requester's own notification is a direct reply: no List-Unsubscribe.
    assert.doesNotMatch(first.headerLines.map((h) => h.line).join('\n'), /^List-Unsubscribe/im);

    await recordIncoming(ticketId, '<second-message@customer.example>');
    const before = mailsTo(customer.email).length;
    await reply(ticketId, 'Second answer');
    const second = (
      await waitFor('the second reply', () =>
        mailsTo(customer.email)
          .slice(before)
          .find((m) => m.parsed.text?.includes('Second answer')),
      )
    ).parsed;
    assert.equal(second.inReplyTo, '<second-message@customer.example>');
    assert.deepEqual(second.references, [
      root,
      '<first-message@customer.example>',
      first.messageId,
      '<second-message@customer.example>',
    ]);

    // Every Message-ID sent for the ticket is recorded for the inbound side (direction out).
    const recorded = await app.runtime.services.database.db
      .selectFrom('email_message_ids')
      .select('message_id')
      .where('account_id', '=', acct.id)
      .where('ticket_id', '=', ticketId)
      .where('direction', '=', 'out')
      .execute();
    const ids = recorded.map((r) => r.message_id);
    assert.ok(ids.includes(first.messageId!) && ids.includes(second.messageId!));
  });

  test('comes from the support address with a Reply-To naming the ticket; agents’ copies can unsubscribe', async () => {
    const ticketId = await openRequest('Addresses');
    const agentMail = (await mailTo(agent.email, 'New: Addresses')).parsed;
    assert.equal(agentMail.from?.value[0]?.address, `support@${acct.subdomain}.haven.test`);
    assert.equal(agentMail.from?.value[0]?.name, `Account ${acct.subdomain}`);
    assert.match(
      agentMail.replyTo?.value[0]?.address ?? '',
      new RegExp(`^support\\+id${ticketId}-[0-9a-f]{10}@${acct.subdomain}\\.haven\\.test$`),
    );
    const lines = agentMail.headerLines.map((h) => h.line.replace(/\r?\n\s+/g, ' ')).join('\n');
    assert.match(lines, /^List-Unsubscribe: <http:\/\/[^>]+\/email\/unsubscribe\/[\w.-]+>$/m);
    assert.match(lines, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
  });

  test('attaches the files of the quoted public comment, never those of a private one', async () => {
    const ticketId = await openRequest('Files');
    const upload = async (name: string, text: string) => {
      const res = await api(app, 'POST', `/api/v2/uploads.json?filename=${name}`, {
        auth: acct.auth,
        host,
        rawBody: Buffer.from(text),
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(res.status, 201, res.text);
      return res.body.upload.token as string;
    };
    await reply(ticketId, 'Here is the invoice', { uploads: [await upload('invoice.txt', 'total: 42')] });
    const mail = (await mailTo(customer.email, 'Re: Files')).parsed;
    assert.deepEqual(
      mail.attachments.map((a) => [a.filename, a.content.toString()]),
      [['invoice.txt', 'total: 42']],
    );

    const before = mailsTo(customer.email).length;
    const res = await call('PUT', `/api/v2/tickets/${ticketId}.json`, {
      ticket: {
        comment: { body: 'internal note', public: false, uploads: [await upload('secret.txt', 'x')] },
      },
    });
    assert.equal(res.status, 200, res.text);
    const next = await waitFor('the mail after a private note', () => mailsTo(customer.email)[before]);
    assert.ok(!next.raw.includes('internal note'));
    assert.ok(!next.parsed.attachments.some((a) => a.filename === 'secret.txt'));
  });

  test('uses the account’s templates; a template that does not parse is refused with 422', async () => {
    const bad = await call('PUT', '/api/v2/email/settings', {
      email_settings: { text_template: '{% if %}{{content}}' },
    });
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.body.code, 'CS_INVALID');
    assert.ok(bad.body.details.text_template);

    const senders = await call('PUT', '/api/v2/email/settings', {
      email_settings: { blocked_senders: ['@Spam.example', 'someone@else.example'], sender_rate_limit: 5 },
    });
    assert.equal(senders.status, 200, senders.text);
    assert.deepEqual(senders.body.email_settings.blocked_senders, ['@spam.example', 'someone@else.example']);
    assert.equal(senders.body.email_settings.sender_rate_limit, 5);
    const badSender = await call('PUT', '/api/v2/email/settings', {
      email_settings: { rejected_senders: ['not an address'] },
    });
    assert.equal(badSender.status, 422, badSender.text);

    const saved = await call('PUT', '/api/v2/email/settings', {
      email_settings: {
        text_template: '{{delimiter}}\nFROM {{account.name}}\n{{content}}\n-- {{footer}}',
        html_template: '<div style="color:{{brand_color}}">{{content}}</div><p>{{account.name}}</p>',
      },
    });
    assert.equal(saved.status, 200, saved.text);
    const preview = await call('POST', '/api/v2/email/templates/preview', {
      text_template: 'PREVIEW {{content}}',
      html_template: null,
    });
    assert.equal(preview.status, 200, preview.text);
    assert.match(preview.body.preview.text, /PREVIEW Your request/);

    const ticketId = await openRequest('Templates');
    await reply(ticketId, 'Templated <b>answer</b>');
    const mail = (await mailTo(customer.email, 'Re: Templates')).parsed;
    assert.match(mail.text ?? '', new RegExp(`FROM Account ${acct.subdomain}\\n`));
    assert.ok(mail.text?.startsWith(REPLY_MARKER));
    assert.match(String(mail.html), /Templated &lt;b&gt;answer&lt;\/b&gt;/);
    assert.match(String(mail.html), /<div style="color:#[0-9a-f]{6}">/i);
    await call('PUT', '/api/v2/email/settings', {
      email_settings: { text_template: null, html_template: null },
    });
  });
});

describe('delivery', () => {
  test('a temporary refusal is retried until the relay accepts; the log shows attempts and answer', async () => {
    const flaky = await acct.createUser('Flaky Inbox', `flaky@${acct.subdomain}-customer.example`);
    relay.refuse.set(flaky.email, [451, 451]);
    const res = await call('POST', '/api/v2/tickets.json', {
      ticket: { subject: 'Retry', requester_id: flaky.id, comment: { body: 'opened for them' } },
    });
    assert.equal(res.status, 201, res.text);
    await reply(res.body.ticket.id, 'Please retry');
    const mail = await mailTo(flaky.email, 'Re: Retry');
    assert.equal(mailsTo(flaky.email).length, 1, 'delivered once');
    const log = await call('GET', `/api/v2/email/deliveries?ticket_id=${res.body.ticket.id}&status=sent`);
    assert.equal(log.status, 200, log.text);
    const item = log.body.deliveries.find(
      (d: { message_id: string }) => d.message_id === mail.parsed.messageId,
    );
    assert.ok(item, 'the sent message is in the log');
    assert.equal(item.attempts, 3);
    assert.match(item.relay_response, /^250/);
    assert.equal(item.last_error, null);
    const shown = await call('GET', `/api/v2/email/deliveries/${item.id}`);
    assert.equal(shown.body.delivery.status, 'sent');
    assert.equal(shown.body.delivery.to, `Flaky Inbox <${flaky.email}>`);
    // The text is gone once the relay has it.
    const row = await app.runtime.services.database.db
      .selectFrom('outbound_emails')
      .select(['text_body', 'html_body'])
      .where('account_id', '=', acct.id)
      .where('id', '=', item.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { text_body: null, html_body: null });
  });

  test('a permanent refusal fails at once; retry queues it again', async () => {
    const gone = await acct.createUser('Gone Inbox', `gone@${acct.subdomain}-customer.example`);
    relay.refuse.set(gone.email, [550]);
    const res = await call('POST', '/api/v2/tickets.json', {
      ticket: { subject: 'Bounce', requester_id: gone.id, comment: { body: 'opened for them' } },
    });
    await reply(res.body.ticket.id, 'Will bounce');
    const failed = await waitFor('the failed delivery', async () => {
      const log = await call('GET', `/api/v2/email/deliveries?ticket_id=${res.body.ticket.id}&status=failed`);
      return log.body.deliveries[0];
    });
    assert.equal(failed.attempts, 1);
    assert.match(failed.last_error, /550/);
    assert.ok(!failed.last_error.includes(gone.email), 'no address in the error');
    assert.equal(mailsTo(gone.email).length, 0);

    const retried = await call('POST', `/api/v2/email/deliveries/${failed.id}/retry`);
    assert.equal(retried.status, 200, retried.text);
    await mailTo(gone.email, 'Re: Bounce');
    const again = await call('POST', `/api/v2/email/deliveries/${failed.id}/retry`);
    assert.equal(again.status, 422, 'a sent message cannot be retried');
  });

  test('the delivery log pages newest first and belongs to its account', async () => {
    const page1 = await call('GET', '/api/v2/email/deliveries?page[size]=2');
    assert.equal(page1.status, 200);
    assert.equal(page1.body.deliveries.length, 2);
    assert.ok(page1.body.deliveries[0].id > page1.body.deliveries[1].id);
    assert.equal(page1.body.meta.has_more, true);
    const page2 = await api(
      app,
      'GET',
      new URL(page1.body.links.next).pathname + new URL(page1.body.links.next).search,
      {
        auth: acct.auth,
        host,
      },
    );
    assert.ok(page2.body.deliveries[0].id < page1.body.deliveries[1].id);

    const other = await app.createAccount();
    const otherHost = `${other.subdomain}.haven.test`;
    const id = page1.body.deliveries[0].id;
    const foreign = await api(app, 'GET', `/api/v2/email/deliveries/${id}`, {
      auth: other.auth,
      host: otherHost,
    });
    assert.equal(foreign.status, 404);
    const list = await api(app, 'GET', '/api/v2/email/deliveries', { auth: other.auth, host: otherHost });
    assert.ok(!list.body.deliveries.some((d: { id: number }) => d.id === id));
    const asAgent = await call('GET', '/api/v2/email/deliveries', undefined, acct.authAs(agent.email));
    assert.equal(asAgent.status, 403);
  });
});

describe('without a relay', () => {
  test('mail waits in the outbox, the admin sees why, and goes out once when a relay is configured', async () => {
    const quiet = await startTestApp();
    try {
      const a = await quiet.createAccount();
      const h = `${a.subdomain}.haven.test`;
      const person = await a.createUser('Pat Person', `pat@${a.subdomain}.example`);
      const res = await api(quiet, 'POST', '/api/v2/tickets.json', {
        auth: a.auth,
        host: h,
        body: { ticket: { subject: 'Waiting', requester_id: person.id, comment: { body: 'opened' } } },
      });
      assert.equal(res.status, 201, res.text);
      await api(quiet, 'PUT', `/api/v2/tickets/${res.body.ticket.id}.json`, {
        auth: a.auth,
        host: h,
        body: { ticket: { comment: { body: 'An answer', public: true } } },
      });
      const waiting = await waitFor('a waiting message', async () => {
        const log = await api(quiet, 'GET', '/api/v2/email/deliveries?status=waiting', {
          auth: a.auth,
          host: h,
        });
        return log.body.deliveries.find((d: { to: string }) => d.to.includes(person.email));
      });
      assert.equal(waiting.last_error, NOT_CONFIGURED);
      const settings = await api(quiet, 'GET', '/api/v2/email/settings', { auth: a.auth, host: h });
      assert.equal(settings.body.email_settings.outbound.smtp_configured, false);
      assert.ok(settings.body.email_settings.outbound.waiting >= 1);

      // The relay is configured (what a restart with HAVEN_SMTP_URL does): the waiting mail is released.
      const system = quiet.runtime.services.database.db;
      const mailer = createMailer(
        { smtpUrl: relay.url, mailFrom: 'Haven <haven@example.com>' },
        createLogger('silent'),
      );
      const deps = { mailer, config: { mailRetryBaseMs: 100 }, jobs: quiet.runtime.services.jobs };
      try {
        assert.ok((await releaseWaitingMail(system, deps)) >= 1);
        // Two workers reaching for the same message: one sends it, the other leaves it.
        const outcomes = await Promise.all([
          deliverOutbound(system, deps, a.id, waiting.id),
          deliverOutbound(system, deps, a.id, waiting.id),
        ]);
        assert.deepEqual(outcomes.sort(), ['sent', 'skipped']);
        assert.equal(await deliverOutbound(system, deps, a.id, waiting.id), 'skipped');
      } finally {
        mailer.close();
      }
      await mailTo(person.email, 'Waiting');
      assert.equal(mailsTo(person.email).length, 1, 'delivered once');
      const shown = await api(quiet, 'GET', `/api/v2/email/deliveries/${waiting.id}`, {
        auth: a.auth,
        host: h,
      });
      assert.equal(shown.body.delivery.status, 'sent');
    } finally {
      await quiet.close();
    }
  });
});
