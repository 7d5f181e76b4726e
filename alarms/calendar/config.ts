/**
 * `alarms.calendar`: the site's time zone, its weekend days and its exception days (holidays,
 * maintenance windows). Imported by alarms/config.ts; these defaults are stated here and only here.
 */
import { z } from 'zod';
import { parseLocal } from './local-date.js';
import { TimeZone, systemTimeZone, timeZoneProblem } from './time-zone.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const localDate = z
  .string()
  .refine((text) => parseLocal(text, 'date') !== undefined, 'a date such as 2026-12-25')
  .describe('A day in the site time zone: `2026-12-25`.');

const localDateTime = z
  .string()
  .refine(
    (text) => parseLocal(text, 'either') !== undefined,
    'a date (2026-12-25) or a date-time (2026-12-10T22:00, with an optional offset such as Z or +01:00)',
  )
  .describe(
    'A date (`2026-12-24`) or a date-time (`2026-12-10T22:00`) in the site time zone, or with an offset (`...Z`, `...+01:00`).',
  );

export const exceptionSchema = z
  .object({
    date: localDate.optional().describe('One whole day (a holiday); or give `from` and `until`.'),
    from: localDateTime.optional().describe('Start of a window (a date: its first moment).'),
    until: localDateTime
      .optional()
      .describe('End of a window, not included (a date: the whole of that day is included).'),
    comment: z.string().default('').describe('What it is (`Christmas`, `UPS maintenance`).'),
  })
  .strict()
  .refine((entry) => (entry.date !== undefined) !== (entry.from !== undefined || entry.until !== undefined), {
    message: 'give `date`, or `from` and `until`',
  })
  .refine((entry) => entry.date !== undefined || (entry.from !== undefined && entry.until !== undefined), {
    message: 'a window needs both `from` and `until`',
  });

export const calendarSchema = z
  .object({
    timeZone: z
      .string()
      .min(1)
      .superRefine((name, ctx) => {
        const problem = timeZoneProblem(name);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .describe(
        "The site's IANA time zone (`Europe/Paris`) for seasonal baselines and exception days. Default: the system's (`TZ`).",
      ),
    weekend: z
      .array(z.enum(WEEKDAYS))
      .default(['sat', 'sun'])
      .describe('The days `season: hourOfDayWeekend` keeps apart from the working days.'),
    exceptions: z
      .array(exceptionSchema)
      .default([])
      .describe(
        'Days and windows (holidays, maintenance) during which deviation rules neither alarm nor learn their baseline.',
      ),
  })
  .strict()
  .superRefine((calendar, ctx) => {
    if (calendar.timeZone !== undefined && timeZoneProblem(calendar.timeZone) !== undefined) return;
    const zone = new TimeZone(calendar.timeZone ?? systemTimeZone());
    calendar.exceptions.forEach((entry, index) => {
      if (entry.from === undefined || entry.until === undefined) return;
      const { from, until } = exceptionWindow(entry, zone);
      if (until <= from) {
        ctx.addIssue({
          code: 'custom',
          path: ['exceptions', index, 'until'],
          message: 'must be after `from`',
        });
      }
    });
  });

export type CalendarConfig = z.output<typeof calendarSchema>;
export type CalendarException = z.output<typeof exceptionSchema>;

/** The instants (ms) an exception covers, `until` not included. */
export function exceptionWindow(entry: CalendarException, zone: TimeZone): { from: number; until: number } {
  const start = entry.date ?? entry.from!;
  const end = entry.date ?? entry.until!;
  const from = parseLocal(start, 'either')!;
  const to = parseLocal(end, 'either')!;
  const at = (local: NonNullable<ReturnType<typeof parseLocal>>): number =>
    local.offsetMs === undefined ? zone.instant(local) : local.utcMs;
  // A date as the end means through that day: until the first moment of the next one.
  const until = to.dateOnly ? zone.instant({ ...to, ...nextDay(to) }) : at(to);
  return { from: at(from), until };
}

function nextDay(local: { year: number; month: number; day: number }): {
  year: number;
  month: number;
  day: number;
} {
  const next = new Date(Date.UTC(local.year, local.month - 1, local.day + 1));
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}
