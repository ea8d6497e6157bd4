import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../config.ts';
import { createLogger } from '../logging/logger.ts';
import { createMailer, MailNotConfiguredError } from './mailer.ts';
import { type SmtpCapture, startSmtpCapture } from './smtp-capture.ts';

/** Outgoing mail: configuration, and messages sent over real SMTP to a server listening on 127.0.0.1. */
const logger = createLogger('silent');

describe('mail configuration', () => {
  test('no HAVEN_SMTP_URL means no outgoing mail; the From address defaults to the base domain', () => {
    const config = loadConfig({ HAVEN_BASE_DOMAIN: 'Help.Example.com' });
    assert.equal(config.smtpUrl, null);
    assert.equal(config.mailFrom, 'Haven <no-reply@help.example.com>');
    assert.equal(createMailer(config, logger).enabled, false);
  });

  test('a bad value stops start-up naming the variable, without echoing credentials', () => {
    for (const [name, value] of [
      ['HAVEN_SMTP_URL', 'http://user:hunter2@mail.example.com'],
      ['HAVEN_SMTP_URL', 'not a url'],
      ['HAVEN_MAIL_FROM', 'Support <not-an-address>'],
      ['HAVEN_MAIL_FROM', 'two@example.com, three@example.com'],
    ] as const) {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.match(err.message, new RegExp(`${name}: `));
          assert.ok(!err.message.includes('hunter2'), 'the password is not repeated');
          return true;
        },
      );
    }
    const ok = loadConfig({
      HAVEN_SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      HAVEN_MAIL_FROM: 'Acme Support <support@acme.example>',
    });
    assert.equal(ok.smtpUrl, 'smtps://user:pass@mail.example.com:465');
    assert.equal(ok.mailFrom, 'Acme Support <support@acme.example>');
  });

  test('the mailer without a relay refuses to send', async () => {
    const mailer = createMailer({ smtpUrl: null, mailFrom: 'x@example.com' }, logger);
    await assert.rejects(
      mailer.send({ to: 'a@example.com', subject: 's', text: 't', html: '<p>t</p>' }),
      MailNotConfiguredError,
    );
  });
});

describe('sending over SMTP', () => {
  let smtp: SmtpCapture;
  before(async () => {
    smtp = await startSmtpCapture();
  });
  after(async () => {
    await smtp?.close();
  });

  test('a message arrives with its sender name, configured address, subject, text and HTML parts', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, mailFrom: 'Haven <no-reply@haven.example>' }, logger);
    try {
      const sent = await mailer.send({
        to: 'agent@acme.example',
        subject: 'Hello\r\nBcc: injected@evil.example',
        text: 'Plain words, and a long line that is longer than seventy-six characters so it must be wrapped somehow.',
        html: '<p>Rich <strong>words</strong> — and an accent: café</p>',
        fromName: 'Acme Help',
      });
      assert.match(sent.messageId, /^<.+@.+>$/);
      const mail = await smtp.next();
      assert.equal(mail.from, 'no-reply@haven.example');
      assert.deepEqual(mail.to, ['agent@acme.example']);
      assert.match(mail.headers.from!, /^"?Acme Help"? <no-reply@haven\.example>$/);
      assert.equal(mail.headers.subject, 'Hello Bcc: injected@evil.example');
      assert.equal(mail.headers.bcc, undefined, 'a line break in the subject does not start a header');
      assert.match(mail.text, /a long line that is longer than seventy-six characters so it must be wrapped/);
      assert.match(mail.html, /Rich <strong>words<\/strong> — and an accent: café/);
    } finally {
      mailer.close();
    }
  });

  test('wrong relay credentials make send fail', async () => {
    const url = smtp.url.replace('relay-secret', 'wrong-secret');
    const mailer = createMailer({ smtpUrl: url, mailFrom: 'no-reply@haven.example' }, logger);
    try {
      const before = smtp.messages.length;
      await assert.rejects(mailer.send({ to: 'x@acme.example', subject: 's', text: 't', html: 't' }));
      assert.equal(smtp.messages.length, before);
    } finally {
      mailer.close();
    }
  });
});
