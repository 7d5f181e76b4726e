import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterIncrease, ratePerSecond } from '../../agents/host/counters.js';

const U32 = 2n ** 32n;
const U64 = 2n ** 64n;

describe('counter increases', () => {
  it('is the difference while the counter grows', () => {
    expect(counterIncrease(100n, 250n)).toBe(150n);
    expect(counterIncrease(7n, 7n)).toBe(0n);
  });

  it('corrects a 32-bit wrap: the old value near 2^32, the new one near 0', () => {
    expect(counterIncrease(U32 - 1_000n, 500n)).toBe(1_500n);
  });

  it('corrects a 64-bit wrap', () => {
    expect(counterIncrease(U64 - 10n, 5n)).toBe(15n);
    // Above 2^32 a counter cannot be a 32-bit one; a 64-bit wrap then needs a small new value.
    expect(counterIncrease(U64 - 10n, U32 + 5n)).toBe(U32 + 15n);
    expect(counterIncrease(U64 - 10n, U64 / 2n)).toBeUndefined();
  });

  it('takes any other decrease for a reset (driver reloaded, interface re-created)', () => {
    expect(counterIncrease(5_000_000n, 1_000n)).toBeUndefined();
    expect(counterIncrease(U32 / 2n, 10n)).toBeUndefined();
  });

  it('never yields a negative rate, whatever two readings are', () => {
    const counter = fc.bigInt({ min: 0n, max: U64 - 1n });
    fc.assert(
      fc.property(counter, counter, fc.double({ min: 0, max: 1e6, noNaN: true }), (a, b, seconds) => {
        const rate = ratePerSecond(a, b, seconds);
        return rate === undefined || rate >= 0;
      }),
    );
  });

  it('has no rate without elapsed time', () => {
    expect(ratePerSecond(1n, 2n, 0)).toBeUndefined();
    expect(ratePerSecond(1n, 21n, 2)).toBe(10);
  });
});
