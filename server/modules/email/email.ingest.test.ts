import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { waitFor } from '../../../test/support/processes.ts';
import { type SmtpCapture, startSmtpCapture } from '../../platform/mail/smtp-capture.ts';
import { installationSecret, replyToken } from './email.inbound.ts';
import { buildMail, type Inbox, inboxFor, newMessageId } from './fixtures/mime.ts';

let app: TestApp;
let smtp: SmtpCapture;
let acct: TestAccount;
let inbox: Inbox;
let support: string;

const call = (method: string, path: string, body?: unknown) =>
  api(app, method, path, { auth: acct.auth, host: inbox.host, body });

async function ticket(id: number) {
  return (await call('GET', `/api/v2/tickets/${id}.json`)).body.ticket;
}
async function comments(id: number) {
  return (await call('GET', `/api/v2/tickets/${id}/comments.json`)).body.comments as any[];
}
/** The next captured mail to `to` (others addressed elsewhere are skipped). */
async function mailTo(to: string) {
  return waitFor(
    `mail to ${to}`,
    () => smtp.messages.find((m) => m.to.includes(to) && !taken.has(m)) ?? undefined,
  ).then((m) => {
    taken.add(m);
    return m;
  });
}
const taken = new Set<unknown>();

before(async () => {
  smtp = await startSmtpCapture();
  app = await startTestApp({ HAVEN_SMTP_URL: smtp.url });
  acct = await app.createAccount();
  inbox = await inboxFor(app, acct);
  support = `support@${acct.subdomain}.haven.test`;
});

after(async () => {
  await app.close();
  await smtp.close();
});

describe('a new message opens a ticket', () => {
  test('requester created, CCs, via, recipient, attachments and inline image stored, cid rewritten', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#c00' } })
      .png()
      .toBuffer();
    const id = newMessageId();
    const row = await inbox.deliver(
      buildMail({
        from: 'Casey Customer <casey@customer.example>',
        to: `Support <${support}>`,
        cc: `Dana Doe <dana@customer.example>, ${support}`,
        subject: 'Printer on fire',
        messageId: id,
        multipart: 'mixed',
        parts: [
          {
            type: 'text/html; charset=utf-8',
            body: '<p>It is <b>smoking</b>.</p><p><img src="cid:logo@customer" alt="logo"></p>',
          },
          {
            type: 'image/png; name="logo.png"',
            body: png,
            encoding: 'base64',
            headers: {
              'Content-ID': '<logo@customer>',
              'Content-Disposition': 'inline; filename="logo.png"',
            },
          },
          {
            type: 'application/pdf; name="report.pdf"',
            body: Buffer.from('%PDF-1.4 a report'),
            encoding: 'base64',
            headers: { 'Content-Disposition': 'attachment; filename="report.pdf"' },
          },
          {
            type: 'application/octet-stream; name="run.exe"',
            body: Buffer.from('not really a program'),
            encoding: 'base64',
            headers: { 'Content-Disposition': 'attachment; filename="run.exe"' },
          },
        ],
      }),
    );
    assert.equal(row.status, 'processed', JSON.stringify(row));
    assert.equal(row.message_id, id);
    assert.deepEqual(row.from, { address: 'casey@customer.example', name: 'Casey Customer' });
    const t = await ticket(row.ticket_id);
    assert.equal(t.subject, 'Printer on fire');
    assert.equal(t.recipient, support);
    assert.equal(t.via.channel, 'email');
    assert.deepEqual(t.via.source.from, { address: 'casey@customer.example', name: 'Casey Customer' });
    assert.equal(t.via.source.to.address, support);
    const requester = (await call('GET', `/api/v2/users/${t.requester_id}.json`)).body.user;
    assert.equal(requester.email, 'casey@customer.example');
    assert.equal(requester.name, 'Casey Customer');
    assert.equal(requester.role, 'end-user');
    assert.equal(t.email_cc_ids.length, 1, 'our own address is not a CC');
    const cc = (await call('GET', `/api/v2/users/${t.email_cc_ids[0]}.json`)).body.user;
    assert.equal(cc.email, 'dana@customer.example');

    const [c] = await comments(row.ticket_id);
    assert.equal(c.id, row.comment_id);
    assert.equal(c.author_id, requester.id);
    assert.equal(c.public, true);
    assert.match(c.html_body, /<b>smoking<\/b>/);
    assert.doesNotMatch(c.html_body, /cid:/);
    const names = c.attachments.map((a: { file_name: string }) => a.file_name).sort();
    assert.deepEqual(names, ['logo.png', 'report.pdf']);
    const logo = c.attachments.find((a: { file_name: string }) => a.file_name === 'logo.png');
    const token = /\/attachments\/token\/([^/]+)\//.exec(logo.content_url)![1];
    assert.match(c.html_body, new RegExp(`src="/attachments/token/${token}/`));
    assert.match(c.body, /run\.exe/, 'a dropped file is named in the comment');

    // The original is kept whole.
    const original = await api(
      app,
      'GET',
      `/api/v2/tickets/${row.ticket_id}/comments/${c.id}/original_email`,
      {
        auth: acct.auth,
        host: inbox.host,
      },
    );
    assert.equal(original.status, 200);
    assert.equal(original.headers.get('content-type'), 'message/rfc822');
    assert.match(original.headers.get('content-disposition') ?? '', /^attachment;/);
    assert.equal(original.headers.get('x-content-type-options'), 'nosniff');
    assert.match(original.text, /filename="run\.exe"/);

    // The requester is told their request was received.
    const received = await mailTo('casey@customer.example');
    assert.match(received.headers.subject ?? '', /Printer on fire/);
  });
});

/** A fresh ticket from Casey; resolves with its row, ticket id and first Message-ID. */
async function opened(subject: string, from = 'Casey Customer <casey@customer.example>') {
  const messageId = newMessageId();
  const row = await inbox.deliver(
    buildMail({ from, to: support, subject, messageId, text: `About ${subject}.` }),
  );
  assert.equal(row.status, 'processed', JSON.stringify(row));
  return { row, ticketId: row.ticket_id as number, messageId };
}

describe('replies thread to their ticket', () => {
  test('by In-Reply-To, with the quoted history (Gmail style) stripped', async () => {
    const first = await opened('Threading by In-Reply-To');
    const reply = await inbox.deliver(
      buildMail({
        to: support,
        subject: 'Re: Threading by In-Reply-To',
        inReplyTo: first.messageId,
        references: first.messageId,
        text: 'Still broken, sorry.\r\n\r\nOn Sat, Dec 5, 2026 at 10:00 AM Haven Support <\r\nsupport@x.example> wrote:\r\n> About Threading by In-Reply-To.\r\n> More quoted text\r\n',
      }),
    );
    assert.equal(reply.status, 'processed');
    assert.equal(reply.ticket_id, first.ticketId);
    const all = await comments(first.ticketId);
    assert.equal(all.length, 2);
    assert.equal(all[1].body, 'Still broken, sorry.');
  });

  test('people a reply copies (reply all) become the ticket’s CCs', async () => {
    const first = await opened('Copying a colleague');
    const reply = await inbox.deliver(
      buildMail({
        to: `${support}, Kim Colleague <kim@customer.example>`,
        cc: 'Lee Boss <lee@customer.example>',
        subject: 'Re: Copying a colleague',
        inReplyTo: first.messageId,
        text: 'Adding Kim and Lee.',
      }),
    );
    assert.equal(reply.status, 'processed');
    const res = await api(app, 'GET', `/api/v2/tickets/${first.ticketId}/email_ccs`, {
      auth: acct.auth,
      host: inbox.host,
    });
    assert.equal(res.status, 200, res.text);
    const emails = res.body.users.map((u: { email: string }) => u.email).sort();
    assert.deepEqual(emails, ['kim@customer.example', 'lee@customer.example']);
  });

  test('Outlook, Apple Mail and plain > quoting lose their history too', async () => {
    const first = await opened('Quoting styles');
    const replies: [string, Parameters<typeof buildMail>[0]][] = [
      [
        'Outlook says hi.',
        {
          text: 'Outlook says hi.\r\n\r\n________________________________\r\nFrom: Haven Support <support@x.example>\r\nSent: Saturday, December 5, 2026 10:00\r\nTo: Casey\r\nSubject: Re: Quoting styles\r\n\r\nold',
        },
      ],
      [
        'Apple Mail says hi.',
        {
          type: 'text/html; charset=utf-8',
          text: '<html><body><div>Apple Mail says hi.</div><div><br><blockquote type="cite"><div>On 5 Dec 2026, at 10:00, Haven wrote:</div><div>old</div></blockquote></div></body></html>',
        },
      ],
      ['Plain says hi.', { text: 'Plain says hi.\r\n\r\n> old line\r\n> another old line\r\n' }],
    ];
    for (const [expected, spec] of replies) {
      const row = await inbox.deliver(
        buildMail({ ...spec, to: support, subject: 'Re: Quoting styles', inReplyTo: first.messageId }),
      );
      assert.equal(row.ticket_id, first.ticketId);
      const last = (await comments(first.ticketId)).at(-1);
      assert.equal(last.body, expected);
    }
  });

  test('by References, newest first, when In-Reply-To names nothing known', async () => {
    const first = await opened('Threading by References');
    const reply = await inbox.deliver(
      buildMail({
        to: support,
        subject: 'Re: something else',
        inReplyTo: newMessageId('elsewhere.example'),
        references: `${newMessageId('elsewhere.example')} ${first.messageId} ${newMessageId('elsewhere.example')}`,
        text: 'Reply by references.',
      }),
    );
    assert.equal(reply.ticket_id, first.ticketId);
  });

  test('by the reply token in the address it was delivered to', async () => {
    const first = await opened('Threading by token');
    const secret = await installationSecret(app.runtime.services.database.db);
    const tagged = `support+${replyToken(secret, acct.id, first.ticketId)}@${acct.subdomain}.haven.test`;
    const reply = await inbox.deliver(
      buildMail({ to: tagged, subject: 'No headers to go by', text: 'Reply by token.' }),
      `?recipient=${encodeURIComponent(tagged)}`,
    );
    assert.equal(reply.ticket_id, first.ticketId);
    // A token for another ticket with a forged signature opens a new ticket instead.
    const forged = `support+id${first.ticketId}-0000000000@${acct.subdomain}.haven.test`;
    const other = await inbox.deliver(buildMail({ to: forged, subject: 'Forged', text: 'x' }));
    assert.notEqual(other.ticket_id, first.ticketId);
  });

  test('by a [#id] subject token from the requester, not from a stranger', async () => {
    const first = await opened('Threading by subject');
    const reply = await inbox.deliver(
      buildMail({ to: support, subject: `Re: [#${first.ticketId}] Threading by subject`, text: 'Mine.' }),
    );
    assert.equal(reply.ticket_id, first.ticketId);
    const stranger = await inbox.deliver(
      buildMail({
        from: 'Mallory <mallory@elsewhere.example>',
        to: support,
        subject: `[#${first.ticketId}] let me in`,
        text: 'Not mine.',
      }),
    );
    assert.equal(stranger.status, 'processed');
    assert.notEqual(stranger.ticket_id, first.ticketId);
    assert.equal((await comments(first.ticketId)).length, 2);
  });

  test('a reply to a closed ticket opens a follow-up linked to it', async () => {
    const first = await opened('Closed already');
    const closed = await call('PUT', `/api/v2/tickets/${first.ticketId}.json`, {
      ticket: { status: 'closed' },
    });
    assert.equal(closed.status, 200, closed.text);
    const reply = await inbox.deliver(
      buildMail({ to: support, subject: 'Re: Closed already', inReplyTo: first.messageId, text: 'Again!' }),
    );
    assert.equal(reply.status, 'processed');
    assert.notEqual(reply.ticket_id, first.ticketId);
    const followUp = await ticket(reply.ticket_id);
    assert.equal(followUp.via.source.rel, 'follow_up');
    assert.equal(followUp.via.source.from.ticket_id, first.ticketId);
    assert.equal(followUp.requester_id, (await ticket(first.ticketId)).requester_id);
  });
});

describe('the same Message-ID twice makes one comment', () => {
  test('sequentially', async () => {
    const raw = buildMail({ to: support, subject: 'Twice in a row', text: 'Once.' });
    const one = await inbox.deliver(raw);
    const two = await inbox.deliver(raw);
    assert.equal(one.status, 'processed');
    assert.equal(two.status, 'duplicate');
    assert.equal(two.ticket_id, one.ticket_id);
    assert.equal((await comments(one.ticket_id)).length, 1);
  });

  test('concurrently, from a sender Haven has not seen', async () => {
    const raw = buildMail({
      from: 'New Person <new.person@fresh.example>',
      to: support,
      subject: 'Both at once',
    });
    const ids = await Promise.all([inbox.post(raw), inbox.post(raw), inbox.post(raw)]);
    const rows = await Promise.all(ids.map((id) => inbox.settled(id)));
    assert.deepEqual(rows.map((r) => r.status).sort(), ['duplicate', 'duplicate', 'processed']);
    assert.equal(new Set(rows.map((r) => r.ticket_id)).size, 1);
    assert.equal((await comments(rows[0]!.ticket_id)).length, 1);
    const search = await call(
      'GET',
      `/api/v2/users/search.json?query=${encodeURIComponent('new.person@fresh.example')}`,
    );
    assert.equal(search.body.users.length, 1);
  });
});

const ROBOT = 'Robot <robot@robots.example>';

describe('robots are recorded, never answered', () => {
  test('loops, auto-replies and bounces are ignored and nobody is mailed', async () => {
    const outgoing = '<haven-1-2-3-4-5@haven.test>';
    const system = app.runtime.services.database.db;
    await system
      .insertInto('outbound_emails')
      .values({
        account_id: acct.id,
        kind: 'notification',
        to_address: 'casey@customer.example',
        from_address: support,
        subject: 'Your request',
        message_id: outgoing,
      } as any)
      .execute();
    const cases: [string, Buffer][] = [
      [
        'loop',
        buildMail({ from: ROBOT, to: support, messageId: '<haven-9-9-9@haven.test>', text: 'our own' }),
      ],
      ['loop', buildMail({ from: support, to: support, cc: ROBOT, text: 'from ourselves' })],
      [
        'loop',
        buildMail({
          from: ROBOT,
          to: support,
          headers: { 'X-Haven-Ticket-Id': '12' },
          text: 'copied header',
        }),
      ],
      [
        'auto_reply',
        buildMail({ from: ROBOT, to: support, headers: { 'Auto-Submitted': 'auto-replied' }, text: 'away' }),
      ],
      [
        'auto_reply',
        buildMail({ from: ROBOT, to: support, headers: { Precedence: 'bulk' }, text: 'newsletter' }),
      ],
      [
        'auto_reply',
        buildMail({ from: ROBOT, to: support, headers: { 'X-Autoreply': 'yes' }, text: 'away' }),
      ],
      [
        'auto_reply',
        buildMail({ from: ROBOT, to: support, headers: { 'X-Auto-Response-Suppress': 'All' }, text: 'OOF' }),
      ],
      [
        'bounce',
        buildMail({
          from: 'Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
          to: support,
          subject: 'Undelivered Mail Returned to Sender',
          multipart: 'report; report-type=delivery-status',
          parts: [
            { type: 'text/plain', body: 'The mail could not be delivered.' },
            {
              type: 'message/delivery-status',
              body: 'Reporting-MTA: dns; mx.customer.example\r\n\r\nFinal-Recipient: rfc822; casey@customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n',
            },
            {
              type: 'text/rfc822-headers',
              body: `From: ${support}\r\nMessage-ID: ${outgoing}\r\nSubject: Your request\r\n`,
            },
          ],
        }),
      ],
    ];
    for (const [cause, raw] of cases) {
      const row = await inbox.deliver(raw);
      assert.equal(row.status, 'ignored', `${cause}: ${JSON.stringify(row)}`);
      assert.equal(row.cause, cause);
      assert.equal(row.ticket_id, null);
    }
    const bounced = await system
      .selectFrom('outbound_emails')
      .select('status')
      .where('account_id', '=', acct.id)
      .where('message_id', '=', outgoing)
      .executeTakeFirstOrThrow();
    assert.equal(bounced.status, 'bounced');
    // An ordinary message after them is answered, and it is the only mail sent since.
    const marker = await opened('After the robots', 'Robin Real <robin@customer.example>');
    const mail = await mailTo('robin@customer.example');
    assert.match(mail.headers.subject ?? '', /After the robots/);
    assert.ok(marker.ticketId);
    const robots = smtp.messages.filter((m) => m.to.some((to) => to.includes('robots.example')));
    assert.deepEqual(robots, []);
  });
});

describe('failures are retried and visible', () => {
  test('a message whose processing fails stays listed with its error, is retried, and can be retried by hand', async () => {
    const system = app.runtime.services.database.db;
    const { sql } = await import('../../platform/db/tenant-db.ts');
    await sql
      .raw(`create function haven_test_refuse() returns trigger language plpgsql as $$
        begin if new.subject = 'Refused by the database' then raise exception 'refused for the test'; end if;
        return new; end $$;
        create trigger haven_test_refuse before insert on tickets for each row execute function haven_test_refuse();`)
      .execute(system);
    const id = await inbox.post(buildMail({ to: support, subject: 'Refused by the database', text: 'x' }));
    const failing = await waitFor('a failed attempt', async () => {
      const r = (await call('GET', `/api/v2/email/inbound/${id}`)).body.inbound_email;
      return r.attempts >= 1 ? r : undefined;
    });
    assert.equal(failing.status, 'received');
    assert.equal(failing.last_error, 'database error P0001');
    // Its attempts spent, the message is marked failed rather than dropped.
    await system
      .updateTable('inbound_emails')
      .set({ attempts: 5 })
      .where('account_id', '=', acct.id)
      .where('id', '=', id)
      .execute();
    const failed = await waitFor(
      'the last attempt',
      async () => {
        const r = (await call('GET', `/api/v2/email/inbound/${id}`)).body.inbound_email;
        return r.status === 'failed' ? r : undefined;
      },
      60_000,
    );
    assert.equal(failed.attempts, 6);
    const listed = await call('GET', '/api/v2/email/inbound?status=failed');
    assert.deepEqual(
      listed.body.inbound_emails.map((r: { id: number }) => r.id),
      [id],
    );
    await sql
      .raw('drop trigger haven_test_refuse on tickets; drop function haven_test_refuse();')
      .execute(system);
    const retried = await call('POST', `/api/v2/email/inbound/${id}/retry`);
    assert.equal(retried.status, 200);
    assert.equal(retried.body.inbound_email.status, 'received');
    const done = await inbox.settled(id);
    assert.equal(done.status, 'processed');
    assert.equal(done.last_error, null);
    const again = await call('POST', `/api/v2/email/inbound/${id}/retry`);
    assert.equal(again.status, 422);
  });
});

describe('a message whose job was lost', () => {
  test('is queued again by the recovery job and becomes a ticket', async () => {
    // As a node killed between storing and enqueueing would leave it: stored, `received`, no job.
    const raw = buildMail({ to: support, subject: 'Stranded by a crash', text: 'Is anyone there?' });
    const row = await app.runtime.services.database.db
      .insertInto('inbound_emails')
      .values({
        account_id: acct.id,
        source: 'smtp',
        raw,
        size: raw.length,
        recipient: support,
        received_at: new Date(Date.now() - 5 * 60_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await app.runtime.services.jobs.send('email.recover', {});
    const settled = await inbox.settled(Number(row.id));
    assert.equal(settled.status, 'processed');
    const ticket = await api(app, 'GET', `/api/v2/tickets/${settled.ticket_id}`, {
      auth: acct.auth,
      host: inbox.host,
    });
    assert.equal(ticket.body.ticket.subject, 'Stranded by a crash');
  });
});

describe('the raw-MIME endpoint', () => {
  test('refuses a wrong secret, another account’s secret, other content types and oversized messages', async () => {
    const raw = buildMail({ to: support, text: 'x' });
    const post = (auth: string, host = inbox.host, type = 'message/rfc822', body: Buffer = raw) =>
      api(app, 'POST', '/email/inbound', {
        host,
        rawBody: body,
        headers: { 'content-type': type, authorization: auth },
      });
    assert.equal((await post('Bearer wrong')).status, 401);
    assert.equal((await post('')).status, 401);
    const basicAuth = `Basic ${Buffer.from(`provider:${inbox.secret}`).toString('base64')}`;
    assert.equal((await post(basicAuth)).status, 202);
    const other = await app.createAccount();
    const otherInbox = await inboxFor(app, other);
    const cross = await post(`Bearer ${inbox.secret}`, otherInbox.host);
    assert.equal(cross.status, 401);
    assert.equal(cross.body.code, 'CS_AUTH_REQUIRED');
    assert.equal((await post(`Bearer ${inbox.secret}`, inbox.host, 'application/json')).status, 415);
    const huge = Buffer.alloc(app.config.smtpMaxBytes + 1, 'a');
    const tooLarge = await post(`Bearer ${inbox.secret}`, inbox.host, 'message/rfc822', huge);
    assert.equal(tooLarge.status, 413);
    const status = await call('GET', '/api/v2/email/inbound_secret');
    assert.equal(status.body.inbound_secret.configured, true);
    assert.ok(status.body.inbound_secret.created_at);
    assert.ok(!JSON.stringify(status.body).includes(inbox.secret));
  });

  test('another account’s messages and originals are 404', async () => {
    const first = await opened('Private matters');
    const other = await app.createAccount();
    const host = `${other.subdomain}.haven.test`;
    const [c] = await comments(first.ticketId);
    for (const path of [
      `/api/v2/email/inbound/${first.row.id}`,
      `/api/v2/tickets/${first.ticketId}/comments/${c.id}/original_email`,
    ]) {
      const res = await api(app, 'GET', path, { auth: other.auth, host });
      assert.equal(res.status, 404, path);
    }
    const retry = await api(app, 'POST', `/api/v2/email/inbound/${first.row.id}/retry`, {
      auth: other.auth,
      host,
    });
    assert.equal(retry.status, 404);
  });
});
