/**
 * A trend rule's view of one series: lines fitted over three windows, and from them the earliest
 * credible time until the series crosses its limit, with a range.
 *
 * One line over 6 h sees the average rate of those 6 h: on a fill that speeds up it said "about
 * 11h" when the truth was 4 h, and a writer filling 2 %/min raised nothing for minutes (issue 21).
 * So there are three estimates, and the earliest counts:
 * - long (`window`): the rate of the last hours, once half the window is filled;
 * - short (`shortWindow`): the rate now; with the long one, the acceleration, since each slope is
 *   the rate at the middle of its window; the series is then assumed to keep accelerating (the
 *   earliest time), while the short line alone says when it would cross at today's rate (the
 *   latest): "in 3h–5h". Both count only for a crossing within `window`;
 * - recent (the last `RECENT_POINTS` points): a runaway, credited only when it stands out of the
 *   noise (`RUNAWAY_T`) and would cross within `shortWindow`: a minute of 10-second points is
 *   enough to alarm.
 */
import type { TrendRule } from './config.js';
import { SharedFits, timeToLimit, type Line } from './trend.js';

/** The windows of `SharedFits`. */
const LONG = 0;
const SHORT = 1;
const RECENT = 2;

/** Points in the runaway fit: a minute of 10-second samples. */
export const RECENT_POINTS = 6;
/**
 * The runaway slope must be this many standard errors from flat, and its rise this many times the
 * series' usual scatter.
 */
const RUNAWAY_T = 5;
/** The short window's rate, and the acceleration, must be this many standard errors from 0. */
const CREDIBLE_T = 4;

/** A predicted crossing, in ms from now: the earliest credible, and the range around it. */
export interface Eta {
  readonly ms: number;
  readonly low: number;
  readonly high: number;
}

export class TrendWindows {
  private readonly fits = new SharedFits(3);

  constructor(private readonly rule: TrendRule) {}

  push(atMs: number, value: number): void {
    this.fits.push(atMs, value);
    this.fits.prune(LONG, atMs - this.rule.window);
    this.fits.prune(SHORT, atMs - this.rule.shortWindow);
    this.fits.keep(RECENT, RECENT_POINTS);
    this.fits.compact();
  }

  /**
   * The earliest credible crossing after the latest point (`latest` at `now`); `undefined` when no
   * window predicts one, `'unknown'` while none has enough points to say (after a restart, too).
   */
  eta(now: number, latest: number): Eta | 'unknown' | undefined {
    const { rule } = this;
    const limit = rule.above ?? rule.below ?? 0;
    const direction = rule.above !== undefined ? 'above' : 'below';
    const sign = direction === 'above' ? 1 : -1;
    const { fits } = this;
    const ready = (index: number, window: number): Line | undefined =>
      fits.count(index) >= 3 && fits.spanMs(index) >= window / 2 ? fits.fit(index, now) : undefined;
    const long = ready(LONG, rule.window);
    const short = ready(SHORT, rule.shortWindow);
    const estimates: Eta[] = [];
    const linear = (line: Line): Eta | undefined => {
      const ms = timeToLimit(line, latest, limit, direction);
      if (ms === undefined) return undefined;
      // Slope ± 2 standard errors; a slope that may be flat may never cross.
      const steep = timeToLimit(
        { ...line, slopePerMs: line.slopePerMs + sign * 2 * line.slopeErrorPerMs },
        latest,
        limit,
        direction,
      );
      const flat = timeToLimit(
        { ...line, slopePerMs: line.slopePerMs - sign * 2 * line.slopeErrorPerMs },
        latest,
        limit,
        direction,
      );
      return { ms, low: steep ?? ms, high: flat ?? Infinity };
    };
    const fromLong = long && linear(long);
    if (fromLong) estimates.push(fromLong);
    // The short window's rate, and the acceleration, are extrapolated no further than the long
    // window spans: half an hour of a batch job says little about tomorrow.
    const fromShort = short && sign * short.slopePerMs >= CREDIBLE_T * short.slopeErrorPerMs && linear(short);
    if (fromShort && fromShort.ms <= rule.window) estimates.push(fromShort);
    const accelerating = long && short && this.accelerating(long, short, latest, limit, sign);
    if (accelerating && accelerating.ms <= rule.window) estimates.push(accelerating);
    const recent = fits.count(RECENT) >= RECENT_POINTS ? fits.fit(RECENT, now) : undefined;
    // A runaway stands out of the noise twice: its slope against the scatter of its own points, and
    // its rise over them against the usual scatter of the series (about the long window's line).
    const usual = fits.count(LONG) > RECENT_POINTS ? (fits.fit(LONG, now)?.scatter ?? 0) : 0;
    if (
      recent &&
      sign * recent.slopePerMs >= RUNAWAY_T * recent.slopeErrorPerMs &&
      sign * recent.slopePerMs * fits.spanMs(RECENT) >= RUNAWAY_T * usual
    ) {
      const runaway = linear(recent);
      if (runaway && runaway.ms <= rule.shortWindow) estimates.push(runaway);
    }
    if (estimates.length === 0) return long ? undefined : 'unknown';
    return estimates.reduce((earliest, estimate) => (estimate.ms < earliest.ms ? estimate : earliest));
  }

  /**
   * The crossing if the rate keeps changing as it did between the long window's middle and the short
   * one's: value + rate·T + accel·T²/2 = limit. Only for a series speeding up towards the limit; its
   * range runs to the short line's crossing (the rate stays as it is now).
   */
  private accelerating(
    long: Line,
    short: Line,
    latest: number,
    limit: number,
    sign: 1 | -1,
  ): Eta | undefined {
    const gap = (this.fits.spanMs(LONG) - this.fits.spanMs(SHORT)) / 2;
    if (gap <= 0) return undefined;
    // Credible only when the two rates differ by more than their errors could.
    const error = Math.hypot(short.slopeErrorPerMs, long.slopeErrorPerMs);
    if (sign * (short.slopePerMs - long.slopePerMs) <= CREDIBLE_T * error) return undefined;
    const accel = (short.slopePerMs - long.slopePerMs) / gap;
    const rate = short.slopePerMs + (accel * this.fits.spanMs(SHORT)) / 2;
    if (sign * accel <= 0 || sign * rate <= 0) return undefined;
    const distance = limit - latest;
    if (sign * distance <= 0) return undefined; // already past: the linear estimates say 0
    // accel/2·T² + rate·T − distance = 0, the positive root (written to avoid cancellation).
    const root = Math.sqrt(rate * rate + 2 * accel * distance);
    const ms = (2 * distance) / (rate + sign * root);
    const atRate = distance / rate;
    return { ms, low: ms, high: Math.max(ms, atRate) };
  }
}
