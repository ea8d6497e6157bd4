import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import nodemailer, { type Transporter } from 'nodemailer';
import { startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { sql } from '../../platform/db/tenant-db.ts';
import { EMAIL_PROCESS_JOB } from './email.inbound.ts';

/** The queue `email.process` jobs go to, for runs where the processing module has not registered it. */
async function ensureProcessQueue(app: TestApp): Promise<void> {
  await sql`select pgboss.create_queue(${EMAIL_PROCESS_JOB}, '{"policy":"standard"}'::json)
    where not exists (select 1 from pgboss.queue where name = ${EMAIL_PROCESS_JOB})`.execute(
    app.runtime.services.database.db,
  );
}

function message(from: string, to: string, subject: string, body = 'Hello, my order has not arrived.') {
  return { from, to, subject, text: body };
}

async function inboundRows(app: TestApp, accountId: number) {
  return app.runtime.services.database.db
    .selectFrom('inbound_emails')
    .select(['id', 'source', 'recipient', 'envelope_from', 'envelope_to', 'raw', 'size'])
    .where('account_id', '=', accountId)
    .orderBy('id')
    .execute();
}

/** A raw SMTP dialogue: sends each line, returns every reply (multi-line replies joined). */
async function smtpDialogue(port: number, lines: string[]): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let buffer = '';
  const replies: string[] = [];
  let waiting: (() => void) | null = null;
  socket.on('data', (d: string) => {
    buffer += d;
    // A reply ends with a line "NNN text" (no dash after the code).
    while (true) {
      const m = /^((?:\d{3}-[^\r\n]*\r\n)*\d{3} [^\r\n]*)\r\n/.exec(buffer);
      if (!m) break;
      replies.push(m[1]);
      buffer = buffer.slice(m[0].length);
      waiting?.();
    }
  });
  const nextReply = async (count: number) => {
    while (replies.length < count) await new Promise<void>((r) => (waiting = r));
  };
  await nextReply(1);
  for (const line of lines) {
    const expected = replies.length + 1;
    socket.write(`${line}\r\n`);
    await nextReply(expected);
  }
  socket.end();
  return replies;
}

describe('the built-in SMTP server', () => {
  let app: TestApp;
  let port: number;
  let acme: TestAccount;
  let other: TestAccount;
  let transport: Transporter;

  before(async () => {
    app = await startTestApp({ HAVEN_SMTP_MAX_BYTES: '200000' });
    await ensureProcessQueue(app);
    port = await app.runtime.listenSmtp(0, '127.0.0.1');
    acme = await app.createAccount();
    other = await app.createAccount();
    transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  });
  after(async () => {
    transport?.close();
    await app?.close();
  });

  test('mail to an account’s support address is answered 250 and stored whole', async () => {
    const to = `support@${acme.subdomain}.haven.test`;
    const info = await transport.sendMail(message('customer@example.com', to, 'Where is my order?'));
    assert.match(String(info.response), /^250 /);
    assert.deepEqual(info.accepted, [to]);
    const rows = await inboundRows(app, acme.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].source, 'smtp');
    assert.equal(rows[0].recipient, to);
    assert.equal(rows[0].envelope_from, 'customer@example.com');
    assert.deepEqual(rows[0].envelope_to, [to]);
    const raw = Buffer.from(rows[0].raw).toString('utf8');
    assert.match(raw, /Subject: Where is my order\?/);
    assert.match(raw, /my order has not arrived/);
    assert.equal(rows[0].size, rows[0].raw.length);
    // The processing job exists as soon as the row does.
    const jobs = await sql<{ n: number }>`select count(*)::int as n from pgboss.job
      where name = ${EMAIL_PROCESS_JOB} and data->>'inbound_id' = ${String(rows[0].id)}`.execute(
      app.runtime.services.database.db,
    );
    assert.equal(jobs.rows[0].n, 1);
  });

  test('the banner names Haven, and AUTH is not offered', async () => {
    const replies = await smtpDialogue(port, ['EHLO client.example', 'QUIT']);
    assert.match(replies[0], /^220 .*Haven/);
    assert.doesNotMatch(replies[1], /AUTH/);
    assert.match(replies[1], /SIZE 200000/);
  });

  test('an unknown recipient is refused at RCPT TO with 550, and nothing is stored', async () => {
    const before = (await inboundRows(app, acme.id)).length;
    const replies = await smtpDialogue(port, [
      'EHLO client.example',
      'MAIL FROM:<customer@example.com>',
      'RCPT TO:<support@nosuchaccount.haven.test>',
      'RCPT TO:<sales@example.org>',
      'QUIT',
    ]);
    assert.match(replies[2], /^250/);
    assert.match(replies[3], /^550 5\.1\.1 <support@nosuchaccount\.haven\.test>: no such mailbox here/);
    assert.match(replies[4], /^550 /);
    await assert.rejects(
      transport.sendMail(message('customer@example.com', 'nobody@example.org', 'Hi')),
      (err: Error & { responseCode?: number }) => err.responseCode === 550,
    );
    assert.equal((await inboundRows(app, acme.id)).length, before);
  });

  test('a null sender is accepted (bounces must arrive)', async () => {
    const before = (await inboundRows(app, acme.id)).length;
    const to = `support@${acme.subdomain}.haven.test`;
    const replies = await smtpDialogue(port, [
      'EHLO mailer-daemon.example',
      'MAIL FROM:<>',
      `RCPT TO:<${to}>`,
      'DATA',
      `Subject: Undelivered Mail Returned to Sender\r\nFrom: MAILER-DAEMON@example.com\r\nTo: ${to}\r\n\r\nThe mail could not be delivered.\r\n.`,
      'QUIT',
    ]);
    assert.match(replies[2], /^250/);
    assert.match(replies[4], /^354/);
    assert.match(replies[5], /^250 /);
    const rows = await inboundRows(app, acme.id);
    assert.equal(rows.length, before + 1);
    assert.equal(rows.at(-1)!.envelope_from, null);
  });

  test('an over-size message gets 552 and nothing is stored', async () => {
    const before = (await inboundRows(app, acme.id)).length;
    const to = `support@${acme.subdomain}.haven.test`;
    await assert.rejects(
      transport.sendMail(message('customer@example.com', to, 'Big', 'x'.repeat(300_000))),
      (err: Error & { responseCode?: number }) => err.responseCode === 552,
    );
    assert.equal((await inboundRows(app, acme.id)).length, before);
  });

  test('one message to two accounts is stored once per account', async () => {
    const a = `support@${acme.subdomain}.haven.test`;
    const b = `support@${other.subdomain}.haven.test`;
    const beforeA = (await inboundRows(app, acme.id)).length;
    const info = await transport.sendMail({
      from: 'customer@example.com',
      to: [a, b],
      subject: 'To both of you',
      text: 'Hello both.',
    });
    assert.deepEqual((info.accepted ?? []).map(String).sort(), [a, b].sort());
    const rowsA = await inboundRows(app, acme.id);
    const rowsB = await inboundRows(app, other.id);
    assert.equal(rowsA.length, beforeA + 1);
    assert.equal(rowsB.length, 1);
    assert.equal(rowsA.at(-1)!.recipient, a);
    assert.equal(rowsB[0].recipient, b);
    assert.deepEqual(rowsB[0].envelope_to, [b]);
  });

  test('the +tag of the address is kept in the recipient', async () => {
    const to = `support+id42-abcdef0123@${acme.subdomain}.haven.test`;
    await transport.sendMail(message('customer@example.com', to, 'Re: your ticket'));
    const rows = await inboundRows(app, acme.id);
    assert.equal(rows.at(-1)!.recipient, to);
  });

  test('a message to a configured support address goes to its account', async () => {
    await app.runtime.services.database.db
      .insertInto('support_addresses')
      .values({ account_id: other.id, email: 'Help@Other-Company.example', name: 'Help' })
      .execute();
    await transport.sendMail(message('customer@example.com', 'help@other-company.example', 'Hello'));
    const rows = await inboundRows(app, other.id);
    assert.equal(rows.at(-1)!.recipient, 'help@other-company.example');
  });

  test('too many recipients are refused with a temporary error beyond the cap', async () => {
    const lines = ['EHLO client.example', 'MAIL FROM:<customer@example.com>'];
    for (let i = 0; i < 51; i++) lines.push(`RCPT TO:<support+n${i}@${acme.subdomain}.haven.test>`);
    lines.push('QUIT');
    const replies = await smtpDialogue(port, lines);
    assert.match(replies[52], /^250/, 'the 50th recipient is accepted');
    assert.match(replies[53], /^452 /, 'the 51st is not');
  });

  test('when the database cannot store the message the client gets 451, never 250; a retry then succeeds', async () => {
    const db = app.runtime.services.database.db;
    const to = `support@${acme.subdomain}.haven.test`;
    const before = (await inboundRows(app, acme.id)).length;
    await sql`alter table inbound_emails rename to inbound_emails_away`.execute(db);
    try {
      await assert.rejects(
        transport.sendMail(message('customer@example.com', to, 'During an outage')),
        (err: Error & { responseCode?: number }) => err.responseCode === 451,
      );
    } finally {
      await sql`alter table inbound_emails_away rename to inbound_emails`.execute(db);
    }
    assert.equal((await inboundRows(app, acme.id)).length, before);
    const info = await transport.sendMail(message('customer@example.com', to, 'During an outage'));
    assert.match(String(info.response), /^250 /);
    assert.equal((await inboundRows(app, acme.id)).length, before + 1);
  });
});

describe('STARTTLS', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-smtp-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=mx.haven.test',
      ],
      { stdio: 'ignore' },
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('is offered with a certificate configured, and mail sent over it is stored', async () => {
    const app = await startTestApp({
      HAVEN_SMTP_TLS_CERT: path.join(dir, 'cert.pem'),
      HAVEN_SMTP_TLS_KEY: path.join(dir, 'key.pem'),
    });
    try {
      await ensureProcessQueue(app);
      const port = await app.runtime.listenSmtp(0, '127.0.0.1');
      const account = await app.createAccount();
      const replies = await smtpDialogue(port, ['EHLO client.example', 'QUIT']);
      assert.match(replies[1], /STARTTLS/);
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port,
        secure: false,
        requireTLS: true,
        tls: { rejectUnauthorized: false },
      });
      const info = await transport.sendMail(
        message('customer@example.com', `support@${account.subdomain}.haven.test`, 'Over TLS'),
      );
      transport.close();
      assert.match(String(info.response), /^250 /);
      assert.equal((await inboundRows(app, account.id)).length, 1);
    } finally {
      await app.close();
    }
  });

  test('is not offered without a certificate', async () => {
    const app = await startTestApp();
    try {
      const port = await app.runtime.listenSmtp(0, '127.0.0.1');
      const replies = await smtpDialogue(port, ['EHLO client.example', 'STARTTLS', 'QUIT']);
      assert.doesNotMatch(replies[1], /STARTTLS/);
      assert.match(replies[2], /^5\d\d /);
    } finally {
      await app.close();
    }
  });

  test('a certificate file that cannot be read stops start-up, saying which', async () => {
    await assert.rejects(
      startTestApp({
        HAVEN_SMTP_TLS_CERT: path.join(dir, 'missing.pem'),
        HAVEN_SMTP_TLS_KEY: path.join(dir, 'key.pem'),
      }),
      /HAVEN_SMTP_TLS_CERT names .*missing\.pem, which cannot be read/,
    );
  });
});
