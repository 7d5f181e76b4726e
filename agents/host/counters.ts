/**
 * Rates from cumulative counters (bytes, packets, operations). A counter only grows, except when it
 * wraps around its width (32-bit counters on 32-bit kernels and many NICs' firmware, 64-bit ones in
 * theory) or is reset (a driver reloaded, an interface re-created, a device hot-plugged). A wrap is
 * corrected; a reset makes the interval unknowable and it is skipped. A rate is never negative.
 */

const WIDTHS = [2n ** 32n, 2n ** 64n] as const;

/**
 * The increase from `previous` to `current`, or undefined when the counter was reset.
 * A decrease is taken for a wrap only when the increase it implies is at most a quarter of the
 * counter's range, i.e. the old value was near the top and the new one near zero; anything else
 * (a large value followed by a small one) is a reset, as a wrap would imply an implausible jump.
 */
export function counterIncrease(previous: bigint, current: bigint): bigint | undefined {
  if (current >= previous) return current - previous;
  for (const limit of WIDTHS) {
    if (previous >= limit || current >= limit) continue;
    const increase = limit - previous + current;
    if (increase <= limit / 4n) return increase;
  }
  return undefined;
}

/** Increase per second, or undefined after a reset or when no time has passed. */
export function ratePerSecond(previous: bigint, current: bigint, seconds: number): number | undefined {
  if (!(seconds > 0)) return undefined;
  const increase = counterIncrease(previous, current);
  return increase === undefined ? undefined : Number(increase) / seconds;
}
