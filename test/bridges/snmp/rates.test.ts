import { describe, expect, it } from 'vitest';
import { RateTracker } from '../../../bridges/snmp/rates.js';

const c32 = (value: number | bigint) => ({ value: BigInt(value), bits: 32 as const });
const c64 = (value: bigint) => ({ value, bits: 64 as const });

describe('counter rates', () => {
  it('gives nothing on the first reading, then the increment per second', () => {
    const rates = new RateTracker();
    expect(rates.rate('k', c32(1_000), 0)).toBeUndefined();
    expect(rates.rate('k', c32(3_000), 2_000)).toBe(1_000);
  });

  it('reads a Counter32 that went down by a plausible amount as one wrap past 2^32-1', () => {
    const rates = new RateTracker();
    rates.rate('k', c32(2 ** 32 - 100), 0);
    expect(rates.rate('k', c32(50), 1_000)).toBe(150);
  });

  it('reads a Counter64 wrap exactly, beyond the precision of a double', () => {
    const rates = new RateTracker();
    rates.rate('k', c64(2n ** 64n - 10n), 0);
    expect(rates.rate('k', c64(5n), 5_000)).toBe(3);
    // Large values whose difference a double would round away.
    rates.rate('big', c64(2n ** 60n + 1n), 0);
    expect(rates.rate('big', c64(2n ** 60n + 3n), 1_000)).toBe(2);
  });

  it('treats a large drop as a reset (agent restart) and yields no rate for that interval', () => {
    const rates = new RateTracker();
    rates.rate('k', c32(1_000_000_000), 0);
    expect(rates.rate('k', c32(10), 1_000)).toBeUndefined();
    expect(rates.rate('k', c32(110), 2_000)).toBe(100);
  });

  it('handles plain numbers (gauges asked for as rates): decreases are resets', () => {
    const rates = new RateTracker();
    rates.rate('g', 10, 0);
    expect(rates.rate('g', 30, 500)).toBe(40);
    expect(rates.rate('g', 5, 1_000)).toBeUndefined();
  });

  it('gives nothing when no time passed, and forgets keys not read for a while', () => {
    const rates = new RateTracker();
    rates.rate('a', c32(1), 100);
    expect(rates.rate('a', c32(2), 100)).toBeUndefined();
    rates.rate('b', c32(1), 5_000);
    rates.prune(1_000);
    expect(rates.size).toBe(1);
  });
});
