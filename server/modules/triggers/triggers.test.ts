import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import zendesk from 'node-zendesk';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { type SmtpCapture, startSmtpCapture } from '../../platform/mail/smtp-capture.ts';

/**
 * Triggers through the API: they run inside the ticket write that fires them (their changes are in the same
 * response and audit), send their emails through a real SMTP server after commit, fire at most once per
 * write so they cannot loop, and a trigger that fails never blocks the write.
 */
let smtp: SmtpCapture;
let app: TestApp;
let acct: TestAccount;
let host: string;
let agent: { id: number; email: string };
let customer: { id: number; email: string };

const call = (method: string, path: string, body?: unknown, auth = acct.auth) =>
  api(app, method, path, { auth, host, body });

async function createTrigger(trigger: Record<string, unknown>) {
  const res = await call('POST', '/api/v2/triggers', { trigger });
  assert.equal(res.status, 201, res.text);
  return res.body.trigger as { id: number; position: number };
}

async function createTicket(ticket: Record<string, unknown>) {
  const res = await call('POST', '/api/v2/tickets.json', { ticket });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** Mail to `address`, waiting for it to arrive (other mails are kept for their own tests). */
const mailTo = (address: string, subjectIncludes?: string) =>
  smtp.waitFor(address, subjectIncludes, { timeoutMs: 15_000 });

async function deactivateDefaults() {
  const list = await call('GET', '/api/v2/triggers');
  for (const t of list.body.triggers) {
    if (t.default) await call('PUT', `/api/v2/triggers/${t.id}`, { trigger: { active: false } });
  }
}

before(async () => {
  smtp = await startSmtpCapture();
  app = await startTestApp({ HAVEN_SMTP_URL: smtp.url });
  acct = await app.createAccount('rules');
  host = `${acct.subdomain}.haven.test`;
  agent = (await acct.createUser('Avery Agent', 'avery@rules.example', 'agent')) as any;
  customer = (await acct.createUser('Casey Customer', 'casey@customer.example', 'end-user')) as any;
});

after(async () => {
  await app.close();
  await smtp.close();
});

describe('default triggers', () => {
  test('a new account starts with the four ticket-email triggers, editable', async () => {
    const res = await call('GET', '/api/v2/triggers');
    assert.equal(res.status, 200);
    const titles = res.body.triggers.map((t: { title: string }) => t.title);
    assert.deepEqual(titles, [
      'Notify requester and CCs of received request',
      'Notify requester and CCs of comment update',
      'Notify assignee of assignment',
      'Notify group of a new ticket',
    ]);
    assert.ok(res.body.triggers.every((t: { active: boolean; default: boolean }) => t.active && t.default));
  });

  test('a customer’s new request is confirmed by mail, and an agent’s public reply is mailed to them', async () => {
    const created = await createTicket({
      subject: 'Printer on fire',
      comment: { body: 'It is smoking.' },
      requester_id: customer.id,
    });
    const id = created.ticket.id;
    const received = await mailTo(customer.email, `[Request received] Printer on fire`);
    assert.match(received.text, new RegExp(`Your request \\(${id}\\) has been received`));
    assert.match(received.text, /It is smoking\./);
    assert.match(received.headers.references ?? '', new RegExp(`haven-ticket-\\d+-${id}@`));

    // The audit says which trigger sent what, to whom.
    const audits = await call('GET', `/api/v2/tickets/${id}/audits.json`);
    const notification = audits.body.audits[0].events.find(
      (e: { type: string }) => e.type === 'Notification',
    );
    assert.equal(notification.via.source.rel, 'trigger');
    assert.equal(notification.via.source.from.title, 'Notify requester and CCs of received request');
    assert.deepEqual(notification.recipients, [customer.id]);

    await call('PUT', `/api/v2/tickets/${id}.json`, {
      ticket: { comment: { body: 'Internal: call the fire brigade', public: false } },
    });
    await call('PUT', `/api/v2/tickets/${id}.json`, {
      ticket: { comment: { body: 'We have sent help.', public: true } },
    });
    const reply = await mailTo(customer.email, 'Re: Printer on fire');
    assert.match(reply.text, /We have sent help\./);
    // The private note never reaches the customer.
    const toCustomer = smtp.messages.filter((m) => m.to.includes(customer.email));
    assert.ok(toCustomer.every((m) => !m.text.includes('fire brigade')));
  });

  test('assigning a ticket to someone else mails the assignee', async () => {
    const created = await createTicket({
      subject: 'Assign me',
      comment: { body: 'x' },
      requester_id: customer.id,
    });
    await call('PUT', `/api/v2/tickets/${created.ticket.id}.json`, { ticket: { assignee_id: agent.id } });
    const mail = await mailTo(agent.email, 'Assignment: Assign me');
    assert.match(mail.text, new RegExp(`/agent/tickets/${created.ticket.id}`));
  });
});

describe('triggers of our own', () => {
  before(deactivateDefaults);

  test('a trigger sets priority and notifies by email on creation, in the same write', async () => {
    await createTrigger({
      title: 'VIP customers are urgent',
      conditions: {
        all: [
          { field: 'update_type', operator: 'is', value: 'Create' },
          { field: 'current_tags', operator: 'includes', value: 'vip' },
        ],
      },
      actions: [
        { field: 'priority', value: 'urgent' },
        { field: 'current_tags', value: 'escalated' },
        {
          field: 'notification_user',
          value: [
            'requester_id',
            'We are on it: {{ticket.title}}',
            'Hello {{ticket.requester.first_name}}, priority {{ticket.priority}}.',
          ],
        },
      ],
    });
    const { ticket, audit } = await createTicket({
      subject: 'Down again',
      comment: { body: 'help' },
      requester_id: customer.id,
      tags: ['vip'],
    });
    assert.equal(ticket.priority, 'urgent');
    assert.deepEqual([...ticket.tags].sort(), ['escalated', 'vip']);
    const priority = audit.events.find((e: { field_name?: string }) => e.field_name === 'priority');
    assert.equal(priority.value, 'urgent');
    assert.equal(priority.via.source.from.title, 'VIP customers are urgent');

    const mail = await mailTo(customer.email, 'We are on it: Down again');
    // The account's mail frame: the reply marker on top, the notification, the account's name below.
    assert.equal(
      mail.text.replace(/\r\n/g, '\n').trim(),
      '##- Please type your reply above this line -##\n\nHello Casey, priority urgent.\n\n--\nAccount rules',
    );

    // Without the tag, nothing happens.
    const plain = await createTicket({
      subject: 'Ordinary',
      comment: { body: 'hi' },
      requester_id: customer.id,
    });
    assert.equal(plain.ticket.priority, null);
  });

  test('triggers chain in one write, each firing once, so rules that undo each other cannot loop', async () => {
    await createTrigger({
      title: 'a adds b',
      conditions: { all: [{ field: 'current_tags', operator: 'includes', value: 'chain_a' }] },
      actions: [{ field: 'current_tags', value: 'chain_b' }],
    });
    await createTrigger({
      title: 'b raises priority',
      conditions: { all: [{ field: 'current_tags', operator: 'includes', value: 'chain_b' }] },
      actions: [{ field: 'priority', value: 'high' }],
    });
    await createTrigger({
      title: 'ping adds pong',
      conditions: {
        all: [
          { field: 'current_tags', operator: 'not_includes', value: 'pong' },
          { field: 'current_tags', operator: 'includes', value: 'ping' },
        ],
      },
      actions: [{ field: 'current_tags', value: 'pong' }],
    });
    await createTrigger({
      title: 'pong removes itself',
      conditions: { all: [{ field: 'current_tags', operator: 'includes', value: 'pong' }] },
      actions: [{ field: 'remove_tags', value: 'pong' }],
    });
    const chained = await createTicket({
      subject: 'chain',
      comment: { body: 'x' },
      requester_id: customer.id,
      tags: ['chain_a'],
    });
    assert.equal(chained.ticket.priority, 'high', 'a trigger fires on the change an earlier one made');
    assert.ok(chained.ticket.tags.includes('chain_b'));

    const loop = await createTicket({
      subject: 'loop',
      comment: { body: 'x' },
      requester_id: customer.id,
      tags: ['ping'],
    });
    // "ping adds pong" fired once, "pong removes itself" once; neither again.
    assert.deepEqual(loop.ticket.tags, ['ping']);
    const audits = await call('GET', `/api/v2/tickets/${loop.ticket.id}/audits.json`);
    assert.equal(audits.body.audits.length, 1, 'one write, one audit');
  });

  test('conditions on changes: status changed to solved, by an agent', async () => {
    await createTrigger({
      title: 'thank on solve',
      conditions: {
        all: [
          { field: 'status', operator: 'value', value: 'solved' },
          { field: 'role', operator: 'is', value: 'admin' },
        ],
      },
      actions: [{ field: 'current_tags', value: 'solved_by_admin' }],
    });
    const { ticket } = await createTicket({
      subject: 's',
      comment: { body: 'x' },
      requester_id: customer.id,
    });
    const open = await call('PUT', `/api/v2/tickets/${ticket.id}.json`, { ticket: { status: 'open' } });
    assert.ok(!open.body.ticket.tags.includes('solved_by_admin'));
    const solved = await call('PUT', `/api/v2/tickets/${ticket.id}.json`, { ticket: { status: 'solved' } });
    assert.ok(solved.body.ticket.tags.includes('solved_by_admin'));
  });

  test('priorities compare in Zendesk’s order: less than high is low or normal', async () => {
    await createTrigger({
      title: 'below high',
      conditions: {
        all: [
          { field: 'priority', operator: 'less_than', value: 'high' },
          { field: 'current_tags', operator: 'includes', value: 'rank_me' },
        ],
      },
      actions: [{ field: 'current_tags', value: 'below_high' }],
    });
    const ranked: Record<string, boolean> = {};
    for (const priority of ['low', 'normal', 'high', 'urgent']) {
      const { ticket } = await createTicket({
        subject: priority,
        comment: { body: 'x' },
        requester_id: customer.id,
        priority,
        tags: ['rank_me'],
      });
      ranked[priority] = ticket.tags.includes('below_high');
    }
    assert.deepEqual(ranked, { low: true, normal: true, high: false, urgent: false });
  });

  test('a trigger that cannot apply is reported in the audit and never blocks the write', async () => {
    const group = await call('POST', '/api/v2/groups.json', { group: { name: 'Soon gone' } });
    assert.equal(group.status, 201, group.text);
    await createTrigger({
      title: 'route to a group',
      conditions: { all: [{ field: 'current_tags', operator: 'includes', value: 'route_me' }] },
      actions: [{ field: 'group_id', value: group.body.group.id }],
    });
    const del = await call('DELETE', `/api/v2/groups/${group.body.group.id}.json`);
    assert.ok(del.status === 204 || del.status === 200, del.text);
    const { ticket, audit } = await createTicket({
      subject: 'still saved',
      comment: { body: 'x' },
      requester_id: customer.id,
      tags: ['route_me'],
    });
    assert.equal(ticket.group_id, null);
    const error = audit.events.find((e: { type: string }) => e.type === 'RuleError');
    assert.ok(error, 'the rule error is in the audit');
    assert.match(error.message, /Group/);
  });

  test('actions that add a comment write it after the update, as the updater', async () => {
    await createTrigger({
      title: 'auto note',
      conditions: { all: [{ field: 'current_tags', operator: 'includes', value: 'needs_note' }] },
      actions: [
        { field: 'comment_value', value: 'Checklist for {{ticket.title}}' },
        { field: 'comment_mode_is_public', value: false },
      ],
    });
    const { ticket } = await createTicket({
      subject: 'noted',
      comment: { body: 'x' },
      requester_id: customer.id,
      tags: ['needs_note'],
    });
    const comments = await call('GET', `/api/v2/tickets/${ticket.id}/comments.json`);
    assert.equal(comments.body.comments.length, 2);
    assert.equal(comments.body.comments[1].body, 'Checklist for noted');
    assert.equal(comments.body.comments[1].public, false);
  });
});

describe('the triggers API', () => {
  test('bad conditions and actions are refused with the field named, nothing stored', async () => {
    const before = (await call('GET', '/api/v2/triggers')).body.count;
    const cases = [
      {
        conditions: { all: [{ field: 'colour', operator: 'is', value: 'red' }] },
        actions: [{ field: 'priority', value: 'high' }],
      },
      {
        conditions: { all: [{ field: 'status', operator: 'sounds_like', value: 'open' }] },
        actions: [{ field: 'priority', value: 'high' }],
      },
      {
        conditions: { all: [{ field: 'status', operator: 'is', value: 'melted' }] },
        actions: [{ field: 'priority', value: 'high' }],
      },
      { conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }] }, actions: [] },
      {
        conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }] },
        actions: [{ field: 'status', value: 'closed' }],
      },
      {
        conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }] },
        actions: [{ field: 'notification_user', value: ['nobody', 's', 'b'] }],
      },
      {
        conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }] },
        actions: [{ field: 'group_id', value: 999999 }],
      },
      { conditions: {}, actions: [{ field: 'priority', value: 'high' }] },
    ];
    for (const c of cases) {
      const res = await call('POST', '/api/v2/triggers', { trigger: { title: 'bad', ...c } });
      assert.equal(res.status, 422, `${JSON.stringify(c)} → ${res.text}`);
      assert.equal(res.body.error, 'RecordInvalid');
      assert.ok(res.body.details, res.text);
    }
    assert.equal((await call('GET', '/api/v2/triggers')).body.count, before);
  });

  test('reorder, update_many, destroy_many, search, definitions', async () => {
    const a = await createTrigger({
      title: 'zz first',
      conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }] },
      actions: [{ field: 'priority', value: 'low' }],
    });
    const b = await createTrigger({
      title: 'zz second',
      conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }] },
      actions: [{ field: 'priority', value: 'low' }],
    });
    const ids = (await call('GET', '/api/v2/triggers')).body.triggers.map((t: { id: number }) => t.id);
    const reordered = await call('PUT', '/api/v2/triggers/reorder', { trigger_ids: [b.id, a.id] });
    assert.equal(reordered.status, 200, reordered.text);
    const positions = new Map(
      reordered.body.triggers.map((t: { id: number; position: number }) => [t.id, t.position]),
    );
    assert.equal(positions.get(b.id), 0);
    assert.equal(positions.get(a.id), 1);
    assert.equal(positions.size, ids.length);

    const many = await call('PUT', '/api/v2/triggers/update_many', {
      triggers: [{ id: a.id, active: false }],
    });
    assert.equal(many.status, 200, many.text);
    assert.equal(many.body.triggers[0].active, false);

    const search = await call('GET', '/api/v2/triggers/search?query=zz%20sec');
    assert.deepEqual(
      search.body.triggers.map((t: { id: number }) => t.id),
      [b.id],
    );

    const defs = await call('GET', '/api/v2/triggers/definitions');
    assert.equal(defs.status, 200);
    const status = defs.body.definitions.conditions_all.find(
      (d: { subject: string }) => d.subject === 'status',
    );
    assert.ok(status.operators.some((o: { value: string }) => o.value === 'value'));
    assert.ok(
      defs.body.definitions.actions.some((d: { subject: string }) => d.subject === 'notification_user'),
    );

    const gone = await call('DELETE', `/api/v2/triggers/destroy_many?ids=${a.id},${b.id}`);
    assert.equal(gone.status, 204);
    assert.equal((await call('GET', `/api/v2/triggers/${a.id}`)).status, 404);
  });

  test('node-zendesk 6 drives the triggers API unchanged', async () => {
    const client = zendesk.createClient({
      username: acct.adminEmail,
      token: acct.token,
      endpointUri: `${app.baseUrl}/api/v2`,
      throwOriginalException: true,
    }) as any;
    const { result: created } = await client.triggers.create({
      trigger: {
        title: 'From node-zendesk',
        conditions: { all: [{ field: 'priority', operator: 'is', value: 'urgent' }], any: [] },
        actions: [{ field: 'current_tags', value: 'nz' }],
      },
    });
    assert.equal(created.title, 'From node-zendesk');
    const { result: shown } = await client.triggers.show(created.id);
    assert.deepEqual(shown.actions, [{ field: 'current_tags', value: 'nz' }]);
    const listed = await client.triggers.list();
    assert.ok(listed.some((t: { id: number }) => t.id === created.id));
    await client.triggers.update(created.id, { trigger: { active: false } });
    const active = await client.triggers.listActive();
    assert.ok(!active.some((t: { id: number }) => t.id === created.id));
    await client.triggers.delete(created.id);
    assert.equal((await call('GET', `/api/v2/triggers/${created.id}`)).status, 404);
  });

  test('only admins manage triggers', async () => {
    const res = await call('GET', '/api/v2/triggers', undefined, acct.authAs(agent.email));
    assert.equal(res.status, 403);
  });
});
