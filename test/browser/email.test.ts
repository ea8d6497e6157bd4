import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Page } from 'playwright-core';
import {
  type CapturedMail,
  type SmtpCapture,
  startSmtpCapture,
} from '../../server/platform/mail/smtp-capture.ts';
import { freePort } from '../support/processes.ts';
import { requireChromium, shoot, startWorkspace, type Workspace, watchConsole } from './support.ts';

/**
 * The email channel end to end, as a customer and an agent live it: a real `haven serve` with its own SMTP
 * server on a free loopback port and HAVEN_SMTP_URL pointing at a capturing SMTP server. The customer writes
 * with a real SMTP client and gets the "request received" mail; the agent answers in the workspace in Chromium;
 * the answer threads on the customer's message and names the ticket in its Reply-To; the customer's reply —
 * with the quoted history below it, as mail clients write it — lands on the same ticket without that history.
 * Then an admin opens the email settings screens (screenshots in test-artifacts/) and adds a support address.
 */
let ws: Workspace | null = null;
let capture: SmtpCapture | null = null;
let page: Page;
let problems: string[] = [];
let smtpPort = 0;
let supportAddress = '';

const CUSTOMER = { name: 'Cora Customer', email: 'cora@customer.example' };
const SUBJECT = 'The kettle will not boil';
const ORIGINAL_ID = '<first-message.4711@customer.example>';
const FIRST_BODY = 'Hello, my new kettle switches itself off before the water boils.';
const AGENT_REPLY = 'Sorry about that. Please descale it with vinegar and try again.';
const CUSTOMER_REPLY = 'That did it, the kettle boils again. Thank you!';
const QUOTED = 'Please descale it with vinegar';

async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>, ms = 30_000) {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) assert.fail(`${what} did not happen (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The first captured mail to `address` that `match` accepts, parsed; waits for it to arrive. */
async function mailTo(address: string, match: (mail: ParsedMail) => boolean, what: string) {
  return eventually(what, async () => {
    for (const m of capture!.messages as CapturedMail[]) {
      if (!m.to.includes(address)) continue;
      const parsed = await simpleParser(m.raw);
      if (match(parsed)) return parsed;
    }
    return null;
  });
}

/** Sends a mail to Haven's own SMTP server, as the customer's mail server would. */
async function sendAsCustomer(mail: SendMailOptions) {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
    tls: { rejectUnauthorized: false },
  });
  try {
    const info = await transport.sendMail({ from: `"${CUSTOMER.name}" <${CUSTOMER.email}>`, ...mail });
    assert.deepEqual(info.rejected, [], 'Haven accepted the mail');
    return info;
  } finally {
    transport.close();
  }
}

const ids = (header: string | string[] | undefined): string[] =>
  (Array.isArray(header) ? header.join(' ') : (header ?? '')).match(/<[^>]+>/g) ?? [];

function editor(p: Page) {
  return p.getByRole('textbox', { name: 'Public reply to the requester' });
}

function commentBy(p: Page, name: string) {
  return p.getByRole('article', { name: `Reply by ${name}` });
}

before(async () => {
  if (!requireChromium({ skip: () => {} })) return;
  capture = await startSmtpCapture();
  smtpPort = await freePort();
  ws = await startWorkspace('mailflow', {
    HAVEN_SMTP_URL: capture.url,
    HAVEN_SMTP_PORT: String(smtpPort),
    HAVEN_SMTP_HOST: '127.0.0.1',
  });
  const settings = await ws.api('GET', '/api/v2/email/settings');
  supportAddress = settings.email_settings.inbound.system_address;
  assert.match(supportAddress, /^support@mailflow\./);
  page = (await ws.signedIn(ws.adminEmail)).page;
  // Chromium logs every non-2xx fetch: the templates test provokes 422s on purpose.
  problems = watchConsole(page, [/status of 422 .*\/api\/v2\/email\/(settings|templates\/preview)\)$/]);
});

after(async () => {
  await ws?.stop();
  await capture?.close();
});

let ticketId = 0;
let agentMail: ParsedMail;
/** The Message-ID of Haven's "request received" mail. */
let receivedId = '';

test('a customer emails the support address and gets the "request received" mail', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return;
  await sendAsCustomer({ to: supportAddress, subject: SUBJECT, text: FIRST_BODY, messageId: ORIGINAL_ID });
  // Stored at once, then turned into a ticket by a job: the inbound log shows both steps.
  const logged = await eventually('the mail is processed', async () => {
    const entry = (await ws!.api('GET', '/api/v2/email/inbound')).inbound_emails[0];
    if (!entry || entry.status === 'received') throw new Error(JSON.stringify(entry));
    return entry;
  });
  assert.equal(logged.status, 'processed', JSON.stringify(logged));
  const received = await mailTo(
    CUSTOMER.email,
    (m) => /Request received/.test(m.subject ?? ''),
    'the "request received" notification',
  );
  assert.match(received.subject!, new RegExp(SUBJECT));
  // It threads on the customer's own message.
  assert.ok(ids(received.inReplyTo).includes(ORIGINAL_ID), `In-Reply-To: ${received.inReplyTo}`);
  assert.ok(received.messageId, 'the notification has a Message-ID');
  receivedId = received.messageId;
  const tickets = (await ws!.api('GET', '/api/v2/tickets?sort_order=desc')).tickets as {
    id: number;
    subject: string;
    via: { channel: string };
  }[];
  const ticket = tickets.find((tk) => tk.subject === SUBJECT);
  assert.ok(ticket, 'the mail opened a ticket');
  assert.equal(ticket.via.channel, 'email');
  ticketId = ticket.id;
});

test('the agent answers in the workspace; the reply threads on the customer’s message', {
  timeout: 90_000,
}, async (t) => {
  if (!requireChromium(t)) return;
  assert.ok(ticketId, 'the first step opened a ticket');
  await page.goto(`${ws!.baseUrl}/agent/tickets/${ticketId}`);
  await page.getByRole('heading', { name: SUBJECT, level: 1 }).waitFor();
  const first = commentBy(page, CUSTOMER.name);
  await first.getByText(FIRST_BODY).waitFor();
  // A comment that came by mail links to its original message.
  const original = first.getByRole('link', { name: 'via email' });
  const href = await original.getAttribute('href');
  assert.match(href!, new RegExp(`/api/v2/tickets/${ticketId}/comments/\\d+/original_email$`));
  const raw = await page.evaluate((url) => fetch(url).then(async (r) => [r.status, await r.text()]), href!);
  assert.equal(raw[0], 200, 'the original message can be opened');
  assert.match(String(raw[1]), /switches itself off/);
  await shoot(page, 'email-1-ticket-from-mail');

  await editor(page).click();
  await page.keyboard.type(AGENT_REPLY);
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await commentBy(page, 'Ada Admin').getByText(AGENT_REPLY).waitFor();

  agentMail = await mailTo(
    CUSTOMER.email,
    (m) => (m.text ?? '').includes(AGENT_REPLY),
    'the agent’s reply mail',
  );
  // One thread in the customer's mail client: the reply answers a message of the thread (the customer's or
  // the confirmation that answered it) and its References go back to the customer's first message.
  assert.ok(
    ids(agentMail.inReplyTo).some((id) => id === ORIGINAL_ID || id === receivedId),
    `In-Reply-To: ${agentMail.inReplyTo}`,
  );
  assert.ok(ids(agentMail.references).includes(ORIGINAL_ID), `References: ${agentMail.references}`);
  assert.ok(ids(agentMail.references).includes(receivedId), `References: ${agentMail.references}`);
  assert.ok(agentMail.messageId, 'the reply has a Message-ID');
  // Reply-To names the ticket with a token (support+…@), so a reply finds it even without the headers.
  const replyTo = agentMail.replyTo?.value[0]?.address ?? '';
  const [local, domain] = supportAddress.split('@');
  assert.match(replyTo, new RegExp(`^${local}\\+[^@]+@${domain!.replaceAll('.', '\\.')}$`));
});

test('the customer’s reply lands on the same ticket without the quoted history', {
  timeout: 90_000,
}, async (t) => {
  if (!requireChromium(t)) return;
  assert.ok(agentMail, 'the agent’s reply arrived');
  const quoted = (agentMail.text ?? '')
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  await sendAsCustomer({
    to: agentMail.replyTo!.value[0]!.address!,
    subject: `Re: ${agentMail.subject}`,
    inReplyTo: agentMail.messageId!,
    references: [ORIGINAL_ID, agentMail.messageId!],
    text: `${CUSTOMER_REPLY}\n\nOn Sat, 5 Dec 2026 at 20:00, Support <${supportAddress}> wrote:\n${quoted}\n`,
  });
  const reply = commentBy(page, CUSTOMER.name).filter({ hasText: CUSTOMER_REPLY });
  await reply.waitFor({ timeout: 30_000 });
  assert.doesNotMatch((await reply.textContent()) ?? '', new RegExp(QUOTED), 'no quoted history');
  assert.doesNotMatch((await reply.textContent()) ?? '', /wrote:/);
  const comments = (await ws!.api('GET', `/api/v2/tickets/${ticketId}/comments`)).comments as {
    body: string;
    via: { channel: string };
  }[];
  assert.equal(comments.length, 3, 'the reply is on the same ticket');
  assert.match(comments[2]!.body, /kettle boils again/);
  assert.doesNotMatch(comments[2]!.body, new RegExp(QUOTED));
  const tickets = (await ws!.api('GET', '/api/v2/tickets')).tickets as { subject: string }[];
  assert.equal(tickets.filter((tk) => tk.subject.includes(SUBJECT)).length, 1, 'no second ticket');
  await shoot(page, 'email-2-thread-in-workspace');
  // The customer's own reply is not mailed back to them: only the confirmation and the agent's answer went out.
  const deliveries = (await ws!.api('GET', `/api/v2/email/deliveries?ticket_id=${ticketId}`)).deliveries as {
    to: string;
    subject: string;
  }[];
  assert.deepEqual(
    deliveries.filter((d) => d.to.includes(CUSTOMER.email)).map((d) => d.subject),
    [`[mailflow support] Re: ${SUBJECT}`, `[Request received] ${SUBJECT}`],
    'mail sent to the customer, newest first',
  );
});

test('the email settings screens: support addresses, blocked senders and suspended mail, the email log', {
  timeout: 90_000,
}, async (t) => {
  if (!requireChromium(t)) return;
  await page.goto(`${ws!.baseUrl}/agent/admin/email-addresses`);
  await page.getByRole('heading', { name: 'Support addresses', level: 1 }).waitFor();
  const table = page.getByRole('table', { name: 'Support addresses' });
  await table.getByRole('cell', { name: supportAddress }).waitFor();
  // The built-in address cannot be deleted.
  assert.equal(await page.getByRole('button', { name: `Delete ${supportAddress}` }).count(), 0);

  // An admin adds an address; it is listed, not yet verified.
  await page.getByRole('button', { name: 'Add address' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Email address').fill('help@kettles.example');
  await dialog.getByLabel('Name').fill('Kettle Help');
  await dialog.getByRole('button', { name: 'Add address' }).click();
  const row = table.getByRole('row').filter({ hasText: 'help@kettles.example' });
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /Not checked|Waiting for the confirmation mail/);
  const listed = (await ws!.api('GET', '/api/v2/recipient_addresses')).recipient_addresses as {
    email: string;
    forwarding_status: string;
  }[];
  const added = listed.find((a) => a.email === 'help@kettles.example');
  assert.ok(added, 'the address was stored');
  assert.ok(['unknown', 'waiting'].includes(added.forwarding_status), added.forwarding_status);
  await shoot(page, 'email-3-support-addresses');

  // A blocked sender's mail is suspended for review; the admin reads it and recovers it into a ticket.
  await page.goto(`${ws!.baseUrl}/agent/admin/email-outgoing`);
  await page.getByRole('heading', { name: 'Outgoing mail', level: 1 }).waitFor();
  await page.getByText('A mail relay is configured').waitFor();
  await page.getByLabel('Blocked senders').fill('@bulk.example');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  assert.deepEqual((await ws!.api('GET', '/api/v2/email/settings')).email_settings.blocked_senders, [
    '@bulk.example',
  ]);
  await shoot(page, 'email-4-outgoing');
  await sendAsCustomer({
    from: '"Bulk Sender" <offers@bulk.example>',
    to: supportAddress,
    subject: 'Kettle descaler at half price',
    text: 'Our descaler works on every kettle.',
  });
  await page.goto(`${ws!.baseUrl}/agent/admin/email-suspended`);
  await page.getByRole('heading', { name: 'Suspended mail', level: 1 }).waitFor();
  const suspendedRow = page.getByRole('row').filter({ hasText: 'Kettle descaler at half price' });
  await eventually('the blocked sender’s mail is suspended', async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    await suspendedRow.waitFor({ timeout: 1_000 });
    return true;
  });
  assert.match((await suspendedRow.textContent()) ?? '', /offers@bulk\.example/);
  await shoot(page, 'email-5-suspended');
  await page.getByRole('button', { name: 'Read Kettle descaler at half price' }).click();
  const reading = page.getByRole('dialog', { name: 'Kettle descaler at half price' });
  await reading.getByText('Our descaler works on every kettle.').waitFor();
  await reading.getByRole('button', { name: 'Recover' }).click();
  await page.getByText('One message recovered: it is a ticket now.').first().waitFor();
  await page.getByText('No suspended mail.').waitFor();
  const recovered = await eventually('the recovered mail is a ticket', async () => {
    const list = (await ws!.api('GET', '/api/v2/tickets')).tickets as { id: number; subject: string }[];
    return list.find((tk) => tk.subject === 'Kettle descaler at half price');
  });
  assert.ok(recovered.id !== ticketId);

  await page.goto(`${ws!.baseUrl}/agent/admin/email-log`);
  await page.getByRole('heading', { name: 'Email log', level: 1 }).waitFor();
  const sent = page.getByRole('table', { name: 'Sent' });
  await sent.getByRole('row').filter({ hasText: SUBJECT }).first().waitFor();
  await shoot(page, 'email-6-log-sent');
  await page.getByRole('tab', { name: 'Received' }).click();
  await page
    .getByRole('table', { name: 'Received' })
    .getByRole('row')
    .filter({ hasText: SUBJECT })
    .first()
    .waitFor();
  await shoot(page, 'email-7-log-received');

  assert.deepEqual(problems, []);
});

test('templates: a template without {{content}} is refused beside its field; a good one previews and saves', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return;
  await page.goto(`${ws!.baseUrl}/agent/admin/email-templates`);
  await page.getByRole('heading', { name: 'Email templates', level: 1 }).waitFor();
  const frame = page.locator('iframe.email-preview-frame');
  await frame.waitFor();
  // The preview runs sandboxed: no scripts, no same-origin access.
  assert.equal(await frame.getAttribute('sandbox'), '');
  const html = page.getByLabel('HTML template');
  await html.fill('<p>Nothing but a greeting</p>');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('.field-error', { hasText: '{{content}}' }).waitFor();
  assert.equal((await ws!.api('GET', '/api/v2/email/settings')).email_settings.html_template, null);

  await html.fill(
    '<div style="border-top:4px solid {{brand_color}}">{{content}}</div><p>Kettle Co, Harbour Street</p>',
  );
  await eventually('the preview shows the new template', async () => {
    const doc = (await frame.getAttribute('srcdoc')) ?? '';
    return doc.includes('Kettle Co, Harbour Street') && doc.includes('has been received');
  });
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  assert.match(
    (await ws!.api('GET', '/api/v2/email/settings')).email_settings.html_template,
    /Kettle Co, Harbour Street/,
  );
  await shoot(page, 'email-8-templates');
  assert.deepEqual(problems, []);
});
