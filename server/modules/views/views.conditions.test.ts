import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';

/**
 * The time conditions views share with automations (hours since open / pending / on-hold / assigned / requester
 * and agent update, hours since and until the due date and the SLA breach), satisfaction and channel, through
 * views executed over HTTP. Times are moved back in the database, as the API cannot write them.
 */
let app: TestApp;
let acct: TestAccount;
let customerId: number;
let agentId: number;

const HOUR = 3_600_000;
const call = (method: string, path: string, body?: unknown) =>
  api(app, method, path, { auth: acct.auth, body });

/** Each group of cases tags its tickets, and its views list only those. */
let tag = 'timecase';

async function newTicket(ticket: Record<string, unknown>) {
  const res = await call('POST', '/api/v2/tickets.json', {
    ticket: { comment: { body: 'Details.' }, requester_id: customerId, ...ticket, tags: [tag] },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.ticket.id as number;
}

/** Sets ticket columns directly (times `hours` from now: negative is the past). */
async function setColumns(id: number, columns: Record<string, unknown>) {
  const values = Object.fromEntries(
    Object.entries(columns).map(([k, v]) => [k, typeof v === 'number' ? new Date(Date.now() + v * HOUR) : v]),
  );
  await app.runtime.services.database.db
    .updateTable('tickets')
    .set(values)
    .where('account_id', '=', acct.id)
    .where('id', '=', id)
    .execute();
}

/** The ids (of this file's tickets) a view with these conditions lists. */
async function matching(condition: Record<string, unknown>): Promise<number[]> {
  const created = await call('POST', '/api/v2/views.json', {
    view: {
      title: 'Case',
      all: [{ field: 'current_tags', operator: 'includes', value: tag }, condition],
      output: { sort_by: 'id', sort_order: 'asc' },
    },
  });
  assert.equal(created.status, 201, created.text);
  const res = await call('GET', `/api/v2/views/${created.body.view.id}/execute.json`);
  assert.equal(res.status, 200, res.text);
  await call('DELETE', `/api/v2/views/${created.body.view.id}.json`);
  return res.body.rows.map((r: { ticket_id: number }) => r.ticket_id);
}

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  customerId = (await acct.createUser('Casey Customer', 'casey@views-time.example')).id;
  agentId = (await acct.createUser('Avery Agent', 'avery@views-time.example', 'agent')).id;
});

after(async () => {
  await app?.close();
});

describe('time conditions', () => {
  const t: Record<string, number> = {};
  before(async () => {
    t.pending30 = await newTicket({ subject: 'pending 30h', status: 'pending' });
    t.pending2 = await newTicket({ subject: 'pending 2h', status: 'pending' });
    t.open30 = await newTicket({ subject: 'open 30h', status: 'open' });
    t.hold30 = await newTicket({ subject: 'hold 30h', status: 'hold' });
    t.dueSoon = await newTicket({
      subject: 'due in 10h',
      type: 'task',
      due_at: new Date(Date.now() + 10 * HOUR),
    });
    t.dueLater = await newTicket({
      subject: 'due in 40h',
      type: 'task',
      due_at: new Date(Date.now() + 40 * HOUR),
    });
    t.overdue = await newTicket({
      subject: 'due 5h ago',
      type: 'task',
      due_at: new Date(Date.now() + 10 * HOUR),
    });
    await setColumns(t.pending30, { status_updated_at: -30.5 });
    await setColumns(t.pending2, { status_updated_at: -2 });
    await setColumns(t.open30, { status_updated_at: -30.5 });
    await setColumns(t.hold30, { status_updated_at: -30.5 });
    await setColumns(t.overdue, { due_at: -5 });
  });

  test('hours since pending, open and on-hold count from the status change, only in that status', async () => {
    const since = (field: string, operator: string, value: string) => matching({ field, operator, value });
    assert.deepEqual(await since('hours_since_pending', 'greater_than', '24'), [t.pending30]);
    assert.deepEqual(await since('PENDING', 'greater_than', '24'), [t.pending30]);
    assert.deepEqual(await since('hours_since_pending', 'less_than', '24'), [t.pending2]);
    assert.deepEqual(await since('hours_since_open', 'is', '30'), [t.open30]);
    assert.deepEqual(await since('OPEN', 'is', '31'), []);
    assert.deepEqual(await since('hours_since_hold', 'greater_than', '24'), [t.hold30]);
    assert.deepEqual(await since('HOLD', 'greater_than', '24'), [t.hold30]);
  });

  test('hours until and since the due date: ahead and past are told apart', async () => {
    const due = (field: string, operator: string, value: string) => matching({ field, operator, value });
    assert.deepEqual(await due('hours_until_due_date', 'less_than', '24'), [t.dueSoon]);
    assert.deepEqual(await due('until_due_date', 'greater_than', '24'), [t.dueLater]);
    assert.deepEqual(await due('hours_until_due_date', 'is', '9'), [t.dueSoon]);
    assert.deepEqual(await due('hours_since_due_date', 'greater_than', '2'), [t.overdue]);
    assert.deepEqual(
      await due('due_date', 'less_than', '24'),
      [t.overdue],
      'a due date ahead has not passed',
    );
    assert.deepEqual(await due('hours_since_due_date', 'is', '5'), [t.overdue]);
  });
});

describe('assignment, updates, SLA breaches, satisfaction and channel', () => {
  const t: Record<string, number> = {};
  before(async () => {
    tag = 'peoplecase';
    t.a = await newTicket({ subject: 'a', assignee_id: agentId, via: { channel: 'email' } });
    t.b = await newTicket({ subject: 'b' });
    await setColumns(t.a, {
      assigned_at: -50,
      requester_updated_at: -50,
      agent_updated_at: -3,
      sla_breach_at: 1.5,
      satisfaction_score: 'offered',
    });
    await setColumns(t.b, {
      requester_updated_at: -2,
      agent_updated_at: -30,
      sla_breach_at: -4.5,
      via_channel: 'email',
    });
  });

  test('hours since assigned, requester update and agent update', async () => {
    const ids = (field: string, operator: string, value: string) => matching({ field, operator, value });
    assert.deepEqual(await ids('hours_since_assigned', 'greater_than', '48'), [t.a]);
    assert.deepEqual(await ids('assigned_at', 'less_than', '48'), [], 'b was never assigned');
    assert.deepEqual(await ids('hours_since_requester_update', 'greater_than', '24'), [t.a]);
    assert.deepEqual(await ids('requester_updated_at', 'less_than', '24'), [t.b]);
    assert.deepEqual(await ids('hours_since_agent_update', 'greater_than', '24'), [t.b]);
  });

  test('hours until the next and since the last SLA breach', async () => {
    const ids = (field: string, operator: string, value: string) => matching({ field, operator, value });
    assert.deepEqual(await ids('hours_until_next_sla_breach', 'less_than', '2'), [t.a]);
    assert.deepEqual(await ids('until_sla_next_breach_at', 'is', '1'), [t.a]);
    assert.deepEqual(await ids('hours_since_last_sla_breach', 'greater_than', '4'), [t.b]);
    assert.deepEqual(await ids('sla_next_breach_at', 'less_than', '24'), [t.b]);
  });

  test('satisfaction score and channel', async () => {
    const ids = (field: string, operator: string, value: string) => matching({ field, operator, value });
    assert.deepEqual(await ids('satisfaction_score', 'is', 'Offered'), [t.a]);
    assert.deepEqual(await ids('satisfaction_score', 'is_not', 'offered'), [t.b]);
    assert.deepEqual(await ids('via_id', 'is', 'email'), [t.a, t.b]);
    assert.deepEqual(await ids('via_id', 'is_not', 'email'), []);
  });

  test('bad values are refused, naming them', async () => {
    for (const [field, operator, value, pattern] of [
      ['satisfaction_score', 'is', 'ecstatic', /ecstatic/],
      ['via_id', 'is', 'pigeon', /pigeon/],
      ['hours_until_due_date', 'less_than', '-1', /whole number of hours/],
      ['hours_since_pending', 'includes', '5', /includes/],
    ] as const) {
      const res = await call('POST', '/api/v2/views.json', {
        view: { title: 'Bad', all: [{ field, operator, value }] },
      });
      assert.equal(res.status, 422, res.text);
      assert.match(res.body.details.conditions[0].description, pattern);
    }
  });
});
