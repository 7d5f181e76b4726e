/**
 * The dates and date-times of `alarms.calendar.exceptions`: `2026-12-25`, `2026-12-10T22:00[:00]`
 * in the site's time zone, or with an offset (`Z`, `+01:00`) as ISO 8601 gives it.
 */
import type { LocalDateTime } from './time-zone.js';

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?)?$/;

export interface ParsedLocal extends LocalDateTime {
  /** Only a date was given. */
  readonly dateOnly: boolean;
  /** The offset written in the text (ms), when there is one; then `utcMs` is the instant. */
  readonly offsetMs: number | undefined;
  readonly utcMs: number;
}

/** Parses `text`; undefined when it is not a valid date (`date`) or date or date-time (`either`). */
export function parseLocal(text: string, accept: 'date' | 'either'): ParsedLocal | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, zone] = match;
  const dateOnly = h === undefined;
  if (accept === 'date' && !dateOnly) return undefined;
  const local = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h ?? 0),
    minute: Number(mi ?? 0),
    second: Number(s ?? 0),
  };
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  const check = new Date(asUtc);
  // Date.UTC rolls 2026-02-30 over to March: such a date does not exist.
  if (check.getUTCMonth() + 1 !== local.month || check.getUTCDate() !== local.day) return undefined;
  if (local.hour > 23 || local.minute > 59 || local.second > 59) return undefined;
  const offsetMs = zone === undefined ? undefined : zoneOffset(zone);
  return { ...local, dateOnly, offsetMs, utcMs: asUtc - (offsetMs ?? 0) };
}

function zoneOffset(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
}
