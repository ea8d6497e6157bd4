import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { type SmtpCapture, startSmtpCapture } from '../../server/platform/mail/smtp-capture.ts';
import { basicToken } from '../support/processes.ts';
import {
  ADMIN_PASSWORD,
  hasChromium,
  requireChromium,
  shoot,
  startWorkspace,
  type Workspace,
  watchConsole,
} from './support.ts';

/**
 * Business rules set up in the browser by an admin, then seen at work: a webhook pointing at a local receiver
 * (the app may reach loopback because the test allows private egress), a trigger "priority high when tags
 * include vip, email the requester, call the webhook", an SLA policy, a business-hours schedule with a
 * holiday. A ticket created in the workspace gets priority High, its history names the trigger, the requester
 * gets the email over real SMTP, the receiver gets a signed JSON body and the webhook's delivery log shows it;
 * an SLA badge counts down on a new ticket and turns red once the target passes.
 */
interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let ws: Workspace | null = null;
let admin: { context: BrowserContext; page: Page } | null = null;
let problems: string[] = [];
let smtp: SmtpCapture | null = null;
let receiver: http.Server | null = null;
let receiverUrl = '';
const received: Received[] = [];

before(async () => {
  if (!hasChromium) return;
  smtp = await startSmtpCapture();
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      // `/gone` stands for a receiver that was switched off: every request fails without a retry.
      const gone = req.url === '/gone';
      res.writeHead(gone ? 410 : 200, { 'content-type': 'application/json' });
      res.end(gone ? '{"error":"gone"}' : '{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/haven/events`;
  // The spawned server inherits these: mail goes to the capture, webhooks may reach 127.0.0.1.
  process.env.HAVEN_SMTP_URL = smtp.url;
  process.env.HAVEN_MAIL_FROM = 'Rules Support <support@rules.example>';
  process.env.HAVEN_ALLOW_PRIVATE_EGRESS = 'true';
  process.env.HAVEN_WEBHOOK_RETRY_BASE_MS = '200';
  process.env.HAVEN_WEBHOOK_FAILURE_LIMIT = '2';
  ws = await startWorkspace('rules');
  admin = await ws.signedIn(ws.adminEmail, ADMIN_PASSWORD);
  // Chromium logs the 422s the trigger form provokes on purpose as failed loads; nothing else may show up.
  problems = watchConsole(admin.page, [/status of 422 .*\/api\/v2\/triggers\)$/]);
});

after(async () => {
  await ws?.stop();
  await smtp?.close();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(null)));
});

async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function open(page: Page, section: string, heading: string) {
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: section }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

test('business rules in the admin settings and on tickets', { timeout: 240_000 }, async (t) => {
  if (!requireChromium(t)) return;
  const w = ws!;
  const { page } = admin!;
  let webhookId = '';
  let signingSecret = '';

  await t.test('the settings list the rule sections, with the default triggers and automations', async () => {
    await page.goto(`${w.baseUrl}/agent/admin/triggers`);
    await page.getByRole('heading', { level: 1, name: 'Triggers' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Settings' });
    for (const name of [
      'Triggers',
      'Automations',
      'SLA policies',
      'Business hours',
      'Webhooks',
      'Satisfaction',
    ]) {
      assert.ok(await nav.getByRole('link', { name }).isVisible(), `${name} is listed`);
    }
    const { triggers } = await w.api('GET', '/api/v2/triggers');
    assert.ok(triggers.length >= 4, 'the account has its default triggers');
    for (const trigger of triggers) await page.getByText(trigger.title, { exact: true }).first().waitFor();
    await shoot(page, 'rules-triggers');

    await open(page, 'Automations', 'Automations');
    const { automations } = await w.api('GET', '/api/v2/automations');
    for (const automation of automations)
      await page.getByText(automation.title, { exact: true }).first().waitFor();
    await page.getByRole('button', { name: 'Run automations now' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Checked \d+ tickets/ })
      .waitFor();

    // A time-based rule that nullifies itself: solved four days → closed.
    await page.getByRole('button', { name: 'Add automation' }).click();
    await page.getByRole('heading', { level: 1, name: 'New automation' }).waitFor();
    await page.getByLabel('Title').fill('Close four days after solved');
    await page.getByLabel('All-condition 1: field').selectOption({ label: 'Hours since solved' });
    await page.getByLabel('All-condition 1: operator').selectOption({ label: 'Greater than' });
    await page.getByLabel('All-condition 1: value').fill('96');
    await page.getByRole('button', { name: 'Add condition', exact: true }).click();
    await page.getByLabel('All-condition 2: field').selectOption({ label: 'Status' });
    await page.getByLabel('All-condition 2: operator').selectOption({ label: 'Is' });
    await page.getByLabel('All-condition 2: value').selectOption({ label: 'Solved' });
    await page.getByLabel('Action 1', { exact: true }).selectOption({ label: 'Status' });
    await page.getByLabel('Action 1: value').selectOption({ label: 'Closed' });
    await page.getByRole('button', { name: 'Create automation' }).click();
    await page.getByRole('heading', { level: 1, name: 'Automations' }).waitFor();
    await page.getByText('Close four days after solved', { exact: true }).waitFor();
    const created = (await w.api('GET', '/api/v2/automations')).automations.find(
      (a: any) => a.title === 'Close four days after solved',
    );
    assert.deepEqual(created.conditions.all, [
      { field: 'hours_since_solved', operator: 'greater_than', value: 96 },
      { field: 'status', operator: 'is', value: 'solved' },
    ]);
    assert.deepEqual(created.actions, [{ field: 'status', value: 'closed' }]);
    await shoot(page, 'rules-automations');
  });

  await t.test('an admin adds a webhook; its signing secret is shown once to copy', async () => {
    await open(page, 'Webhooks', 'Webhooks');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByRole('heading', { level: 1, name: 'New webhook' }).waitFor();
    await page.getByLabel('Name').fill('Order sync');
    await page.getByLabel('Description').fill('Tells the shop about VIP tickets');
    await page.getByLabel('Endpoint URL').fill(receiverUrl);
    await page.getByLabel('Type').selectOption({ label: 'Bearer token' });
    await page.getByLabel('Token').fill('shop-token-123');
    await page.getByRole('button', { name: 'Send a test request' }).click();
    await page.getByText('The endpoint answered 200.').waitFor();
    assert.equal(received.length, 1, 'the test request reached the receiver');
    assert.equal(received[0]!.headers.authorization, 'Bearer shop-token-123');
    await shoot(page, 'rules-webhook-form');
    await page.getByRole('button', { name: 'Create webhook' }).click();

    const dialog = page.getByRole('dialog', { name: 'Webhook created' });
    const secretBox = dialog.getByRole('textbox', { name: /Signing secret/ });
    await secretBox.waitFor();
    await eventually('the secret is shown', async () => (await secretBox.inputValue()).length > 0);
    signingSecret = await secretBox.inputValue();
    await shoot(page, 'rules-webhook-secret');
    await dialog.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await page.getByText('Order sync', { exact: true }).waitFor();

    const { webhooks } = await w.api('GET', '/api/v2/webhooks');
    assert.equal(webhooks.length, 1);
    const [hook] = webhooks;
    assert.equal(hook.endpoint, receiverUrl);
    assert.equal(hook.status, 'active');
    assert.equal(hook.authentication.type, 'bearer_token');
    assert.equal(JSON.stringify(hook).includes('shop-token-123'), false, 'the token is never returned');
    webhookId = hook.id;
    const { signing_secret } = await w.api('GET', `/api/v2/webhooks/${webhookId}/signing_secret`);
    assert.equal(signing_secret.secret, signingSecret);
  });

  await t.test(
    'an admin creates a trigger: priority high for vip tags, email the requester, call the webhook',
    async () => {
      await open(page, 'Triggers', 'Triggers');
      await page.getByRole('button', { name: 'Add trigger' }).click();
      await page.getByRole('heading', { level: 1, name: 'New trigger' }).waitFor();
      // Saved too early: the API's words appear beside the title, then on the condition row it means.
      await page.getByRole('button', { name: 'Create trigger' }).click();
      const title = page.getByLabel('Title');
      await eventually(
        'the title is marked',
        async () => (await title.getAttribute('aria-invalid')) === 'true',
      );
      await page.getByText('Cannot be blank').waitFor();
      await title.fill('VIP priority');
      // A new trigger starts with "Ticket is Create".
      assert.equal(await page.getByLabel('All-condition 1: field').inputValue(), 'update_type');
      assert.equal(await page.getByLabel('All-condition 1: value').inputValue(), 'Create');
      await page.getByRole('button', { name: 'Add condition' }).click();
      await page.getByLabel('All-condition 2: field').selectOption({ label: 'Tags' });
      assert.equal(await page.getByLabel('All-condition 2: operator').inputValue(), 'includes');
      await page.getByRole('button', { name: 'Create trigger' }).click();
      const tagValue = page.getByLabel('All-condition 2: value');
      await eventually(
        'the empty tag row is marked',
        async () => (await tagValue.getAttribute('aria-invalid')) === 'true',
      );
      const rowError = page.locator(`[id="${await tagValue.getAttribute('aria-describedby')}"]`);
      assert.ok(((await rowError.textContent()) ?? '').length > 0, 'the row says what is wrong');
      await shoot(page, 'rules-trigger-error');
      await tagValue.fill('vip');

      await page.getByLabel('Action 1', { exact: true }).selectOption({ label: 'Priority' });
      await page.getByLabel('Action 1: value').selectOption({ label: 'High' });
      await page.getByRole('button', { name: 'Add action' }).click();
      await page.getByLabel('Action 2', { exact: true }).selectOption({ label: 'Email user' });
      await page.getByLabel('Action 2: recipient').selectOption({ label: '(requester)' });
      await page.getByLabel('Action 2: email subject').fill('We are on it: {{ticket.title}}');
      await page
        .getByLabel('Action 2: email body')
        .fill('Hello {{ticket.requester.first_name}}, a specialist has your request.');
      await page.getByRole('button', { name: 'Add action' }).click();
      await page.getByLabel('Action 3', { exact: true }).selectOption({ label: 'Notify active webhook' });
      await page.getByLabel('Action 3: webhook').selectOption({ label: 'Order sync' });
      const body = page.getByLabel('Action 3: JSON body');
      assert.match(await body.inputValue(), /\{\{ticket\.id\}\}/);
      await shoot(page, 'rules-trigger-form');
      await page.getByRole('button', { name: 'Create trigger' }).click();
      await page.getByRole('heading', { level: 1, name: 'Triggers' }).waitFor();
      await page.getByText('VIP priority', { exact: true }).waitFor();

      const { triggers } = await w.api('GET', '/api/v2/triggers');
      const vip = triggers.find((x: any) => x.title === 'VIP priority');
      assert.ok(vip, 'the trigger exists');
      assert.equal(vip.active, true);
      assert.deepEqual(vip.conditions.all, [
        { field: 'update_type', operator: 'is', value: 'Create' },
        { field: 'current_tags', operator: 'includes', value: 'vip' },
      ]);
      assert.deepEqual(vip.actions[0], { field: 'priority', value: 'high' });
      assert.equal(vip.actions[1].field, 'notification_user');
      assert.equal(vip.actions[1].value[0], 'requester_id');
      assert.equal(vip.actions[2].field, 'notification_webhook');
      assert.equal(vip.actions[2].value[0], webhookId);
      // It runs last; moving it up one place reorders the list through the API.
      assert.equal(vip.position, Math.max(...triggers.map((x: any) => x.position)));
      await page.getByRole('button', { name: 'Move VIP priority up' }).click();
      await page.getByRole('status').filter({ hasText: 'VIP priority moved to position' }).waitFor();
      await eventually('the new order is stored', async () => {
        const after = (await w.api('GET', '/api/v2/triggers')).triggers as any[];
        const order = [...after].sort((a, b) => a.position - b.position).map((x) => x.title);
        return order.indexOf('VIP priority') === order.length - 2;
      });
    },
  );

  await t.test('an admin sets business hours with a holiday', async () => {
    await open(page, 'Business hours', 'Business hours');
    await page.getByRole('button', { name: 'Add schedule' }).click();
    await page.getByRole('heading', { level: 1, name: 'New schedule' }).waitFor();
    await page.getByLabel('Name').fill('Berlin office');
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await page.getByLabel('Saturday', { exact: true }).check();
    await page.getByLabel('Saturday, period 1: opens').fill('10:00');
    await page.getByLabel('Saturday, period 1: closes').fill('14:00');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    // A new schedule stays open for its holidays.
    await page.getByRole('heading', { level: 2, name: 'Holidays' }).waitFor();
    await page.getByLabel('Holiday', { exact: true }).fill('Christmas Day');
    await page.getByLabel('First day').fill('2030-12-25');
    await page.getByRole('button', { name: 'Add holiday' }).click();
    await page.getByRole('cell', { name: 'Christmas Day', exact: true }).waitFor();
    await shoot(page, 'rules-business-hours');
    const { schedules } = await w.api('GET', '/api/v2/business_hours/schedules');
    assert.equal(schedules.length, 1);
    const [schedule] = schedules;
    assert.equal(schedule.time_zone, 'Europe/Berlin');
    const day = 1440;
    assert.deepEqual(
      schedule.intervals.map((i: any) => [i.start_time, i.end_time]),
      [...[1, 2, 3, 4, 5].map((d) => [d * day + 540, d * day + 1020]), [6 * day + 600, 6 * day + 840]],
    );
    const { holidays } = await w.api('GET', `/api/v2/business_hours/schedules/${schedule.id}/holidays`);
    assert.deepEqual(
      holidays.map((h: any) => [h.name, h.start_date, h.end_date]),
      [['Christmas Day', '2030-12-25', '2030-12-25']],
    );
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('cell', { name: /Mon–Fri 09:00–17:00; Sat 10:00–14:00/ }).waitFor();
  });

  await t.test('an admin creates an SLA policy for high priority tickets', async () => {
    await open(page, 'SLA policies', 'SLA policies');
    await page.getByRole('button', { name: 'Add policy' }).click();
    await page.getByRole('heading', { level: 1, name: 'New SLA policy' }).waitFor();
    await page.getByLabel('Title').fill('High priority');
    await page.getByRole('button', { name: 'Add condition', exact: true }).click();
    await page.getByLabel('All-condition 1: field').selectOption({ label: 'Priority' });
    await page.getByLabel('All-condition 1: operator').selectOption({ label: 'Is' });
    await page.getByLabel('All-condition 1: value').selectOption({ label: 'High' });
    await page.getByLabel('First reply time, High: hours').fill('0');
    await page.getByLabel('First reply time, High: minutes').fill('30');
    await page.getByLabel('Requester wait time, High: hours').fill('8');
    // With a schedule in place targets count business hours unless set otherwise.
    const hoursOf = page.getByLabel('First reply time: hours of');
    assert.equal(await hoursOf.inputValue(), 'business');
    await hoursOf.selectOption({ label: 'Calendar hours' });
    await shoot(page, 'rules-sla-form');
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('heading', { level: 1, name: 'SLA policies' }).waitFor();
    await page.getByText('High priority', { exact: true }).waitFor();
    const { sla_policies } = await w.api('GET', '/api/v2/sla_policies');
    assert.equal(sla_policies.length, 1);
    const [policy] = sla_policies;
    assert.deepEqual(policy.filter.all, [{ field: 'priority', operator: 'is', value: 'high' }]);
    const metrics = [...policy.policy_metrics].sort((a: any, b: any) => a.metric.localeCompare(b.metric));
    assert.deepEqual(
      metrics.map((m: any) => [m.priority, m.metric, m.target, m.business_hours]),
      [
        ['high', 'first_reply_time', 30, false],
        ['high', 'requester_wait_time', 480, true],
      ],
    );
    await shoot(page, 'rules-sla');
  });

  let vipTicketId = 0;
  await t.test(
    'a ticket tagged vip gets priority High, its history names the trigger, the requester gets mail',
    async () => {
      const mailsBefore = smtp!.messages.length;
      const callsBefore = received.length;
      await page.getByRole('link', { name: 'New ticket' }).first().click();
      await page.waitForURL('**/agent/tickets/new');
      await page.getByRole('button', { name: 'New person' }).click();
      await page.getByLabel('Name').fill('Vera Important');
      await page.getByLabel('Email').fill('vera@customer.example');
      await page.getByLabel('Subject *').fill('Order 1042 is missing a part');
      await page.getByLabel('Description *').fill('The box came without the power supply.');
      await page.getByLabel('Tags').fill('vip');
      await page.getByRole('button', { name: 'Create ticket' }).click();
      await page.waitForURL(/\/agent\/tickets\/\d+$/);
      vipTicketId = Number(new URL(page.url()).pathname.split('/').pop());

      const priority = page.getByLabel('Priority', { exact: true });
      await eventually('the priority shows High', async () => (await priority.inputValue()) === 'high');
      const { ticket } = await w.api('GET', `/api/v2/tickets/${vipTicketId}`);
      assert.equal(ticket.priority, 'high');

      await page.getByRole('tab', { name: 'History' }).click();
      await page.getByText(/Priority: (.* → )?High \(by trigger “VIP priority”\)/).waitFor();
      await page
        .getByText(/Email sent to Vera Important: “We are on it: .*” \(by trigger “VIP priority”\)/)
        .waitFor();
      await shoot(page, 'rules-ticket-history');

      await eventually('the requester got the trigger’s email', () =>
        smtp!.messages
          .slice(mailsBefore)
          .some(
            (m) =>
              m.to.includes('vera@customer.example') &&
              /We are on it: Order 1042/.test(m.headers.subject ?? ''),
          ),
      );
      const mail = smtp!.messages
        .slice(mailsBefore)
        .find((m) => /We are on it/.test(m.headers.subject ?? ''))!;
      assert.match(mail.text, /Hello Vera, a specialist has your request\./);

      await eventually('the webhook was called', () => received.length > callsBefore, 20_000);
      const call = received[received.length - 1]!;
      assert.equal(call.method, 'POST');
      assert.equal(call.headers.authorization, 'Bearer shop-token-123');
      const timestamp = String(call.headers['x-zendesk-webhook-signature-timestamp']);
      const expected = createHmac('sha256', signingSecret)
        .update(timestamp + call.body)
        .digest('base64');
      assert.equal(
        call.headers['x-zendesk-webhook-signature'],
        expected,
        'signed with the secret shown once',
      );
      assert.equal(JSON.parse(call.body).ticket.id, String(vipTicketId));
    },
  );

  await t.test('the webhook’s delivery log shows the call and its attempt', async () => {
    await page.goto(`${w.baseUrl}/agent/admin/webhooks`);
    await page.getByRole('button', { name: 'Delivery log of Order sync' }).click();
    await page.getByRole('heading', { level: 1, name: 'Delivery log: Order sync' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: `ticket #${vipTicketId}` });
    await row.waitFor();
    await row.getByText('Delivered').waitFor();
    await row.getByText('200', { exact: true }).waitFor();
    assert.match((await row.textContent()) ?? '', /trigger “VIP priority”/);
    await row.getByRole('button', { name: /Attempts of the request/ }).click();
    await page
      .locator('.admin-attempts li')
      .filter({ hasText: 'Attempt 1' })
      .filter({ hasText: '200' })
      .waitFor();
    await shoot(page, 'rules-webhook-log');
  });

  await t.test(
    'a webhook that keeps failing turns inactive with its reason; the admin reactivates it',
    async () => {
      const legacy = (
        await w.api('POST', '/api/v2/webhooks', {
          webhook: {
            name: 'Legacy CRM',
            endpoint: receiverUrl.replace('/haven/events', '/gone'),
            http_method: 'POST',
            request_format: 'json',
            subscriptions: ['conditional_ticket_events'],
          },
        })
      ).webhook;
      await w.api('POST', '/api/v2/triggers', {
        trigger: {
          title: 'Tell the legacy CRM',
          conditions: {
            all: [
              { field: 'update_type', operator: 'is', value: 'Change' },
              { field: 'current_tags', operator: 'includes', value: 'legacy' },
            ],
          },
          actions: [{ field: 'notification_webhook', value: [legacy.id, '{"ticket": "{{ticket.id}}"}'] }],
        },
      });
      const { ticket } = await w.api('POST', '/api/v2/tickets', {
        ticket: {
          subject: 'Imported from the old system',
          comment: { body: 'Moved over.' },
          tags: ['legacy'],
        },
      });
      for (const body of ['First look.', 'Second look.'])
        await w.api('PUT', `/api/v2/tickets/${ticket.id}`, { ticket: { comment: { body, public: false } } });
      let reason = '';
      await eventually(
        'the webhook is made inactive',
        async () => {
          const { webhook } = await w.api('GET', `/api/v2/webhooks/${legacy.id}`);
          reason = webhook.deactivation_reason ?? '';
          return webhook.status === 'inactive';
        },
        30_000,
      );
      assert.ok(reason, 'the API says why');

      await page.goto(`${w.baseUrl}/agent/admin/webhooks`);
      const row = page.getByRole('row').filter({ hasText: 'Legacy CRM' });
      await row.getByText('Inactive', { exact: true }).waitFor();
      await row.getByText(reason).waitFor();
      await shoot(page, 'rules-webhook-inactive');
      await row.getByRole('button', { name: 'Delivery log of Legacy CRM' }).click();
      await page.getByText(`Inactive: ${reason}`).waitFor();
      const failed = page.getByRole('row').filter({ hasText: 'Failed' });
      await eventually('both failed requests are listed', async () => (await failed.count()) === 2);
      await failed.first().getByText('410', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Back to the list' }).click();
      await row.getByRole('button', { name: 'Reactivate Legacy CRM' }).click();
      await page.getByRole('status').filter({ hasText: 'Legacy CRM is active again.' }).waitFor();
      await row.getByText('Active', { exact: true }).waitFor();
      const { webhook } = await w.api('GET', `/api/v2/webhooks/${legacy.id}`);
      assert.equal(webhook.status, 'active');
    },
  );

  let samTicketId = 0;
  await t.test('a new high priority ticket shows its SLA badge, red once the target passes', async () => {
    const customer = (
      await w.api('POST', '/api/v2/users', { user: { name: 'Sam Shopper', email: 'sam@customer.example' } })
    ).user;
    const { ticket } = await w.api('POST', '/api/v2/tickets', {
      ticket: {
        subject: 'Where is my refund?',
        requester_id: customer.id,
        comment: { body: 'I returned the item two weeks ago.', author_id: customer.id },
        tags: ['vip'],
      },
    });
    samTicketId = ticket.id;
    const shown = await w.api('GET', `/api/v2/tickets/${ticket.id}?include=slas`);
    assert.equal(shown.ticket.priority, 'high');
    const first = shown.ticket.slas.policy_metrics.find((m: any) => m.metric === 'first_reply_time');
    assert.ok(first, 'the first reply target runs');

    // A context of its own: only its clock is moved.
    const { context, page: timed } = await w.signedIn(w.adminEmail);
    const timedProblems = watchConsole(timed);
    await timed.clock.install();
    await timed.goto(`${w.baseUrl}/agent/tickets/${ticket.id}`);
    const badge = timed.locator('.sla-badge');
    await badge.waitFor();
    assert.match((await badge.textContent()) ?? '', /^Reply due in (30|29) min$/);
    assert.equal(await badge.evaluate((el) => el.classList.contains('sla-breached')), false);
    await shoot(timed, 'rules-sla-badge');

    // The browser's clock moves on 45 minutes; the badge follows without a reload.
    await timed.clock.fastForward('45:00');
    await eventually('the badge says overdue', async () =>
      /^Reply overdue 1[56] min$/.test((await badge.textContent()) ?? ''),
    );
    assert.equal(await badge.evaluate((el) => el.classList.contains('sla-breached')), true);
    await shoot(timed, 'rules-sla-overdue');
    assert.deepEqual(timedProblems, []);
    await context.close();
  });

  await t.test(
    'a rating the requester gives shows on the ticket and in the satisfaction section',
    async () => {
      await w.api('POST', '/api/v2/triggers', {
        trigger: {
          title: 'Ask for a rating when solved',
          conditions: { all: [{ field: 'status', operator: 'value', value: 'solved' }] },
          actions: [{ field: 'satisfaction_score', value: 'offered_to_requester' }],
        },
      });
      await w.api('PUT', `/api/v2/tickets/${samTicketId}`, {
        ticket: { status: 'solved', comment: { body: 'Your refund is on its way.' } },
      });
      const { reasons } = await w.api('GET', '/api/v2/satisfaction_reasons');
      const reason = reasons.find((r: any) => r.reason_code !== 0) ?? reasons[0];
      await w.api(
        'POST',
        `/api/v2/tickets/${samTicketId}/satisfaction_rating`,
        {
          satisfaction_rating: {
            score: 'bad',
            comment: 'It took two weeks.',
            reason_code: reason.reason_code,
          },
        },
        basicToken('sam@customer.example', w.setup.api_token),
      );

      await page.goto(`${w.baseUrl}/agent/admin/satisfaction`);
      await page.getByRole('heading', { level: 1, name: 'Customer satisfaction' }).waitFor();
      const row = page.getByRole('row').filter({ hasText: `#${samTicketId}` });
      await row.waitFor();
      const text = (await row.textContent()) ?? '';
      assert.match(text, /Bad/);
      assert.match(text, /It took two weeks\./);
      assert.match(text, /Sam Shopper/);
      assert.ok(text.includes(reason.value), 'the reason is shown');
      await page.getByText('0% good (0 good, 1 bad) among these ratings.').waitFor();
      await shoot(page, 'rules-satisfaction');

      await row.getByRole('link', { name: `#${samTicketId}` }).click();
      await page.waitForURL(`**/agent/tickets/${samTicketId}`);
      const csat = page.locator('.csat-summary');
      await csat.getByText('Bad', { exact: true }).waitFor();
      await csat.getByText('It took two weeks.').waitFor();
      await page.getByRole('tab', { name: 'History' }).click();
      await page.getByText('Satisfaction rating: Bad, “It took two weeks.”').waitFor();
      await shoot(page, 'rules-ticket-rating');
    },
  );

  assert.deepEqual(problems, []);
});
