/**
 * `mem` and `swap`. `used` is total − available, as free(1) computes it today: memory the kernel
 * could not hand out without swapping. Page cache and reclaimable slab are not "used".
 */
import type { Collector, ComputeContext, Computed } from '../collector.js';
import { Fields, percent, point } from '../fields.js';
import { readMem } from '../probes/system.js';
import type { MemReading } from '../readings.js';

export function computeMem(reading: MemReading, context: ComputeContext): Computed<undefined> {
  const tags = { host: context.host };
  const used = Math.max(0, reading.total - reading.available);
  const mem = new Fields()
    .int('total', reading.total)
    .int('used', used)
    .int('free', reading.free)
    .int('available', reading.available)
    .int('buffered', reading.buffers)
    .int('cached', reading.cached)
    .float('used_percent', percent(used, reading.total))
    .float('available_percent', percent(reading.available, reading.total));
  // Without swap, total is 0 and a percentage of it means nothing: the field is left out.
  const swap = new Fields()
    .int('total', reading.swapTotal)
    .int('used', reading.swapUsed)
    .int('free', reading.swapFree)
    .float('used_percent', percent(reading.swapUsed, reading.swapTotal));
  return {
    metrics: [...point('mem', tags, mem, context.timestamp), ...point('swap', tags, swap, context.timestamp)],
    state: undefined,
  };
}

export function memCollector(): Collector<MemReading, undefined> {
  return {
    name: 'mem',
    measurements: ['mem', 'swap'],
    read: () => readMem(),
    compute: (reading, _previous, context) => computeMem(reading, context),
  };
}
