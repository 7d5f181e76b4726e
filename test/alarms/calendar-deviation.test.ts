/**
 * Deviation rules on the site's calendar (issue 21, part 5): office traffic (300 from 09:00 to
 * 18:00 local time on working days, 100 otherwise, 3 % noise) every 10 minutes for 3 weeks, judged
 * at the rule's defaults.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { SiteCalendar } from '../../alarms/calendar/calendar.js';
import type { calendarSchema } from '../../alarms/calendar/config.js';
import { SeasonalEwma, type Summary } from '../../alarms/ewma.js';
import { calendar, Drive, MINUTE, rule } from './drive.js';
import { gaussian } from './replay.js';

const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SERIES = 'office.http.requests_per_sec{host=office}';

/** Office traffic at `t` on `site`'s clock; `holiday` days are flat like a weekend. */
function office(site: SiteCalendar, t: number, holiday?: (t: number) => boolean): number {
  const hour = Math.floor(site.zone.localMs(t) / HOUR) % 24;
  const working = !site.isWeekend(t) && holiday?.(t) !== true;
  return (working && hour >= 9 && hour < 18 ? 300 : 100) * (1 + 0.03 * gaussian(t));
}

interface Run {
  readonly drive: Drive;
  /** Alarm states published, as `state@local date-time`. */
  readonly states: string[];
}

/** 3 weeks of points every 10 minutes from `start`, judged by a deviation rule with `season`. */
function run(
  season: 'hourOfDay' | 'hourOfDayWeekend',
  site: z.input<typeof calendarSchema>,
  start: number,
  traffic: (site: SiteCalendar, t: number) => number = office,
  days = 21,
): Run {
  const clock = calendar(site);
  const drive = new Drive(
    [rule({ kind: 'deviation', name: 'unusual', measurement: 'http', field: 'requests_per_sec', season })],
    undefined,
    start,
    undefined,
    clock,
  );
  while (drive.now < start + days * DAY) {
    drive.advance(10 * MINUTE, 10 * MINUTE);
    drive.point('office', 'http', { requests_per_sec: traffic(clock, drive.now) });
  }
  const local = (iso: string): string =>
    new Date(clock.zone.localMs(Date.parse(iso))).toISOString().slice(0, 16);
  return { drive, states: drive.published.map((message) => `${message.state}@${local(message.since)}`) };
}

describe('deviation rules on the site calendar', () => {
  it("follow the site's daylight-saving time: office hours in Paris stay usual after clocks go forward", () => {
    const start = Date.UTC(2026, 2, 10); // 3 weeks, the last days after the change of 2026-03-29
    // In UTC buckets the office opens an hour earlier after the change: 08:00 UTC is 300, not 100.
    const paris = calendar({ timeZone: 'Europe/Paris' });
    const utc = run('hourOfDayWeekend', { timeZone: 'UTC' }, start, (_, t) => office(paris, t));
    expect(utc.states[0]).toBe('firing@2026-03-30T07:20');
    expect(run('hourOfDayWeekend', { timeZone: 'Europe/Paris' }, start).states).toEqual([]);
  });

  it('keep weekends apart: a quiet Saturday is usual with hourOfDayWeekend, an anomaly with hourOfDay', () => {
    const start = Date.UTC(2026, 0, 5); // a Monday
    const alike = run('hourOfDay', { timeZone: 'Europe/Paris' }, start);
    expect(alike.states[0]).toBe('firing@2026-01-10T09:20'); // Saturday, 20 min after opening time
    expect(run('hourOfDayWeekend', { timeZone: 'Europe/Paris' }, start).states).toEqual([]);
    // Sundays count as working days where the weekend is Friday and Saturday: Friday is quiet.
    const gulf = run('hourOfDayWeekend', { timeZone: 'Asia/Dubai', weekend: ['fri', 'sat'] }, start);
    expect(gulf.states).toEqual([]);
  });

  it('on an exception day neither alarm nor learn: a holiday on a Wednesday', () => {
    const start = Date.UTC(2026, 0, 5);
    const site = { timeZone: 'Europe/Paris', exceptions: [{ date: '2026-01-21', comment: 'holiday' }] };
    const holidays = calendar(site);
    const isHoliday = (t: number): boolean => holidays.exception(t) !== undefined;
    const quietHoliday = (clock: SiteCalendar, t: number): number => office(clock, t, isHoliday);
    // Without the exception, the quiet Wednesday is an anomaly from opening time.
    const { exceptions: _none, ...noExceptions } = site;
    expect(run('hourOfDayWeekend', noExceptions, start, quietHoliday).states.slice(0, 2)).toEqual([
      'firing@2026-01-21T09:20',
      'resolved@2026-01-21T18:20', // closing time: 100 is usual again
    ]);
    // With it, nothing; and what the holiday's traffic was taught nothing: the baseline the next
    // day is the one of a run whose Wednesday was a usual working day.
    const holiday = run('hourOfDayWeekend', site, start, quietHoliday, 17);
    const usual = run('hourOfDayWeekend', site, start, office, 17);
    expect(holiday.states).toEqual([]);
    const baseline = ({ drive }: Run): unknown => drive.engine.get('unusual', SERIES)?.baseline;
    expect(baseline(holiday)).toEqual(baseline(usual));
    expect(baseline(holiday)).toBeDefined();
  });

  it('a maintenance window holds a firing alarm: no resolution until it is over', () => {
    const start = Date.UTC(2026, 0, 5);
    // The office empties at 14:00 on Tuesday of week 3; maintenance from 15:00 to 17:00; normal after 16:00.
    const emptied = Date.UTC(2026, 0, 20, 13);
    const back = Date.UTC(2026, 0, 20, 15);
    const site = {
      timeZone: 'Europe/Paris',
      exceptions: [{ from: '2026-01-20T15:00', until: '2026-01-20T17:00' }],
    };
    const traffic = (clock: SiteCalendar, t: number): number =>
      t >= emptied && t < back ? 100 : office(clock, t);
    expect(run('hourOfDayWeekend', site, start, traffic, 16).states).toEqual([
      'firing@2026-01-20T14:20',
      'resolved@2026-01-20T17:20',
    ]);
  });

  it('seeding from history leaves out the exception days', () => {
    const clock = calendar({ timeZone: 'UTC', exceptions: [{ date: '2026-01-07' }] });
    const hourly = (holiday: number): Summary[] =>
      Array.from({ length: 14 * 24 }, (_, index) => {
        const time = Date.UTC(2026, 0, 1) + index * HOUR + HOUR / 2;
        const mean = clock.exception(time) === undefined ? 200 + (index % 24) : holiday;
        return { time, mean, min: mean - 10, max: mean + 10, count: 60 };
      });
    const seeded = (holiday: number): SeasonalEwma => {
      const ewma = new SeasonalEwma(6 * HOUR, 'hourOfDay', clock);
      ewma.seed(hourly(holiday));
      return ewma;
    };
    const at = Date.UTC(2026, 0, 15, 10);
    expect(seeded(0).baseline(at)).toEqual(seeded(210).baseline(at));
    expect(seeded(0).baseline(at)?.mean).toBe(210);
  });
});
