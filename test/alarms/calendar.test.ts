/**
 * The site calendar (issue 21, part 5): season buckets in the site's time zone, weekends apart,
 * and the config's dates and windows as instants, across daylight-saving changes.
 */
import { describe, expect, it } from 'vitest';
import { alarmsSchema } from '../../alarms/config.js';
import { calendar, MINUTE } from './drive.js';

const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONDAY = Date.UTC(2026, 0, 5); // a Monday in winter (Paris: UTC+1)

describe('season buckets', () => {
  it('in UTC: hour of the day, and hour of the week from Monday 00:00', () => {
    const utc = calendar();
    expect(utc.bucket('hourOfDay', MONDAY + 14 * HOUR + 59 * MINUTE)).toBe(14);
    expect(utc.bucket('hourOfWeek', MONDAY + 30 * MINUTE)).toBe(0);
    expect(utc.bucket('hourOfWeek', MONDAY + DAY + 2 * HOUR)).toBe(26);
    expect(utc.bucket('none', MONDAY + 5 * HOUR)).toBe(0);
  });

  it("in the site's zone, following its daylight-saving time", () => {
    const paris = calendar({ timeZone: 'Europe/Paris' });
    expect(paris.bucket('hourOfDay', MONDAY + 8 * HOUR)).toBe(9); // 09:00 CET
    expect(paris.bucket('hourOfDay', Date.UTC(2026, 6, 6, 8))).toBe(10); // 10:00 CEST
    // Monday 00:30 in Paris is still Sunday in UTC.
    expect(paris.bucket('hourOfWeek', MONDAY - 30 * MINUTE)).toBe(0);
    const newYork = calendar({ timeZone: 'America/New_York' });
    expect(newYork.bucket('hourOfDay', MONDAY + 14 * HOUR)).toBe(9); // 09:00 EST
  });

  it('weekends apart: working days 0-23, weekend days 24-47, weekend days as configured', () => {
    const paris = calendar({ timeZone: 'Europe/Paris' });
    const saturday = MONDAY + 5 * DAY;
    expect(paris.bucket('hourOfDayWeekend', MONDAY + 8 * HOUR)).toBe(9);
    expect(paris.bucket('hourOfDayWeekend', saturday + 8 * HOUR)).toBe(24 + 9);
    // Sunday 23:30 UTC is Monday 00:30 in Paris: a working day.
    expect(paris.bucket('hourOfDayWeekend', saturday + DAY + 23 * HOUR + 30 * MINUTE)).toBe(0);
    const fridaySaturday = calendar({ timeZone: 'Asia/Dubai', weekend: ['fri', 'sat'] });
    expect(fridaySaturday.isWeekend(MONDAY + 4 * DAY + 8 * HOUR)).toBe(true); // a Friday
    expect(fridaySaturday.isWeekend(MONDAY + 6 * DAY + 8 * HOUR)).toBe(false); // a Sunday
  });
});

describe('exceptions', () => {
  it("a date is that whole day in the site's zone; a date as `until` includes its day", () => {
    const paris = calendar({
      timeZone: 'Europe/Paris',
      exceptions: [
        { date: '2026-12-25', comment: 'Christmas' },
        { from: '2026-12-31', until: '2027-01-01', comment: 'New Year' },
      ],
    });
    expect(paris.exceptions).toEqual([
      { from: Date.UTC(2026, 11, 24, 23), until: Date.UTC(2026, 11, 25, 23), comment: 'Christmas' },
      { from: Date.UTC(2026, 11, 30, 23), until: Date.UTC(2027, 0, 1, 23), comment: 'New Year' },
    ]);
    expect(paris.exception(Date.UTC(2026, 11, 24, 22, 59))).toBeUndefined();
    expect(paris.exception(Date.UTC(2026, 11, 24, 23))?.comment).toBe('Christmas');
    expect(paris.exception(Date.UTC(2026, 11, 25, 23))).toBeUndefined();
    expect(paris.exception(Date.UTC(2027, 0, 1, 22))?.comment).toBe('New Year');
  });

  it('local date-times across daylight-saving changes, and date-times with an offset', () => {
    const paris = calendar({
      timeZone: 'Europe/Paris',
      exceptions: [
        // Clocks go 02:00 → 03:00 on 2026-03-29: 02:30 does not exist, it is taken as 03:30 CEST.
        { from: '2026-03-29T02:30', until: '2026-03-29T05:00' },
        // Clocks go 03:00 → 02:00 on 2026-10-25: 02:30 happens twice, the first one counts.
        { from: '2026-10-25T02:30', until: '2026-10-25T04:00' },
        { from: '2026-06-01T22:00Z', until: '2026-06-02T01:00+02:00' },
      ],
    });
    expect(paris.exceptions.map(({ from, until }) => [from, until])).toEqual([
      [Date.UTC(2026, 2, 29, 1, 30), Date.UTC(2026, 2, 29, 3)],
      [Date.UTC(2026, 5, 1, 22), Date.UTC(2026, 5, 1, 23)],
      [Date.UTC(2026, 9, 25, 0, 30), Date.UTC(2026, 9, 25, 3)],
    ]);
  });

  it('config errors name the place and the reason', () => {
    const result = alarmsSchema.safeParse({
      calendar: {
        timeZone: 'Mars/Olympus_Mons',
        weekend: ['saturday'],
        exceptions: [
          { date: '2026-02-30' },
          { from: '2026-12-10T22:00' },
          { date: '2026-12-25', from: '2026-12-24' },
        ],
      },
    });
    const issues = (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues).toEqual([
      expect.stringMatching(/^calendar\.timeZone: "Mars\/Olympus_Mons" is not an IANA time zone name/),
      expect.stringMatching(/^calendar\.weekend\.0: /),
      'calendar.exceptions.0.date: a date such as 2026-12-25',
      'calendar.exceptions.1: a window needs both `from` and `until`',
      'calendar.exceptions.2: give `date`, or `from` and `until`',
    ]);
    const backwards = alarmsSchema.safeParse({
      calendar: { timeZone: 'UTC', exceptions: [{ from: '2026-12-11T02:00', until: '2026-12-10T22:00' }] },
    });
    expect(backwards.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['calendar.exceptions.0.until', 'must be after `from`'],
    ]);
  });
});
