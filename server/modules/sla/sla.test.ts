import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  type ApiResponse,
  api,
  startTestApp,
  type TestAccount,
  type TestApp,
} from '../../../test/harness.ts';
import { clock } from '../../platform/clock.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';
import { recordDueBreaches, slaBreachesJob } from './sla.jobs.ts';
import {
  computeSla,
  loadSlaRules,
  recordSlaOutcomes,
  rulesFrom,
  type SlaColumns,
  type SlaRules,
  type SlaTicket,
  type SlaWrite,
  slaColumnValues,
  slaOutcomes,
} from './sla.metrics.ts';
import type { StoredPolicyMetric } from './sla.tables.ts';

// ---------------------------------------------------------------------------------------------------------
// computeSla on its own: pure, so every case is a hand-computed instant.

const MON_FRI_9_17 = [1, 2, 3, 4, 5].map((d) => ({ start_time: d * 1440 + 540, end_time: d * 1440 + 1020 }));
const berlin = { id: 1, time_zone: 'Europe/Berlin', intervals: MON_FRI_9_17, holidays: [] as any[] };

function rules(
  metrics: Partial<StoredPolicyMetric>[],
  options: { filter?: any; schedule?: typeof berlin | null; more?: any[] } = {},
): SlaRules {
  const policy = {
    id: 7,
    filter: options.filter ?? { all: [], any: [] },
    policy_metrics: metrics.map((m) => ({
      priority: 'normal',
      metric: 'first_reply_time',
      target: 60,
      business_hours: false,
      ...m,
    })) as StoredPolicyMetric[],
  };
  return rulesFrom({
    policies: [...(options.more ?? []), policy],
    schedule: options.schedule === undefined ? berlin : options.schedule,
  });
}

/** A ticket row with what computeSla reads; `sla` carries the columns of the previous write. */
function ticket(fields: Partial<SlaTicket> = {}, sla?: SlaColumns): SlaTicket {
  return {
    status: 'new',
    priority: 'normal',
    type: null,
    group_id: null,
    assignee_id: null,
    requester_id: 11,
    organization_id: null,
    tags: [],
    via_channel: 'api',
    custom_fields: {},
    created_at: new Date('2026-01-01T00:00:00Z'),
    solved_at: null,
    status_updated_at: new Date('2026-01-01T00:00:00Z'),
    agent_updated_at: null,
    requester_updated_at: null,
    sla_policy_id: sla?.sla_policy_id ?? null,
    sla_metrics: sla?.sla_metrics ?? [],
    sla_breach_at: sla?.sla_breach_at ?? null,
    ...fields,
  };
}

const endUser = { public: true, authorIsAgent: false, authorIsRequester: true };
const agentPublic = { public: true, authorIsAgent: true, authorIsRequester: false };
const agentNote = { public: false, authorIsAgent: true, authorIsRequester: false };

/** A sequence of writes, each on the previous one's result. */
function writes(r: SlaRules, steps: (Omit<SlaWrite, 'before' | 'after'> & { after?: Partial<SlaTicket> })[]) {
  let previous: SlaColumns | null = null;
  let fields: Partial<SlaTicket> = {};
  const results: SlaColumns[] = [];
  for (const step of steps) {
    fields = { ...fields, ...step.after };
    const before = previous ? ticket(fields, previous) : null;
    const next = computeSla(r, { before, after: ticket(fields), comment: step.comment, now: step.now });
    results.push(next);
    previous = next;
  }
  return results;
}

const metric = (c: SlaColumns, name: string) => c.sla_metrics.filter((m) => m.metric === name).at(-1)!;
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('computeSla: first reply in business hours (Mon–Fri 09:00–17:00 Europe/Berlin)', () => {
  const r = rules([{ metric: 'first_reply_time', target: 240, business_hours: true }]);

  test('a ticket created Friday 15:00 with a 4-hour target breaches Monday 11:00', () => {
    const [c] = writes(r, [{ comment: endUser, now: new Date('2026-01-16T14:00:00Z') }]);
    assert.equal(c!.sla_policy_id, 7);
    assert.equal(iso(c!.sla_breach_at), '2026-01-19T10:00:00.000Z');
    const frt = metric(c!, 'first_reply_time');
    assert.deepEqual(
      {
        target: frt.target,
        business_hours: frt.business_hours,
        stage: frt.stage,
        started_at: frt.started_at,
      },
      { target: 240, business_hours: true, stage: 'active', started_at: '2026-01-16T14:00:00.000Z' },
    );
  });

  test('with Monday a holiday, Tuesday 11:00', () => {
    const holiday = rules([{ metric: 'first_reply_time', target: 240, business_hours: true }], {
      schedule: { ...berlin, holidays: [{ start_date: '2026-01-19', end_date: '2026-01-19' }] },
    });
    const [c] = writes(holiday, [{ comment: endUser, now: new Date('2026-01-16T14:00:00Z') }]);
    assert.equal(iso(c!.sla_breach_at), '2026-01-20T10:00:00.000Z');
  });

  test('the first public agent reply achieves it; a note does not', () => {
    const [, noted, replied] = writes(r, [
      { comment: endUser, now: new Date('2026-01-16T14:00:00Z') },
      { comment: agentNote, now: new Date('2026-01-19T08:10:00Z') },
      { comment: agentPublic, now: new Date('2026-01-19T08:30:00Z'), after: { status: 'open' } },
    ]);
    assert.equal(metric(noted!, 'first_reply_time').stage, 'active');
    const frt = metric(replied!, 'first_reply_time');
    assert.equal(frt.stage, 'achieved');
    assert.equal(frt.fulfilled_at, '2026-01-19T08:30:00.000Z');
    assert.equal(replied!.sla_breach_at, null);
    assert.deepEqual(
      slaOutcomes(noted!.sla_metrics, replied!).map((o) => [o.metric, o.outcome]),
      [['first_reply_time', 'achieved']],
    );
    // Nothing new completes on the next write: outcomes are recorded once.
    const [again] = writes(r, [{ comment: null, now: new Date('2026-01-19T09:00:00Z') }]);
    assert.deepEqual(slaOutcomes(again!.sla_metrics, again!), []);
  });

  test('a reply after the breach time is breached', () => {
    const [first, late] = writes(r, [
      { comment: endUser, now: new Date('2026-01-16T14:00:00Z') },
      { comment: agentPublic, now: new Date('2026-01-19T13:00:00Z'), after: { status: 'open' } },
    ]);
    assert.equal(metric(late!, 'first_reply_time').stage, 'breached');
    const [outcome] = slaOutcomes(first!.sla_metrics, late!);
    assert.equal(outcome!.outcome, 'breached');
    assert.equal(iso(outcome!.breach_at), '2026-01-19T10:00:00.000Z');
  });

  test('changing the priority changes the target and keeps the start', () => {
    const priorities = rules([
      { metric: 'first_reply_time', target: 240, business_hours: true },
      { priority: 'urgent', metric: 'first_reply_time', target: 60, business_hours: true },
    ]);
    const [, urgent] = writes(priorities, [
      { comment: endUser, now: new Date('2026-01-16T14:00:00Z') },
      { comment: null, now: new Date('2026-01-16T14:30:00Z'), after: { priority: 'urgent' } },
    ]);
    // Started Friday 15:00 CET; one business hour later is 16:00 CET.
    assert.equal(iso(urgent!.sla_breach_at), '2026-01-16T15:00:00.000Z');
    assert.equal(metric(urgent!, 'first_reply_time').started_at, '2026-01-16T14:00:00.000Z');
  });

  test('without a schedule, business-hour targets count calendar time', () => {
    const none = rules([{ metric: 'first_reply_time', target: 240, business_hours: true }], {
      schedule: null,
    });
    const [c] = writes(none, [{ comment: endUser, now: new Date('2026-01-16T14:00:00Z') }]);
    assert.equal(iso(c!.sla_breach_at), '2026-01-16T18:00:00.000Z');
    assert.equal(metric(c!, 'first_reply_time').business_hours, false);
  });
});

describe('computeSla: which tickets get targets', () => {
  test('an agent’s ticket opened with a public comment has no first reply metric; with a note it has', () => {
    const r = rules([{ metric: 'first_reply_time', target: 60 }]);
    const [agentTicket] = writes(r, [{ comment: agentPublic, now: new Date('2026-02-02T10:00:00Z') }]);
    assert.equal(
      agentTicket!.sla_metrics.some((m) => m.metric === 'first_reply_time'),
      false,
    );
    assert.equal(agentTicket!.sla_breach_at, null);
    const [noted] = writes(r, [{ comment: agentNote, now: new Date('2026-02-02T10:00:00Z') }]);
    assert.equal(iso(noted!.sla_breach_at), '2026-02-02T11:00:00.000Z');
  });

  test('no priority, no targets; the first matching policy by order applies', () => {
    const vip = {
      id: 3,
      filter: { all: [{ field: 'current_tags', operator: 'includes', value: 'vip' }], any: [] },
      policy_metrics: [{ priority: 'normal', metric: 'first_reply_time', target: 15, business_hours: false }],
    };
    const r = rules([{ metric: 'first_reply_time', target: 60 }], { more: [vip] });
    const now = new Date('2026-02-02T10:00:00Z');
    const [plain] = writes(r, [{ comment: endUser, now }]);
    assert.equal(plain!.sla_policy_id, 7);
    const [tagged] = writes(r, [{ comment: endUser, now, after: { tags: ['vip'] } }]);
    assert.equal(tagged!.sla_policy_id, 3);
    assert.equal(iso(tagged!.sla_breach_at), '2026-02-02T10:15:00.000Z');
    const [noPriority] = writes(r, [{ comment: endUser, now, after: { priority: null } }]);
    assert.equal(noPriority!.sla_breach_at, null);
    assert.equal(metric(noPriority!, 'first_reply_time').target, null);
  });

  test('a filter that stops matching drops the targets; matching again restores them from the start', () => {
    const r = rules([{ metric: 'first_reply_time', target: 60 }], {
      filter: { all: [{ field: 'group_id', operator: 'is', value: 5 }], any: [] },
    });
    const [none, grouped] = writes(r, [
      { comment: endUser, now: new Date('2026-02-02T10:00:00Z') },
      { comment: null, now: new Date('2026-02-02T10:20:00Z'), after: { group_id: 5 } },
    ]);
    assert.equal(none!.sla_policy_id, null);
    assert.equal(none!.sla_breach_at, null);
    assert.equal(grouped!.sla_policy_id, 7);
    assert.equal(iso(grouped!.sla_breach_at), '2026-02-02T11:00:00.000Z');
  });
});

describe('computeSla: next reply, periodic update, requester wait', () => {
  test('next reply starts at the first unanswered end-user comment after the first reply', () => {
    const r = rules([
      { metric: 'first_reply_time', target: 120 },
      { metric: 'next_reply_time', target: 60 },
      { metric: 'periodic_update', target: 240 },
    ]);
    const t0 = Date.parse('2026-02-02T10:00:00Z');
    const at = (minutes: number) => new Date(t0 + minutes * 60_000);
    const steps = writes(r, [
      { comment: endUser, now: at(0) },
      { comment: endUser, now: at(10) }, // before the first reply: no next reply yet
      { comment: agentPublic, now: at(30), after: { status: 'open' } },
      { comment: endUser, now: at(60) },
      { comment: endUser, now: at(90) }, // still waiting since minute 60
      { comment: agentPublic, now: at(180) },
    ]);
    assert.equal(
      steps[1]!.sla_metrics.some((m) => m.metric === 'next_reply_time'),
      false,
    );
    const nrt = metric(steps[4]!, 'next_reply_time');
    assert.equal(nrt.started_at, at(60).toISOString());
    assert.equal(nrt.breach_at, at(120).toISOString());
    // The periodic update started at the reply (minute 30) breaches at 270; the next reply at 120 comes first.
    assert.equal(iso(steps[4]!.sla_breach_at), at(120).toISOString());
    assert.equal(metric(steps[5]!, 'next_reply_time').stage, 'breached');
    assert.deepEqual(
      slaOutcomes(steps[4]!.sla_metrics, steps[5]!).map((o) => [o.metric, o.outcome]),
      [
        ['periodic_update', 'achieved'],
        ['next_reply_time', 'breached'],
      ],
    );
    // A new periodic update runs from the latest reply.
    assert.equal(metric(steps[5]!, 'periodic_update').started_at, at(180).toISOString());
    assert.equal(iso(steps[5]!.sla_breach_at), at(420).toISOString());
  });

  test('requester wait pauses while pending, resumes, is fulfilled on solve and resumes on reopening', () => {
    const r = rules([{ metric: 'requester_wait_time', target: 480 }]);
    const t0 = Date.parse('2026-02-02T10:00:00Z');
    const at = (hours: number) => new Date(t0 + hours * 3_600_000);
    const [created, pending, open, solved, reopened] = writes(r, [
      { comment: endUser, now: at(0) },
      { comment: null, now: at(2), after: { status: 'pending' } },
      { comment: endUser, now: at(5), after: { status: 'open' } },
      { comment: null, now: at(12), after: { status: 'solved' } },
      { comment: endUser, now: at(20), after: { status: 'open' } },
    ]);
    assert.equal(iso(created!.sla_breach_at), at(8).toISOString());
    assert.equal(metric(pending!, 'requester_wait_time').stage, 'paused');
    assert.equal(metric(pending!, 'requester_wait_time').breach_at, null);
    assert.equal(pending!.sla_breach_at, null);
    // 2 h used before the pause; the remaining 6 h run from hour 5.
    assert.equal(iso(open!.sla_breach_at), at(11).toISOString());
    const wait = metric(solved!, 'requester_wait_time');
    assert.equal(wait.stage, 'breached');
    assert.equal(wait.fulfilled_at, at(12).toISOString());
    assert.equal(solved!.sla_breach_at, null);
    assert.deepEqual(
      slaOutcomes(open!.sla_metrics, solved!).map((o) => [o.metric, o.outcome]),
      [['requester_wait_time', 'breached']],
    );
    const resumed = metric(reopened!, 'requester_wait_time');
    assert.equal(resumed.stage, 'active');
    assert.equal(resumed.started_at, at(0).toISOString());
    assert.equal(resumed.fulfilled_at, null);
    assert.equal(iso(reopened!.sla_breach_at), at(11).toISOString());
  });

  test('solving fulfils every running metric; a ticket created solved records its outcomes', () => {
    const r = rules([
      { metric: 'first_reply_time', target: 60 },
      { metric: 'requester_wait_time', target: 600 },
    ]);
    const [c] = writes(r, [
      { comment: endUser, now: new Date('2026-02-02T10:00:00Z'), after: { status: 'solved' } },
    ]);
    assert.equal(c!.sla_breach_at, null);
    assert.deepEqual(
      c!.sla_metrics.map((m) => [m.metric, m.stage]),
      [
        ['first_reply_time', 'achieved'],
        ['requester_wait_time', 'achieved'],
      ],
    );
    assert.equal(slaOutcomes(null, c!).length, 2);
  });

  test('a ticket written before there were policies gets its state from its own timestamps', () => {
    const r = rules([
      { metric: 'first_reply_time', target: 60 },
      { metric: 'requester_wait_time', target: 600 },
    ]);
    const old = ticket({
      status: 'open',
      created_at: new Date('2026-02-02T10:00:00Z'),
      status_updated_at: new Date('2026-02-02T10:00:00Z'),
    });
    const c = computeSla(r, {
      before: old,
      after: old,
      comment: null,
      now: new Date('2026-02-02T10:30:00Z'),
    });
    assert.equal(metric(c, 'first_reply_time').started_at, '2026-02-02T10:00:00.000Z');
    assert.equal(iso(c.sla_breach_at), '2026-02-02T11:00:00.000Z');
  });

  test('a reply made while the account had no policies fulfils the reply clock it finds running', () => {
    const r = rules([{ metric: 'first_reply_time', target: 60 }]);
    const [created] = writes(r, [{ comment: endUser, now: new Date('2026-02-02T10:00:00Z') }]);
    // Policies were removed, an agent replied at 10:30 (the write path skipped SLA), policies came back.
    const stale = ticket({ status: 'open', agent_updated_at: new Date('2026-02-02T10:30:00Z') }, created);
    const c = computeSla(r, {
      before: stale,
      after: stale,
      comment: null,
      now: new Date('2026-02-02T12:00:00Z'),
    });
    const frt = metric(c, 'first_reply_time');
    assert.deepEqual([frt.stage, frt.fulfilled_at], ['achieved', '2026-02-02T10:30:00.000Z']);
    assert.equal(c.sla_breach_at, null);
  });

  test('a broken state never blocks the write: the ticket keeps what it had', () => {
    const r = rules([{ metric: 'first_reply_time', target: 60 }]);
    const broken = ticket({}, { sla_policy_id: 7, sla_metrics: 'garbage' as any, sla_breach_at: null });
    const c = computeSla(r, { before: broken, after: broken, comment: endUser, now: new Date() });
    assert.equal(c.sla_metrics as unknown, 'garbage');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Through HTTP on a real database.

let app: TestApp;
let acct: TestAccount;
let agentAuth: string;
let customerId: number;
let groupId: number;

async function call(method: string, path: string, body?: unknown, auth = acct.auth): Promise<ApiResponse> {
  return api(app, method, path, { auth, body });
}

async function ok(res: ApiResponse, status = 200): Promise<any> {
  assert.equal(res.status, status, res.text);
  return res.body;
}

function detailsOf(res: ApiResponse): string {
  assert.equal(res.status, 422, res.text);
  return JSON.stringify(res.body.details);
}

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  await acct.createUser('Agnes Agent', 'agnes@sla.test', 'agent');
  agentAuth = acct.authAs('agnes@sla.test');
  customerId = (await acct.createUser('Carla Customer', 'carla@sla.test')).id;
  groupId = (await ok(await call('POST', '/api/v2/groups.json', { group: { name: 'Support' } }), 201)).group
    .id;
});

after(async () => {
  clock.reset();
  await app?.close();
});

describe('business-hours schedules and holidays', () => {
  test('a policy cannot use business hours before the account has a schedule', async () => {
    const res = await call('POST', '/api/v2/slas/policies', {
      sla_policy: {
        title: 'Too early',
        filter: { all: [], any: [] },
        policy_metrics: [
          { priority: 'normal', metric: 'first_reply_time', target: 60, business_hours: true },
        ],
      },
    });
    assert.match(detailsOf(res), /need a schedule/);
  });

  test('create (Mon–Fri 09:00–17:00 by default), show, list, update, workweek, delete', async () => {
    const created = await ok(
      await call('POST', '/api/v2/business_hours/schedules.json', {
        schedule: { name: 'Berlin office', time_zone: 'Europe/Berlin' },
      }),
      201,
    );
    const s = created.schedule;
    assert.equal(s.name, 'Berlin office');
    assert.equal(s.time_zone, 'Europe/Berlin');
    assert.deepEqual(s.intervals, MON_FRI_9_17);
    assert.match(s.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const shown = await ok(
      await call('GET', `/api/v2/business_hours/schedules/${s.id}`, undefined, agentAuth),
    );
    assert.deepEqual(shown.schedule, s);

    const second = await ok(
      await call('POST', '/api/v2/business_hours/schedules', {
        schedule: {
          name: 'Weekend desk',
          time_zone: 'America/New_York',
          intervals: [{ start_time: 6 * 1440 + 600, end_time: 7 * 1440 }],
        },
      }),
      201,
    );
    const listed = await ok(await call('GET', '/api/v2/business_hours/schedules', undefined, agentAuth));
    assert.deepEqual(
      listed.schedules.map((x: any) => x.id),
      [s.id, second.schedule.id],
    );
    assert.equal(listed.count, 2);

    const renamed = await ok(
      await call('PUT', `/api/v2/business_hours/schedules/${second.schedule.id}`, {
        schedule: { name: 'Weekend', time_zone: 'Europe/London' },
      }),
    );
    assert.equal(renamed.schedule.name, 'Weekend');
    assert.equal(renamed.schedule.time_zone, 'Europe/London');

    // The workweek takes intervals in any order and stores them sorted.
    const week = await ok(
      await call('PUT', `/api/v2/business_hours/schedules/${second.schedule.id}/workweek`, {
        workweek: {
          intervals: [
            { start_time: 1440 + 780, end_time: 1440 + 1020 },
            { start_time: 1440 + 540, end_time: 1440 + 720 },
          ],
        },
      }),
    );
    assert.deepEqual(week.workweek.intervals, [
      { start_time: 1980, end_time: 2160 },
      { start_time: 2220, end_time: 2460 },
    ]);

    assert.equal(
      (await call('DELETE', `/api/v2/business_hours/schedules/${second.schedule.id}`)).status,
      204,
    );
    assert.equal((await call('GET', `/api/v2/business_hours/schedules/${second.schedule.id}`)).status, 404);
  });

  test('invalid schedules are refused with details', async () => {
    const post = (schedule: unknown) => call('POST', '/api/v2/business_hours/schedules', { schedule });
    assert.match(detailsOf(await post({ name: 'X', time_zone: 'Mars/Olympus' })), /time zone/);
    assert.match(detailsOf(await post({ time_zone: 'UTC' })), /Name: cannot be blank/);
    assert.match(
      detailsOf(
        await post({ name: 'X', time_zone: 'UTC', intervals: [{ start_time: 1400, end_time: 1500 }] }),
      ),
      /cannot span calendar days/,
    );
    assert.match(
      detailsOf(
        await post({
          name: 'X',
          time_zone: 'UTC',
          intervals: [
            { start_time: 600, end_time: 700 },
            { start_time: 650, end_time: 800 },
          ],
        }),
      ),
      /overlaps/,
    );
    assert.match(
      detailsOf(await post({ name: 'X', time_zone: 'UTC', intervals: [{ start_time: 700, end_time: 600 }] })),
      /must end after it starts/,
    );
  });

  test('agents read schedules, only admins change them', async () => {
    const res = await call(
      'POST',
      '/api/v2/business_hours/schedules',
      { schedule: { name: 'Mine', time_zone: 'UTC' } },
      agentAuth,
    );
    assert.equal(res.status, 403);
  });

  test('holidays: create, list, update, delete; dates inclusive and checked', async () => {
    const { schedules } = await ok(await call('GET', '/api/v2/business_hours/schedules'));
    const id = schedules[0].id;
    const path = `/api/v2/business_hours/schedules/${id}/holidays`;
    const made = await ok(
      await call('POST', path, {
        holiday: { name: 'Christmas', start_date: '2026-12-24', end_date: '2026-12-26' },
      }),
      201,
    );
    assert.deepEqual(
      { ...made.holiday, id: 0 },
      { id: 0, name: 'Christmas', start_date: '2026-12-24', end_date: '2026-12-26' },
    );
    const single = await ok(
      await call('POST', path, { holiday: { name: 'New Year', start_date: '2027-01-01' } }),
      201,
    );
    assert.equal(single.holiday.end_date, '2027-01-01');

    const listed = await ok(await call('GET', path, undefined, agentAuth));
    assert.deepEqual(
      listed.holidays.map((h: any) => h.name),
      ['Christmas', 'New Year'],
    );
    const moved = await ok(
      await call('PUT', `${path}/${made.holiday.id}`, { holiday: { end_date: '2026-12-25' } }),
    );
    assert.equal(moved.holiday.end_date, '2026-12-25');
    assert.equal(moved.holiday.start_date, '2026-12-24');

    assert.match(
      detailsOf(await call('PUT', `${path}/${made.holiday.id}`, { holiday: { end_date: '2026-12-01' } })),
      /before the start date/,
    );
    assert.match(
      detailsOf(await call('POST', path, { holiday: { name: 'Bad', start_date: '2026-02-30' } })),
      /not a date/,
    );
    assert.equal((await call('DELETE', `${path}/${single.holiday.id}`)).status, 204);
    assert.equal((await call('GET', `${path}/${single.holiday.id}`)).status, 404);
    // A holiday is reached only through its own schedule.
    assert.equal(
      (await call('GET', `/api/v2/business_hours/schedules/999999/holidays/${made.holiday.id}`)).status,
      404,
    );
  });
});

describe('SLA policies', () => {
  const policy = (over: Record<string, unknown> = {}) => ({
    title: 'Default',
    description: 'Every ticket',
    filter: { all: [], any: [] },
    policy_metrics: [{ priority: 'normal', metric: 'first_reply_time', target: 240, business_hours: true }],
    ...over,
  });

  test('create, show, update and delete, on both paths', async () => {
    const res = await call('POST', '/api/v2/slas/policies', {
      sla_policy: policy({
        title: 'Gold',
        filter: {
          all: [
            { field: 'group_id', operator: 'is', value: String(groupId) },
            { field: 'tags', operator: 'includes', value: 'Gold VIP' },
          ],
          any: [
            { field: 'status', operator: 'less_than', value: 'Solved' },
            { field: 'via', operator: 'is', value: 'email' },
          ],
        },
      }),
    });
    const created = (await ok(res, 201)).sla_policy;
    assert.equal(res.headers.get('location'), created.url);
    assert.deepEqual(created.filter, {
      all: [
        { field: 'group_id', operator: 'is', value: groupId },
        { field: 'current_tags', operator: 'includes', value: 'gold vip' },
      ],
      any: [
        { field: 'status', operator: 'less_than', value: 'solved' },
        { field: 'via', operator: 'is', value: 'email' },
      ],
    });
    assert.deepEqual(created.policy_metrics, [
      {
        priority: 'normal',
        metric: 'first_reply_time',
        target: 240,
        target_in_seconds: 14_400,
        business_hours: true,
      },
    ]);
    const alias = await ok(await call('GET', `/api/v2/sla_policies/${created.id}`));
    assert.deepEqual(alias.sla_policy, created);

    const updated = await ok(
      await call('PUT', `/api/v2/sla_policies/${created.id}.json`, {
        sla_policy: {
          title: 'Gold customers',
          policy_metrics: [
            { priority: 'urgent', metric: 'next_reply_time', target: 30 },
            { priority: 'high', metric: 'requester_wait_time', target: 600, business_hours: true },
          ],
        },
      }),
    );
    assert.equal(updated.sla_policy.title, 'Gold customers');
    assert.deepEqual(
      updated.sla_policy.policy_metrics.map((m: any) => [m.priority, m.metric, m.target, m.business_hours]),
      [
        ['urgent', 'next_reply_time', 30, false],
        ['high', 'requester_wait_time', 600, true],
      ],
    );
    assert.deepEqual(updated.sla_policy.filter, created.filter);

    assert.equal((await call('DELETE', `/api/v2/slas/policies/${created.id}`)).status, 204);
    assert.equal((await call('GET', `/api/v2/slas/policies/${created.id}`)).status, 404);
  });

  test('invalid policies are refused with details', async () => {
    const post = (p: unknown) => call('POST', '/api/v2/slas/policies', { sla_policy: p });
    assert.match(detailsOf(await post(policy({ title: '' }))), /title/);
    assert.match(detailsOf(await post({ title: 'No filter' })), /Filter: cannot be blank/);
    assert.match(
      detailsOf(await post(policy({ filter: { all: [{ field: 'subject', operator: 'is', value: 'x' }] } }))),
      /not a field SLA filters support/,
    );
    assert.match(
      detailsOf(
        await post(policy({ filter: { all: [{ field: 'status', operator: 'includes', value: 'open' }] } })),
      ),
      /does not apply to status/,
    );
    assert.match(
      detailsOf(
        await post(policy({ filter: { all: [{ field: 'priority', operator: 'is', value: 'asap' }] } })),
      ),
      /not a value of priority/,
    );
    assert.match(
      detailsOf(
        await post(policy({ filter: { all: [{ field: 'group_id', operator: 'is', value: 987654 }] } })),
      ),
      /group 987654 does not exist/,
    );
    assert.match(
      detailsOf(
        await post(
          policy({ filter: { all: [{ field: 'organization_id', operator: 'is', value: 987654 }] } }),
        ),
      ),
      /organization 987654 does not exist/,
    );
    assert.match(
      detailsOf(
        await post(
          policy({
            policy_metrics: [
              { priority: 'low', metric: 'first_reply_time', target: 60 },
              { priority: 'low', metric: 'first_reply_time', target: 90 },
            ],
          }),
        ),
      ),
      /more than once/,
    );
    assert.match(
      detailsOf(
        await post(policy({ policy_metrics: [{ priority: 'low', metric: 'solve_time', target: 60 }] })),
      ),
      /policy_metrics/,
    );
    assert.match(
      detailsOf(
        await post(policy({ policy_metrics: [{ priority: 'low', metric: 'first_reply_time', target: 0 }] })),
      ),
      /target/,
    );
  });

  test('only admins manage policies', async () => {
    assert.equal((await call('GET', '/api/v2/slas/policies', undefined, agentAuth)).status, 403);
    assert.equal(
      (await call('POST', '/api/v2/sla_policies', { sla_policy: policy() }, agentAuth)).status,
      403,
    );
  });

  test('new policies go last; reorder moves them and the first listed wins', async () => {
    const ids: number[] = [];
    for (const title of ['A', 'B', 'C']) {
      ids.push(
        (await ok(await call('POST', '/api/v2/sla_policies', { sla_policy: policy({ title }) }), 201))
          .sla_policy.id,
      );
    }
    const before = await ok(await call('GET', '/api/v2/slas/policies'));
    assert.deepEqual(
      before.sla_policies.map((p: any) => p.title),
      ['A', 'B', 'C'],
    );
    const reordered = await ok(
      await call('PUT', '/api/v2/sla_policies/reorder', { sla_policy_ids: [ids[2], ids[0]] }),
    );
    assert.deepEqual(
      reordered.sla_policies.map((p: any) => [p.title, p.position]),
      [
        ['C', 1],
        ['A', 2],
        ['B', 3],
      ],
    );
    const rules = await loadSlaRules(app.runtime.services.tenantDb(acct.id));
    assert.deepEqual(
      rules!.policies.map((p) => p.id),
      [ids[2], ids[0], ids[1]],
    );
    assert.ok(rules!.schedule, 'the default schedule is loaded with the policies');
    assert.equal(rules!.schedule!.time_zone, 'Europe/Berlin');
    assert.deepEqual(rules!.schedule!.holidays, [{ start_date: '2026-12-24', end_date: '2026-12-25' }]);

    assert.match(
      detailsOf(await call('PUT', '/api/v2/slas/policies/reorder', { sla_policy_ids: [ids[0], 999_999] })),
      /999999 does not exist/,
    );
    for (const id of ids) assert.equal((await call('DELETE', `/api/v2/slas/policies/${id}`)).status, 204);
  });

  test('an account without policies loads no rules', async () => {
    assert.equal(await loadSlaRules(app.runtime.services.tenantDb(acct.id)), null);
  });

  test('definitions list the filter fields, with the account’s groups', async () => {
    const { definitions } = await ok(await call('GET', '/api/v2/slas/policies/definitions'));
    const fields = definitions.all.map((d: any) => d.value);
    for (const f of [
      'status',
      'priority',
      'type',
      'group_id',
      'assignee_id',
      'requester_id',
      'organization_id',
    ]) {
      assert.ok(fields.includes(f), f);
    }
    assert.ok(fields.includes('current_tags') && fields.includes('via'));
    const group = definitions.all.find((d: any) => d.value === 'group_id');
    assert.ok(group.values.list.some((v: any) => v.value === groupId && v.title === 'Support'));
    assert.deepEqual(definitions.any, definitions.all);
  });
});

describe('tickets: slas, outcomes, the breach job and search', () => {
  let policyId: number;
  const db = () => app.runtime.services.tenantDb(acct.id);

  async function newTicket(subject: string): Promise<number> {
    const res = await call('POST', '/api/v2/tickets', {
      // Opened by the customer, as the computed writes below say.
      ticket: {
        subject,
        comment: { body: subject, author_id: customerId },
        requester_id: customerId,
        priority: 'normal',
      },
    });
    return (await ok(res, 201)).ticket.id;
  }

  /**
   * What the ticket write path does with the SLA columns, at an explicit time: `created` computes them as the
   * ticket's create (replacing whatever the write path stored at its real creation time).
   */
  async function applySla(
    id: number,
    write: Omit<SlaWrite, 'before' | 'after'>,
    created = false,
  ): Promise<SlaColumns> {
    const row = (await db()
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow()) as TicketRow;
    const rules = (await loadSlaRules(db()))!;
    const before = created ? null : row;
    const columns = computeSla(rules, { ...write, before, after: row });
    await db().updateTable('tickets').set(slaColumnValues(columns)).where('id', '=', id).execute();
    await recordSlaOutcomes(db(), id, before?.sla_metrics, columns);
    return columns;
  }

  before(async () => {
    policyId = (
      await ok(
        await call('POST', '/api/v2/slas/policies', {
          sla_policy: {
            title: 'Replies',
            filter: { all: [], any: [] },
            policy_metrics: [
              { priority: 'normal', metric: 'first_reply_time', target: 60, business_hours: false },
            ],
          },
        }),
        201,
      )
    ).sla_policy.id;
  });

  test('a ticket shows its running targets under slas', async () => {
    const id = await newTicket('Printer on fire');
    const now = new Date();
    await applySla(id, { comment: endUser, now }, true);
    const { ticket } = await ok(await call('GET', `/api/v2/tickets/${id}?include=slas`));
    assert.equal(ticket.slas.policy_metrics.length, 1);
    const [m] = ticket.slas.policy_metrics;
    assert.equal(m.metric, 'first_reply_time');
    assert.equal(m.stage, 'active');
    assert.equal(m.breach_at, `${new Date(now.getTime() + 3_600_000).toISOString().slice(0, 19)}Z`);
    assert.equal(m.days, 0);
    assert.ok(m.hours * 60 + m.minutes <= 60 && m.hours * 60 + m.minutes >= 58, JSON.stringify(m));
    const plain = await ok(await call('GET', '/api/v2/tickets.json'));
    assert.ok(plain.tickets.every((t: any) => Array.isArray(t.slas.policy_metrics)));
  });

  test('the breach job records running breaches once; a late reply completes the same row', async () => {
    const id = await newTicket('Slow one');
    const start = new Date('2026-03-02T09:00:00Z');
    await applySla(id, { comment: endUser, now: start }, true);
    const system = app.runtime.services.database.db;
    const events = () =>
      db().selectFrom('sla_metric_events').selectAll().where('ticket_id', '=', id).execute();

    assert.equal(await recordDueBreaches(system, new Date('2026-03-02T09:59:00Z')), 0);
    assert.equal(await recordDueBreaches(system, new Date('2026-03-02T10:01:00Z')), 1);
    assert.equal(await recordDueBreaches(system, new Date('2026-03-02T10:06:00Z')), 0);
    const [breach] = await events();
    assert.deepEqual(
      [breach!.metric, breach!.outcome, breach!.policy_id, breach!.fulfilled_at],
      ['first_reply_time', 'breached', policyId, null],
    );
    assert.equal(breach!.breach_at!.toISOString(), '2026-03-02T10:00:00.000Z');

    await applySla(id, { comment: agentPublic, now: new Date('2026-03-02T11:00:00Z') });
    const rows = await events();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.outcome, 'breached');
    assert.equal(rows[0]!.fulfilled_at!.toISOString(), '2026-03-02T11:00:00.000Z');
  });

  test('an achieved target is recorded as achieved', async () => {
    const id = await newTicket('Quick one');
    await applySla(id, { comment: endUser, now: new Date('2026-03-02T09:00:00Z') }, true);
    await applySla(id, { comment: agentPublic, now: new Date('2026-03-02T09:20:00Z') });
    const rows = await db().selectFrom('sla_metric_events').selectAll().where('ticket_id', '=', id).execute();
    assert.deepEqual(
      rows.map((r) => [r.metric, r.outcome, r.fulfilled_at?.toISOString()]),
      [['first_reply_time', 'achieved', '2026-03-02T09:20:00.000Z']],
    );
  });

  test('search: sla:breached, sla:active, sla:none and dates of the next breach', async () => {
    const overdue = await newTicket('Overdue');
    const dueLater = await newTicket('Due later');
    const without = await newTicket('No target');
    await applySla(overdue, { comment: endUser, now: new Date(Date.now() - 2 * 3_600_000) }, true);
    await applySla(dueLater, { comment: endUser, now: new Date('2030-06-01T10:00:00Z') }, true);
    await db().updateTable('tickets').set({ priority: null }).where('id', '=', without).execute();
    await applySla(without, { comment: endUser, now: new Date() }, true);

    const found = async (query: string) => {
      const res = await call(
        'GET',
        `/api/v2/search.json?${new URLSearchParams({ query: `type:ticket ${query}` })}`,
      );
      const ids: number[] = (await ok(res)).results.map((r: any) => r.id);
      return [overdue, dueLater, without].filter((id) => ids.includes(id));
    };
    assert.deepEqual(await found('sla:breached'), [overdue]);
    assert.deepEqual(await found('sla:active'), [overdue, dueLater]);
    assert.deepEqual(await found('sla:none'), [without]);
    assert.deepEqual(await found('-sla:breached'), [dueLater, without]);
    assert.deepEqual(await found('sla>2030-01-01'), [dueLater]);
    assert.deepEqual(await found('sla<2030-01-01'), [overdue]);
    assert.deepEqual(await found('sla:2030-06-01'), [dueLater]);
    const bad = await call('GET', `/api/v2/search.json?${new URLSearchParams({ query: 'sla>breached' })}`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.description, /cannot be compared/);
  });
});

// Once the ticket write path calls computeSla (tickets.commands.ts), this runs through HTTP alone.
const wired = readFileSync(new URL('../tickets/tickets.commands.ts', import.meta.url), 'utf8').includes(
  'computeSla',
);

describe('through the ticket write path', {
  skip: !wired && 'the write path does not call computeSla yet',
}, () => {
  let acct2: TestAccount;
  let scheduleId: number;
  let erinId: number;

  before(async () => {
    acct2 = await app.createAccount();
    const post = (path: string, body: unknown) => api(app, 'POST', path, { auth: acct2.auth, body });
    erinId = (await acct2.createUser('Erin End-user', 'erin@sla.test')).id;
    scheduleId = (
      await ok(
        await post('/api/v2/business_hours/schedules', {
          schedule: { name: 'Berlin', time_zone: 'Europe/Berlin' },
        }),
        201,
      )
    ).schedule.id;
    await ok(
      await post('/api/v2/slas/policies', {
        sla_policy: {
          title: 'Business hours',
          filter: { all: [], any: [] },
          policy_metrics: [
            { priority: 'normal', metric: 'first_reply_time', target: 240, business_hours: true },
          ],
        },
      }),
      201,
    );
  });

  after(() => clock.reset());

  const setClock = (at: string) => {
    clock.reset();
    clock.advance(Date.parse(at) - Date.now());
  };

  /** The ticket as agents see it, with its running SLA targets. */
  async function shown(id: number) {
    return (await ok(await api(app, 'GET', `/api/v2/tickets/${id}?include=slas`, { auth: acct2.auth })))
      .ticket;
  }

  async function searchIds(query: string): Promise<number[]> {
    const path = `/api/v2/search.json?${new URLSearchParams({ query: `type:ticket ${query}` })}`;
    return (await ok(await api(app, 'GET', path, { auth: acct2.auth }))).results.map((r: any) => r.id);
  }

  /** Creates a ticket with the rules' clock at `at`; returns its first reply breach time. */
  async function breachOfTicketCreatedAt(at: string): Promise<string> {
    return (await ticketCreatedAt(at)).breach;
  }

  async function ticketCreatedAt(at: string): Promise<{ id: number; breach: string }> {
    setClock(at);
    const res = await api(app, 'POST', '/api/v2/tickets', {
      auth: acct2.auth,
      body: {
        // Opened by the end-user (the requester writes the first comment), so the first reply clock starts.
        ticket: {
          subject: 'Help',
          priority: 'normal',
          requester_id: erinId,
          comment: { body: 'It broke', author_id: erinId },
        },
      },
    });
    const created = (await ok(res, 201)).ticket;
    const ticket = await shown(created.id);
    const frt = ticket.slas.policy_metrics.find((m: any) => m.metric === 'first_reply_time');
    assert.ok(frt, JSON.stringify(ticket.slas));
    return { id: created.id, breach: frt.breach_at };
  }

  test('created Friday 15:00 Berlin with a 4-business-hour target: breach Monday 11:00; Tuesday with a Monday holiday', async () => {
    // Friday 2026-01-16 15:00 CET = 14:00Z → Monday 11:00 CET = 10:00Z. (Seconds may tick while the request runs.)
    assert.match(await breachOfTicketCreatedAt('2026-01-16T14:00:00Z'), /^2026-01-19T10:00:0\dZ$/);
    await ok(
      await api(app, 'POST', `/api/v2/business_hours/schedules/${scheduleId}/holidays`, {
        auth: acct2.auth,
        body: { holiday: { name: 'Closed', start_date: '2026-01-19', end_date: '2026-01-19' } },
      }),
      201,
    );
    assert.match(await breachOfTicketCreatedAt('2026-01-16T14:00:00Z'), /^2026-01-20T10:00:0\dZ$/);
  });

  test('past its breach time: search finds it, the job records it, a late reply completes it', async () => {
    const late = await ticketCreatedAt('2026-02-06T14:00:00Z'); // Friday 15:00 CET → Monday 11:00 CET
    const quick = await ticketCreatedAt('2026-02-06T14:00:00Z');
    setClock('2026-02-09T08:30:00Z'); // Monday 09:30 CET: a reply in time
    const reply = (id: number) =>
      api(app, 'PUT', `/api/v2/tickets/${id}`, {
        auth: acct2.auth,
        body: { ticket: { comment: { body: 'On it', public: true } } },
      });
    await ok(await reply(quick.id));
    assert.deepEqual((await shown(quick.id)).slas.policy_metrics, []);

    setClock('2026-02-09T12:00:00Z'); // Monday 13:00 CET: an hour past the first ticket's breach
    const breached = await searchIds('sla:breached');
    assert.ok(breached.includes(late.id) && !breached.includes(quick.id), JSON.stringify(breached));
    const job = slaBreachesJob(app.runtime.services.database.db);
    await job.handler({}, { id: 'test' });
    await job.handler({}, { id: 'test again' });
    const db = app.runtime.services.tenantDb(acct2.id);
    const events = () =>
      db
        .selectFrom('sla_metric_events')
        .select(['ticket_id', 'metric', 'outcome', 'fulfilled_at'])
        .where('ticket_id', 'in', [late.id, quick.id])
        .orderBy('ticket_id')
        .execute();
    assert.deepEqual(
      // To the minute: the clock keeps ticking while the requests run.
      (await events()).map((e) => [
        e.ticket_id,
        e.outcome,
        e.fulfilled_at?.toISOString().slice(0, 16) ?? null,
      ]),
      [
        [late.id, 'breached', null],
        [quick.id, 'achieved', '2026-02-09T08:30'],
      ].sort((x, y) => (x[0] as number) - (y[0] as number)),
    );

    await ok(await reply(late.id));
    const done = await events();
    assert.equal(done.find((e) => e.ticket_id === late.id)!.outcome, 'breached');
    assert.ok(done.find((e) => e.ticket_id === late.id)!.fulfilled_at);
    assert.ok(!(await searchIds('sla:breached')).includes(late.id));
  });
});
