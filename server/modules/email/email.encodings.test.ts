import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { type Inbox, inboxFor, newMessageId } from './fixtures/mime.ts';

let app: TestApp;
let acct: TestAccount;
let inbox: Inbox;
let support: string;

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  inbox = await inboxFor(app, acct);
  support = `support@${acct.subdomain}.haven.test`;
});

after(() => app.close());

/** A message written byte by byte: headers in ASCII, the body exactly as given. */
function raw(headers: string[], body: Buffer): Buffer {
  const head = [
    `To: ${support}`,
    `Message-ID: ${newMessageId()}`,
    'Date: Sat, 05 Dec 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    ...headers,
  ].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'ascii'), body]);
}

const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64');

async function landed(message: Buffer) {
  const row = await inbox.deliver(message);
  assert.equal(row.status, 'processed', JSON.stringify(row));
  const auth = { auth: acct.auth, host: inbox.host };
  const ticket = (await api(app, 'GET', `/api/v2/tickets/${row.ticket_id}.json`, auth)).body.ticket;
  const [comment] = (await api(app, 'GET', `/api/v2/tickets/${row.ticket_id}/comments.json`, auth)).body
    .comments;
  const requester = (await api(app, 'GET', `/api/v2/users/${ticket.requester_id}.json`, auth)).body.user;
  return { row, ticket, comment, requester };
}

// "こんにちは" and "日本語" in Shift_JIS.
const KONNICHIWA_SJIS = Buffer.from([0x82, 0xb1, 0x82, 0xf1, 0x82, 0xc9, 0x82, 0xbf, 0x82, 0xcd]);
const NIHONGO_SJIS = Buffer.from([0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea]);

describe('charsets and transfer encodings decode', () => {
  test('UTF-8, 8bit, with RFC 2047 subject (B) and sender name (Q)', async () => {
    const { ticket, comment, requester } = await landed(
      raw(
        [
          'From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@kunde.example>',
          `Subject: =?UTF-8?B?${b64('Grüße aus Köln ☃')}?=`,
          'Content-Type: text/plain; charset=UTF-8',
          'Content-Transfer-Encoding: 8bit',
        ],
        Buffer.from('Schöne Grüße, ☃ und 日本語.', 'utf8'),
      ),
    );
    assert.equal(ticket.subject, 'Grüße aus Köln ☃');
    assert.equal(requester.name, 'Jürgen Müller');
    assert.equal(comment.body, 'Schöne Grüße, ☃ und 日本語.');
  });

  test('ISO-8859-1, quoted-printable, with a Q-encoded ISO-8859-1 subject', async () => {
    const { ticket, comment } = await landed(
      raw(
        [
          'From: =?ISO-8859-1?Q?Ren=E9e?= <renee@client.example>',
          'Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me_br=FBl=E9e?=',
          'Content-Type: text/plain; charset=ISO-8859-1',
          'Content-Transfer-Encoding: quoted-printable',
        ],
        Buffer.from(
          'Le caf=E9 est froid, la cr=E8me aussi. Une tr=E8s longue ligne qui con=\r\ntinue ici.',
          'ascii',
        ),
      ),
    );
    assert.equal(ticket.subject, 'Café crème brûlée');
    assert.equal(comment.body, 'Le café est froid, la crème aussi. Une très longue ligne qui continue ici.');
  });

  test('ISO-8859-1, raw 8bit bytes', async () => {
    const { comment } = await landed(
      raw(
        [
          'From: hans@kunde.example',
          'Subject: Umlaute',
          'Content-Type: text/plain; charset=iso-8859-1',
          'Content-Transfer-Encoding: 8bit',
        ],
        Buffer.from('Grüße aus München', 'latin1'),
      ),
    );
    assert.equal(comment.body, 'Grüße aus München');
  });

  test('Shift_JIS, base64, with a B-encoded Shift_JIS subject', async () => {
    const { ticket, comment } = await landed(
      raw(
        [
          'From: taro@kokyaku.example',
          `Subject: =?Shift_JIS?B?${b64(NIHONGO_SJIS)}?=`,
          'Content-Type: text/plain; charset=Shift_JIS',
          'Content-Transfer-Encoding: base64',
        ],
        Buffer.from(`${b64(KONNICHIWA_SJIS)}\r\n`, 'ascii'),
      ),
    );
    assert.equal(ticket.subject, '日本語');
    assert.equal(comment.body, 'こんにちは');
  });

  test('UTF-8 HTML in base64 inside multipart/alternative, sanitized', async () => {
    const html = '<p>Hallo <b>Welt</b> – “quotes”</p><script>alert(1)</script>';
    const { comment } = await landed(
      raw(
        ['From: web@kunde.example', 'Subject: HTML', 'Content-Type: multipart/alternative; boundary="alt"'],
        Buffer.from(
          [
            '--alt',
            'Content-Type: text/plain; charset=utf-8',
            'Content-Transfer-Encoding: base64',
            '',
            b64('Hallo Welt – “quotes”'),
            '--alt',
            'Content-Type: text/html; charset=utf-8',
            'Content-Transfer-Encoding: base64',
            '',
            b64(html),
            '--alt--',
            '',
          ].join('\r\n'),
          'ascii',
        ),
      ),
    );
    assert.match(comment.html_body, /Hallo <b>Welt<\/b> – “quotes”/);
    assert.doesNotMatch(comment.html_body, /script|alert/);
    assert.equal(comment.body, 'Hallo Welt – “quotes”');
  });
});
