import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { type SmtpCapture, startSmtpCapture } from '../../platform/mail/smtp-capture.ts';

/**
 * List-Unsubscribe with RFC 8058 one-click: the link in an agent's notification opens a page (GET changes
 * nothing), the one-click POST records the suppression, later mail on that list is suppressed at send time,
 * and a tampered or foreign token changes nothing. The requester's own replies are never suppressed.
 */
let smtp: SmtpCapture;
let app: TestApp;
let acct: TestAccount;
let host: string;
let agent: { id: number; email: string };
let customer: { id: number; email: string };

const call = (method: string, path: string, body?: unknown, auth = acct.auth) =>
  api(app, method, path, { auth, host, body });

const mailTo = (address: string, subject: string) => smtp.waitFor(address, subject);

async function deliveries(ticketId: number) {
  const res = await call('GET', `/api/v2/email/deliveries?ticket_id=${ticketId}`);
  assert.equal(res.status, 200, res.text);
  return res.body.deliveries as { to: string; status: string; kind: string }[];
}

async function suppressions() {
  return app.runtime.services.database.db
    .selectFrom('email_suppressions')
    .select(['email', 'category', 'reason'])
    .where('account_id', '=', acct.id)
    .execute();
}

const form = (token: string, body = 'List-Unsubscribe=One-Click', h = host) =>
  api(app, 'POST', `/email/unsubscribe/${token}`, {
    host: h,
    rawBody: body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
  });

async function openTicket(subject: string): Promise<number> {
  const res = await call('POST', '/api/v2/tickets.json', {
    ticket: { subject, requester_id: customer.id, comment: { body: 'opened' } },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.ticket.id;
}

before(async () => {
  smtp = await startSmtpCapture();
  app = await startTestApp({ HAVEN_SMTP_URL: smtp.url });
  acct = await app.createAccount();
  host = `${acct.subdomain}.haven.test`;
  agent = (await acct.createUser('Avery Agent', `avery@${acct.subdomain}.example`, 'agent')) as any;
  customer = (await acct.createUser('Casey Customer', `casey@${acct.subdomain}-c.example`)) as any;
  const list = await call('GET', '/api/v2/triggers');
  for (const t of list.body.triggers)
    await call('PUT', `/api/v2/triggers/${t.id}`, { trigger: { active: false } });
  const trigger = {
    title: 'Tell agents and the requester',
    conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }] },
    actions: [
      { field: 'notification_user', value: ['all_agents', 'Agents: {{ticket.title}}', 'A new request.'] },
      { field: 'notification_user', value: ['requester_id', 'Received: {{ticket.title}}', 'We have it.'] },
    ],
  };
  assert.equal((await call('POST', '/api/v2/triggers', { trigger })).status, 201);
});

after(async () => {
  await app?.close();
  await smtp?.close();
});

test('one-click unsubscribe: GET shows a button, POST suppresses, tampered and foreign tokens change nothing', async () => {
  await openTicket('First');
  const agentMail = await mailTo(agent.email, 'Agents: First');
  const header = agentMail.headers['list-unsubscribe'] ?? '';
  const url = new URL(/^<([^>]+)>$/.exec(header)?.[1] ?? 'http://x/');
  assert.match(url.pathname, /^\/email\/unsubscribe\/[\w-]+\.[\w-]+$/);
  assert.equal(agentMail.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
  const requesterMail = await mailTo(customer.email, 'Received: First');
  assert.equal(requesterMail.headers['list-unsubscribe'], undefined, 'a direct reply names no list');
  const token = url.pathname.split('/').pop()!;

  const page = await api(app, 'GET', url.pathname, { host, headers: { accept: 'text/html' } });
  assert.equal(page.status, 200);
  assert.match(page.text, /<form method="post"/);
  assert.match(page.text, /<button type="submit">Unsubscribe<\/button>/);
  assert.deepEqual(await suppressions(), [], 'GET never unsubscribes');

  const [payload, signature] = token.split('.');
  const forged = Buffer.from(`${acct.id}:ticket_notifications:${customer.email}`).toString('base64url');
  for (const bad of [`${forged}.${signature}`, `${payload}.${'A'.repeat(32)}`, 'garbage', `${payload}.`]) {
    assert.equal((await form(bad)).status, 404, bad);
    assert.equal((await api(app, 'GET', `/email/unsubscribe/${bad}`, { host })).status, 404);
  }
  const other = await app.createAccount();
  assert.equal(
    (await form(token, undefined, `${other.subdomain}.haven.test`)).status,
    404,
    'a foreign token',
  );
  assert.deepEqual(await suppressions(), []);

  const done = await form(token);
  assert.equal(done.status, 200, done.text);
  assert.match(done.text, /You are unsubscribed/);
  assert.equal((await form(token)).status, 200, 'twice is fine');
  assert.deepEqual(await suppressions(), [
    { email: agent.email, category: 'ticket_notifications', reason: 'unsubscribe' },
  ]);

  // Later notifications on that list are suppressed at send time; the requester's reply still goes out.
  const ticketId = await openTicket('Second');
  await mailTo(customer.email, 'Received: Second');
  const deadline = Date.now() + 20_000;
  let log = await deliveries(ticketId);
  while (!log.some((d) => d.to.includes(agent.email) && d.status === 'suppressed')) {
    if (Date.now() > deadline) throw new Error(`not suppressed: ${JSON.stringify(log)}`);
    await new Promise((r) => setTimeout(r, 50));
    log = await deliveries(ticketId);
  }
  assert.ok(!smtp.messages.some((m) => m.to.includes(agent.email) && m.headers.subject?.includes('Second')));
});

test('mail to the requester about their own ticket is never suppressed', async () => {
  await app.runtime.services.database.db
    .insertInto('email_suppressions')
    .values({
      account_id: acct.id,
      email: customer.email,
      category: 'ticket_notifications',
      reason: 'unsubscribe',
    })
    .execute();
  await openTicket('Third');
  await mailTo(customer.email, 'Received: Third');
});
