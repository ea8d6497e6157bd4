import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  type ClockSchedule,
  hasBusinessHours,
  instantOf,
} from './sla.clock.ts';

// Every expected instant below was worked out by hand from the zone's rules (Berlin: CET = UTC+1, CEST =
// UTC+2 from 2026-03-29 01:00Z to 2026-10-25 01:00Z; New York: EST = UTC-5, EDT = UTC-4 from 2026-03-08).

const weekdays = (from: string, to: string) => {
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  return [1, 2, 3, 4, 5].map((d) => ({
    start_time: d * 1440 + minutes(from),
    end_time: d * 1440 + minutes(to),
  }));
};

const berlin: ClockSchedule = {
  time_zone: 'Europe/Berlin',
  intervals: weekdays('09:00', '17:00'),
  holidays: [],
};
const at = (iso: string) => new Date(iso);
const add = (start: string, minutes: number, schedule = berlin) =>
  addBusinessMinutes(at(start), minutes, schedule).toISOString();

describe('addBusinessMinutes, Mon–Fri 09:00–17:00 Europe/Berlin', () => {
  test('4 h from Friday 15:00 lands Monday 11:00', () => {
    // Friday 2026-01-16 15:00 CET = 14:00Z; 2 h on Friday, 2 h on Monday from 09:00 → 11:00 CET = 10:00Z.
    assert.equal(add('2026-01-16T14:00:00Z', 240), '2026-01-19T10:00:00.000Z');
  });

  test('with Monday a holiday, Tuesday 11:00', () => {
    const holiday = { ...berlin, holidays: [{ start_date: '2026-01-19', end_date: '2026-01-19' }] };
    assert.equal(add('2026-01-16T14:00:00Z', 240, holiday), '2026-01-20T10:00:00.000Z');
  });

  test('holiday ranges are inclusive at both ends', () => {
    // Closed Thursday 12-24 and Friday 12-25: 1 h from Wednesday 16:30 CET is 30 min then, 30 min Monday.
    const christmas = { ...berlin, holidays: [{ start_date: '2026-12-24', end_date: '2026-12-25' }] };
    assert.equal(add('2026-12-23T15:30:00Z', 60, christmas), '2026-12-28T08:30:00.000Z');
  });

  test('a start on Saturday counts from Monday 09:00', () => {
    // Saturday 2026-01-17 10:00 CET; Monday 09:00 CET = 08:00Z.
    assert.equal(add('2026-01-17T09:00:00Z', 0), '2026-01-19T08:00:00.000Z');
    assert.equal(add('2026-01-17T09:00:00Z', 60), '2026-01-19T09:00:00.000Z');
  });

  test('a start before opening counts from 09:00, inside hours from the start', () => {
    assert.equal(add('2026-01-14T05:00:00Z', 30), '2026-01-14T08:30:00.000Z'); // Wed 06:00 → 09:30 CET
    assert.equal(add('2026-01-14T09:00:00Z', 30), '2026-01-14T09:30:00.000Z'); // Wed 10:00 → 10:30 CET
  });

  test('a target ending exactly at closing ends then, not at the next opening', () => {
    assert.equal(add('2026-01-16T12:00:00Z', 240), '2026-01-16T16:00:00.000Z'); // Fri 13:00 → 17:00 CET
  });

  test('across the spring DST change (clocks forward on Sunday 2026-03-29)', () => {
    // Friday 2026-03-27 15:00 CET = 14:00Z → Monday 2026-03-30 11:00 CEST = 09:00Z.
    assert.equal(add('2026-03-27T14:00:00Z', 240), '2026-03-30T09:00:00.000Z');
  });

  test('across the autumn DST change (clocks back on Sunday 2026-10-25)', () => {
    // Friday 2026-10-23 15:00 CEST = 13:00Z → Monday 2026-10-26 11:00 CET = 10:00Z.
    assert.equal(add('2026-10-23T13:00:00Z', 240), '2026-10-26T10:00:00.000Z');
  });

  test('a split day (09:00–12:00 and 13:00–17:00) skips lunch', () => {
    const split = {
      ...berlin,
      intervals: [...weekdays('09:00', '12:00'), ...weekdays('13:00', '17:00')],
    };
    // Wednesday 2026-01-14 11:00 CET + 2 h: 1 h to 12:00, 1 h from 13:00 → 14:00 CET = 13:00Z.
    assert.equal(add('2026-01-14T10:00:00Z', 120, split), '2026-01-14T13:00:00.000Z');
  });

  test('a zone west of UTC across its DST change', () => {
    const newYork = { time_zone: 'America/New_York', intervals: weekdays('09:00', '17:00'), holidays: [] };
    // Friday 2026-03-06 16:00 EST = 21:00Z + 2 h → Monday 2026-03-09 10:00 EDT = 14:00Z.
    assert.equal(add('2026-03-06T21:00:00Z', 120, newYork), '2026-03-09T14:00:00.000Z');
  });

  test('several weeks of business time', () => {
    // 80 business hours = two working weeks: Monday 2026-01-05 09:00 CET → Friday 2026-01-16 17:00 CET.
    assert.equal(add('2026-01-05T08:00:00Z', 80 * 60), '2026-01-16T16:00:00.000Z');
  });
});

describe('businessMinutesBetween', () => {
  test('Friday 15:00 to Monday 11:00 is 4 business hours, across DST too', () => {
    assert.equal(businessMinutesBetween(at('2026-01-16T14:00:00Z'), at('2026-01-19T10:00:00Z'), berlin), 240);
    assert.equal(businessMinutesBetween(at('2026-03-27T14:00:00Z'), at('2026-03-30T09:00:00Z'), berlin), 240);
  });

  test('nothing outside business hours, nothing backwards, fractions kept', () => {
    assert.equal(businessMinutesBetween(at('2026-01-17T09:00:00Z'), at('2026-01-18T20:00:00Z'), berlin), 0);
    assert.equal(businessMinutesBetween(at('2026-01-19T10:00:00Z'), at('2026-01-19T09:00:00Z'), berlin), 0);
    assert.equal(businessMinutesBetween(at('2026-01-19T09:00:00Z'), at('2026-01-19T09:00:30Z'), berlin), 0.5);
  });

  test('a round-the-clock schedule measures the 23-hour day when clocks go forward', () => {
    const always = {
      time_zone: 'Europe/Berlin',
      intervals: [0, 1, 2, 3, 4, 5, 6].map((d) => ({ start_time: d * 1440, end_time: (d + 1) * 1440 })),
      holidays: [],
    };
    // Sunday 2026-03-29 00:00 CET = 03-28T23:00Z to Monday 00:00 CEST = 03-29T22:00Z.
    assert.equal(
      businessMinutesBetween(at('2026-03-28T23:00:00Z'), at('2026-03-29T22:00:00Z'), always),
      1380,
    );
    // Adding business minutes then equals adding calendar minutes.
    assert.equal(add('2026-03-28T23:00:00Z', 1380, always), '2026-03-29T22:00:00.000Z');
  });

  test('skips holidays', () => {
    const holiday = { ...berlin, holidays: [{ start_date: '2026-01-19', end_date: '2026-01-19' }] };
    assert.equal(
      businessMinutesBetween(at('2026-01-16T14:00:00Z'), at('2026-01-20T10:00:00Z'), holiday),
      240,
    );
  });
});

describe('wall times and empty schedules', () => {
  const wall = (iso: string) => Date.parse(iso);
  test('a wall time in the hour clocks skip moves past it; a repeated one takes the earlier instant', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    assert.equal(iso(instantOf(wall('2026-03-29T02:30:00Z'), 'Europe/Berlin')), '2026-03-29T01:30:00.000Z');
    assert.equal(iso(instantOf(wall('2026-10-25T02:30:00Z'), 'Europe/Berlin')), '2026-10-25T00:30:00.000Z');
    assert.equal(iso(instantOf(wall('2026-07-01T09:00:00Z'), 'Europe/Berlin')), '2026-07-01T07:00:00.000Z');
    assert.equal(iso(instantOf(wall('2026-07-01T09:00:00Z'), 'UTC')), '2026-07-01T09:00:00.000Z');
  });

  test('a schedule without hours is refused rather than looped over', () => {
    const empty = { ...berlin, intervals: [] };
    assert.equal(hasBusinessHours(empty), false);
    assert.throws(() => addBusinessMinutes(at('2026-01-16T14:00:00Z'), 60, empty), RangeError);
    const allHoliday = { ...berlin, holidays: [{ start_date: '2000-01-01', end_date: '2099-12-31' }] };
    assert.throws(() => addBusinessMinutes(at('2026-01-16T14:00:00Z'), 60, allHoliday), RangeError);
  });
});
