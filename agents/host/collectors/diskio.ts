/**
 * `diskio`: per block device (tag `name`), operations and bytes per second read and written, from
 * the cumulative counters of /proc/diskstats (see counters.ts for wraps and resets).
 */
import type { AgentConfig } from '../config-schema.js';
import type { Collector, ComputeContext, Computed } from '../collector.js';
import { nameFilter, type NameFilter } from '../filter.js';
import { point } from '../fields.js';
import type { Metric } from '../../../core/codecs/metric.js';
import { readDiskIo } from '../probes/linux.js';
import type { DiskIoCounters, DiskIoReading } from '../readings.js';
import { rateFields, type CounterState, type RateSpec } from './rates.js';

/** /proc/diskstats counts 512-byte sectors, whatever the device's own sector size. */
const SECTOR_BYTES = 512;

const COUNTERS: readonly RateSpec<DiskIoCounters>[] = [
  ['reads', 'reads_per_sec'],
  ['writes', 'writes_per_sec'],
  ['sectorsRead', 'read_bytes_per_sec', SECTOR_BYTES],
  ['sectorsWritten', 'write_bytes_per_sec', SECTOR_BYTES],
];

export type DiskIoState = CounterState<DiskIoCounters>;

export function computeDiskIo(
  reading: DiskIoReading,
  previous: DiskIoState | undefined,
  keep: NameFilter,
  context: ComputeContext,
): Computed<DiskIoState> {
  const devices = reading.devices.filter((device) => keep(device.name));
  const state: DiskIoState = { atMs: reading.atMs, byName: new Map(devices.map((d) => [d.name, d])) };
  const metrics: Metric[] = [];
  if (previous !== undefined) {
    const seconds = (reading.atMs - previous.atMs) / 1000;
    for (const device of devices) {
      const before = previous.byName.get(device.name);
      if (!before) continue; // hot-plugged since the last reading
      const fields = rateFields(device, before, seconds, COUNTERS);
      metrics.push(...point('diskio', { host: context.host, name: device.name }, fields, context.timestamp));
    }
  }
  return { metrics, state };
}

export function diskIoCollector(config: AgentConfig['diskio']): Collector<DiskIoReading, DiskIoState> {
  const keep = nameFilter(config.include, config.exclude);
  return {
    name: 'diskio',
    measurements: ['diskio'],
    read: () => readDiskIo(),
    compute: (reading, previous, context) => computeDiskIo(reading, previous, keep, context),
  };
}
