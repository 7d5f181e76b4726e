/** Bounded concurrency for the agent's /proc reads: order kept, never more in flight than asked. */
import { describe, expect, it } from 'vitest';
import { mapLimited } from '../../agents/host/map-limited.js';

describe('mapLimited', () => {
  it('returns results in input order with at most `limit` calls running', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimited([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      // Later items finish first: order must come from the index, not from completion.
      await new Promise((resolve) => setTimeout(resolve, (7 - n) * 2));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(most).toBe(3);
  });

  it('rejects with the first failure and handles an empty list', async () => {
    await expect(mapLimited([], 4, async () => 1)).resolves.toEqual([]);
    await expect(
      mapLimited([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('boom 2');
        return n;
      }),
    ).rejects.toThrow('boom 2');
  });
});
