/**
 * Counters to per-second rates. A counter that went down either wrapped (Counter32 past 2^32-1,
 * Counter64 past 2^64-1) or was reset (agent restart, interface re-created). RFC 2578 §7.1.6 says a
 * counter's absolute value means nothing, only increments do; so a decrease is read as one wrap
 * when the wrapped increment is plausible (under half the counter's range), and as a reset
 * otherwise, which yields no rate for that interval rather than a huge false spike.
 */

export interface CounterValue {
  readonly value: bigint;
  readonly bits: 32 | 64;
}

interface Previous {
  readonly value: bigint | number;
  readonly bits: 32 | 64 | undefined;
  readonly atMs: number;
}

export class RateTracker {
  private readonly previous = new Map<string, Previous>();

  /**
   * The rate of `key` per second since its previous reading, or undefined on its first reading,
   * after a reset, or when no time passed. `atMs` is a monotonic time (performance.now()).
   */
  rate(key: string, reading: CounterValue | number, atMs: number): number | undefined {
    const current: Previous =
      typeof reading === 'number'
        ? { value: reading, bits: undefined, atMs }
        : { value: reading.value, bits: reading.bits, atMs };
    const before = this.previous.get(key);
    this.previous.set(key, current);
    if (!before || atMs <= before.atMs) return undefined;
    const seconds = (atMs - before.atMs) / 1000;
    const delta = increment(before, current);
    return delta === undefined ? undefined : delta / seconds;
  }

  /** Forgets keys not read since `beforeMs` (rows that disappeared), so the map cannot grow forever. */
  prune(beforeMs: number): void {
    for (const [key, entry] of this.previous) if (entry.atMs < beforeMs) this.previous.delete(key);
  }

  get size(): number {
    return this.previous.size;
  }
}

function increment(before: Previous, current: Previous): number | undefined {
  if (typeof current.value === 'bigint' && typeof before.value === 'bigint' && current.bits !== undefined) {
    if (current.value >= before.value) return Number(current.value - before.value);
    const range = 1n << BigInt(current.bits);
    const wrapped = current.value + range - before.value;
    return wrapped < range / 2n ? Number(wrapped) : undefined;
  }
  // A gauge or text number asked for as a rate: only increases make sense.
  const delta = Number(current.value) - Number(before.value);
  return delta >= 0 ? delta : undefined;
}
