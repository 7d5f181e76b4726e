/**
 * A page's time range and auto-refresh, kept in the URL (`?from=-1h&to=now&refresh=1m`; from/to as
 * `-<n><s|m|h|d|w>`, `now` or epoch milliseconds), so a range can be shared and Back returns to the
 * previous one.
 */

export interface RangeText {
  from: string;
  to: string;
  refresh: string;
}

export interface Span {
  readonly from: number;
  readonly to: number;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60000,
  h: 3600000,
  d: 86400000,
  w: 604800000,
};

/** `-15m` → 900000; undefined for anything else. */
export function relativeMs(text: string | null | undefined): number | undefined {
  const m = /^-(\d+)([smhdw])$/.exec(text ?? '');
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

function absolute(text: string, now: number): number {
  if (text === '' || text === 'now') return now;
  const relative = relativeMs(text);
  if (relative !== undefined) return now - relative;
  const n = Number(text);
  return Number.isFinite(n) ? n : Date.parse(text);
}

/** The range the URL's query names, the last hour refreshed every minute by default. */
export function rangeFromUrl(search: string): RangeText {
  const q = new URLSearchParams(search);
  return { from: q.get('from') || '-1h', to: q.get('to') || 'now', refresh: q.get('refresh') || '1m' };
}

/** The range in epoch milliseconds. */
export function resolve(range: RangeText, now = Date.now()): Span {
  return { from: absolute(range.from, now), to: absolute(range.to, now) };
}

/** Whether the range ends now (and so slides, refreshes and takes live values). */
export const isLive = (range: RangeText): boolean => range.to === 'now';

/** Writes the range into the URL: a new history entry (`push`) or in place of the current one. */
export function rangeToUrl(range: RangeText, push: boolean): void {
  const query = new URLSearchParams({ from: range.from, to: range.to, refresh: range.refresh });
  const url = `${location.pathname}?${query.toString()}`;
  if (push) history.pushState(range, '', url);
  else history.replaceState(range, '', url);
}
