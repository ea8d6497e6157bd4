import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { type CapturedMail, type SmtpCapture, startSmtpCapture } from '../../platform/mail/smtp-capture.ts';

/**
 * DKIM: a key generated through the API signs the account's ticket mail, and the signature verifies against
 * the TXT record the API told the admin to publish (served here by a resolver of our own); a changed body
 * does not verify. Imported keys are checked; removing the key stops signing.
 */
let smtp: SmtpCapture;
let app: TestApp;
let acct: TestAccount;
let host: string;
let customer: { id: number; email: string };

const call = (method: string, path: string, body?: unknown, auth = acct.auth) =>
  api(app, method, path, { auth, host, body });

const mailTo = (address: string, text: string) => smtp.waitFor(address, text, { in: 'raw' });

async function ticketMail(subject: string): Promise<CapturedMail> {
  const res = await call('POST', '/api/v2/tickets.json', {
    ticket: { subject, requester_id: customer.id, comment: { body: 'opened' } },
  });
  assert.equal(res.status, 201, res.text);
  const reply = await call('PUT', `/api/v2/tickets/${res.body.ticket.id}.json`, {
    ticket: { comment: { body: `An answer about ${subject}`, public: true } },
  });
  assert.equal(reply.status, 200, reply.text);
  return mailTo(customer.email, `An answer about ${subject}`);
}

const resolverFor = (name: string, value: string) => async (asked: string, type: string) => {
  if (asked === name && type === 'TXT') return [[value]];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

before(async () => {
  smtp = await startSmtpCapture();
  app = await startTestApp({ HAVEN_SMTP_URL: smtp.url });
  acct = await app.createAccount();
  host = `${acct.subdomain}.haven.test`;
  customer = (await acct.createUser('Casey Customer', `casey@${acct.subdomain}-c.example`)) as any;
});

after(async () => {
  await app?.close();
  await smtp?.close();
});

test('a generated key signs ticket mail and verifies against the published record; a changed body fails', async () => {
  const domain = `${acct.subdomain}.haven.test`;
  const created = await call('POST', '/api/v2/email/settings/dkim', { domain, selector: 'haven2026' });
  assert.equal(created.status, 201, created.text);
  const { dkim } = created.body;
  assert.equal(dkim.configured, true);
  assert.equal(dkim.dns_name, `haven2026._domainkey.${domain}`);
  assert.match(dkim.dns_value, /^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/);
  const settings = await call('GET', '/api/v2/email/settings');
  assert.deepEqual(settings.body.email_settings.dkim, dkim);
  assert.ok(!settings.text.includes('PRIVATE KEY'), 'the key itself is never shown');

  const mail = await ticketMail('Signed');
  assert.match(mail.raw, /^DKIM-Signature: /m);
  const resolver = resolverFor(dkim.dns_name, dkim.dns_value);
  const verified = await dkimVerify(Buffer.from(mail.raw), { resolver } as any);
  assert.equal(verified.results[0]?.status.result, 'pass', JSON.stringify(verified.results[0]?.status));
  assert.equal(verified.results[0]?.signingDomain, domain);

  const tampered = mail.raw.replace('An answer about Signed', 'An answer about Changed');
  assert.notEqual(tampered, mail.raw);
  const failed = await dkimVerify(Buffer.from(tampered), { resolver } as any);
  assert.notEqual(failed.results[0]?.status.result, 'pass');
});

test('an imported key must be an RSA private key; removing the key stops signing', async () => {
  const domain = `${acct.subdomain}.haven.test`;
  const bad = await call('PUT', '/api/v2/email/settings/dkim', {
    domain,
    selector: 's1',
    private_key: 'nope',
  });
  assert.equal(bad.status, 422);
  assert.ok(bad.body.details.private_key);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  });
  const wrongType = await call('PUT', '/api/v2/email/settings/dkim', {
    domain,
    selector: 's1',
    private_key: ec,
  });
  assert.equal(wrongType.status, 422);

  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs1',
    format: 'pem',
  });
  const imported = await call('PUT', '/api/v2/email/settings/dkim', {
    domain,
    selector: 's1',
    private_key: rsa,
  });
  assert.equal(imported.status, 200, imported.text);
  const mail = await ticketMail('Imported');
  const verified = await dkimVerify(Buffer.from(mail.raw), {
    resolver: resolverFor(imported.body.dkim.dns_name, imported.body.dkim.dns_value),
  } as any);
  assert.equal(verified.results[0]?.status.result, 'pass');

  assert.equal((await call('DELETE', '/api/v2/email/settings/dkim')).status, 204);
  assert.equal((await call('GET', '/api/v2/email/settings')).body.email_settings.dkim.configured, false);
  const unsigned = await ticketMail('Unsigned');
  assert.doesNotMatch(unsigned.raw, /^DKIM-Signature: /m);

  const other = await app.createAccount();
  const foreign = await api(app, 'GET', '/api/v2/email/settings', {
    auth: other.auth,
    host: `${other.subdomain}.haven.test`,
  });
  assert.equal(foreign.body.email_settings.dkim.configured, false);
});
