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
}
