/**
 * The time range of a chart as people type it in a chat or a mail: `1h`, `6h`, `24h`, `7d` (any
 * whole number of m, h, d or w back from now), or `FROM..TO` where each end is an ISO 8601 date or
 * date-time, or a time of day (`08:00`). Times without a zone are UTC, as on the charts' axis.
 */
export interface ChartRange {
  /** Milliseconds since the epoch. */
  readonly from: number;
  readonly to: number;
}

export const DEFAULT_CHART_RANGE = '24h';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SPAN_RE = /^(\d{1,5})([mhdw])$/;
const TIME_OF_DAY_RE = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const HAS_ZONE_RE = /(?:Z|[+-]\d{2}:?\d{2})$/i;
const HELP = 'use 1h, 6h, 24h, 7d, or FROM..TO with ISO dates or times of day (UTC), e.g. 08:00..12:30';

export function parseChartRange(text: string | undefined, now: number): ChartRange {
  const trimmed = (text ?? '').trim().toLowerCase();
  const spanText = trimmed === '' ? DEFAULT_CHART_RANGE : trimmed;
  const span = SPAN_RE.exec(spanText);
  if (span) {
    const ms = Number(span[1]) * (UNIT_MS[span[2] as string] as number);
    if (ms === 0) throw new Error(`chart range "${text ?? ''}": the span is zero; ${HELP}`);
    return { from: now - ms, to: now };
  }
  const parts = trimmed.split('..');
  if (parts.length !== 2) throw new Error(`chart range "${text ?? ''}" is not understood; ${HELP}`);
  const [fromText, toText] = parts as [string, string];
  let from = parseEnd(fromText, now, text);
  const to = toText === '' ? now : parseEnd(toText, now, text);
  // `22:00..06:00` spans midnight: the start is on the day before.
  if (from >= to && TIME_OF_DAY_RE.test(fromText) && TIME_OF_DAY_RE.test(toText)) from -= UNIT_MS.d!;
  if (from >= to) throw new Error(`chart range "${text ?? ''}": the start is not before the end`);
  return { from, to };
}

function parseEnd(part: string, now: number, text: string | undefined): number {
  if (part === '') throw new Error(`chart range "${text ?? ''}": the start is missing; ${HELP}`);
  if (part === 'now') return now;
  const clock = TIME_OF_DAY_RE.exec(part);
  if (clock) {
    const [hours, minutes, seconds] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (hours > 23 || minutes > 59 || seconds > 59) {
      throw new Error(`chart range "${text ?? ''}": "${part}" is not a time of day`);
    }
    const day = new Date(now);
    return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hours, minutes, seconds);
  }
  // Date.parse reads a date-time without a zone as local time; these are UTC.
  const iso = DATE_RE.test(part) || HAS_ZONE_RE.test(part) ? part : `${part}z`;
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(part) ? Date.parse(iso.toUpperCase()) : Number.NaN;
  if (Number.isNaN(parsed) || !dayExists(part.slice(0, 10))) {
    throw new Error(
      `chart range "${text ?? ''}": "${part}" is not an ISO 8601 date or a time of day; ${HELP}`,
    );
  }
  return parsed;
}

/** Date.parse rolls an impossible day over (2026-02-30 → March 2); people meant something else. */
function dayExists(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  return parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
}
