/**
 * Exponentially weighted mean and variance (West's incremental form), one per season bucket: with
 * `hourOfDay` (24 buckets) or `hourOfWeek` (168) a series is compared with its own usual value at that
 * hour, so a normal daily peak is not an anomaly; `none` is one bucket.
 */
export type Season = 'none' | 'hourOfDay' | 'hourOfWeek';

interface Bucket {
  mean: number;
  variance: number;
  count: number;
}

const HOUR_MS = 3_600_000;

export function seasonBucket(season: Season, atMs: number): number {
  if (season === 'none') return 0;
  const hours = Math.floor(atMs / HOUR_MS);
  // 1970-01-01 was a Thursday: +3 makes bucket 0 Monday 00:00 UTC.
  return season === 'hourOfDay' ? hours % 24 : (hours + 3 * 24) % 168;
}

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

  constructor(
    private readonly alpha: number,
    private readonly season: Season,
  ) {}

  /** The baseline of `atMs`'s bucket; undefined before its first point. */
  baseline(atMs: number): Baseline | undefined {
    const bucket = this.buckets.get(seasonBucket(this.season, atMs));
    if (!bucket) return undefined;
    return { mean: bucket.mean, sigma: Math.sqrt(bucket.variance), count: bucket.count };
  }

  /** Folds `value` into the baseline of `atMs`'s bucket. */
  fold(atMs: number, value: number): void {
    const key = seasonBucket(this.season, atMs);
    const bucket = this.buckets.get(key);
    if (!bucket) {
      this.buckets.set(key, { mean: value, variance: 0, count: 1 });
      return;
    }
    const delta = value - bucket.mean;
    bucket.mean += this.alpha * delta;
    bucket.variance = (1 - this.alpha) * (bucket.variance + this.alpha * delta * delta);
    bucket.count++;
  }

  /**
   * Fills each season bucket that has no point yet from summaries of earlier points (history rollups),
   * oldest first. The mean is their count-weighted mean; the variance adds the spread between the
   * summaries' means to the spread within them, estimated as (max − min) / 4 (the usual range rule):
   * a summary's mean alone varies less than single points do, which would make σ too small.
   */
  seed(summaries: readonly Summary[]): void {
    const sums = new Map<number, { n: number; sum: number; sumSq: number; within: number }>();
    for (const summary of summaries) {
      if (summary.count <= 0) continue;
      const key = seasonBucket(this.season, summary.time);
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
