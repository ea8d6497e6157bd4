import { isoTime } from '../../platform/http/format.ts';
import type { HolidayRow, PolicyRow, ScheduleRow } from './sla.queries.ts';
import type { StoredMetric } from './sla.tables.ts';

type UrlFor = (path: string) => string;

/** A schedule in Zendesk's shape (`/api/v2/business_hours/schedules`). */
export function presentSchedule(s: ScheduleRow) {
  return {
    id: s.id,
    name: s.name,
    time_zone: s.time_zone,
    intervals: s.intervals.map((i) => ({ start_time: i.start_time, end_time: i.end_time })),
    created_at: isoTime(s.created_at),
    updated_at: isoTime(s.updated_at),
  };
}

export function presentHoliday(h: HolidayRow) {
  return { id: h.id, name: h.name, start_date: h.start_date, end_date: h.end_date };
}

/** An SLA policy in Zendesk's shape; `target_in_seconds` as Zendesk adds it. */
export function presentPolicy(p: PolicyRow, url: UrlFor) {
  return {
    url: url(`/api/v2/slas/policies/${p.id}.json`),
    id: p.id,
    title: p.title,
    description: p.description,
    position: p.position,
    filter: {
      all: p.filter.all.map((c) => ({ field: c.field, operator: c.operator, value: c.value })),
      any: p.filter.any.map((c) => ({ field: c.field, operator: c.operator, value: c.value })),
    },
    policy_metrics: p.policy_metrics.map((m) => ({
      priority: m.priority,
      metric: m.metric,
      target: m.target,
      target_in_seconds: m.target * 60,
      business_hours: m.business_hours,
    })),
    created_at: isoTime(p.created_at),
    updated_at: isoTime(p.updated_at),
  };
}

/** Time left until a breach (negative once past) as whole days, hours and minutes, each with its sign. */
function remaining(breachAt: string | null, now: Date) {
  if (breachAt === null) return { days: null, hours: null, minutes: null };
  const total = Math.trunc((Date.parse(breachAt) - now.getTime()) / 60_000);
  const sign = total < 0 ? -1 : 1;
  const left = Math.abs(total);
  const zero = (n: number) => (n === 0 ? 0 : n * sign);
  return {
    days: zero(Math.floor(left / 1440)),
    hours: zero(Math.floor((left % 1440) / 60)),
    minutes: zero(left % 60),
  };
}

/**
 * A ticket's `slas` (Zendesk's `include=slas`): the metrics with a target that are still running. A paused
 * metric (requester wait time while pending) has no breach time until it resumes.
 */
export function presentSlas(metrics: StoredMetric[] | undefined, now: Date) {
  return {
    policy_metrics: (metrics ?? [])
      .filter((m) => m.fulfilled_at === null && m.target !== null)
      .map((m) => ({
        breach_at: isoTime(m.breach_at),
        stage: m.stage,
        metric: m.metric,
        ...remaining(m.breach_at, now),
      })),
  };
}
