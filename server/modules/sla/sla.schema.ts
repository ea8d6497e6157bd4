import { z } from 'zod';
import { idParams, recordId, shortText } from '../../platform/http/fields.ts';
import { TICKET_PRIORITIES } from '../tickets/tickets.tables.ts';
import { isTimeZone } from './sla.clock.ts';
import { SLA_METRICS } from './sla.tables.ts';

export { idParams };

const WEEK_MINUTES = 7 * 1440;
/** The longest target: a year of minutes. */
export const MAX_TARGET_MINUTES = 525_600;

/** An IANA time zone (`Europe/Berlin`, `UTC`), as accounts validate theirs. */
const timeZone = z
  .string()
  .trim()
  .min(1, 'cannot be blank')
  .max(64)
  .refine(isTimeZone, 'is not a time zone such as Europe/Paris or UTC');

const minute = z.number().int().min(0).max(WEEK_MINUTES);

/**
 * Business hours as Zendesk writes them: minutes from Sunday 00:00 local time, each interval within one day
 * (it may end at the day's 24:00), sorted and not overlapping once sorted.
 */
export const intervalsInput = z
  .array(z.object({ start_time: minute, end_time: minute }))
  .max(100)
  .superRefine((intervals, ctx) => {
    const sorted = [...intervals].sort((a, b) => a.start_time - b.start_time);
    sorted.forEach((i, n) => {
      const where = `[${intervals.indexOf(i)}]`;
      if (i.end_time <= i.start_time) {
        ctx.addIssue({ code: 'custom', message: `${where} must end after it starts` });
      } else if (Math.floor(i.start_time / 1440) !== Math.floor((i.end_time - 1) / 1440)) {
        ctx.addIssue({ code: 'custom', message: `${where} cannot span calendar days` });
      }
      const previous = sorted[n - 1];
      if (previous && i.start_time < previous.end_time) {
        ctx.addIssue({ code: 'custom', message: `${where} overlaps another interval` });
      }
    });
  })
  .transform((intervals) => [...intervals].sort((a, b) => a.start_time - b.start_time));

/** Monday to Friday, 09:00 to 17:00: what a schedule starts with when none is given (as in Zendesk). */
export const DEFAULT_INTERVALS = [1, 2, 3, 4, 5].map((d) => ({
  start_time: d * 1440 + 540,
  end_time: d * 1440 + 1020,
}));

export const scheduleInput = z.object({
  name: shortText(255).min(1, 'cannot be blank').optional(),
  time_zone: timeZone.optional(),
  intervals: intervalsInput.optional(),
});
export type ScheduleInput = z.infer<typeof scheduleInput>;

export const scheduleBody = z.object({ schedule: scheduleInput });
export const workweekBody = z.object({ workweek: z.object({ intervals: intervalsInput }) });

/** A calendar date, `YYYY-MM-DD`, that exists. */
const date = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-12-25')
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
  }, 'is not a date');

export const holidayInput = z.object({
  name: shortText(255).min(1, 'cannot be blank').optional(),
  start_date: date.optional(),
  end_date: date.optional(),
});
export type HolidayInput = z.infer<typeof holidayInput>;

export const holidayBody = z.object({ holiday: holidayInput });
export const scheduleParams = z.object({ schedule_id: recordId });
export const holidayParams = z.object({ schedule_id: recordId, id: recordId });

const policyMetric = z.object({
  priority: z.enum(TICKET_PRIORITIES),
  metric: z.enum(SLA_METRICS),
  target: z.number().int().min(1).max(MAX_TARGET_MINUTES),
  business_hours: z.boolean().default(false),
});

export const policyInput = z.object({
  title: shortText(255).min(1, 'cannot be blank').optional(),
  description: shortText(10_000).nullable().optional(),
  position: z.number().int().min(0).max(100_000).optional(),
  /** Checked by sla.filter.ts, which names what is wrong. */
  filter: z.object({ all: z.unknown().optional(), any: z.unknown().optional() }).optional(),
  policy_metrics: z
    .array(policyMetric)
    .max(16)
    .superRefine((metrics, ctx) => {
      const seen = new Set<string>();
      for (const m of metrics) {
        const key = `${m.priority} ${m.metric}`;
        if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `has ${key} more than once` });
        seen.add(key);
      }
    })
    .optional(),
});
export type PolicyInput = z.infer<typeof policyInput>;

export const policyBody = z.object({ sla_policy: policyInput });
export const reorderBody = z.object({ sla_policy_ids: z.array(recordId).min(1).max(1000) });
