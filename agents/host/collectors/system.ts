/** `system`: load averages, uptime, CPUs, login sessions and processes (Telegraf's names). */
import type { Collector, ComputeContext, Computed } from '../collector.js';
import { Fields, point } from '../fields.js';
import { readSystem } from '../probes/system.js';
import type { SystemReading } from '../readings.js';

export function computeSystem(reading: SystemReading, context: ComputeContext): Computed<undefined> {
  const fields = new Fields()
    .float('load1', reading.load1)
    .float('load5', reading.load5)
    .float('load15', reading.load15)
    .int('uptime', Math.floor(reading.uptimeSeconds))
    .int('n_cpus', reading.cpus)
    .int('n_users', reading.users)
    .int('n_processes', reading.processes);
  return { metrics: point('system', { host: context.host }, fields, context.timestamp), state: undefined };
}

export function systemCollector(): Collector<SystemReading, undefined> {
  return {
    name: 'system',
    measurements: ['system'],
    read: () => readSystem(),
    compute: (reading, _previous, context) => computeSystem(reading, context),
  };
}
