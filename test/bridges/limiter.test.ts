import { expect, it } from 'vitest';
import { Limiter } from '../../bridges/common/limiter.js';

it('runs at most `limit` tasks at once, the others in arrival order, and frees a slot when a task fails', async () => {
  const limiter = new Limiter(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const task = (id: number, ms: number, fail = false) =>
    limiter.run(async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(id);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running--;
      if (fail) throw new Error(`task ${id}`);
      return id;
    });
  const results = await Promise.allSettled([
    task(1, 30, true),
    task(2, 10),
    task(3, 5),
    task(4, 5),
    task(5, 5),
  ]);
  expect(peak).toBe(2);
  expect(order).toEqual([1, 2, 3, 4, 5]);
  expect(results[0]).toMatchObject({ status: 'rejected' });
  expect(results.slice(1).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
  expect(limiter.running).toBe(0);
  expect(limiter.queued).toBe(0);
});
