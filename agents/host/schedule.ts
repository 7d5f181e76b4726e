/**
 * Ticks on wall-clock multiples of the interval (12:00:00, 12:00:10, ...), as Telegraf's
 * round_interval does, so the points of every host and collector line up in time. A tick that would
 * already be late (the run before it overran, the machine was suspended) is skipped, not bunched.
 */
import { sleep } from '../../core/util/abortable.js';

/** The first multiple of `intervalMs` strictly after `afterMs`. */
export function nextTick(afterMs: number, intervalMs: number): number {
  return (Math.floor(afterMs / intervalMs) + 1) * intervalMs;
}

/** Resolves at `atMs` (wall clock) or as soon as `signal` aborts; leaves no timer behind. */
export function sleepUntil(atMs: number, signal: AbortSignal): Promise<void> {
  return sleep(atMs - Date.now(), signal);
}

/**
 * Calls `run(tickMs)` at every tick until `signal` aborts, one call at a time. The first tick is at
 * least half an interval away, so rates primed at start span a meaningful time.
 */
export async function everyTick(
  intervalMs: number,
  signal: AbortSignal,
  run: (tickMs: number) => Promise<void>,
): Promise<void> {
  let tick = nextTick(Date.now() + intervalMs / 2, intervalMs);
  while (!signal.aborted) {
    await sleepUntil(tick, signal);
    if (signal.aborted) return;
    await run(tick);
    tick = nextTick(Math.max(Date.now(), tick), intervalMs);
  }
}
