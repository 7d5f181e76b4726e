/**
 * Least-squares lines through the points of sliding windows of one series, kept as running sums so a
 * point costs O(1) to add and to drop. The windows share one buffer of points (a trend rule keeps
 * three: trend-windows.ts), each with its own oldest point and sums. Times are seconds from an
 * origin that moves up to the oldest point kept, which keeps the sums' squares far from float64's
 * precision limit (ms since the epoch squared would not be).
 */
class Sums {
  /** Index of the oldest point in this window. */
  head = 0;
  n = 0;
  st = 0;
  sv = 0;
  stt = 0;
  stv = 0;
  svv = 0;

  add(t: number, v: number, sign: 1 | -1): void {
    this.n += sign;
    this.st += sign * t;
    this.sv += sign * v;
    this.stt += sign * t * t;
    this.stv += sign * t * v;
    this.svv += sign * v * v;
  }

  clear(): void {
    this.n = this.st = this.sv = this.stt = this.stv = this.svv = 0;
  }
}

export class SharedFits {
  private readonly times: number[] = [];
  private readonly values: number[] = [];
  private origin: number | undefined;
  private readonly windows: Sums[];

  constructor(windows: number) {
    this.windows = Array.from({ length: windows }, () => new Sums());
  }

  push(atMs: number, value: number): void {
    this.origin ??= atMs;
    const t = (atMs - this.origin) / 1000;
    this.times.push(t);
    this.values.push(value);
    for (const sums of this.windows) sums.add(t, value, 1);
  }

  /** Drops the points older than `oldestMs` from window `index`. */
  prune(index: number, oldestMs: number): void {
    if (this.origin === undefined) return;
    const sums = this.windows[index]!;
    const oldest = (oldestMs - this.origin) / 1000;
    while (sums.head < this.times.length && this.times[sums.head]! < oldest) this.drop(sums);
  }

  /** Keeps the newest `points` points only in window `index`. */
  keep(index: number, points: number): void {
    const sums = this.windows[index]!;
    while (sums.n > points) this.drop(sums);
  }

  private drop(sums: Sums): void {
    sums.add(this.times[sums.head]!, this.values[sums.head]!, -1);
    sums.head++;
  }

  /**
   * Frees the points no window holds once they are as many as those kept (and at least 64), and sums
   * each window again from the oldest point kept: running sums that add and subtract for weeks
   * gather rounding error. Amortised O(1) a point.
   */
  compact(): void {
    let first = this.times.length;
    for (const sums of this.windows) first = Math.min(first, sums.head);
    if (first < 64 || first * 2 < this.times.length) return;
    const shift = this.times[first] ?? 0;
    this.times.splice(0, first);
    this.values.splice(0, first);
    for (let i = 0; i < this.times.length; i++) this.times[i]! -= shift;
    this.origin! += shift * 1000;
    for (const sums of this.windows) {
      sums.head -= first;
      sums.clear();
      for (let i = sums.head; i < this.times.length; i++) sums.add(this.times[i]!, this.values[i]!, 1);
    }
  }

  count(index: number): number {
    return this.windows[index]!.n;
  }

  /** Milliseconds between the oldest and newest points of window `index`. */
  spanMs(index: number): number {
    const sums = this.windows[index]!;
    if (sums.n === 0) return 0;
    return (this.times[this.times.length - 1]! - this.times[sums.head]!) * 1000;
  }

  /**
   * Window `index`'s line: the fitted value at `atMs`, the slope per millisecond and its standard
   * error (0 when the points lie on the line, or with only 2); undefined with fewer than 2 distinct
   * times.
   */
  fit(index: number, atMs: number): Line | undefined {
    const { n, st, sv, stt, stv, svv } = this.windows[index]!;
    const sxx = stt - (st * st) / n;
    if (n < 2 || this.origin === undefined || sxx <= 0) return undefined;
    const sxy = stv - (st * sv) / n;
    const syy = svv - (sv * sv) / n;
    const slope = sxy / sxx;
    const intercept = (sv - slope * st) / n;
    const t = (atMs - this.origin) / 1000;
    const residual = n > 2 ? Math.max(0, syy - slope * sxy) / (n - 2) : 0;
    return {
      value: intercept + slope * t,
      slopePerMs: slope / 1000,
      slopeErrorPerMs: Math.sqrt(residual / sxx) / 1000,
      scatter: Math.sqrt(residual),
    };
  }
}

/** One sliding window's line. */
export class TrendFit {
  private readonly fits = new SharedFits(1);

  push(atMs: number, value: number): void {
    this.fits.push(atMs, value);
  }

  /** Drops the points older than `oldestMs`. */
  prune(oldestMs: number): void {
    this.fits.prune(0, oldestMs);
    this.fits.compact();
  }

  get spanMs(): number {
    return this.fits.spanMs(0);
  }

  get count(): number {
    return this.fits.count(0);
  }

  fit(atMs: number): Line | undefined {
    return this.fits.fit(0, atMs);
  }
}

export interface Line {
  readonly value: number;
  readonly slopePerMs: number;
  /** The slope's standard error, from the scatter of the points about the line. */
  readonly slopeErrorPerMs: number;
  /** The standard deviation of the points about the line. */
  readonly scatter: number;
}

/**
 * When a series following `fit` goes past `limit` (upward for `above`), as ms from the fit's time: 0
 * when its latest value is already past, undefined when it is not heading there.
 */
export function timeToLimit(
  fit: { value: number; slopePerMs: number },
  latest: number,
  limit: number,
  direction: 'above' | 'below',
): number | undefined {
  const sign = direction === 'above' ? 1 : -1;
  if (sign * (latest - limit) >= 0) return 0;
  if (sign * fit.slopePerMs <= 0) return undefined;
  return Math.max(0, (limit - fit.value) / fit.slopePerMs);
}
