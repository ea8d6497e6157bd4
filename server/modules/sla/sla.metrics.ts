import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';
import {
  addBusinessMinutes,
  addCalendarMinutes,
  businessMinutesBetween,
  type ClockSchedule,
  calendarMinutesBetween,
  hasBusinessHours,
} from './sla.clock.ts';
import { type CompiledFilter, compileFilter, type FilterTicket } from './sla.filter.ts';
import type { SlaMetricName, StoredFilter, StoredMetric, StoredPolicyMetric } from './sla.tables.ts';

/**
 * SLA metrics of a ticket, computed on every ticket write (the write path calls `loadSlaRules` once and
 * `computeSla` with the ticket before and after the write). Pure: the same rules, rows and `now` always give
 * the same columns, so the write path stays the only writer of tickets.
 *
 * Zendesk's semantics:
 * - first_reply_time starts when the ticket is created (not for an agent's ticket opened with a public
 *   comment), fulfilled by the first public agent comment;
 * - next_reply_time starts at a public end-user comment once the first reply phase is over (the earliest
 *   unanswered comment counts), fulfilled by the next public agent comment;
 * - periodic_update starts at each public agent comment, fulfilled by the next one;
 * - requester_wait_time runs while the ticket is new, open or on hold, pauses while pending, is fulfilled when
 *   solved and resumes (cumulatively) when a solved ticket reopens;
 * - solving fulfils everything still running. Targets are re-read on every write from the first policy (by
 *   position) whose filter matches the ticket and its priority (no priority, no targets); start times stay.
 */

export type { StoredMetric };

export interface SlaRules {
  policies: { id: number; matches: CompiledFilter; targets: Map<string, StoredPolicyMetric> }[];
  /** The account's default schedule (its lowest id), for business-hours targets; null without one. */
  schedule: ClockSchedule | null;
}

/** What computeSla reads of a ticket row (a TicketRow fits). */
export type SlaTicket = FilterTicket &
  Pick<
    TicketRow,
    | 'created_at'
    | 'solved_at'
    | 'status_updated_at'
    | 'agent_updated_at'
    | 'requester_updated_at'
    | 'sla_policy_id'
    | 'sla_metrics'
    | 'sla_breach_at'
  >;

export interface SlaWrite {
  /** The ticket before this write (null on create). */
  before: SlaTicket | null;
  /** The ticket as it will be saved (final status, priority, tags …; its id may be 0 on create). */
  after: FilterTicket;
  comment: { public: boolean; authorIsAgent: boolean; authorIsRequester: boolean } | null;
  now: Date;
}

export interface SlaColumns {
  sla_policy_id: number | null;
  sla_metrics: StoredMetric[];
  sla_breach_at: Date | null;
}

const SOLVED = new Set(['solved', 'closed']);
/** Completed instances kept on the ticket per metric (older outcomes live in sla_metric_events). */
const KEPT_COMPLETED = 3;

interface LoadedRules {
  policies: { id: number; filter: StoredFilter; policy_metrics: StoredPolicyMetric[] }[];
  schedule: (ClockSchedule & { id: number }) | null;
}

/**
 * The account's policies (in order) and default schedule with its holidays, in one statement; null when the
 * account has no policies, so the write path does nothing more for it.
 */
export async function loadSlaRules(db: TenantDb): Promise<SlaRules | null> {
  const a = db.accountId;
  const { rows } = await sql<LoadedRules>`
    select
      (select coalesce(json_agg(json_build_object('id', p.id, 'filter', p.filter, 'policy_metrics', p.policy_metrics)
                                order by p.position, p.id), '[]'::json)
         from sla_policies p where p.account_id = ${a}) as policies,
      (select json_build_object('id', s.id, 'time_zone', s.time_zone, 'intervals', s.intervals, 'holidays',
                (select coalesce(json_agg(json_build_object('start_date', h.start_date, 'end_date', h.end_date)), '[]'::json)
                   from business_holidays h where h.account_id = s.account_id and h.schedule_id = s.id))
         from business_schedules s where s.account_id = ${a}
           and exists (select 1 from sla_policies p where p.account_id = ${a})
         order by s.id limit 1) as schedule`.execute(db.connection);
  const loaded = rows[0];
  if (!loaded?.policies.length) return null;
  return rulesFrom(loaded);
}

/** Compiles loaded policies; a stored filter that no longer parses is skipped rather than blocking writes. */
export function rulesFrom(loaded: LoadedRules): SlaRules {
  const policies: SlaRules['policies'] = [];
  for (const p of loaded.policies) {
    let matches: CompiledFilter;
    try {
      matches = compileFilter(p.filter);
    } catch {
      continue;
    }
    const targets = new Map(p.policy_metrics.map((m) => [`${m.priority}:${m.metric}`, m]));
    policies.push({ id: p.id, matches, targets });
  }
  return { policies, schedule: loaded.schedule };
}

const iso = (d: Date) => d.toISOString();
const time = (s: string) => new Date(s);

function newMetric(metric: SlaMetricName, at: string): StoredMetric {
  return {
    metric,
    target: null,
    business_hours: false,
    started_at: at,
    breach_at: null,
    fulfilled_at: null,
    stage: 'active',
  };
}

/**
 * A ticket written before the account had policies carries no metric state: rebuild it from the ticket's own
 * timestamps (approximate: earlier pending periods and replies are not known). What already happened is kept
 * without a target, so it is never reported as achieved or breached.
 */
function bootstrap(t: SlaTicket): StoredMetric[] {
  const created = iso(t.created_at);
  const solved = SOLVED.has(t.status);
  const solvedAt = iso(t.solved_at ?? t.status_updated_at);
  const out: StoredMetric[] = [];
  const frt = newMetric('first_reply_time', created);
  if (t.agent_updated_at) frt.fulfilled_at = iso(t.agent_updated_at);
  else if (solved) frt.fulfilled_at = solvedAt;
  out.push(frt);
  const rwt = newMetric('requester_wait_time', created);
  if (solved) {
    rwt.fulfilled_at = solvedAt;
    rwt.segments = [[created, solvedAt]];
  } else if (t.status === 'pending') {
    rwt.segments = [[created, iso(t.status_updated_at)]];
  } else rwt.segments = [[created, null]];
  out.push(rwt);
  if (!solved && t.agent_updated_at) {
    out.push(newMetric('periodic_update', iso(t.agent_updated_at)));
    if (t.requester_updated_at && t.requester_updated_at > t.agent_updated_at) {
      out.push(newMetric('next_reply_time', iso(t.requester_updated_at)));
    }
  }
  for (const m of out) if (m.fulfilled_at) m.stage = 'achieved';
  return out;
}

interface Clock {
  add(start: Date, minutes: number): Date;
  between(a: Date, b: Date): number;
}

const calendar: Clock = { add: addCalendarMinutes, between: calendarMinutesBetween };

function businessClock(schedule: ClockSchedule): Clock {
  return {
    add: (start, minutes) => addBusinessMinutes(start, minutes, schedule),
    between: (a, b) => businessMinutesBetween(a, b, schedule),
  };
}

/** When a metric breaches (or breached), or null while paused short of its target. */
function breachAt(m: StoredMetric, target: number, clock: Clock): Date | null {
  if (!m.segments) return clock.add(time(m.started_at), target);
  // Requester wait time: its target is spent across its running periods only.
  let left = target;
  for (const [from, to] of m.segments) {
    if (to === null) return clock.add(time(from), left);
    const used = clock.between(time(from), time(to));
    if (used >= left) return clock.add(time(from), left);
    left -= used;
  }
  return null;
}

function completedKey(m: StoredMetric): string {
  return `${m.metric}@${m.started_at}`;
}

/** The SLA columns of a ticket after a write. Never throws: on any failure the ticket keeps what it had. */
export function computeSla(rules: SlaRules, w: SlaWrite): SlaColumns {
  try {
    return compute(rules, w);
  } catch {
    return {
      sla_policy_id: w.before?.sla_policy_id ?? null,
      sla_metrics: w.before?.sla_metrics ?? [],
      sla_breach_at: w.before?.sla_breach_at ?? null,
    };
  }
}

function compute(rules: SlaRules, w: SlaWrite): SlaColumns {
  const { before, after } = w;
  const now = iso(w.now);
  const metrics: StoredMetric[] = before
    ? before.sla_metrics?.length
      ? structuredClone(before.sla_metrics)
      : bootstrap(before)
    : [];
  // Completed in an earlier write: history, left exactly as it was.
  const frozen = new Set(metrics.filter((m) => m.fulfilled_at !== null));
  const running = (metric: SlaMetricName) =>
    metrics.find((m) => m.metric === metric && m.fulfilled_at === null);
  const start = (metric: SlaMetricName) => {
    const m = newMetric(metric, now);
    metrics.push(m);
    return m;
  };
  const solved = SOLVED.has(after.status);
  const c = w.comment;
  const agentReply = c?.public === true && c.authorIsAgent && !c.authorIsRequester;
  const endUserComment = c?.public === true && !agentReply;

  // State left stale while the account had no policies (writes skip SLA then): a public agent reply the
  // ticket recorded since a reply clock started fulfilled it.
  const replied = before?.agent_updated_at ? iso(before.agent_updated_at) : null;
  for (const m of metrics) {
    const replyMetric = m.metric === 'first_reply_time' || m.metric === 'next_reply_time';
    if (replyMetric && m.fulfilled_at === null && replied && replied > m.started_at) m.fulfilled_at = replied;
  }

  if (!before) {
    if (!agentReply) start('first_reply_time');
    start('requester_wait_time').segments = [[now, null]];
  }
  if (agentReply) {
    for (const metric of ['first_reply_time', 'next_reply_time', 'periodic_update'] as const) {
      const m = running(metric);
      if (m) m.fulfilled_at = now;
    }
    if (!solved) start('periodic_update');
  } else if (endUserComment && before && !solved) {
    // After the first reply phase, the earliest unanswered end-user comment starts the next reply clock.
    if (!running('first_reply_time') && !running('next_reply_time')) start('next_reply_time');
  }

  let wait = metrics.find((m) => m.metric === 'requester_wait_time');
  if (!wait && !solved) {
    wait = start('requester_wait_time');
    wait.segments = [[now, null]];
  }
  if (wait) {
    wait.segments ??= [[wait.started_at, wait.fulfilled_at]];
    const open = wait.segments.at(-1)?.[1] === null ? wait.segments.at(-1)! : null;
    if (solved || after.status === 'pending') {
      if (open) open[1] = now;
    } else {
      if (wait.fulfilled_at !== null) {
        // A solved ticket reopened: its wait resumes where it stopped.
        wait.fulfilled_at = null;
        frozen.delete(wait);
      }
      if (!open) wait.segments.push([now, null]);
    }
  }
  if (solved) for (const m of metrics) if (m.fulfilled_at === null) m.fulfilled_at = now;

  // Targets: the first matching policy, for the ticket's priority; start times stay as they were.
  const policy = rules.policies.find((p) => p.matches(after)) ?? null;
  const business = rules.schedule && hasBusinessHours(rules.schedule) ? businessClock(rules.schedule) : null;
  for (const m of metrics) {
    if (frozen.has(m)) continue;
    const goal = policy && after.priority ? policy.targets.get(`${after.priority}:${m.metric}`) : undefined;
    const inBusinessHours = goal?.business_hours === true && business !== null;
    m.target = goal?.target ?? null;
    m.business_hours = inBusinessHours;
    const breach = goal ? breachAt(m, goal.target, inBusinessHours ? business! : calendar) : null;
    m.breach_at = breach ? iso(breach) : null;
    if (m.fulfilled_at !== null) {
      m.stage = m.breach_at !== null && m.fulfilled_at > m.breach_at ? 'breached' : 'achieved';
    } else {
      m.stage = m.segments && m.segments.at(-1)?.[1] !== null ? 'paused' : 'active';
    }
  }

  const kept = trimHistory(metrics);
  const breaches = kept
    .filter((m) => m.fulfilled_at === null && m.breach_at !== null)
    .map((m) => m.breach_at!)
    .sort();
  return {
    sla_policy_id: policy?.id ?? null,
    sla_metrics: kept,
    sla_breach_at: breaches.length ? time(breaches[0]!) : null,
  };
}

/**
 * The columns as values for the ticket's insert or update: the metrics go in as JSON text cast to jsonb (the
 * driver would otherwise send a JS array as a PostgreSQL array). Typed as the column's value for Kysely.
 */
export function slaColumnValues(columns: SlaColumns): SlaColumns {
  return {
    sla_policy_id: columns.sla_policy_id,
    sla_metrics: sql`${JSON.stringify(columns.sla_metrics)}::jsonb` as unknown as StoredMetric[],
    sla_breach_at: columns.sla_breach_at,
  };
}

/** Running metrics and the last few completed instances of each metric, in their order. */
function trimHistory(metrics: StoredMetric[]): StoredMetric[] {
  const completed = new Map<string, StoredMetric[]>();
  for (const m of metrics) {
    if (m.fulfilled_at !== null) completed.set(m.metric, [...(completed.get(m.metric) ?? []), m]);
  }
  const dropped = new Set([...completed.values()].flatMap((list) => list.slice(0, -KEPT_COMPLETED)));
  return metrics.filter((m) => !dropped.has(m));
}

/** An outcome for reporting: a metric with a target that this write completed. */
export interface SlaOutcome {
  metric: SlaMetricName;
  started_at: Date;
  breach_at: Date | null;
  fulfilled_at: Date;
  outcome: 'achieved' | 'breached';
}

/** The metrics `columns` completes that `before` had not completed (so far) with the same result. */
export function slaOutcomes(before: StoredMetric[] | null | undefined, columns: SlaColumns): SlaOutcome[] {
  const previous = new Map((before ?? []).map((m) => [completedKey(m), m]));
  const out: SlaOutcome[] = [];
  for (const m of columns.sla_metrics) {
    if (m.fulfilled_at === null || m.target === null) continue;
    const was = previous.get(completedKey(m));
    if (was && was.fulfilled_at === m.fulfilled_at && was.stage === m.stage) continue;
    out.push({
      metric: m.metric,
      started_at: time(m.started_at),
      breach_at: m.breach_at ? time(m.breach_at) : null,
      fulfilled_at: time(m.fulfilled_at),
      outcome: m.stage === 'breached' ? 'breached' : 'achieved',
    });
  }
  return out;
}

/**
 * Records what a ticket write completed in sla_metric_events: one statement, and none when nothing completed.
 * Upserts on (ticket, metric, started_at), so a breach the `sla.breaches` job recorded first gets its
 * fulfilment time, and a reopened wait that completes again updates its row.
 */
export async function recordSlaOutcomes(
  db: TenantDb,
  ticketId: number,
  before: StoredMetric[] | null | undefined,
  columns: SlaColumns,
): Promise<void> {
  const outcomes = slaOutcomes(before, columns);
  if (!outcomes.length) return;
  await db
    .insertInto(
      'sla_metric_events',
      outcomes.map((o) => ({ ticket_id: ticketId, policy_id: columns.sla_policy_id, ...o })),
    )
    .onConflict((oc) =>
      oc.columns(['account_id', 'ticket_id', 'metric', 'started_at']).doUpdateSet((eb) => ({
        policy_id: eb.ref('excluded.policy_id'),
        breach_at: eb.ref('excluded.breach_at'),
        fulfilled_at: eb.ref('excluded.fulfilled_at'),
        outcome: eb.ref('excluded.outcome'),
      })),
    )
    .execute();
}
