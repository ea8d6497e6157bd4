// Issue 5's figure: ticket creation throughput with 20 active triggers and 5 SLA policies, against the same
// account with no rules at all, on the embedded database and on PostgreSQL. Prints tables and writes
// tmp/bench/rules-<db>.json.
//
//   npm run bench:rules                                  # both databases, 20 s runs, order BAAB
//   npm run bench:rules -- --db postgres --duration 30   # one database, longer runs
//   npm run bench:rules -- --rounds 1                    # one run of each configuration (A then B)
//   npm run bench:rules -- --no-trace                    # without the statement count on PostgreSQL
//   npm run bench:rules -- --only rules                  # one configuration only (to profile it alone)
//   BENCH_SERVER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=tmp/prof" npm run bench:rules -- --db embedded
//
// One account per database (bench/seed.ts's fixtures: 4 groups, 13 agents, 200 customers), one server. The
// two configurations are switched through the API on that server, so both are measured on the same data:
//
//   A  no rules: the account's 4 default triggers deactivated (PUT /api/v2/triggers/{id}), no SLA policy;
//   B  rules: 20 active triggers (the 4 defaults and 16 made through POST /api/v2/triggers: routing on
//      subject and comment words, priority, tags, channel, requester, organization, status changes; actions
//      setting priority, tags and group, two mailing a user) and 5 SLA policies (POST /api/v2/sla_policies:
//      filters on priority, tags and group; first reply, next reply, periodic update and requester wait
//      targets, some in business hours of a schedule with holidays).
//
// Each run is a warm-up, then `--duration` seconds of bench/load.ts's create-tickets mode: 10 workers, each
// POSTing /api/v2/tickets.json with a new requester by email, a subject and a 15–40 word comment from the
// bench vocabulary, priority normal, tag `bench` (the helpdesk bench's "new requester email" variant).
// Runs go B A A B (--rounds 2; see ORDER), so drift in the machine's load hits both configurations alike.
// After a run the bench waits for the server's CPU to return to its idle level before the next.
//
// HAVEN_SMTP_URL is left unset: notification jobs return at once without a relay, so mail costs its audit
// events, outbox event and jobs, not SMTP.
//
// B's tickets also leave work for later: one `rules.effects` job per ticket whose triggers mail, which
// enqueues one `rules.notify` job per notification. What the job workers have not done by the end of a run
// is not in its figures (the tables show how many jobs were left waiting). With the server stopped, the
// bench drains part of that backlog itself with the server's handlers and reports the CPU per job, and
// what B costs per ticket with it. On PostgreSQL it then counts the statements a creation runs in each
// configuration through a wire trace (bench/lib.ts's startSqlTrace): in the request and after it.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import PgBoss from 'pg-boss';
import type { Mailer } from '../server/platform/mail/mailer.ts';
import type { AccountsDirectory } from '../server/platform/tenancy/accounts-directory.ts';
import type { HavenProcess } from '../test/support/processes.ts';
import {
  ADMIN_EMAIL,
  basicAuth,
  type CpuShare,
  cpuShare,
  cpuSnapshot,
  formatTable,
  newEmbeddedStore,
  newPostgresStore,
  openStoreDatabase,
  PG_ADMIN_URL,
  postgresReachable,
  ROOT,
  removeStore,
  runLoad,
  type Store,
  samplePostgresDatabase,
  setupBenchAccountInfo,
  startServer,
  startSqlTrace,
  type TracedStatement,
} from './lib.ts';
import type { CreateTicketsSummary } from './load.ts';
import { api, createFixtures, type Fixtures } from './seed.ts';

type DbKind = 'embedded' | 'postgres';
type Config = 'none' | 'rules';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'all' },
    duration: { type: 'string', default: process.env.BENCH_DURATION ?? '20' },
    warmup: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    workers: { type: 'string', default: '10' },
    'no-trace': { type: 'boolean', default: false },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const ROUNDS = Math.max(1, Number(values.rounds));
const WORKERS = Number(values.workers);
const TRACE = !values['no-trace'];
const GOAL = 0.7;
const kinds: DbKind[] = values.db === 'all' ? ['embedded', 'postgres'] : [values.db as DbKind];
if (!kinds.every((k) => k === 'embedded' || k === 'postgres')) {
  console.error('--db must be embedded, postgres or all');
  process.exit(64);
}
// Mail stays off whatever the caller's environment says (see the top of this file).
const smtpWasSet = Boolean(process.env.HAVEN_SMTP_URL);
delete process.env.HAVEN_SMTP_URL;

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/**
 * Pairs of rounds alternate AB and BA and the last pair is AB: --rounds 1 is AB, 2 is BAAB, 3 is ABBAAB. Drift
 * in the machine's load hits both configurations alike, and the last run is B, so its tickets keep their SLA
 * policy for the summary (switching to A deletes the policies, which nulls the tickets' sla_policy_id).
 */
const ORDER: Config[] =
  values.only === 'none' || values.only === 'rules'
    ? Array.from({ length: ROUNDS }, () => values.only as Config)
    : Array.from({ length: ROUNDS }, (_, i) =>
        (ROUNDS - 1 - i) % 2 === 0 ? (['none', 'rules'] as const) : (['rules', 'none'] as const),
      ).flat();
if (values.only !== undefined && values.only !== 'none' && values.only !== 'rules') {
  console.error('--only takes none or rules');
  process.exit(64);
}

// ---------------------------------------------------------------------------------------------------------
// The rules of configuration B.

interface Refs {
  groups: Record<'support' | 'billing' | 'shipping' | 'it', number>;
  /** An agent on call for escalations (not the admin). */
  onCallAgentId: number;
  vipRequesterId: number;
  enterpriseOrgId: number;
}

const cond = (field: string, operator: string, value: string | number = '') => ({
  field,
  operator,
  value: String(value),
});

/** 16 triggers made through the API; with the 4 defaults, 20 active triggers. */
function customTriggers(r: Refs) {
  return [
    {
      title: 'Route billing requests',
      conditions: {
        all: [cond('update_type', 'is', 'Create')],
        any: [
          cond('subject_includes_word', 'includes', 'refund invoice charged billing payment'),
          cond('comment_includes_word', 'includes', 'refund invoice billing charge'),
        ],
      },
      actions: [
        { field: 'group_id', value: String(r.groups.billing) },
        { field: 'current_tags', value: 'billing' },
      ],
    },
    {
      title: 'Route shipping requests',
      conditions: {
        all: [cond('update_type', 'is', 'Create'), cond('group_id', 'is', '')],
        any: [
          cond('subject_includes_word', 'includes', 'order delivered damaged return label'),
          cond('comment_includes_word', 'includes', 'shipping delivery package tracking courier'),
        ],
      },
      actions: [
        { field: 'group_id', value: String(r.groups.shipping) },
        { field: 'current_tags', value: 'shipping' },
      ],
    },
    {
      title: 'Route IT requests',
      conditions: {
        all: [cond('update_type', 'is', 'Create'), cond('group_id', 'is', '')],
        any: [
          cond('subject_includes_word', 'includes', 'printer password login locked two-factor'),
          cond('comment_includes_word', 'includes', 'printer vpn network laptop driver'),
        ],
      },
      actions: [
        { field: 'group_id', value: String(r.groups.it) },
        { field: 'current_tags', value: 'it' },
      ],
    },
    {
      title: 'Everything else to Support',
      conditions: { all: [cond('update_type', 'is', 'Create'), cond('group_id', 'is', '')], any: [] },
      actions: [{ field: 'group_id', value: String(r.groups.support) }],
    },
    {
      title: 'Urgent words raise priority',
      conditions: {
        all: [cond('update_type', 'is', 'Create'), cond('comment_includes_word', 'includes', 'urgent asap')],
        any: [],
      },
      actions: [
        { field: 'priority', value: 'urgent' },
        { field: 'current_tags', value: 'urgent' },
      ],
    },
    {
      title: 'Escalate urgent tickets to the on-call agent',
      conditions: {
        all: [cond('priority', 'is', 'urgent'), cond('status', 'less_than', 'solved')],
        any: [],
      },
      actions: [
        { field: 'current_tags', value: 'escalated' },
        {
          field: 'notification_user',
          value: [
            String(r.onCallAgentId),
            '[{{ticket.account}}] Urgent: {{ticket.title}}',
            'Ticket {{ticket.id}} was marked urgent.\n\n{{ticket.link}}\n\n{{ticket.latest_comment}}',
          ],
        },
      ],
    },
    {
      title: 'VIP requester',
      conditions: { all: [cond('requester_id', 'is', r.vipRequesterId)], any: [] },
      actions: [
        { field: 'priority', value: 'high' },
        { field: 'current_tags', value: 'vip' },
      ],
    },
    {
      title: 'Enterprise organization',
      conditions: { all: [cond('organization_id', 'is', r.enterpriseOrgId)], any: [] },
      actions: [
        { field: 'priority', value: 'high' },
        { field: 'current_tags', value: 'enterprise' },
      ],
    },
    {
      title: 'VIP tag keeps high priority',
      conditions: {
        all: [cond('current_tags', 'includes', 'vip'), cond('priority', 'less_than', 'high')],
        any: [],
      },
      actions: [{ field: 'priority', value: 'high' }],
    },
    {
      title: 'Tag web form tickets',
      conditions: { all: [cond('via_id', 'is', 'web_form')], any: [] },
      actions: [{ field: 'current_tags', value: 'web_form' }],
    },
    {
      title: 'Tag tickets created through the API',
      conditions: {
        all: [cond('update_type', 'is', 'Create'), cond('current_via_id', 'is', 'api')],
        any: [],
      },
      actions: [{ field: 'current_tags', value: 'via_api' }],
    },
    {
      title: 'Security reports',
      conditions: {
        all: [],
        any: [
          cond('comment_includes_word', 'includes', 'phishing virus malware breach firewall'),
          cond('subject_includes_word', 'includes', 'security phishing'),
        ],
      },
      actions: [
        { field: 'priority', value: 'high' },
        { field: 'current_tags', value: 'security' },
        {
          field: 'notification_user',
          value: [
            'requester_id',
            'We are looking into your security report ({{ticket.id}})',
            'Hello {{ticket.requester.name}},\n\nour security team has your report and will reply shortly.',
          ],
        },
      ],
    },
    {
      title: 'Feedback is low priority',
      conditions: {
        all: [cond('update_type', 'is', 'Create')],
        any: [
          cond('subject_includes_word', 'includes', 'feedback suggestion feature'),
          cond('comment_includes_word', 'includes', 'feedback suggestion'),
        ],
      },
      actions: [
        { field: 'priority', value: 'low' },
        { field: 'remove_tags', value: 'urgent' },
        { field: 'current_tags', value: 'feedback' },
      ],
    },
    {
      title: 'Awaiting customer',
      conditions: { all: [cond('status', 'value', 'pending')], any: [] },
      actions: [{ field: 'current_tags', value: 'awaiting_customer' }],
    },
    {
      title: 'Reopened by the requester',
      conditions: {
        all: [
          cond('update_type', 'is', 'Change'),
          cond('status', 'value_previous', 'solved'),
          cond('role', 'is', 'end_user'),
        ],
        any: [],
      },
      actions: [
        { field: 'priority', value: 'high' },
        { field: 'current_tags', value: 'reopened' },
      ],
    },
    {
      title: 'Triage normal-priority tickets',
      conditions: {
        all: [cond('priority', 'is', 'normal'), cond('current_tags', 'not_includes', 'triaged')],
        any: [cond('ticket_is_public', 'is', 'public'), cond('comment_is_public', 'is', 'true')],
      },
      actions: [{ field: 'current_tags', value: 'triaged' }],
    },
  ];
}

const metrics = (
  priorities: string[],
  targets: Partial<
    Record<'first_reply_time' | 'next_reply_time' | 'periodic_update' | 'requester_wait_time', number>
  >,
  businessHours: boolean,
  scale: Record<string, number> = { urgent: 0.25, high: 0.5, normal: 1, low: 2 },
) =>
  priorities.flatMap((priority) =>
    Object.entries(targets).map(([metric, target]) => ({
      priority,
      metric,
      target: Math.max(1, Math.round(target! * (scale[priority] ?? 1))),
      business_hours: businessHours,
    })),
  );

/** 5 SLA policies, the first matching applies (position order). */
function slaPolicies(r: Refs) {
  return [
    {
      title: 'Urgent and VIP',
      filter: {
        all: [],
        any: [
          { field: 'priority', operator: 'is', value: 'urgent' },
          { field: 'current_tags', operator: 'includes', value: 'vip enterprise' },
        ],
      },
      policy_metrics: metrics(
        ['urgent', 'high', 'normal'],
        { first_reply_time: 60, next_reply_time: 120, periodic_update: 240, requester_wait_time: 960 },
        false,
      ),
    },
    {
      title: 'Security reports',
      filter: { all: [{ field: 'current_tags', operator: 'includes', value: 'security' }], any: [] },
      policy_metrics: metrics(
        ['urgent', 'high', 'normal', 'low'],
        { first_reply_time: 120, periodic_update: 480 },
        false,
      ),
    },
    {
      title: 'Billing (business hours)',
      filter: {
        all: [
          { field: 'group_id', operator: 'is', value: r.groups.billing },
          { field: 'status', operator: 'less_than', value: 'solved' },
        ],
        any: [],
      },
      policy_metrics: metrics(
        ['urgent', 'high', 'normal', 'low'],
        { first_reply_time: 240, next_reply_time: 480, requester_wait_time: 1440 },
        true,
      ),
    },
    {
      title: 'Low priority (business hours)',
      filter: { all: [{ field: 'priority', operator: 'less_than', value: 'normal' }], any: [] },
      policy_metrics: metrics(['low'], { first_reply_time: 960, requester_wait_time: 2880 }, true, {
        low: 1,
      }),
    },
    {
      title: 'Standard (business hours)',
      filter: { all: [], any: [] },
      policy_metrics: metrics(
        ['urgent', 'high', 'normal', 'low'],
        { first_reply_time: 480, next_reply_time: 480, periodic_update: 960, requester_wait_time: 2400 },
        true,
      ),
    },
  ];
}

interface RuleSet {
  refs: Refs;
  /** All 20 triggers: the 4 defaults first. */
  triggerIds: number[];
  scheduleId: number;
}

/** Organization, VIP customer, schedule with holidays and the 16 extra triggers (left active). */
async function createRuleSet(server: HavenProcess, auth: string, f: Fixtures): Promise<RuleSet> {
  const org = (
    await api(server, auth, 'POST', '/api/v2/organizations.json', {
      organization: { name: 'Enterprise Customer Inc' },
    })
  ).organization;
  for (const id of f.requesterIds.slice(0, 10))
    await api(server, auth, 'PUT', `/api/v2/users/${id}.json`, { user: { organization_id: org.id } });
  const [support, billing, shipping, it] = f.groupIds as [number, number, number, number];
  const refs: Refs = {
    groups: { support, billing, shipping, it },
    onCallAgentId: f.agentIds[1]!,
    vipRequesterId: f.requesterIds[10]!,
    enterpriseOrgId: org.id,
  };
  const schedule = (
    await api(server, auth, 'POST', '/api/v2/business_hours/schedules.json', {
      schedule: { name: 'Support hours', time_zone: 'Europe/Berlin' },
    })
  ).schedule;
  const year = new Date().getUTCFullYear();
  for (const [name, start, end] of [
    ['New Year', `${year + 1}-01-01`, `${year + 1}-01-01`],
    ['Easter', `${year + 1}-04-02`, `${year + 1}-04-05`],
    ['Labour Day', `${year}-05-01`, `${year}-05-01`],
    ['Christmas', `${year}-12-24`, `${year}-12-26`],
  ] as const) {
    await api(server, auth, 'POST', `/api/v2/business_hours/schedules/${schedule.id}/holidays.json`, {
      holiday: { name, start_date: start, end_date: end },
    });
  }
  const defaults = (await api(server, auth, 'GET', '/api/v2/triggers.json?per_page=100')).triggers as {
    id: number;
  }[];
  const triggerIds = defaults.map((t) => t.id);
  for (const trigger of customTriggers(refs)) {
    triggerIds.push(
      (await api(server, auth, 'POST', '/api/v2/triggers.json', { trigger: { ...trigger, active: true } }))
        .trigger.id,
    );
  }
  return {
    refs,
    triggerIds,
    scheduleId: schedule.id,
  };
}

/** Switches the account to a configuration and checks it: active triggers and SLA policies counted. */
async function applyConfig(server: HavenProcess, auth: string, rules: RuleSet, config: Config) {
  const active = config === 'rules';
  for (const id of rules.triggerIds)
    await api(server, auth, 'PUT', `/api/v2/triggers/${id}.json`, { trigger: { active } });
  const existing = (await api(server, auth, 'GET', '/api/v2/sla_policies.json')).sla_policies as {
    id: number;
  }[];
  if (active && existing.length === 0) {
    for (const policy of slaPolicies(rules.refs))
      await api(server, auth, 'POST', '/api/v2/sla_policies.json', { sla_policy: policy });
  } else if (!active) {
    // Tickets that had a policy lose it (on delete set null): done here, outside any measured run.
    for (const p of existing) await api(server, auth, 'DELETE', `/api/v2/sla_policies/${p.id}.json`);
  }
  const triggers = (await api(server, auth, 'GET', '/api/v2/triggers/active.json?per_page=100')).triggers
    .length as number;
  const policies = (await api(server, auth, 'GET', '/api/v2/sla_policies.json')).sla_policies
    .length as number;
  const want = active ? [20, 5] : [0, 0];
  if (triggers !== want[0] || policies !== want[1])
    throw new Error(`configuration ${config}: ${triggers} active triggers and ${policies} SLA policies`);
  return { activeTriggers: triggers, slaPolicies: policies };
}

// ---------------------------------------------------------------------------------------------------------
// Measurement.

interface Run {
  config: Config;
  round: number;
  startedAt: string;
  endedAt: string;
  loadAvgBefore: number[];
  loadAvgAfter: number[];
  summary: CreateTicketsSummary;
  cpu: CpuShare;
  counted: number;
  verified: boolean;
  /**
   * Seconds until the server's CPU was back at its idle level after the run (and, on PostgreSQL, no rules job
   * waited): the relay and job workers finishing what the run's tickets asked for.
   */
  drainS: number;
  /** CPU per ticket from the run's start until then, less the idle use during the wait. */
  withDrain: { serverCpuMsPerTicket: number; pgCpuMsPerTicket: number | null };
  /** PostgreSQL only: the rules' jobs (pgboss.job rows named rules.*) enqueued and finished during the run. */
  jobs: { enqueued: number; finished: number; pendingAfter: number } | null;
}

/** The rules' jobs in pg-boss's table: all rows, finished ones, and those still waiting or running. */
interface JobCounts {
  total: number;
  finished: number;
  pending: number;
  byName: Record<string, { total: number; pending: number }>;
}

async function ruleJobCounts(query: (sql: string) => Promise<{ rows: any[] }>): Promise<JobCounts> {
  const { rows } = await query(
    `select name, state::text as state, count(*)::int as n from pgboss.job where name like 'rules.%' group by 1, 2`,
  );
  const out: JobCounts = { total: 0, finished: 0, pending: 0, byName: {} };
  for (const r of rows) {
    const pending = ['created', 'retry', 'active'].includes(r.state);
    out.total += r.n;
    if (pending) out.pending += r.n;
    else out.finished += r.n;
    out.byName[r.name] ??= { total: 0, pending: 0 };
    const name = out.byName[r.name]!;
    name.total += r.n;
    if (pending) name.pending += r.n;
  }
  return out;
}

async function ticketCount(server: HavenProcess, auth: string): Promise<number> {
  return (await api(server, auth, 'GET', '/api/v2/tickets/count.json')).count.value;
}

/** What the server (and, on PostgreSQL, its database's backends) use per second while nothing is asked of it. */
interface Idle {
  serverTicksPerS: number;
  pgMsPerS: number | null;
}

async function measureIdle(pid: number, database: string | undefined): Promise<Idle> {
  const pg = database ? samplePostgresDatabase(database) : null;
  const a = cpuSnapshot(pid).server;
  const t0 = performance.now();
  await sleep(5000);
  const seconds = (performance.now() - t0) / 1000;
  const pgMs = pg?.stop();
  return {
    serverTicksPerS: (cpuSnapshot(pid).server - a) / seconds,
    pgMsPerS: pgMs === undefined ? null : pgMs / seconds,
  };
}

/**
 * Waits until a second passes with the server's CPU at its idle level (+5%) and, when `jobs` is given, no
 * rules job waiting; returns the seconds waited.
 */
async function waitIdle(
  pid: number,
  idle: Idle,
  jobs: (() => Promise<JobCounts>) | null = null,
  maxS = 300,
): Promise<number> {
  const t0 = performance.now();
  let prev = cpuSnapshot(pid).server;
  while ((performance.now() - t0) / 1000 < maxS) {
    await sleep(1000);
    const now = cpuSnapshot(pid).server;
    const quiet = now - prev <= idle.serverTicksPerS + 5;
    prev = now;
    if (quiet && (!jobs || (await jobs()).pending === 0)) break;
  }
  return Math.round((performance.now() - t0) / 100) / 10;
}

async function measureRun(
  server: HavenProcess,
  auth: string,
  database: string | undefined,
  config: Config,
  round: number,
  idle: Idle,
  jobs: (() => Promise<JobCounts>) | null,
): Promise<Run> {
  const base = { mode: 'create-tickets', base: server.baseUrl, authorization: auth, workers: WORKERS };
  const tag = `${config === 'rules' ? 'b' : 'a'}${round}${Date.now().toString(36)}`;
  if (WARMUP > 0) {
    await runLoad({ ...base, duration: WARMUP, prefix: `w${tag}`, seed: 100 + round });
    await waitIdle(server.pid, idle, jobs);
  }
  const before = await ticketCount(server, auth);
  log(
    `${config === 'rules' ? 'B (rules)' : 'A (no rules)'} round ${round}: ${DURATION} s, ${WORKERS} workers`,
  );
  const loadAvgBefore = os.loadavg();
  const jobsBefore = jobs ? await jobs() : null;
  const startedAt = new Date().toISOString();
  const pg = database ? samplePostgresDatabase(database) : null;
  const a = cpuSnapshot(server.pid);
  // The same ticket texts in both configurations of a round (the seed), so both see the same rule hits.
  const summary = await runLoad<CreateTicketsSummary>({
    ...base,
    duration: DURATION,
    prefix: tag,
    seed: round,
  });
  const b = cpuSnapshot(server.pid);
  const cpu = cpuShare(a, b, summary.clientCpuMs, summary.ok + summary.failed, pg?.stop());
  const endedAt = new Date().toISOString();
  const loadAvgAfter = os.loadavg();
  const jobsAfter = jobs ? await jobs() : null;
  // What the run left for later (relay, jobs), until the server is idle again, less its idle use meanwhile.
  const pgDrain = database ? samplePostgresDatabase(database) : null;
  const drainS = await waitIdle(server.pid, idle, jobs);
  const c = cpuSnapshot(server.pid);
  const pgDrainMs = pgDrain?.stop();
  const tickets = Math.max(1, summary.ok);
  const withDrain = {
    serverCpuMsPerTicket:
      Math.round((100 * ((c.server - a.server) * 10 - idle.serverTicksPerS * 10 * drainS)) / tickets) / 100,
    pgCpuMsPerTicket:
      cpu.postgresDbCpuMsPerRequest === undefined || pgDrainMs === undefined
        ? null
        : Math.round(
            (100 *
              (cpu.postgresDbCpuMsPerRequest * (summary.ok + summary.failed) +
                pgDrainMs -
                (idle.pgMsPerS ?? 0) * drainS)) /
              tickets,
          ) / 100,
  };
  const counted = (await ticketCount(server, auth)) - before;
  return {
    config,
    round,
    startedAt,
    endedAt,
    loadAvgBefore,
    loadAvgAfter,
    summary,
    cpu,
    counted,
    verified: counted === summary.created && summary.failed === 0,
    drainS,
    withDrain,
    jobs:
      jobsBefore && jobsAfter
        ? {
            enqueued: jobsAfter.total - jobsBefore.total,
            finished: jobsAfter.finished - jobsBefore.finished,
            pendingAfter: jobsAfter.pending,
          }
        : null,
  };
}

/** What the rules did to the tickets of B's measured runs, read from the tickets and their audits. */
interface RuleEffects {
  tickets: number;
  triggersFiredPerTicket: number;
  notificationsPerTicket: number;
  /** Tickets whose audit holds a notification (each such ticket gets one rules.effects job). */
  withNotifications: number;
  /** Tickets with at least one SLA target (from their metrics, which outlive a deleted policy). */
  withSlaTargets: number;
  /** Policy by title, over the tickets of the last B run (earlier B runs' policies were deleted by A). */
  byPolicy: Record<string, number>;
  byGroup: Record<string, number>;
  byPriority: Record<string, number>;
}

async function ruleEffects(store: Store, accountId: number, runs: Run[]): Promise<RuleEffects | null> {
  const b = runs.filter((r) => r.config === 'rules');
  const last = runs.at(-1);
  if (!b.length || !last) return null;
  const db = await openStoreDatabase(store);
  try {
    const inWindow = b.map((_, i) => `(t.created_at between $${2 * i + 2} and $${2 * i + 3})`).join(' or ');
    const { rows } = await db.pool.query(
      `select t.created_at, t.priority, g.name as group_name, p.title as policy,
         exists (select 1 from jsonb_array_elements(t.sla_metrics) m where m->>'target' is not null) as targets,
         (select count(distinct e->'via'->'source'->'from'->>'id') from jsonb_array_elements(a.events) e
           where e->'via'->'source'->>'rel' = 'trigger')::int as fired,
         (select count(*) from jsonb_array_elements(a.events) e where e->>'type' = 'Notification')::int as mails
         from tickets t
         join ticket_audits a on a.account_id = t.account_id and a.ticket_id = t.id
         left join groups g on g.account_id = t.account_id and g.id = t.group_id
         left join sla_policies p on p.account_id = t.account_id and p.id = t.sla_policy_id
        where t.account_id = $1 and (${inWindow})`,
      [accountId, ...b.flatMap((r) => [r.startedAt, r.endedAt])],
    );
    const tally = (list: any[], key: (r: any) => string | null) => {
      const out: Record<string, number> = {};
      for (const r of list) {
        const k = key(r) ?? '(none)';
        out[k] = (out[k] ?? 0) + 1;
      }
      return out;
    };
    const n = Math.max(1, rows.length);
    const avg = (k: string) => Math.round((100 * rows.reduce((s, r: any) => s + Number(r[k]), 0)) / n) / 100;
    const lastRows =
      last.config === 'rules'
        ? rows.filter(
            (r: any) =>
              new Date(r.created_at).getTime() >= Date.parse(last.startedAt) &&
              new Date(r.created_at).getTime() <= Date.parse(last.endedAt),
          )
        : [];
    return {
      tickets: rows.length,
      triggersFiredPerTicket: avg('fired'),
      notificationsPerTicket: avg('mails'),
      withNotifications: rows.filter((r: any) => Number(r.mails) > 0).length,
      withSlaTargets: rows.filter((r: any) => r.targets).length,
      byPolicy: tally(lastRows, (r) => r.policy),
      byGroup: tally(rows, (r) => r.group_name),
      byPriority: tally(rows, (r) => r.priority),
    };
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// The deferred work: what the rules' jobs cost once they run.

/** CPU per job of one queue, with the server's own handler, fetched and completed in batches as it does. */
interface JobCost {
  jobs: number;
  seconds: number;
  /** CPU of the process running the handler (this one; for the embedded database, PGlite's work too). */
  cpuMsPerJob: number;
  /** This database's PostgreSQL backends. */
  pgMsPerJob: number | null;
}

/**
 * The measured runs leave rules jobs waiting (see jobsAtStop). With the server stopped, this drains part of
 * that backlog here, through pg-boss's own fetch and complete in batches of `batch` (server/platform/jobs/
 * jobs.ts's batch size) and the handlers the server registers (rules.jobs.ts, mail off as in the runs), and
 * measures the CPU per job: what B's tickets owe once job workers keep up. `rules.effects` first (it
 * enqueues the `rules.notify` jobs), then `rules.notify`.
 */
async function measureJobDrain(
  store: Store,
  batch = 20,
  maxJobs = 400,
  maxS = 30,
): Promise<Record<string, JobCost>> {
  const [{ Jobs }, { ruleEffectsJob, ruleNotifyJob }, { createLogger }] = await Promise.all([
    import('../server/platform/jobs/jobs.ts'),
    import('../server/modules/rules/rules.jobs.ts'),
    import('../server/platform/logging/logger.ts'),
  ]);
  const db = await openStoreDatabase(store);
  const sender = new Jobs(db.pool, createLogger('warn'), { work: false, schedule: false }, []);
  const boss = new PgBoss({
    db: { executeSql: (text, values) => db.pool.query(text, values ?? []) },
    schema: 'pgboss',
    supervise: false,
    schedule: false,
    migrate: false,
  });
  try {
    await sender.start();
    await boss.start();
    const deps = {
      mailer: { enabled: false } as Mailer,
      accounts: {} as AccountsDirectory,
      config: { baseUrl: 'http://localhost', baseDomain: 'localhost' },
      jobs: sender,
    };
    const handlers: [string, (data: any, meta: { id: string }) => Promise<void>][] = [
      ['rules.effects', ruleEffectsJob(db.db, deps).handler],
      ['rules.notify', ruleNotifyJob(db.db, deps).handler],
    ];
    const out: Record<string, JobCost> = {};
    for (const [name, handler] of handlers) {
      /** One fetch: its jobs handled one after another, then completed together; how many there were. */
      const fetchOnce = async () => {
        const fetched = await boss.fetch(name, { batchSize: batch });
        for (const job of fetched) await handler(job.data, { id: job.id });
        if (fetched.length)
          await boss.complete(
            name,
            fetched.map((j) => j.id),
          );
        return fetched.length;
      };
      await fetchOnce(); // warm-up
      const pg = store.kind === 'postgres' ? samplePostgresDatabase(store.database.name) : null;
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      let jobs = 0;
      while (jobs < maxJobs && (performance.now() - t0) / 1000 < maxS) {
        const n = await fetchOnce();
        if (!n) break;
        jobs += n;
      }
      const seconds = (performance.now() - t0) / 1000;
      const used = process.cpuUsage(cpu);
      const pgMs = pg?.stop();
      const per = (ms: number) => Math.round((100 * ms) / Math.max(1, jobs)) / 100;
      out[name] = {
        jobs,
        seconds: Math.round(seconds * 10) / 10,
        cpuMsPerJob: per((used.user + used.system) / 1000),
        pgMsPerJob: pgMs === undefined ? null : per(pgMs),
      };
      log(`job drain ${name}: ${JSON.stringify(out[name])}`);
    }
    return out;
  } finally {
    await boss.stop({ graceful: false, wait: true, close: false }).catch(() => {});
    await sender.stop().catch(() => {});
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Statements per creation (PostgreSQL, through a wire trace).

interface TraceConfig {
  tickets: number;
  /** Statements of the requests themselves (each on the connection that inserted its ticket), per ticket. */
  requestStatements: number;
  /**
   * Everything else until the outbox and the rules' jobs were empty again (relay, jobs), less what the
   * server runs while idle (job polling, the relay's checks) over the same time, per ticket.
   */
  deferredStatements: number;
  /** Seconds from the last response until the outbox and the rules' jobs were empty. */
  drainS: number;
  /** The rules' jobs the tickets enqueued, by name, per ticket. */
  jobsPerTicket: Record<string, number>;
  /** One request's statements, and what ran after all responses (relay, jobs; idle polling included). */
  sample: { request: string[]; deferred: string[] };
}

interface TraceResult {
  idleStatementsPerSecond: number;
  configs: Partial<Record<Config, TraceConfig>>;
}

async function traceStatements(store: Store, auth: string, rules: RuleSet): Promise<TraceResult> {
  if (store.kind !== 'postgres') throw new Error('only PostgreSQL can be traced');
  const trace = await startSqlTrace(store.database.url);
  const server = await startServer(store, { DATABASE_URL: trace.url });
  // Looks at the queue around the trace, not through it.
  const side = await openStoreDatabase(store);
  try {
    // The throughput runs' backlog of rules jobs (see jobsAtStop) would drain through the trace at a job a
    // second per queue and be counted as these tickets' work: this scratch database's leftovers are dropped.
    const dropped = await side.pool.query(
      `delete from pgboss.job where name like 'rules.%' and state in ('created', 'retry')`,
    );
    log(`trace: dropped ${dropped.rowCount} rules jobs left waiting by the throughput runs`);
    let n = 0;
    const post = async () => {
      n++;
      const t0 = performance.now();
      await api(server, auth, 'POST', '/api/v2/tickets.json', {
        ticket: {
          subject: `Refund for invoice ${n}`,
          comment: { body: 'I was charged twice for my order, please refund the second payment asap.' },
          requester: { name: `Traced ${n}`, email: `traced-${n}-${Date.now()}@bench.example.test` },
          priority: 'normal',
          tags: ['bench'],
        },
      });
      return [t0, performance.now()] as const;
    };
    /** Waits until no event waits in the outbox and no rules job waits or runs; the seconds it took. */
    const drained = async (maxS = 300) => {
      const t0 = performance.now();
      while ((performance.now() - t0) / 1000 < maxS) {
        const jobs = await ruleJobCounts((q) => side.pool.query(q));
        const { rows } = await side.pool.query(
          'select count(*)::int as n from events where dispatched_at is null',
        );
        if (jobs.pending === 0 && rows[0].n === 0) break;
        await sleep(250);
      }
      return (performance.now() - t0) / 1000;
    };
    const short = (s: TracedStatement) => `[c${s.conn}] ${s.sql.replace(/\s+/g, ' ').slice(0, 200)}`;
    const configs: TraceResult['configs'] = {};
    let idleRate = 0;
    const TRACED = 10;
    for (const config of ['none', 'rules'] as const) {
      await applyConfig(server, auth, rules, config);
      for (let i = 0; i < 3; i++) await post();
      await drained();
      await sleep(2000);
      if (config === 'none') {
        trace.clear();
        const idleStart = performance.now();
        await sleep(10_000);
        idleRate = trace.statements().length / ((performance.now() - idleStart) / 1000);
      }
      const jobsBefore = await ruleJobCounts((q) => side.pool.query(q));
      trace.clear();
      const started = performance.now();
      const windows: (readonly [number, number])[] = [];
      for (let i = 0; i < TRACED; i++) windows.push(await post());
      const answered = performance.now();
      const drainS = await drained();
      // A last poll round after the queue emptied: a job's completion may be the last statement.
      await sleep(1000);
      const seconds = (performance.now() - started) / 1000;
      const all = trace.statements();
      const requests = windows.map(([t0, t1]) => {
        const during = all.filter((st) => st.at >= t0 && st.at <= t1);
        const conn = during.find((st) => /^\s*insert into "tickets"/.test(st.sql))?.conn;
        return during.filter((st) => st.conn === conn);
      });
      const requestCount = requests.reduce((x, r) => x + r.length, 0);
      const jobsAfter = await ruleJobCounts((q) => side.pool.query(q));
      const jobsPerTicket: Record<string, number> = {};
      for (const [name, c] of Object.entries(jobsAfter.byName)) {
        const d = c.total - (jobsBefore.byName[name]?.total ?? 0);
        if (d) jobsPerTicket[name] = Math.round((100 * d) / TRACED) / 100;
      }
      const inRequests = new Set(requests.flat());
      configs[config] = {
        tickets: TRACED,
        requestStatements: Math.round((10 * requestCount) / TRACED) / 10,
        deferredStatements: Math.round((10 * (all.length - requestCount - idleRate * seconds)) / TRACED) / 10,
        drainS: Math.round(drainS * 10) / 10,
        jobsPerTicket,
        sample: {
          request: requests.at(-1)!.map(short),
          deferred: all.filter((st) => st.at > answered && !inRequests.has(st)).map(short),
        },
      };
      log(`trace ${config}: ${JSON.stringify({ ...configs[config], sample: undefined })}`);
    }
    return { idleStatementsPerSecond: Math.round(idleRate * 10) / 10, configs };
  } finally {
    await side.close().catch(() => {});
    await server.stop().catch(() => {});
    await trace.close();
  }
}

// ---------------------------------------------------------------------------------------------------------

interface DbResult {
  db: DbKind;
  date: string;
  machine: { cpus: number; cpuModel: string; node: string; memGiB: number };
  settings: { durationS: number; warmupS: number; workers: number; rounds: number; order: Config[] };
  mail: string;
  rules: { triggers: string[]; slaPolicies: string[] };
  idle: Idle;
  runs: Run[];
  effects: RuleEffects | null;
  /** The rules' jobs when the measuring server stopped: how many were enqueued, and how many still waited. */
  jobsAtStop: JobCounts;
  jobCosts: Record<string, JobCost> | null;
  sample: Record<string, unknown> | null;
  trace: TraceResult | null;
}

async function benchDb(kind: DbKind): Promise<DbResult> {
  const store: Store = kind === 'embedded' ? newEmbeddedStore() : await newPostgresStore();
  const database = store.kind === 'postgres' ? store.database.name : undefined;
  let server: HavenProcess | null = null;
  let side: Awaited<ReturnType<typeof openStoreDatabase>> | null = null;
  try {
    const setup = await setupBenchAccountInfo(store);
    const auth = basicAuth(ADMIN_EMAIL, setup.api_token);
    server = await startServer(store);
    log(`${kind}: server ready in ${server.readyMs.toFixed(0)} ms; creating groups, agents and requesters`);
    const fixtures = await createFixtures(server, auth, setup.account.id, setup.admin.id);
    const rules = await createRuleSet(server, auth, fixtures);
    log(`${kind}: ${rules.triggerIds.length} triggers, schedule ${rules.scheduleId}; measuring idle CPU`);
    await applyConfig(server, auth, rules, 'none');
    const idle = await measureIdle(server.pid, database);
    // On PostgreSQL a second connection counts the rules' jobs around each run (PGlite has one holder).
    if (store.kind === 'postgres') side = await openStoreDatabase(store);
    const jobs = side ? () => ruleJobCounts((q) => side!.pool.query(q)) : null;

    const runs: Run[] = [];
    let current: Config = 'none';
    let sample: Record<string, unknown> | null = null;
    for (const config of ORDER) {
      if (config !== current) {
        await applyConfig(server, auth, rules, config);
        current = config;
        await waitIdle(server.pid, idle, jobs);
      }
      if (config === 'rules' && !sample) {
        // One ticket whose text several rules react to, to show they are live.
        const t = (
          await api(server, auth, 'POST', '/api/v2/tickets.json', {
            ticket: {
              subject: 'Refund for invoice 1042',
              comment: { body: 'I was charged twice, please refund asap. This is urgent.' },
              requester: { name: 'Sample Requester', email: `sample-${Date.now()}@bench.example.test` },
              priority: 'normal',
              tags: ['bench'],
            },
          })
        ).ticket;
        sample = {
          id: t.id,
          priority: t.priority,
          group_id: t.group_id,
          tags: t.tags,
          slas: t.slas,
        };
      }
      const round = runs.filter((r) => r.config === config).length + 1;
      const run = await measureRun(server, auth, database, config, round, idle, jobs);
      runs.push(run);
      log(
        `  ${run.summary.requestsPerSec.toFixed(1)} tickets/s, p50 ${run.summary.p50} ms, p99 ${run.summary.p99} ms, ` +
          `server ${run.cpu.serverCpuMsPerRequest} ms CPU/ticket, drained in ${run.drainS} s`,
      );
    }
    await server.stop();
    server = null;
    await side?.close();
    side = null;
    const effects = await ruleEffects(store, setup.account.id, runs);
    const db = await openStoreDatabase(store);
    const jobsAtStop = await ruleJobCounts((q) => db.pool.query(q)).finally(() => db.close());
    log(`${kind}: measuring the rules jobs' CPU on the runs' backlog`);
    const jobCosts = jobsAtStop.pending
      ? await measureJobDrain(store).catch((err) => {
          log(`${kind}: could not measure the jobs: ${err?.stack ?? err}`);
          return null;
        })
      : null;
    let trace: TraceResult | null = null;
    if (kind === 'postgres' && TRACE) {
      log(`${kind}: counting statements per created ticket through a wire trace`);
      trace = await traceStatements(store, auth, rules);
    }
    return {
      db: kind,
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        memGiB: Math.round(os.totalmem() / 2 ** 30),
      },
      settings: { durationS: DURATION, warmupS: WARMUP, workers: WORKERS, rounds: ROUNDS, order: ORDER },
      mail: 'HAVEN_SMTP_URL unset: rules.notify jobs return without sending',
      rules: {
        triggers: [
          '4 defaults (request received, comment update, assignment, new ticket in group)',
          ...customTriggers(rules.refs).map((t) => t.title),
        ],
        slaPolicies: slaPolicies(rules.refs).map((p) => p.title),
      },
      idle,
      runs,
      effects,
      jobsAtStop,
      jobCosts,
      sample,
      trace,
    };
  } finally {
    if (side) await side.close().catch(() => {});
    if (server) await server.stop().catch(() => {});
    if (values.keep)
      console.log(
        `${kind}: kept the store: ${store.kind === 'embedded' ? `HAVEN_DATA_DIR=${store.dataDir}` : `DATABASE_URL=${store.database.url}`}`,
      );
    else await removeStore(store).catch((err) => log(`could not remove the store: ${err}`));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Output.

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const shares = (c: CpuShare) =>
  [c.serverPct, c.clientPct, c.postgresPct, c.otherPct, c.idlePct].map((x) => fmt(x)).join('/');
const label = (c: Config) => (c === 'rules' ? 'B: 20 triggers + 5 SLA' : 'A: no rules');

interface Totals {
  rps: number;
  p50: number;
  p99: number;
  serverMs: number;
  pgMs: number | null;
  /** Server + postgres CPU per ticket including what the run left for later (Run.withDrain). */
  drainedMs: number;
}

function totals(r: DbResult, config: Config): Totals {
  const runs = r.runs.filter((x) => x.config === config);
  const pg = runs.map((x) => x.cpu.postgresDbCpuMsPerRequest).filter((x): x is number => x !== undefined);
  return {
    rps: mean(runs.map((x) => x.summary.requestsPerSec)),
    p50: mean(runs.map((x) => x.summary.p50)),
    p99: mean(runs.map((x) => x.summary.p99)),
    serverMs: mean(runs.map((x) => x.cpu.serverCpuMsPerRequest)),
    pgMs: pg.length ? mean(pg) : null,
    drainedMs: mean(runs.map((x) => x.withDrain.serverCpuMsPerTicket + (x.withDrain.pgCpuMsPerTicket ?? 0))),
  };
}

function printResult(r: DbResult): void {
  console.log();
  console.log(
    `=== Haven business rules benchmark, ${r.db}: ${r.machine.cpus} cores, Node ${r.machine.node}, ` +
      `${r.settings.workers} workers, ${r.settings.durationS} s runs after ${r.settings.warmupS} s warm-up, ` +
      `order ${r.settings.order.map((c) => (c === 'rules' ? 'B' : 'A')).join('')}`,
  );
  console.log(
    `Mail: ${r.mail}${smtpWasSet ? ' (HAVEN_SMTP_URL was set in this shell and was removed)' : ''}.`,
  );
  const rows: string[][] = [
    [
      'POST /api/v2/tickets (new requester by email)',
      ...r.runs.map((x) => `${x.config === 'rules' ? 'B' : 'A'}${x.round}`),
    ],
    ['tickets/s', ...r.runs.map((x) => fmt(x.summary.requestsPerSec, 1))],
    ['latency p50 / p99 (ms)', ...r.runs.map((x) => `${fmt(x.summary.p50, 1)} / ${fmt(x.summary.p99, 1)}`)],
    ['201s / failures', ...r.runs.map((x) => `${x.summary.created} / ${x.summary.failed}`)],
    ['tickets counted after − before', ...r.runs.map((x) => `${x.counted} ${x.verified ? '✓' : '✗'}`)],
    ['server CPU per ticket (ms)', ...r.runs.map((x) => fmt(x.cpu.serverCpuMsPerRequest, 2))],
    ...(r.db === 'postgres'
      ? [
          [
            'postgres CPU per ticket (ms, this database)',
            ...r.runs.map((x) => fmt(x.cpu.postgresDbCpuMsPerRequest ?? 0, 2)),
          ],
        ]
      : []),
    ['CPU server/client/postgres/other/idle %', ...r.runs.map((x) => shares(x.cpu))],
    [
      'load average (1 min) before → after',
      ...r.runs.map((x) => `${fmt(x.loadAvgBefore[0]!, 1)} → ${fmt(x.loadAvgAfter[0]!, 1)}`),
    ],
    ['server idle again after (s)', ...r.runs.map((x) => fmt(x.drainS, 1))],
    [
      `CPU per ticket until then (ms, server${r.db === 'postgres' ? ' + postgres' : ''})`,
      ...r.runs.map(
        (x) =>
          fmt(x.withDrain.serverCpuMsPerTicket, 2) +
          (x.withDrain.pgCpuMsPerTicket === null ? '' : ` + ${fmt(x.withDrain.pgCpuMsPerTicket, 2)}`),
      ),
    ],
    ...(r.runs.some((x) => x.jobs)
      ? [
          [
            'rules jobs enqueued / finished during run',
            ...r.runs.map((x) => (x.jobs ? `${x.jobs.enqueued} / ${x.jobs.finished}` : '-')),
          ],
          [
            'rules jobs waiting after run',
            ...r.runs.map((x) => (x.jobs ? String(x.jobs.pendingAfter) : '-')),
          ],
        ]
      : []),
  ];
  console.log();
  console.log(formatTable(rows));
  const a = totals(r, 'none');
  const b = totals(r, 'rules');
  const ratio = a.rps ? b.rps / a.rps : 0;
  const costA = a.serverMs + (a.pgMs ?? 0);
  const costB = b.serverMs + (b.pgMs ?? 0);
  // With --only, one configuration: no ratio to print.
  const both = r.runs.some((x) => x.config === 'none') && r.runs.some((x) => x.config === 'rules');
  console.log();
  if (both)
    console.log(
      formatTable([
        ['mean of runs', label('none'), label('rules'), 'B / A'],
        ['tickets/s', fmt(a.rps, 1), fmt(b.rps, 1), `${fmt(100 * ratio, 1)}%`],
        ['latency p50 (ms)', fmt(a.p50, 1), fmt(b.p50, 1), `${fmt((100 * b.p50) / (a.p50 || 1), 0)}%`],
        ['latency p99 (ms)', fmt(a.p99, 1), fmt(b.p99, 1), `${fmt((100 * b.p99) / (a.p99 || 1), 0)}%`],
        [
          'server CPU per ticket (ms)',
          fmt(a.serverMs, 2),
          fmt(b.serverMs, 2),
          `${fmt((100 * b.serverMs) / (a.serverMs || 1), 0)}%`,
        ],
        ...(a.pgMs !== null && b.pgMs !== null
          ? [
              [
                'postgres CPU per ticket (ms)',
                fmt(a.pgMs, 2),
                fmt(b.pgMs, 2),
                `${fmt((100 * b.pgMs) / (a.pgMs || 1), 0)}%`,
              ],
            ]
          : []),
      ]),
    );
  console.log();
  if (both)
    console.log(
      `Goal: B ≥ ${GOAL * 100}% of A's throughput. Measured: ${fmt(100 * ratio, 1)}% ${ratio >= GOAL ? '✓' : '✗'}. ` +
        `By CPU per ticket (server${r.db === 'postgres' ? ' + this database’s postgres backends' : ''}, A/B, ` +
        `the steadier figure on a shared machine): ${fmt((100 * costA) / (costB || 1), 1)}%; counting also ` +
        `what the runs left for the relay and job workers until the server was idle again: ` +
        `${fmt((100 * a.drainedMs) / (b.drainedMs || 1), 1)}% (${fmt(a.drainedMs, 2)} against ${fmt(b.drainedMs, 2)} ms).`,
    );
  const effectsJob = r.jobCosts?.['rules.effects'];
  const notifyJob = r.jobCosts?.['rules.notify'];
  if (r.effects && effectsJob?.jobs && notifyJob?.jobs) {
    const e = r.effects;
    const cost = (j: JobCost) => j.cpuMsPerJob + (j.pgMsPerJob ?? 0);
    const effectsPerTicket = e.withNotifications / Math.max(1, e.tickets);
    const deferred = effectsPerTicket * cost(effectsJob) + e.notificationsPerTicket * cost(notifyJob);
    const job = (name: string, j: JobCost) =>
      `${name} ${fmt(j.cpuMsPerJob, 2)} ms${j.pgMsPerJob === null ? '' : ` + ${fmt(j.pgMsPerJob, 2)} ms postgres`} ` +
      `per job (${j.jobs} jobs)`;
    console.log(
      `Deferred work, measured on the runs' backlog with the server's handlers: ${job('rules.effects', effectsJob)}, ` +
        `${job('rules.notify', notifyJob)}; B's tickets enqueue ${fmt(effectsPerTicket, 2)} + ` +
        `${fmt(e.notificationsPerTicket, 2)} of them: ${fmt(deferred, 2)} ms CPU per ticket. With it, B costs ` +
        `${fmt(costB + deferred, 2)} ms per ticket` +
        (both
          ? ` against A's ${fmt(costA, 2)}: A/B ${fmt((100 * costA) / (costB + deferred), 1)}% ` +
            '(the throughput to expect once job workers keep up).'
          : '.'),
    );
  }
  if (r.effects) {
    const e = r.effects;
    const list = (o: Record<string, number>, of = e.tickets) =>
      Object.entries(o)
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k} ${fmt((100 * v) / Math.max(1, of), 0)}%`)
        .join(', ');
    const policyTickets = Object.values(e.byPolicy).reduce((x, y) => x + y, 0);
    console.log(
      `What B's rules did (${fmt(e.tickets)} tickets of B's runs): ${fmt(e.triggersFiredPerTicket, 2)} triggers ` +
        `fired and ${fmt(e.notificationsPerTicket, 2)} notifications per ticket; ` +
        `${fmt((100 * e.withSlaTargets) / Math.max(1, e.tickets), 0)}% with SLA targets; ` +
        `group: ${list(e.byGroup)}; priority: ${list(e.byPriority)}` +
        (policyTickets
          ? `; SLA policy (last run's ${fmt(policyTickets)} tickets): ${list(e.byPolicy, policyTickets)}.`
          : '.'),
    );
  }
  const j = r.jobsAtStop;
  if (j.total)
    console.log(
      `Rules jobs when the server stopped: ${fmt(j.total)} enqueued, ${fmt(j.pending)} still waiting ` +
        `(${Object.entries(j.byName)
          .map(([name, c]) => `${name} ${fmt(c.total)}/${fmt(c.pending)} waiting`)
          .join(', ')}).` +
        (j.pending ? ' The work those jobs do is not in the runs’ figures (see “Deferred work”).' : ''),
    );
  if (r.sample) console.log(`Sample ticket under B: ${JSON.stringify(r.sample)}`);
  if (r.trace) {
    console.log(
      `SQL statements per created ticket (wire trace, ${r.trace.idleStatementsPerSecond}/s while idle subtracted):`,
    );
    for (const [config, t] of Object.entries(r.trace.configs)) {
      console.log(
        `  ${label(config as Config)}: ${t.requestStatements} in the request, ${t.deferredStatements} after it ` +
          `(relay and jobs; drained ${t.drainS} s after the last of ${t.tickets} tickets); rules jobs per ticket: ` +
          `${JSON.stringify(t.jobsPerTicket)}`,
      );
    }
  }
}

const results: DbResult[] = [];
let failed = false;
for (const kind of kinds) {
  if (kind === 'postgres') {
    const reason = await postgresReachable();
    if (reason) {
      console.log(
        `PostgreSQL at ${PG_ADMIN_URL} is not reachable (${reason}); skipping the PostgreSQL runs.`,
      );
      continue;
    }
  }
  log(
    `=== ${kind} === (load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')})`,
  );
  const result = await benchDb(kind);
  results.push(result);
  const out = path.join(ROOT, 'tmp', 'bench', `rules-${kind}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, out)}`);
  for (const run of result.runs) {
    if (!run.verified) {
      console.error(
        `${kind}: ${label(run.config)} round ${run.round}: ${run.summary.created} 201s, ${run.summary.failed} failures, ` +
          `${run.counted} tickets counted (first failure: ${run.summary.firstFailure})`,
      );
      failed = true;
    }
  }
}
for (const r of results) printResult(r);
if (results.length)
  console.log(
    '\nCPU shares are of all cores during the measured run; "other" is everything else on the machine. A high\n' +
      '"other" means the figures were taken on a busy machine; CPU per ticket is the steadier measure.',
  );
process.exitCode = failed ? 1 : 0;
