/**
 * The site's calendar for deviation rules: which season bucket an instant falls in, in the site's
 * time zone (a daily peak at 09:00 in Paris is at 08:00 UTC in winter and 07:00 in summer: UTC
 * buckets would put half the year's peak in the wrong hour), with weekends apart when asked; and
 * whether an instant is an exception (a holiday, a maintenance window), when deviation rules
 * neither alarm nor learn.
 */
import { calendarSchema, exceptionWindow, WEEKDAYS, type CalendarConfig } from './config.js';
import { systemTimeZone, TimeZone } from './time-zone.js';

export type Season = 'none' | 'hourOfDay' | 'hourOfDayWeekend' | 'hourOfWeek';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface ExceptionWindow {
  readonly from: number;
  readonly until: number;
  readonly comment: string;
}

export class SiteCalendar {
  readonly zone: TimeZone;
  /** Sorted by start. */
  readonly exceptions: readonly ExceptionWindow[];
  /** Index by day of the week, Monday 0. */
  private readonly weekend: readonly boolean[];

  constructor(config: CalendarConfig = calendarSchema.parse({})) {
    // The system's zone is resolved here, not as a schema default: the JSON Schema must not carry
    // the zone of the machine that generated it.
    this.zone = new TimeZone(config.timeZone ?? systemTimeZone());
    this.weekend = WEEKDAYS.map((day) => config.weekend.includes(day));
    this.exceptions = config.exceptions
      .map((entry) => ({ ...exceptionWindow(entry, this.zone), comment: entry.comment }))
      .sort((a, b) => a.from - b.from);
  }

  /** The season bucket of `atMs` (local time): hour of the day 0-23 (+24 on weekend days), or of the week from Monday 00:00. */
  bucket(season: Season, atMs: number): number {
    if (season === 'none') return 0;
    const local = this.zone.localMs(atMs);
    const hour = Math.floor(local / HOUR_MS) % 24;
    const weekday = weekdayOf(local);
    if (season === 'hourOfDay') return hour;
    if (season === 'hourOfWeek') return weekday * 24 + hour;
    return this.weekend[weekday] ? 24 + hour : hour;
  }

  /** Whether `atMs` falls on one of the site's weekend days. */
  isWeekend(atMs: number): boolean {
    return this.weekend[weekdayOf(this.zone.localMs(atMs))]!;
  }

  /** The exception `atMs` falls in, if any. */
  exception(atMs: number): ExceptionWindow | undefined {
    for (const window of this.exceptions) {
      if (window.from > atMs) return undefined;
      if (atMs < window.until) return window;
    }
    return undefined;
  }
}

/** The day of the week of a local time (ms with the zone's offset added), Monday 0. */
function weekdayOf(localMs: number): number {
  // 1970-01-01 was a Thursday: +3 days makes day 0 a Monday.
  return (Math.floor(localMs / DAY_MS) + 3) % 7;
}
