/**
 * Exponentially weighted mean and variance (West's incremental form), one per season bucket: with
 * `hourOfDay` (24 buckets), `hourOfDayWeekend` (48) or `hourOfWeek` (168), in the site's time zone
 * (calendar/calendar.ts), a series is compared with its own usual value at that hour, so a normal
 * daily peak is not an anomaly; `none` is one bucket.
 *
 * A point weighs by the time it stands for, not by being a point: the old baseline counts half after
 * `halfLifeMs` of the series' time in the bucket, whether the series reports every 10 s or every
 * 5 min (a weight per point let 10-20 live points of a 10-second sensor outweigh two weeks of
 * history, issue 21). Until a bucket has seen enough points for that weight, each point weighs 1/n
 * (a plain mean and variance), so a baseline learnt from nothing is not stuck at its first value.
 */
import type { Season, SiteCalendar } from './calendar/calendar.js';

interface Bucket {
  mean: number;
  variance: number;
  count: number;
}

/**
 * The most time one point stands for: after a gap (a silent series, or a bucket visited again a day
 * later) the next point is one sample, not the whole gap.
 */
export const MAX_STEP_MS = 15 * 60_000;

export interface Baseline {
  readonly mean: number;
  readonly sigma: number;
  /** Points this bucket has seen before this one. */
  readonly count: number;
}

/** Points summarised over a bucket of time, as the history store's rollups keep them. */
export interface Summary {
  /** The bucket's start (ms since the epoch). */
  readonly time: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** Points in the bucket. */
  readonly count: number;
}

export class SeasonalEwma {
  private readonly buckets = new Map<number, Bucket>();
  /** The time of the series' latest point, learnt from or not. */
  private lastAt: number | undefined;

  constructor(
    private readonly halfLifeMs: number,
    private readonly season: Season,
    private readonly calendar: SiteCalendar,
  ) {}

  /** A point that teaches nothing (an anomaly, or one during an alarm): the next one's time counts from it. */
  skip(atMs: number): void {
    this.lastAt = atMs;
  }

  /** The baseline of `atMs`'s bucket; undefined before its first point. */
  baseline(atMs: number): Baseline | undefined {
    const bucket = this.buckets.get(this.calendar.bucket(this.season, atMs));
    if (!bucket) return undefined;
    return { mean: bucket.mean, sigma: Math.sqrt(bucket.variance), count: bucket.count };
  }

  /** Folds `value` into the baseline of `atMs`'s bucket. */
  fold(atMs: number, value: number): void {
    const key = this.calendar.bucket(this.season, atMs);
    const bucket = this.buckets.get(key);
    const step = this.lastAt === undefined ? 0 : Math.min(MAX_STEP_MS, Math.max(0, atMs - this.lastAt));
    this.lastAt = atMs;
    if (!bucket) {
      this.buckets.set(key, { mean: value, variance: 0, count: 1 });
      return;
    }
    bucket.count++;
    const weight = Math.max(1 - 2 ** (-step / this.halfLifeMs), 1 / bucket.count);
    const delta = value - bucket.mean;
    bucket.mean += weight * delta;
    bucket.variance = (1 - weight) * (bucket.variance + weight * delta * delta);
  }

  /**
   * Fills each season bucket that has no point yet from summaries of earlier points (history rollups),
   * oldest first, leaving out those of the calendar's exceptions (a holiday teaches nothing). The mean is their count-weighted mean; the variance adds the spread between the
   * summaries' means to the spread within them, estimated as (max − min) / 4 (the usual range rule):
   * a summary's mean alone varies less than single points do, which would make σ too small.
   */
  seed(summaries: readonly Summary[]): void {
    const sums = new Map<number, { n: number; sum: number; sumSq: number; within: number }>();
    for (const summary of summaries) {
      if (summary.count <= 0 || this.calendar.exception(summary.time) !== undefined) continue;
      const key = this.calendar.bucket(this.season, summary.time);
      if (this.buckets.has(key)) continue;
      const total = sums.get(key) ?? { n: 0, sum: 0, sumSq: 0, within: 0 };
      const { count, mean } = summary;
      total.n += count;
      total.sum += count * mean;
      total.sumSq += count * mean * mean;
      total.within += count * ((summary.max - summary.min) / 4) ** 2;
      sums.set(key, total);
    }
    for (const [key, { n, sum, sumSq, within }] of sums) {
      const mean = sum / n;
      const between = Math.max(0, sumSq / n - mean * mean);
      this.buckets.set(key, { mean, variance: between + within / n, count: n });
    }
  }
}
