import { describe, expect, it } from 'vitest';
import { outboxCapacity } from '../../agents/host/agent.js';
import { nameFilter } from '../../agents/host/filter.js';
import { Outbox, type OutboxMessage } from '../../agents/host/outbox.js';
import type { Collector } from '../../agents/host/collector.js';

const message = (n: number, payload = `m n=${n}i`): OutboxMessage => ({ topic: 't', payload, sampledAt: n });
const numbersOf = (messages: OutboxMessage[]): number[] => messages.map((m) => m.sampledAt);

describe('outbox (the offline buffer)', () => {
  it('keeps the newest messages when full and counts what it dropped', () => {
    const outbox = new Outbox(3);
    for (let n = 1; n <= 5; n++) outbox.push(message(n));
    expect(outbox.size).toBe(3);
    expect(outbox.dropped).toBe(2);
    expect(numbersOf(outbox.take(10))).toEqual([3, 4, 5]);
  });

  it('puts unsent messages back at the head in order, dropping the oldest if newer ones filled it', () => {
    const outbox = new Outbox(4);
    for (let n = 1; n <= 4; n++) outbox.push(message(n));
    const batch = outbox.take(3);
    outbox.push(message(5));
    outbox.push(message(6));
    outbox.putBack(batch); // room for one of the three: the newest of them, 3
    expect(outbox.dropped).toBe(2);
    expect(numbersOf(outbox.take(10))).toEqual([3, 4, 5, 6]);
  });

  it('also bounds the bytes it holds', () => {
    const outbox = new Outbox(100, 25);
    for (let n = 1; n <= 4; n++) outbox.push(message(n, 'x'.repeat(9))); // 10 bytes each with the topic
    expect(outbox.size).toBe(2);
    expect(outbox.bytes).toBe(20);
    expect(outbox.dropped).toBe(2);
  });

  it('holds one hour of samples by default: every collector, every measurement', () => {
    const collector = (measurements: string[]): Collector =>
      ({
        name: 'c',
        measurements,
        read: async () => undefined,
        compute: () => ({ metrics: [], state: undefined }),
      }) as Collector;
    const plan = [
      { collector: collector(['cpu']), intervalMs: 10_000, timeoutMs: 5_000 },
      { collector: collector(['mem', 'swap']), intervalMs: 60_000, timeoutMs: 5_000 },
    ];
    expect(outboxCapacity(3_600_000, plan)).toBe(360 + 60 * 2);
    expect(outboxCapacity(0, plan)).toBe(3); // buffer 0: room for one sample each
  });
});

describe('include/exclude lists', () => {
  it('keeps names matching an include pattern (or all) and no exclude pattern', () => {
    const keep = nameFilter(['eth*', 'en?1'], ['eth9']);
    expect(['eth0', 'eth9', 'ens1', 'enp0s31f6', 'lo'].filter(keep)).toEqual(['eth0', 'ens1']);
    expect(['/', '/boot/efi', '/snap/x'].filter(nameFilter([], ['/snap/*']))).toEqual(['/', '/boot/efi']);
    expect(nameFilter(['a.b'], [])('axb')).toBe(false); // regex characters are literal
  });
});
