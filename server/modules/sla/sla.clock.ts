/**
 * Business-hours arithmetic: pure functions over a schedule (weekly intervals in minutes from Sunday 00:00
 * local time, Zendesk's shape, plus inclusive holiday date ranges), all reckoned in the schedule's IANA zone.
 *
 * Built on Intl (Node ships full ICU and its tz data) rather than a date library: the only zone operations
 * needed are "wall time of an instant" and "instant of a wall time", ~40 lines here, and a library such as
 * luxon would itself call Intl for them. Wall times that do not exist (the hour skipped when clocks go
 * forward) move forward by the gap; wall times that happen twice (clocks go back) take the earlier instant.
 */

export interface ClockInterval {
  /** Minutes from Sunday 00:00 local time; an interval lies within one day (Zendesk's rule). */
  start_time: number;
  end_time: number;
}

export interface ClockHoliday {
  /** Inclusive local dates, `YYYY-MM-DD`. */
  start_date: string;
  end_date: string;
}

export interface ClockSchedule {
  time_zone: string;
  intervals: ClockInterval[];
  holidays: ClockHoliday[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEK_MINUTES = 7 * 1440;
/** How far the arithmetic looks for business time before it gives up (a schedule of holidays only). */
const MAX_DAYS = 3_700;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows the zone (`Europe/Berlin`, `UTC`). */
export function isTimeZone(value: string): boolean {
  try {
    formatter(value);
    return true;
  } catch {
    return false;
  }
}

/** A zone's UTC offset at an instant (ms), read from Intl: ~20 µs a call, so offsetAt caches whole days. */
function exactOffset(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** Per zone: UTC day number → the offset that holds for that whole day (days with a change are not kept). */
const dayOffsets = new Map<string, Map<number, number>>();
const CACHED_DAYS = 20_000;

/**
 * A zone's UTC offset at an instant. Offsets change at most a couple of times a year and never twice within
 * a day, so a UTC day whose first and last millisecond share an offset has it throughout and is cached.
 */
function offsetAt(instant: number, timeZone: string): number {
  const day = Math.floor(instant / DAY);
  let days = dayOffsets.get(timeZone);
  const cached = days?.get(day);
  if (cached !== undefined) return cached;
  const first = exactOffset(day * DAY, timeZone);
  const last = exactOffset(day * DAY + DAY - 1, timeZone);
  if (first !== last) return exactOffset(instant, timeZone);
  if (!days || days.size >= CACHED_DAYS) {
    days = new Map();
    dayOffsets.set(timeZone, days);
  }
  days.set(day, first);
  return first;
}

/** The wall time of an instant in a zone, as if that wall time were UTC (ms). */
const wallTime = (instant: number, timeZone: string) => instant + offsetAt(instant, timeZone);

/** The instant a wall time (given as if UTC, ms) happens in a zone. */
export function instantOf(wall: number, timeZone: string): number {
  // Offsets a day either side: no zone changes its offset twice within two days.
  const before = offsetAt(wall - DAY, timeZone);
  const after = offsetAt(wall + DAY, timeZone);
  if (before === after) return wall - before;
  const valid = [wall - before, wall - after].filter((t) => offsetAt(t, timeZone) === wall - t);
  if (valid.length) return Math.min(...valid);
  // In the gap when clocks go forward: the same distance past the gap's end.
  return wall - Math.min(before, after);
}

/** A local calendar day as a UTC midnight (ms), so days can be counted with plain arithmetic. */
function localDay(instant: number, timeZone: string): number {
  const wall = wallTime(instant, timeZone);
  return wall - (((wall % DAY) + DAY) % DAY);
}

const isoDate = (day: number) => new Date(day).toISOString().slice(0, 10);

/** Each weekday's intervals (Sunday = 0) as [startMinute, endMinute] within the day, sorted. */
function weekdays(intervals: ClockInterval[]): [number, number][][] {
  const days: [number, number][][] = [[], [], [], [], [], [], []];
  for (const i of intervals) {
    const start = Math.max(0, Math.min(WEEK_MINUTES, i.start_time));
    const end = Math.max(0, Math.min(WEEK_MINUTES, i.end_time));
    if (end <= start) continue;
    const day = Math.floor(start / 1440);
    days[day]!.push([start - day * 1440, end - day * 1440]);
  }
  for (const d of days) d.sort((a, b) => a[0] - b[0]);
  return days;
}

function isHoliday(day: number, holidays: ClockHoliday[]): boolean {
  if (!holidays.length) return false;
  const date = isoDate(day);
  return holidays.some((h) => h.start_date <= date && date <= h.end_date);
}

/** Whether the schedule has any business time at all (otherwise the functions below throw). */
export function hasBusinessHours(schedule: ClockSchedule): boolean {
  return schedule.intervals.some((i) => i.end_time > i.start_time);
}

/**
 * The business periods of a schedule from `from` on, as [start, end) instants (ms), in order; the first may
 * begin before `from` (callers clip). Ends after MAX_DAYS local days.
 */
function* periods(from: number, schedule: ClockSchedule): Generator<[number, number]> {
  const days = weekdays(schedule.intervals);
  if (!days.some((d) => d.length)) throw new RangeError('The schedule has no business hours');
  const first = localDay(from, schedule.time_zone);
  for (let n = 0; n < MAX_DAYS; n += 1) {
    const day = first + n * DAY;
    const intervals = days[new Date(day).getUTCDay()]!;
    if (!intervals.length || isHoliday(day, schedule.holidays)) continue;
    for (const [start, end] of intervals) {
      yield [
        instantOf(day + start * MINUTE, schedule.time_zone),
        instantOf(day + end * MINUTE, schedule.time_zone),
      ];
    }
  }
}

/** The instant `minutes` business minutes after `start` (a start outside business hours counts from the next opening). */
export function addBusinessMinutes(start: Date, minutes: number, schedule: ClockSchedule): Date {
  let left = Math.max(0, minutes) * MINUTE;
  const from = start.getTime();
  for (const [s, e] of periods(from, schedule)) {
    if (e <= from) continue;
    const begin = Math.max(s, from);
    if (left <= e - begin) {
      // Zero minutes from outside business hours is the next opening, as any other count would start there.
      return new Date(begin + left);
    }
    left -= e - begin;
  }
  throw new RangeError(`The schedule has no business hours within ${MAX_DAYS} days`);
}

/** Business minutes between two instants (0 when `b` is not after `a`); may be fractional. */
export function businessMinutesBetween(a: Date, b: Date, schedule: ClockSchedule): number {
  const from = a.getTime();
  const to = b.getTime();
  if (to <= from) return 0;
  let total = 0;
  for (const [s, e] of periods(from, schedule)) {
    if (s >= to) break;
    if (e <= from) continue;
    total += Math.min(e, to) - Math.max(s, from);
  }
  return total / MINUTE;
}

/** Calendar arithmetic, the other half of a target: plain minutes. */
export function addCalendarMinutes(start: Date, minutes: number): Date {
  return new Date(start.getTime() + minutes * MINUTE);
}

export function calendarMinutesBetween(a: Date, b: Date): number {
  return Math.max(0, b.getTime() - a.getTime()) / MINUTE;
}
