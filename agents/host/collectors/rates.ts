/** Shared by the counter-based collectors (diskio, net): per-second rates of named counter sets. */
import { ratePerSecond } from '../counters.js';
import { Fields } from '../fields.js';

export interface CounterState<C> {
  atMs: number;
  byName: Map<string, C>;
}

/** A counter, the field of its rate, and the unit conversion applied to the rate (sectors → bytes). */
export type RateSpec<C> = readonly [key: keyof C, field: string, factor?: number];

/**
 * One field per counter: its rate since `before`. A counter that was reset has no field this time;
 * the others still do.
 */
export function rateFields<C>(
  current: C,
  before: C,
  seconds: number,
  counters: readonly RateSpec<C>[],
): Fields {
  const fields = new Fields();
  for (const [key, field, factor = 1] of counters) {
    const rate = ratePerSecond(before[key] as bigint, current[key] as bigint, seconds);
    fields.float(field, rate === undefined ? undefined : rate * factor);
  }
  return fields;
}
