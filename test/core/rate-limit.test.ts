/** The token bucket with a clock of its own: the rate is arithmetic, not a wait measured in a test. */
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../core/util/rate-limit.js';

function bucket(perSecond: number, burst: number): { bucket: TokenBucket; advance(ms: number): void } {
  let now = 1_000_000;
  return {
    bucket: new TokenBucket(perSecond, burst, () => now),
    advance(ms) {
      now += ms;
    },
  };
}

const takes = (b: TokenBucket, n: number): boolean[] => Array.from({ length: n }, () => b.take());

describe('TokenBucket', () => {
  it('allows the burst at once, then one token per 1/rate seconds', () => {
    const { bucket: b, advance } = bucket(10, 2); // 600 a minute
    expect(takes(b, 3)).toEqual([true, true, false]);
    advance(99);
    expect(b.take()).toBe(false);
    advance(1);
    expect(takes(b, 2)).toEqual([true, false]);
    advance(300);
    expect(takes(b, 4)).toEqual([true, true, false, false]); // refilled to the burst, not beyond
  });

  it('keeps fractions of a token across calls', () => {
    const { bucket: b, advance } = bucket(0.5, 1); // 30 a minute
    expect(b.take()).toBe(true);
    for (let i = 0; i < 3; i++) {
      advance(500);
      expect(b.take()).toBe(false);
    }
    advance(500);
    expect(b.take()).toBe(true);
  });
});
