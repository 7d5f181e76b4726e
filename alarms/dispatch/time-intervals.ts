/**
 * Named time intervals (`notifiers.timeIntervals`) that routes of the tree reference as
 * `muteTimeIntervals` (no notifications while one holds) or `activeTimeIntervals` (notifications only
 * while one holds), as Alertmanager's `time_intervals`. An interval holds when every part it names
 * holds (weekdays, times of day), read on the wall clock of its `location` (an IANA time zone).
 * A notification muted by one is not lost: its group is news again once the interval ends.
 */
import { z } from 'zod';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

function minutesOf(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

function zoneProblem(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return `"${zone}" is not a time zone (IANA names such as Europe/Paris, or UTC)`;
  }
}

/** `monday`, or a range `monday:friday` (inclusive; `friday:monday` wraps over the weekend). */
const weekdayRange = z
  .string()
  .regex(
    new RegExp(`^(${WEEKDAYS.join('|')})(:(${WEEKDAYS.join('|')}))?$`),
    'a weekday (`monday`) or a range (`monday:friday`)',
  );

const timeRange = z
  .object({
    start: z.string().regex(TIME_RE, 'HH:MM (00:00 to 24:00)').describe('Start, HH:MM, inclusive.'),
    end: z
      .string()
      .regex(TIME_RE, 'HH:MM (00:00 to 24:00)')
      .describe('End, HH:MM, exclusive (`24:00` for midnight).'),
  })
  .strict()
  .refine((range) => minutesOf(range.start) < minutesOf(range.end), 'start must come before end');

export const timeIntervalSchema = z
  .object({
    weekdays: z
      .array(weekdayRange)
      .optional()
      .describe('Days it holds on (`monday:friday`, `saturday`); absent: every day.'),
    times: z
      .array(timeRange)
      .optional()
      .describe('Times of day it holds at (`{start: "09:00", end: "17:00"}`); absent: all day.'),
    location: z
      .string()
      .default('UTC')
      .superRefine((zone, ctx) => {
        const problem = zoneProblem(zone);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('IANA time zone the weekdays and times are read in.'),
  })
  .strict();

/** A name → the intervals it is made of; it holds when any of them does. */
export const timeIntervalsSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, `_`, `.` and `-`'),
    z.array(timeIntervalSchema).min(1),
  )
  .default({})
  .describe(
    'Named time intervals (`office-hours`) that routes reference in `muteTimeIntervals` / `activeTimeIntervals`.',
  );

export type TimeInterval = z.output<typeof timeIntervalSchema>;
export type TimeIntervals = z.output<typeof timeIntervalsSchema>;

/** Whether `now` falls in `interval`. */
export type IntervalCheck = (now: number) => boolean;

/** The weekday (0 = Sunday) and minute of the day at `now` on the wall clock of `zone`. */
function wallClock(formatter: Intl.DateTimeFormat, now: number): { weekday: number; minute: number } {
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatter.formatToParts(now)) {
    if (part.type === 'weekday') weekday = WEEKDAYS.indexOf(part.value.toLowerCase() as never);
    else if (part.type === 'hour')
      hour = Number(part.value) % 24; // some engines say 24 at midnight
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday, minute: hour * 60 + minute };
}

function weekdayIn(range: string, weekday: number): boolean {
  const [first = '', last = first] = range.split(':');
  const from = WEEKDAYS.indexOf(first as never);
  const to = WEEKDAYS.indexOf(last as never);
  return from <= to ? weekday >= from && weekday <= to : weekday >= from || weekday <= to;
}

export function compileTimeInterval(interval: TimeInterval): IntervalCheck {
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone: interval.location,
    weekday: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const times = interval.times?.map((range) => ({
    start: minutesOf(range.start),
    end: minutesOf(range.end),
  }));
  return (now) => {
    const clock = wallClock(formatter, now);
    if (interval.weekdays && !interval.weekdays.some((range) => weekdayIn(range, clock.weekday)))
      return false;
    return !times || times.some((range) => clock.minute >= range.start && clock.minute < range.end);
  };
}

/** A check per name: the named interval holds when any of its parts does. */
export function compileTimeIntervals(intervals: TimeIntervals): Map<string, IntervalCheck> {
  const compiled = new Map<string, IntervalCheck>();
  for (const [name, parts] of Object.entries(intervals)) {
    const checks = parts.map(compileTimeInterval);
    compiled.set(name, (now) => checks.some((check) => check(now)));
  }
  return compiled;
}
