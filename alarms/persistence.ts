/**
 * n-of-m persistence for deviation rules: the verdicts (beyond k·σ or not) of a series' last `outOf`
 * points, one bit each. At k = 3 Gaussian noise puts 1 point in 370 beyond the band, so judging each
 * point alone turned noise into one-point alarm states (issue 21: 2-5 per 5-minute run on 8 normal
 * series); 3 of 5 happens by chance about once in 5 million points.
 */
import type { Condition } from './alarm.js';

export class RecentVerdicts {
  /** Newest lowest: bit i is the verdict of the point i points back. */
  private bits = 0;
  private seen = 0;

  constructor(
    private readonly breaches: number,
    private readonly outOf: number,
  ) {}

  /**
   * Adds a point's verdict. `breach` once `breaches` of the last `outOf` points were beyond;
   * `recovered` once as many were within; `band` in between (a firing alarm keeps firing, a pending
   * one falls back), which is also the verdict until enough points were seen, so a firing alarm
   * restored at start is not resolved by its first point.
   */
  push(beyond: boolean): Condition {
    const mask = 2 ** this.outOf - 1;
    this.bits = ((this.bits << 1) | (beyond ? 1 : 0)) & mask;
    if (this.seen < this.outOf) this.seen++;
    const count = popCount(this.bits);
    if (count >= this.breaches) return 'breach';
    return this.seen - count >= this.breaches ? 'recovered' : 'band';
  }
}

function popCount(bits: number): number {
  let v = bits - ((bits >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
