import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { clock } from '../../platform/clock.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { type SmtpCapture, startSmtpCapture } from '../../platform/mail/smtp-capture.ts';
import { AUTOMATIONS_JOB } from './automations.jobs.ts';

/**
 * Automations through the API, with the rules' clock moved forward instead of waiting: CRUD in Zendesk's shape,
 * Zendesk's validation (a time condition, self-nullifying), and the pass: it acts once per ticket per condition
 * set, through the ticket write path (audits say which automation did it, mail goes out over real SMTP), and a
 * ticket it cannot change does not stop it.
 */
let smtp: SmtpCapture;
let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let customer: { id: number; email: string };
let agent: { id: number; email: string };
const logLines: string[] = [];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const call = (method: string, path: string, body?: unknown, auth = acct.auth) =>
  api(app, method, path, { auth, body });

async function createAutomation(automation: Record<string, unknown>, auth = acct.auth) {
  return call('POST', '/api/v2/automations.json', { automation }, auth);
}

async function newAutomation(automation: Record<string, unknown>) {
  const res = await createAutomation(automation);
  assert.equal(res.status, 201, res.text);
  return res.body.automation as Record<string, any>;
}

async function newTicket(ticket: Record<string, unknown>, auth = acct.auth) {
  const res = await call(
    'POST',
    '/api/v2/tickets.json',
    { ticket: { comment: { body: 'Details.' }, requester_id: customer.id, ...ticket } },
    auth,
  );
  assert.equal(res.status, 201, res.text);
  return res.body.ticket as Record<string, any>;
}

async function ticket(id: number, auth = acct.auth) {
  const res = await call('GET', `/api/v2/tickets/${id}.json`, undefined, auth);
  assert.equal(res.status, 200, res.text);
  return res.body.ticket as Record<string, any>;
}

async function update(id: number, changes: Record<string, unknown>) {
  const res = await call('PUT', `/api/v2/tickets/${id}.json`, { ticket: changes });
  assert.equal(res.status, 200, res.text);
  return res.body.ticket as Record<string, any>;
}

async function run(auth = acct.auth) {
  const res = await call('POST', '/api/v2/automations/run', undefined, auth);
  assert.equal(res.status, 200, res.text);
  return res.body.stats as {
    automations: number;
    examined: number;
    acted: number;
    errors: number;
    ms: number;
  };
}

async function audits(id: number, auth = acct.auth) {
  const res = await call('GET', `/api/v2/tickets/${id}/audits.json`, undefined, auth);
  assert.equal(res.status, 200, res.text);
  return res.body.audits as Record<string, any>[];
}

/** Mail to `address` whose subject includes `subject`, waiting for it to arrive. */
const mailTo = (address: string, subject: string) => smtp.waitFor(address, subject, { timeoutMs: 15_000 });

const mailsAbout = (address: string, subject: string) =>
  smtp.messages.filter((m) => m.to.includes(address) && (m.headers.subject ?? '').includes(subject));

/** Long enough for a mail job the outbox queued to have been delivered, when one was queued. */
const settle = () => new Promise((r) => setTimeout(r, 1_500));

/** Turns off what the account started with, so each test sees only its own rules. */
async function deactivateDefaults(account: TestAccount) {
  for (const kind of ['triggers', 'automations']) {
    const list = await call('GET', `/api/v2/${kind}.json`, undefined, account.auth);
    for (const rule of list.body[kind]) {
      if (!rule.active) continue;
      const res = await call(
        'PUT',
        `/api/v2/${kind}/${rule.id}.json`,
        { [kind.slice(0, -1)]: { active: false } },
        account.auth,
      );
      assert.equal(res.status, 200, res.text);
    }
  }
}

before(async () => {
  smtp = await startSmtpCapture();
  const destination = { write: (chunk: string) => void logLines.push(chunk) };
  app = await startTestApp({ HAVEN_SMTP_URL: smtp.url }, { logger: createLogger('info', destination) });
  acct = await app.createAccount();
  other = await app.createAccount();
  customer = (await acct.createUser('Casey Customer', 'casey@automations.example')) as any;
  agent = (await acct.createUser('Avery Agent', 'avery@automations.example', 'agent')) as any;
  await deactivateDefaults(acct);
});

afterEach(() => clock.reset());

after(async () => {
  clock.reset();
  await app?.close();
  await smtp?.close();
});

const solvedFor4Days = {
  all: [
    { field: 'status', operator: 'is', value: 'solved' },
    { field: 'hours_since_solved', operator: 'greater_than', value: '96' },
  ],
};

describe('creating, reading, changing and deleting automations', () => {
  test('create, show, list, search, update and delete in Zendesk’s shape', async () => {
    const res = await createAutomation({
      title: 'Close solved tickets',
      conditions: solvedFor4Days,
      actions: [{ field: 'status', value: 'Closed' }],
    });
    assert.equal(res.status, 201, res.text);
    const a = res.body.automation;
    assert.equal(res.headers.get('location'), a.url);
    assert.match(a.url, new RegExp(`/api/v2/automations/${a.id}\\.json$`));
    assert.equal(a.title, 'Close solved tickets');
    assert.equal(a.raw_title, 'Close solved tickets');
    assert.equal(a.active, true);
    assert.equal(a.default, false);
    assert.equal(typeof a.position, 'number');
    assert.deepEqual(a.conditions, {
      all: [
        { field: 'status', operator: 'is', value: 'solved' },
        { field: 'hours_since_solved', operator: 'greater_than', value: '96' },
      ],
      any: [],
    });
    assert.deepEqual(a.actions, [{ field: 'status', value: 'closed' }]);
    assert.match(a.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const shown = await call('GET', `/api/v2/automations/${a.id}.json`);
    assert.deepEqual(shown.body.automation, a);
    const listed = await call('GET', '/api/v2/automations.json');
    assert.ok(listed.body.automations.some((x: any) => x.id === a.id));
    assert.equal(typeof listed.body.count, 'number');
    const cursor = await call('GET', '/api/v2/automations.json?page[size]=1');
    assert.equal(cursor.body.automations.length, 1);
    assert.ok('meta' in cursor.body && 'links' in cursor.body, cursor.text);
    const found = await call('GET', '/api/v2/automations/search.json?query=solved%20tickets');
    assert.deepEqual(
      found.body.automations.map((x: any) => x.id),
      [a.id],
    );

    // Zendesk's own names for time conditions are accepted and shown as sent.
    const updated = await call('PUT', `/api/v2/automations/${a.id}.json`, {
      automation: {
        title: 'Close solved tickets after 5 days',
        conditions: {
          all: [
            { field: 'status', operator: 'is', value: 'solved' },
            { field: 'SOLVED', operator: 'greater_than', value: 120 },
          ],
        },
      },
    });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.automation.title, 'Close solved tickets after 5 days');
    assert.deepEqual(updated.body.automation.conditions.all[1], {
      field: 'SOLVED',
      operator: 'greater_than',
      value: 120,
    });
    assert.deepEqual(updated.body.automation.actions, [{ field: 'status', value: 'closed' }]);

    const inactive = await call('PUT', `/api/v2/automations/${a.id}.json`, { automation: { active: false } });
    assert.equal(inactive.body.automation.active, false);
    const active = await call('GET', '/api/v2/automations/active.json');
    assert.ok(!active.body.automations.some((x: any) => x.id === a.id));

    assert.equal((await call('DELETE', `/api/v2/automations/${a.id}.json`)).status, 204);
    assert.equal((await call('GET', `/api/v2/automations/${a.id}.json`)).status, 404);
  });

  test('update_many sets positions and active flags; destroy_many deletes all or none', async () => {
    const make = (title: string) =>
      newAutomation({ title, conditions: solvedFor4Days, actions: [{ field: 'status', value: 'closed' }] });
    const [x, y, z] = [await make('X'), await make('Y'), await make('Z')];
    const res = await call('PUT', '/api/v2/automations/update_many.json', {
      automations: [
        { id: x.id, position: 30 },
        { id: y.id, position: 10, active: false },
      ],
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.automations.map((a: any) => [a.id, a.position, a.active]),
      [
        [x.id, 30, true],
        [y.id, 10, false],
      ],
    );
    const missing = await call('PUT', '/api/v2/automations/update_many.json', {
      automations: [
        { id: x.id, position: 1 },
        { id: 987_654, position: 2 },
      ],
    });
    assert.equal(missing.status, 404);
    assert.equal((await call('GET', `/api/v2/automations/${x.id}.json`)).body.automation.position, 30);

    const partly = await call('DELETE', `/api/v2/automations/destroy_many.json?ids=${x.id},987654`);
    assert.equal(partly.status, 404);
    assert.equal((await call('GET', `/api/v2/automations/${x.id}.json`)).status, 200);
    const gone = await call('DELETE', `/api/v2/automations/destroy_many.json?ids=${x.id},${y.id},${z.id}`);
    assert.equal(gone.status, 204);
    for (const a of [x, y, z])
      assert.equal((await call('GET', `/api/v2/automations/${a.id}.json`)).status, 404);
  });

  test('only admins manage automations; another account’s are not found', async () => {
    const a = await newAutomation({
      title: 'Admins only',
      conditions: solvedFor4Days,
      actions: [{ field: 'status', value: 'closed' }],
      active: false,
    });
    const agentAuth = acct.authAs(agent.email);
    assert.equal((await call('GET', '/api/v2/automations.json', undefined, agentAuth)).status, 403);
    assert.equal((await call('POST', '/api/v2/automations/run', undefined, agentAuth)).status, 403);
    assert.equal((await call('GET', `/api/v2/automations/${a.id}.json`, undefined, other.auth)).status, 404);
    const put = await call(
      'PUT',
      `/api/v2/automations/${a.id}.json`,
      { automation: { active: true } },
      other.auth,
    );
    assert.equal(put.status, 404);
    assert.equal(
      (await call('DELETE', `/api/v2/automations/${a.id}.json`, undefined, other.auth)).status,
      404,
    );
    await call('DELETE', `/api/v2/automations/${a.id}.json`);
  });
});

describe('validation, as Zendesk checks automations', () => {
  async function rejected(
    automation: Record<string, unknown>,
    field: string,
    pattern: RegExp,
    error?: string,
  ) {
    const res = await createAutomation({
      title: 'Bad',
      actions: [{ field: 'status', value: 'closed' }],
      ...automation,
    });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.error, 'RecordInvalid');
    const detail = res.body.details[field]?.[0];
    assert.ok(detail, `details name ${field}: ${res.text}`);
    assert.match(detail.description, pattern);
    if (error) assert.equal(detail.error, error);
  }

  test('an automation needs a time condition, in all', async () => {
    await rejected(
      { conditions: { all: [{ field: 'status', operator: 'is', value: 'solved' }] } },
      'conditions',
      /time-based condition/,
      'BlankValue',
    );
    await rejected(
      {
        conditions: {
          all: [{ field: 'status', operator: 'is', value: 'solved' }],
          any: [{ field: 'hours_since_solved', operator: 'greater_than', value: '96' }],
        },
      },
      'conditions',
      /any\[0\].*belong in all/,
    );
  });

  test('an automation must nullify itself', async () => {
    // Solved for 4 days → set priority: it would act on the same tickets every hour.
    await rejected(
      { conditions: solvedFor4Days, actions: [{ field: 'priority', value: 'low' }] },
      'conditions',
      /nullify/,
      'NotNullified',
    );
    // Adding a tag nullifies only when a condition excludes that tag.
    await rejected(
      {
        conditions: {
          all: [
            { field: 'status', operator: 'is', value: 'pending' },
            { field: 'hours_since_pending', operator: 'greater_than', value: '48' },
            { field: 'current_tags', operator: 'not_includes', value: 'other' },
          ],
        },
        actions: [{ field: 'current_tags', value: 'nudged' }],
      },
      'conditions',
      /nullify/,
    );
    const accepted = [
      // A tag the conditions exclude, added by the action.
      {
        conditions: {
          all: [
            { field: 'status', operator: 'is', value: 'pending' },
            { field: 'PENDING', operator: 'greater_than', value: '48' },
            { field: 'current_tags', operator: 'not_includes', value: 'nudged' },
          ],
        },
        actions: [{ field: 'current_tags', value: 'nudged' }],
      },
      // `is`: true during one hour only.
      {
        conditions: { all: [{ field: 'hours_since_created', operator: 'is', value: '72' }] },
        actions: [{ field: 'notification_user', value: ['requester_id', 'Hello', 'Still there?'] }],
      },
      // Hours since pending ends with the status the action sets.
      {
        conditions: { all: [{ field: 'hours_since_pending', operator: 'greater_than', value: '240' }] },
        actions: [{ field: 'status', value: 'solved' }],
      },
      // Unoffered satisfaction, offered by the action.
      {
        conditions: {
          all: [
            { field: 'status', operator: 'is', value: 'solved' },
            { field: 'hours_since_solved', operator: 'greater_than', value: '24' },
            { field: 'satisfaction_score', operator: 'is', value: 'unoffered' },
          ],
        },
        actions: [{ field: 'satisfaction_score', value: 'offered_to_requester' }],
      },
    ];
    for (const body of accepted) {
      const res = await createAutomation({ title: 'Fine', active: false, ...body });
      assert.equal(res.status, 201, `${JSON.stringify(body)}: ${res.text}`);
      await call('DELETE', `/api/v2/automations/${res.body.automation.id}.json`);
    }
  });

  test('unknown fields, operators, values and actions are refused, naming them', async () => {
    await rejected(
      {
        conditions: {
          all: [...solvedFor4Days.all, { field: 'favourite_colour', operator: 'is', value: 'red' }],
        },
      },
      'conditions',
      /all\[2\].*favourite_colour.*automations/,
      'UnknownField',
    );
    await rejected(
      { conditions: { all: [{ field: 'hours_since_solved', operator: 'includes', value: '5' }] } },
      'conditions',
      /includes/,
      'UnknownOperator',
    );
    await rejected(
      { conditions: { all: [{ field: 'hours_since_solved', operator: 'greater_than', value: '1.5' }] } },
      'conditions',
      /whole number of hours/,
    );
    await rejected(
      { conditions: solvedFor4Days, actions: [{ field: 'status', value: 'exploded' }] },
      'actions',
      /exploded/,
    );
    await rejected({ conditions: solvedFor4Days, actions: [] }, 'actions', /at least one action/);
    await rejected(
      {
        conditions: solvedFor4Days,
        actions: [
          { field: 'status', value: 'closed' },
          { field: 'comment_value', value: 'Hi' },
        ],
      },
      'actions',
      /do not add comments/,
    );
    await rejected(
      {
        conditions: {
          all: [...solvedFor4Days.all, { field: 'assignee_id', operator: 'is', value: 'current_user' }],
        },
      },
      'conditions',
      /runs as nobody/,
    );
    await rejected(
      {
        conditions: solvedFor4Days,
        actions: [
          { field: 'status', value: 'closed' },
          { field: 'group_id', value: 987_654 },
        ],
      },
      'base',
      /group 987654/,
    );
    const blank = await call('POST', '/api/v2/automations.json', {
      automation: { conditions: solvedFor4Days, actions: [{ field: 'status', value: 'closed' }] },
    });
    assert.equal(blank.status, 422);
    assert.equal(blank.body.details.title[0].error, 'BlankValue');
  });

  test('an update is validated as a whole automation', async () => {
    const a = await newAutomation({
      title: 'Will stay valid',
      active: false,
      conditions: solvedFor4Days,
      actions: [{ field: 'status', value: 'closed' }],
    });
    const res = await call('PUT', `/api/v2/automations/${a.id}.json`, {
      automation: { actions: [{ field: 'priority', value: 'high' }] },
    });
    assert.equal(res.status, 422, res.text);
    assert.ok(res.body.details.conditions[0].description.includes('nullify'));
    assert.deepEqual((await call('GET', `/api/v2/automations/${a.id}.json`)).body.automation.actions, [
      { field: 'status', value: 'closed' },
    ]);
    await call('DELETE', `/api/v2/automations/${a.id}.json`);
  });
});

describe('the pass', () => {
  test('closes a solved ticket once it has been solved for 4 days, and not before', async () => {
    const close = await newAutomation({
      title: 'Close after 4 days',
      conditions: solvedFor4Days,
      actions: [{ field: 'status', value: 'closed' }],
    });
    const solved = await newTicket({ subject: 'Fixed printer', status: 'solved', assignee_id: agent.id });
    const open = await newTicket({ subject: 'Still broken', status: 'open' });

    clock.advance(3 * DAY);
    await run();
    assert.equal((await ticket(solved.id)).status, 'solved', 'three days are not four');

    clock.advance(2 * DAY);
    const stats = await run();
    assert.equal((await ticket(solved.id)).status, 'closed');
    assert.equal((await ticket(open.id)).status, 'open');
    assert.ok(stats.automations >= 1 && stats.examined >= 1 && stats.acted >= 1, JSON.stringify(stats));
    assert.equal(stats.errors, 0);
    assert.equal(typeof stats.ms, 'number');

    // The audit names the automation, and the change is the system's, not a person's.
    const last = (await audits(solved.id)).at(-1)!;
    assert.equal(last.author_id, null);
    assert.equal(last.via.channel, 'rule');
    assert.equal(last.via.source.rel, 'automation');
    assert.equal(last.via.source.from.id, close.id);
    assert.equal(last.via.source.from.title, 'Close after 4 days');
    assert.ok(last.events.some((e: any) => e.field_name === 'status' && e.value === 'closed'));

    // Closed is final: the next pass finds nothing more to do with it.
    const again = await run();
    assert.equal(again.errors, 0);
    await call('PUT', `/api/v2/automations/${close.id}.json`, { automation: { active: false } });
  });

  test('the pending reminder notifies once, and again after the ticket is pending anew', async () => {
    const reminder = await newAutomation({
      title: 'Pending reminder',
      conditions: {
        all: [
          { field: 'status', operator: 'is', value: 'pending' },
          { field: 'hours_since_pending', operator: 'is', value: '24' },
        ],
      },
      actions: [
        {
          field: 'notification_user',
          value: [
            'requester_id',
            '{{ticket.title}} is waiting for your reply',
            'Please reply to {{ticket.id}}.',
          ],
        },
      ],
    });
    const waiting = await newTicket({ subject: 'Need your invoice', status: 'pending' });
    const subject = 'Need your invoice is waiting for your reply';

    clock.advance(23 * HOUR);
    await run();
    await settle();
    assert.equal(mailsAbout(customer.email, subject).length, 0, 'not before 24 hours');

    clock.advance(1.5 * HOUR);
    await run();
    const mail = await mailTo(customer.email, subject);
    assert.match(mail.text, new RegExp(`Please reply to ${waiting.id}\\.`));
    const notification = (await audits(waiting.id))
      .flatMap((a) => a.events)
      .find((e: any) => e.type === 'Notification');
    assert.equal(notification.via.source.rel, 'automation');
    assert.equal(notification.via.source.from.id, reminder.id);

    // Still inside the same hour: a second pass (the hourly one after an on-demand one) does not remind again.
    clock.advance(10 * 60_000);
    await run();
    await settle();
    assert.equal(mailsAbout(customer.email, subject).length, 1);
    assert.equal((await ticket(waiting.id)).status, 'pending');

    // The customer answers, the agent asks again: a new pending period gets its own reminder.
    clock.reset();
    await update(waiting.id, { status: 'open' });
    await update(waiting.id, { status: 'pending' });
    clock.advance(24.5 * HOUR);
    await run();
    const deadline = Date.now() + 15_000;
    while (mailsAbout(customer.email, subject).length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(mailsAbout(customer.email, subject).length, 2);
    await call('PUT', `/api/v2/automations/${reminder.id}.json`, { automation: { active: false } });
  });

  test('a nullification a trigger undoes does not make the automation act every hour', async () => {
    const nudge = await newAutomation({
      title: 'Nudge quiet tickets',
      conditions: {
        all: [
          { field: 'status', operator: 'is', value: 'pending' },
          { field: 'hours_since_pending', operator: 'greater_than', value: '48' },
          { field: 'current_tags', operator: 'includes', value: 'undo' },
          { field: 'current_tags', operator: 'not_includes', value: 'nudged' },
        ],
      },
      actions: [{ field: 'current_tags', value: 'nudged' }],
    });
    const trigger = await call('POST', '/api/v2/triggers.json', {
      trigger: {
        title: 'Take nudged off again',
        conditions: { all: [{ field: 'current_tags', operator: 'includes', value: 'nudged' }] },
        actions: [{ field: 'remove_tags', value: 'nudged' }],
      },
    });
    assert.equal(trigger.status, 201, trigger.text);
    const quiet = await newTicket({ subject: 'Quiet one', status: 'pending', tags: ['undo'] });

    clock.advance(49 * HOUR);
    await run();
    const byNudge = async () =>
      (await audits(quiet.id)).filter(
        (a) => a.via?.source?.rel === 'automation' && a.via.source.from.id === nudge.id,
      );
    assert.equal((await byNudge()).length, 1);
    assert.ok(!(await ticket(quiet.id)).tags.includes('nudged'), 'the trigger took the tag off again');
    // Its conditions still hold, hour after hour, but it has acted on this condition set.
    for (let hour = 0; hour < 3; hour++) {
      clock.advance(HOUR);
      await run();
    }
    assert.equal((await byNudge()).length, 1);
    await call('DELETE', `/api/v2/triggers/${trigger.body.trigger.id}.json`);
    await call('PUT', `/api/v2/automations/${nudge.id}.json`, { automation: { active: false } });
  });

  test('passes running at once act once per ticket', async () => {
    const once = await newAutomation({
      title: 'Week-old reminder',
      conditions: {
        all: [
          { field: 'hours_since_created', operator: 'is', value: '168' },
          { field: 'current_tags', operator: 'includes', value: 'race' },
        ],
      },
      actions: [{ field: 'notification_user', value: ['requester_id', 'A week already', 'Hello'] }],
    });
    const tickets = [];
    for (let i = 0; i < 4; i++) tickets.push(await newTicket({ subject: `Race ${i}`, tags: ['race'] }));
    clock.advance(168.5 * HOUR);
    const stats = await Promise.all([run(), run(), run()]);
    assert.equal(
      stats.reduce((n, s) => n + s.acted, 0),
      tickets.length,
      JSON.stringify(stats),
    );
    for (const t of tickets) {
      const notes = (await audits(t.id)).filter((a) => a.via?.source?.from?.id === once.id);
      assert.equal(notes.length, 1, `ticket ${t.id}`);
    }
    await call('PUT', `/api/v2/automations/${once.id}.json`, { automation: { active: false } });
  });

  test('a ticket the automation cannot change is logged and the pass goes on', async () => {
    const dana = (await acct.createUser('Dana Departing', 'dana@automations.example', 'agent')) as any;
    const first = await newTicket({ subject: 'First', status: 'pending', tags: ['batch'] });
    const middle = await newTicket({
      subject: 'Middle',
      status: 'pending',
      tags: ['batch'],
      assignee_id: dana.id,
    });
    const last = await newTicket({ subject: 'Last', status: 'pending', tags: ['batch'] });
    const handOver = await newAutomation({
      title: 'Hand stale tickets to Dana',
      conditions: {
        all: [
          { field: 'status', operator: 'is', value: 'pending' },
          { field: 'hours_since_pending', operator: 'greater_than', value: '48' },
          { field: 'current_tags', operator: 'includes', value: 'batch' },
          { field: 'current_tags', operator: 'not_includes', value: 'handed_over' },
        ],
      },
      actions: [
        { field: 'current_tags', value: 'handed_over' },
        { field: 'assignee_id', value: dana.id },
      ],
    });
    const mark = await newAutomation({
      title: 'Mark stale tickets',
      conditions: {
        all: [
          { field: 'hours_since_pending', operator: 'greater_than', value: '48' },
          { field: 'current_tags', operator: 'includes', value: 'batch' },
          { field: 'current_tags', operator: 'not_includes', value: 'stale' },
        ],
      },
      actions: [{ field: 'current_tags', value: 'stale' }],
    });
    // Dana leaves the team: assigning tickets to her now fails, except where she is assignee already.
    const demoted = await call('PUT', `/api/v2/users/${dana.id}.json`, { user: { role: 'end-user' } });
    assert.equal(demoted.status, 200, demoted.text);

    clock.advance(49 * HOUR);
    const stats = await run();
    assert.ok(stats.errors >= 2, JSON.stringify(stats));
    const [a, b, c] = [await ticket(first.id), await ticket(middle.id), await ticket(last.id)];
    // The failed writes left their tickets as they were; the one in between was handed over.
    assert.ok(!a.tags.includes('handed_over') && !c.tags.includes('handed_over'));
    assert.ok(b.tags.includes('handed_over'));
    // The automation after the failing one ran on every ticket.
    for (const t of [a, b, c]) assert.ok(t.tags.includes('stale'), `${t.subject}: ${t.tags}`);
    const logged = logLines.join('');
    for (const id of [first.id, last.id]) {
      assert.match(logged, new RegExp(`"ticketId":${id}[,}][^\\n]*automation could not act on a ticket`));
    }
    assert.ok(logged.includes(`"automationId":${handOver.id}`));
    for (const x of [handOver, mark]) {
      await call('PUT', `/api/v2/automations/${x.id}.json`, { automation: { active: false } });
    }
  });

  test('a pass runs the caller’s account only', async () => {
    await deactivateDefaults(other);
    const theirs = await newTicket(
      { subject: 'Other account', status: 'solved', requester_id: undefined },
      other.auth,
    );
    const res = await createAutomation(
      { title: 'Theirs', conditions: solvedFor4Days, actions: [{ field: 'status', value: 'closed' }] },
      other.auth,
    );
    assert.equal(res.status, 201, res.text);
    clock.advance(5 * DAY);
    await run(acct.auth);
    assert.equal((await ticket(theirs.id, other.auth)).status, 'solved');
    await run(other.auth);
    assert.equal((await ticket(theirs.id, other.auth)).status, 'closed');
    await call(
      'PUT',
      `/api/v2/automations/${res.body.automation.id}.json`,
      { automation: { active: false } },
      other.auth,
    );
  });

  test('the hourly job runs the automations of every account', async () => {
    const mine = await newAutomation({
      title: 'Close after 4 days (job)',
      conditions: solvedFor4Days,
      actions: [{ field: 'status', value: 'closed' }],
    });
    const theirs = await createAutomation(
      { title: 'Theirs (job)', conditions: solvedFor4Days, actions: [{ field: 'status', value: 'closed' }] },
      other.auth,
    );
    const a = await newTicket({ subject: 'Job, mine', status: 'solved' });
    const b = await newTicket(
      { subject: 'Job, theirs', status: 'solved', requester_id: undefined },
      other.auth,
    );
    clock.advance(5 * DAY);
    await app.runtime.services.jobs.send(AUTOMATIONS_JOB, {});
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if ((await ticket(a.id)).status === 'closed' && (await ticket(b.id, other.auth)).status === 'closed')
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await ticket(a.id)).status, 'closed');
    assert.equal((await ticket(b.id, other.auth)).status, 'closed');
    await call('PUT', `/api/v2/automations/${mine.id}.json`, { automation: { active: false } });
    await call('DELETE', `/api/v2/automations/${theirs.body.automation.id}.json`, undefined, other.auth);
  });
});

describe('what a new account starts with', () => {
  let fresh: TestAccount;
  let requester: { id: number; email: string };
  before(async () => {
    fresh = await app.createAccount();
    requester = (await fresh.createUser('Riley Requester', 'riley@automations.example')) as any;
  });

  test('Zendesk’s default automations: close after 4 days and ask for a rating are on, reminders off', async () => {
    const res = await call('GET', '/api/v2/automations.json', undefined, fresh.auth);
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.automations.map((a: any) => [a.title, a.active, a.default]),
      [
        ['Close ticket 4 days after status is set to solved', true, true],
        ['Pending notification 24 hours', false, true],
        ['Pending notification 5 days', false, true],
        ['Request customer satisfaction rating', true, true],
      ],
    );
  });

  test('a solved ticket is offered a rating after a day and closed after four', async () => {
    const created = await call(
      'POST',
      '/api/v2/tickets.json',
      {
        ticket: {
          subject: 'Lost parcel',
          comment: { body: 'Where is it?' },
          requester_id: requester.id,
          status: 'solved',
        },
      },
      fresh.auth,
    );
    assert.equal(created.status, 201, created.text);
    const id = created.body.ticket.id;

    clock.advance(25 * HOUR);
    await run(fresh.auth);
    const offered = await ticket(id, fresh.auth);
    assert.equal(offered.status, 'solved');
    assert.equal(offered.satisfaction_rating?.score, 'offered');
    const mail = await mailTo(requester.email, 'How would you rate the support you received?');
    assert.match(mail.text, /\/satisfaction\//);

    clock.advance(3 * DAY);
    await run(fresh.auth);
    assert.equal((await ticket(id, fresh.auth)).status, 'closed');
    await settle();
    assert.equal(mailsAbout(requester.email, 'How would you rate').length, 1, 'the rating is asked for once');
  });
});
