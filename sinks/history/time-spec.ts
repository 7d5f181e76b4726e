/** Times as people type them on the command line or in the bot: `now`, `-1h`, ISO 8601, epoch ms. */
import { parseDuration } from '../../config/duration.js';

const RELATIVE_RE = /^-\s*(\d+(?:\.\d+)?(?:ms|s|m|h|d))$/;

/** Milliseconds since the epoch; throws an Error naming the text when it is none of the forms. */
export function parseTimeSpec(text: string, nowMs: number = Date.now()): number {
  const trimmed = text.trim();
  if (trimmed === 'now') return nowMs;
  const relative = RELATIVE_RE.exec(trimmed);
  if (relative) return nowMs - parseDuration(relative[1] as string);
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const parsed = Date.parse(trimmed);
  if (Number.isNaN(parsed)) {
    throw new Error(
      `"${text}" is not a time (use now, -15m, -2h, -7d, an ISO 8601 date or epoch milliseconds)`,
    );
  }
  return parsed;
}

/** ISO 8601 in UTC, with microseconds when the time has them. */
export function formatTime(ms: number): string {
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString();
  const micros = Math.min(999, Math.round((ms - whole) * 1000));
  return micros === 0 ? iso : `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}
