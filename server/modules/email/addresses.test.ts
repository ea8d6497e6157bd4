import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { type CapturedMail, type SmtpCapture, startSmtpCapture } from '../../platform/mail/smtp-capture.ts';

/**
 * Support addresses in Zendesk's recipient_addresses shape: the built-in address is always listed and cannot
 * be deleted; added addresses are unique across the installation, verified by the link in a confirmation mail
 * sent through the outbox, and used as the sender of ticket mail only once verified.
 */
let smtp: SmtpCapture;
let app: TestApp;
let acct: TestAccount;
let host: string;
let customer: { id: number; email: string };

const call = (method: string, path: string, body?: unknown, auth = acct.auth) =>
  api(app, method, path, { auth, host, body });

const mailWith = (address: string, text: string) => smtp.waitFor(address, text, { in: 'raw' });

async function answerFrom(subject: string): Promise<CapturedMail> {
  const res = await call('POST', '/api/v2/tickets.json', {
    ticket: { subject, requester_id: customer.id, comment: { body: 'opened' } },
  });
  assert.equal(res.status, 201, res.text);
  await call('PUT', `/api/v2/tickets/${res.body.ticket.id}.json`, {
    ticket: { comment: { body: `Answer ${subject}`, public: true } },
  });
  return mailWith(customer.email, `Answer ${subject}`);
}

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

test('support addresses: the built-in one, add, verify by mail, default, From, delete', async () => {
  const system = `support@${acct.subdomain}.haven.test`;
  const list = await call('GET', '/api/v2/recipient_addresses.json');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.count, 1);
  const builtIn = list.body.recipient_addresses[0];
  assert.deepEqual(
    { email: builtIn.email, default: builtIn.default, forwarding_status: builtIn.forwarding_status },
    { email: system, default: true, forwarding_status: 'verified' },
  );
  assert.equal(builtIn.built_in, true);
  assert.deepEqual(Object.keys(builtIn).sort(), [
    'brand_id',
    'built_in',
    'cname_status',
    'created_at',
    'default',
    'email',
    'forwarding_status',
    'id',
    'name',
    'spf_status',
    'updated_at',
    'url',
  ]);

  const email = `help@${acct.subdomain}-brand.example`;
  const created = await call('POST', '/api/v2/recipient_addresses', {
    recipient_address: { email: email.toUpperCase(), name: 'Brand help', default: true },
  });
  assert.equal(created.status, 201, created.text);
  const address = created.body.recipient_address;
  assert.equal(address.built_in, false);
  assert.equal(address.email, email);
  assert.equal(address.forwarding_status, 'unknown');
  assert.equal(address.default, true);

  // An unverified default is not used as a sender: mail still comes from the built-in address.
  const before = await answerFrom('Unverified');
  assert.match(before.headers.from ?? '', new RegExp(`<${system}>`));

  const dup = await call('POST', '/api/v2/recipient_addresses', { recipient_address: { email } });
  assert.equal(dup.status, 422);
  assert.equal(dup.body.details.email[0].error, 'DuplicateValue');
  const other = await app.createAccount();
  const otherHost = `${other.subdomain}.haven.test`;
  const foreignDup = await api(app, 'POST', '/api/v2/recipient_addresses', {
    auth: other.auth,
    host: otherHost,
    body: { recipient_address: { email } },
  });
  assert.equal(foreignDup.status, 422, 'unique across the installation');
  const foreign = await api(app, 'GET', `/api/v2/recipient_addresses/${address.id}`, {
    auth: other.auth,
    host: otherHost,
  });
  assert.equal(foreign.status, 404);
  const bad = await call('POST', '/api/v2/recipient_addresses', {
    recipient_address: { email: 'not an address' },
  });
  assert.equal(bad.status, 422);

  const sent = await call('PUT', `/api/v2/recipient_addresses/${address.id}/verify`);
  assert.equal(sent.status, 200, sent.text);
  assert.equal(sent.body.recipient_address.forwarding_status, 'waiting');
  const confirmation = await mailWith(email, '/email/verify/');
  const link = new URL(/(http:\/\/\S+\/email\/verify\/[\w-]+)/.exec(confirmation.text)![1]);
  assert.equal((await api(app, 'GET', '/email/verify/not-a-token-at-all-xyz', { host })).status, 404);
  const page = await api(app, 'GET', link.pathname, { host, headers: { accept: 'text/html' } });
  assert.equal(page.status, 200, page.text);
  assert.match(page.text, /Address confirmed/);
  assert.equal((await api(app, 'GET', link.pathname, { host })).status, 404, 'the link works once');
  const verified = await call('GET', `/api/v2/recipient_addresses/${address.id}`);
  assert.equal(verified.body.recipient_address.forwarding_status, 'verified');

  // Verified and default: ticket mail now comes from it, with the ticket's reply token on Reply-To.
  const after = await answerFrom('Verified');
  assert.match(after.headers.from ?? '', new RegExp(`<${email}>`));
  assert.match(
    after.headers['reply-to'] ?? '',
    new RegExp(`help\\+id\\d+-[0-9a-f]{10}@${acct.subdomain}-brand\\.example`),
  );

  const listed = await call('GET', '/api/v2/recipient_addresses');
  const defaults = listed.body.recipient_addresses.filter((a: { default: boolean }) => a.default);
  assert.deepEqual(
    defaults.map((a: { email: string }) => a.email),
    [email],
  );

  // With the built-in address default again, a ticket written to the custom address still answers from it.
  const back = await call('PUT', `/api/v2/recipient_addresses/${builtIn.id}`, {
    recipient_address: { default: true },
  });
  assert.equal(back.body.recipient_address.default, true);
  const written = await call('POST', '/api/v2/tickets.json', {
    ticket: {
      subject: 'Written to brand',
      requester_id: customer.id,
      recipient: email,
      comment: { body: 'hi' },
    },
  });
  assert.equal(written.status, 201, written.text);
  await call('PUT', `/api/v2/tickets/${written.body.ticket.id}.json`, {
    ticket: { comment: { body: 'Answer via brand', public: true } },
  });
  assert.match(
    (await mailWith(customer.email, 'Answer via brand')).headers.from ?? '',
    new RegExp(`<${email}>`),
  );
  assert.match((await answerFrom('Plain')).headers.from ?? '', new RegExp(`<${system}>`));
  await call('PUT', `/api/v2/recipient_addresses/${address.id}`, { recipient_address: { default: true } });

  const renamed = await call('PUT', `/api/v2/recipient_addresses/${address.id}`, {
    recipient_address: { name: 'Brand support' },
  });
  assert.equal(renamed.body.recipient_address.name, 'Brand support');

  const agent = await acct.createUser('Avery Agent', `avery@${acct.subdomain}.example`, 'agent');
  const asAgent = await call(
    'POST',
    '/api/v2/recipient_addresses',
    { recipient_address: { email: 'x@y.example' } },
    acct.authAs(agent.email),
  );
  assert.equal(asAgent.status, 403);

  assert.equal((await call('DELETE', `/api/v2/recipient_addresses/${builtIn.id}`)).status, 422);
  assert.equal((await call('DELETE', `/api/v2/recipient_addresses/${address.id}`)).status, 204);
  const remaining = await call('GET', '/api/v2/recipient_addresses');
  assert.deepEqual(
    remaining.body.recipient_addresses.map((a: { email: string; default: boolean }) => [a.email, a.default]),
    [[system, true]],
  );
});
