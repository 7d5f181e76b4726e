/**
 * Least-squares line through the points of a sliding window, kept as running sums so a point costs
 * O(1) to add and to drop. Times are seconds from the first point, which keeps the sums' squares far
 * from float64's precision limit (ms since the epoch squared would not be).
 */
export class TrendFit {
  private readonly times: number[] = [];
  private readonly values: number[] = [];
  private head = 0;
  private origin: number | undefined;
  private n = 0;
  private st = 0;
  private sv = 0;
  private stt = 0;
  private stv = 0;
  private svv = 0;

  push(atMs: number, value: number): void {
    this.origin ??= atMs;
    const t = (atMs - this.origin) / 1000;
    this.times.push(t);
    this.values.push(value);
    this.add(t, value, 1);
  }

  /** Drops the points older than `oldestMs`. */
  prune(oldestMs: number): void {
    if (this.origin === undefined) return;
    const oldest = (oldestMs - this.origin) / 1000;
    while (this.head < this.times.length && this.times[this.head]! < oldest) this.drop();
    this.compact();
  }

  /** Keeps the newest `points` points only. */
  keep(points: number): void {
    while (this.n > points) this.drop();
    this.compact();
  }

  private drop(): void {
    this.add(this.times[this.head]!, this.values[this.head]!, -1);
    this.head++;
  }

  /**
   * Frees dropped points now and then, and sums them again from the oldest point kept: running sums
   * that add and subtract for weeks gather rounding error, and times far from the origin make
   * squares whose differences lose digits.
   */
  private compact(): void {
    if (this.head <= 1024 || this.head * 2 <= this.times.length) return;
    const shift = this.times[this.head]!;
    const times = this.times
      .splice(0, this.times.length)
      .slice(this.head)
      .map((t) => t - shift);
    const values = this.values.splice(0, this.values.length).slice(this.head);
    this.head = 0;
    this.origin! += shift * 1000;
    this.n = this.st = this.sv = this.stt = this.stv = this.svv = 0;
    times.forEach((t, i) => {
      this.times.push(t);
      this.values.push(values[i]!);
      this.add(t, values[i]!, 1);
    });
  }

  /** Milliseconds between the oldest and newest points kept. */
  get spanMs(): number {
    if (this.n === 0) return 0;
    return (this.times[this.times.length - 1]! - this.times[this.head]!) * 1000;
  }

  get count(): number {
    return this.n;
  }

  /**
   * The fitted value at `atMs`, the slope per millisecond and its standard error (0 when the points
   * lie on the line, or with only 2); undefined with fewer than 2 distinct times.
   */
  fit(atMs: number): Line | undefined {
    const sxx = this.stt - (this.st * this.st) / this.n;
    if (this.n < 2 || this.origin === undefined || sxx <= 0) return undefined;
    const sxy = this.stv - (this.st * this.sv) / this.n;
    const syy = this.svv - (this.sv * this.sv) / this.n;
    const slope = sxy / sxx;
    const intercept = (this.sv - slope * this.st) / this.n;
    const t = (atMs - this.origin) / 1000;
    const residual = this.n > 2 ? Math.max(0, syy - slope * sxy) / (this.n - 2) : 0;
    return {
      value: intercept + slope * t,
      slopePerMs: slope / 1000,
      slopeErrorPerMs: Math.sqrt(residual / sxx) / 1000,
      scatter: Math.sqrt(residual),
    };
  }

  private add(t: number, v: number, sign: 1 | -1): void {
    this.n += sign;
    this.st += sign * t;
    this.sv += sign * v;
    this.stt += sign * t * t;
    this.stv += sign * t * v;
    this.svv += sign * v * v;
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
