/**
 * `net`: per interface (tag `interface`), bytes, packets, errors and drops per second in and out,
 * from the cumulative counters of /proc/net/dev (see counters.ts for wraps and resets).
 */
import type { AgentConfig } from '../config-schema.js';
import type { Collector, ComputeContext, Computed } from '../collector.js';
import { nameFilter, type NameFilter } from '../filter.js';
import { point } from '../fields.js';
import type { Metric } from '../../../core/codecs/metric.js';
import { readNet } from '../probes/linux.js';
import type { NetCounters, NetReading } from '../readings.js';
import { rateFields, type CounterState, type RateSpec } from './rates.js';

const COUNTERS: readonly RateSpec<NetCounters>[] = [
  ['bytesRecv', 'bytes_recv_per_sec'],
  ['bytesSent', 'bytes_sent_per_sec'],
  ['packetsRecv', 'packets_recv_per_sec'],
  ['packetsSent', 'packets_sent_per_sec'],
  ['errIn', 'err_in_per_sec'],
  ['errOut', 'err_out_per_sec'],
  ['dropIn', 'drop_in_per_sec'],
  ['dropOut', 'drop_out_per_sec'],
];

export type NetState = CounterState<NetCounters>;

export function computeNet(
  reading: NetReading,
  previous: NetState | undefined,
  keep: NameFilter,
  context: ComputeContext,
): Computed<NetState> {
  const interfaces = reading.interfaces.filter((entry) => keep(entry.name));
  const state: NetState = { atMs: reading.atMs, byName: new Map(interfaces.map((i) => [i.name, i])) };
  const metrics: Metric[] = [];
  if (previous !== undefined) {
    const seconds = (reading.atMs - previous.atMs) / 1000;
    for (const entry of interfaces) {
      const before = previous.byName.get(entry.name);
      if (!before) continue; // a new interface: rates from its next reading on
      const fields = rateFields(entry, before, seconds, COUNTERS);
      metrics.push(...point('net', { host: context.host, interface: entry.name }, fields, context.timestamp));
    }
  }
  return { metrics, state };
}

export function netCollector(config: AgentConfig['net']): Collector<NetReading, NetState> {
  const keep = nameFilter(config.include, config.exclude);
  return {
    name: 'net',
    measurements: ['net'],
    read: () => readNet(),
    compute: (reading, previous, context) => computeNet(reading, previous, keep, context),
  };
}
