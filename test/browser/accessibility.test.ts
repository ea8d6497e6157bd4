import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { requireChromium, shoot, startWorkspace, type Workspace, watchConsole } from './support.ts';

/**
 * Every main screen of the agent workspace, in the light and the dark theme, checked by axe-core (WCAG 2.1 A
 * and AA rules: contrast, labels, names, landmarks, ARIA use). Any violation fails, naming the rule and the
 * elements, so a control without a label or a colour pair below 4.5:1 cannot slip in unnoticed.
 */
// Evaluated over the DevTools protocol: the workspace's CSP (rightly) refuses injected <script> tags.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let ws: Workspace | null = null;
const screens: { name: string; path: string; ready: (page: Page) => Promise<unknown> }[] = [];

before(async () => {
  ws = await startWorkspace('a11y');
  // Business rules first, so the ticket below shows an SLA badge and the rule screens have rows.
  await ws.api('POST', '/api/v2/sla_policies', {
    sla_policy: {
      title: 'Urgent and high',
      filter: { all: [{ field: 'priority', operator: 'is', value: 'high' }], any: [] },
      policy_metrics: [
        { priority: 'high', metric: 'requester_wait_time', target: 240, business_hours: false },
      ],
    },
  });
  const webhook = (
    await ws.api('POST', '/api/v2/webhooks', {
      webhook: {
        name: 'Order sync',
        endpoint: 'https://example.com/haven',
        http_method: 'POST',
        request_format: 'json',
        subscriptions: ['conditional_ticket_events'],
      },
    })
  ).webhook;
  const org = (await ws.api('POST', '/api/v2/organizations', { organization: { name: 'Harbour Cafe' } }))
    .organization;
  const customer = (
    await ws.api('POST', '/api/v2/users', {
      user: { name: 'Wren Customer', email: 'wren@harbour.example', organization_id: org.id },
    })
  ).user;
  const ticket = (
    await ws.api('POST', '/api/v2/tickets', {
      ticket: {
        subject: 'Espresso machine leaking',
        comment: { body: 'Water under the machine every morning.' },
        requester_id: customer.id,
        priority: 'high',
        tags: ['hardware'],
        assignee_id: ws.setup.admin.id,
      },
    })
  ).ticket;
  await ws.api('PUT', `/api/v2/tickets/${ticket.id}`, {
    ticket: { comment: { body: 'Checked the seals; ordering a new gasket.', public: false } },
  });
  await ws.api('PUT', `/api/v2/tickets/${ticket.id}`, {
    ticket: { comment: { html_body: '<p>We are sending a technician <strong>tomorrow</strong>.</p>' } },
  });
  // The email screens with rows: a paused mailbox, and a blocked sender's mail suspended for review (posted
  // as raw MIME to the HTTP endpoint with the account's inbound secret).
  await ws.api('POST', '/api/v2/email/imap_connections', {
    imap_connection: {
      name: 'Sales inbox',
      host: 'imap.harbour.example',
      username: 'sales@harbour.example',
      password: 'mailbox-password',
      active: false,
    },
  });
  await ws.api('POST', '/api/v2/recipient_addresses', {
    recipient_address: { email: 'help@harbour.example', name: 'Harbour Help' },
  });
  await ws.api('PUT', '/api/v2/email/settings', { email_settings: { blocked_senders: ['@bulk.example'] } });
  const support = (await ws.api('GET', '/api/v2/email/settings')).email_settings.inbound.system_address;
  const secret = (await ws.api('POST', '/api/v2/email/inbound_secret')).inbound_secret.secret;
  const posted = await fetch(`${ws.baseUrl}/email/inbound`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'message/rfc822' },
    body: [
      'From: Bulk Sender <offers@bulk.example>',
      `To: ${support}`,
      'Subject: Espresso beans at half price',
      'Message-ID: <offer-1@bulk.example>',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Our beans suit every machine.',
      '',
    ].join('\r\n'),
  });
  assert.equal(posted.status, 202, await posted.text());
  for (let i = 0; ; i++) {
    const list = (await ws.api('GET', '/api/v2/suspended_tickets')).suspended_tickets as unknown[];
    if (list.length) break;
    assert.ok(i < 150, 'the blocked sender’s mail was suspended');
    await new Promise((r) => setTimeout(r, 200));
  }
  const views = (await ws.api('GET', '/api/v2/views/active')).views as { id: number }[];
  const heading = (page: Page) => page.locator('main h1').first().waitFor();
  screens.push(
    {
      name: 'views',
      path: `/agent/views/${views[0]!.id}`,
      ready: (p) => p.locator('[data-ticket-link]').first().waitFor(),
    },
    {
      name: 'ticket',
      path: `/agent/tickets/${ticket.id}`,
      ready: (p) => p.locator('[contenteditable="true"]').first().waitFor(),
    },
    { name: 'new-ticket', path: '/agent/tickets/new', ready: heading },
    {
      name: 'search',
      path: '/agent/search?q=espresso',
      ready: (p) =>
        p
          .getByRole('link', { name: /Espresso machine/ })
          .first()
          .waitFor(),
    },
    {
      name: 'customers',
      path: '/agent/customers',
      ready: (p) => p.getByRole('link', { name: 'Wren Customer' }).first().waitFor(),
    },
    { name: 'customer', path: `/agent/users/${customer.id}`, ready: heading },
    { name: 'organization', path: `/agent/organizations/${org.id}`, ready: heading },
    { name: 'admin-team', path: '/agent/admin/team', ready: heading },
    { name: 'admin-fields', path: '/agent/admin/ticket-fields', ready: heading },
    {
      name: 'admin-triggers',
      path: '/agent/admin/triggers',
      ready: (p) => p.locator('.admin-table').waitFor(),
    },
    {
      name: 'admin-trigger-edit',
      path: '/agent/admin/triggers?edit=new',
      ready: (p) => p.getByLabel('All-condition 1: field').waitFor(),
    },
    {
      name: 'admin-automations',
      path: '/agent/admin/automations',
      // The list, or the empty list's sentence.
      ready: (p) => p.locator('.admin-body :is(.admin-table, p.muted)').first().waitFor(),
    },
    { name: 'admin-sla', path: '/agent/admin/sla', ready: (p) => p.locator('.admin-table').waitFor() },
    {
      name: 'admin-sla-edit',
      path: '/agent/admin/sla?edit=new',
      ready: (p) => p.locator('.admin-sla-grid').waitFor(),
    },
    {
      name: 'admin-business-hours-edit',
      path: '/agent/admin/business-hours?edit=new',
      ready: (p) => p.locator('.admin-week').waitFor(),
    },
    {
      name: 'admin-webhooks',
      path: '/agent/admin/webhooks',
      ready: (p) => p.locator('.admin-table').waitFor(),
    },
    {
      name: 'admin-webhook-edit',
      path: `/agent/admin/webhooks?edit=${webhook.id}`,
      ready: (p) => p.getByLabel('Endpoint URL').waitFor(),
    },
    { name: 'admin-webhook-log', path: `/agent/admin/webhooks?log=${webhook.id}`, ready: heading },
    { name: 'admin-satisfaction', path: '/agent/admin/satisfaction', ready: heading },
    {
      name: 'admin-email-addresses',
      path: '/agent/admin/email-addresses',
      ready: (p) => p.locator('.admin-table').waitFor(),
    },
    {
      name: 'admin-email-mailboxes',
      path: '/agent/admin/email-mailboxes',
      ready: (p) => p.locator('.admin-table').waitFor(),
    },
    {
      name: 'admin-email-mailbox-edit',
      path: '/agent/admin/email-mailboxes?edit=new',
      ready: (p) => p.getByLabel('Server').waitFor(),
    },
    {
      name: 'admin-email-outgoing',
      path: '/agent/admin/email-outgoing',
      ready: (p) => p.getByRole('heading', { name: 'Spam and senders' }).waitFor(),
    },
    {
      name: 'admin-email-templates',
      path: '/agent/admin/email-templates',
      ready: (p) => p.locator('.email-preview-frame').waitFor(),
    },
    {
      name: 'admin-email-suspended',
      path: '/agent/admin/email-suspended',
      ready: (p) => p.locator('.admin-table').waitFor(),
    },
    {
      name: 'admin-email-log',
      path: '/agent/admin/email-log',
      ready: (p) => p.locator('.admin-table').waitFor(),
    },
  );
});

after(async () => {
  await ws?.stop();
});

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[]; failureSummary: string }[];
}

async function violations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as any).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n: any) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

for (const theme of ['light', 'dark'] as const) {
  test(`every main screen passes axe's WCAG 2.1 AA rules in the ${theme} theme`, {
    timeout: 360_000,
  }, async (t) => {
    if (!requireChromium(t)) return;
    const { page, context } = await ws!.signedIn(ws!.adminEmail);
    // Only the page itself: a sandboxed frame (the email template preview) has no storage to write to.
    await context.addInitScript((value) => {
      if (window === window.top) localStorage.setItem('haven:theme', value);
    }, theme);
    const problems = watchConsole(page);
    const found: string[] = [];
    for (const screen of screens) {
      await page.goto(`${ws!.baseUrl}${screen.path}`);
      await screen.ready(page);
      await page.waitForLoadState('networkidle');
      for (const v of await violations(page)) {
        found.push(
          `${screen.name} (${theme}): ${v.id} [${v.impact}] ${v.help}\n${v.nodes
            .map((n) => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`)
            .join('\n')}`,
        );
      }
      if (theme === 'dark') await shoot(page, `a11y-dark-${screen.name}`);
    }
    assert.deepEqual(found, [], found.join('\n'));
    assert.deepEqual(problems, []);
  });
}
