/**
 * `cpu`: the share of time each CPU spent in each state since the previous reading, in percent, as
 * Telegraf's cpu input names it (`usage_user`, ..., `usage_active` = 100 − idle). The first reading
 * only primes the counters. Guest time is already inside user and nice, so it is not added to the
 * total (as top and Telegraf do). A counter that goes back (iowait can, per proc(5)) counts as 0.
 */
import type { AgentConfig } from '../config-schema.js';
import type { Collector, ComputeContext, Computed } from '../collector.js';
import { Fields, percent, point } from '../fields.js';
import type { Metric } from '../../../core/codecs/metric.js';
import { readCpu } from '../probes/linux.js';
import type { CpuReading, CpuTimes } from '../readings.js';

export interface CpuState {
  total: CpuTimes;
  cores: Map<string, CpuTimes>;
}

const STATES: [keyof CpuTimes, string][] = [
  ['user', 'usage_user'],
  ['system', 'usage_system'],
  ['nice', 'usage_nice'],
  ['idle', 'usage_idle'],
  ['iowait', 'usage_iowait'],
  ['irq', 'usage_irq'],
  ['softirq', 'usage_softirq'],
  ['steal', 'usage_steal'],
  ['guest', 'usage_guest'],
  ['guestNice', 'usage_guest_nice'],
];

const IN_TOTAL: (keyof CpuTimes)[] = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];

function usage(current: CpuTimes, previous: CpuTimes): Fields | undefined {
  const delta = (key: keyof CpuTimes): number => Math.max(0, current[key] - previous[key]);
  const total = IN_TOTAL.reduce((sum, key) => sum + delta(key), 0);
  if (total <= 0) return undefined; // no tick elapsed, or the counters were reset
  const fields = new Fields();
  for (const [key, name] of STATES) fields.float(name, percent(delta(key), total));
  fields.float('usage_active', percent(total - delta('idle'), total));
  return fields;
}

export function computeCpu(
  reading: CpuReading,
  previous: CpuState | undefined,
  options: { perCore: boolean },
  context: ComputeContext,
): Computed<CpuState> {
  const state: CpuState = {
    total: reading.total,
    cores: new Map(reading.cores.map((core) => [core.name, core.times])),
  };
  const metrics: Metric[] = [];
  if (previous !== undefined) {
    const line = (cpu: string, fields: Fields | undefined): void => {
      if (fields) metrics.push(...point('cpu', { host: context.host, cpu }, fields, context.timestamp));
    };
    line('cpu-total', usage(reading.total, previous.total));
    if (options.perCore) {
      for (const core of reading.cores) {
        const before = previous.cores.get(core.name);
        // A core that just came online has no previous counters.
        if (before) line(core.name, usage(core.times, before));
      }
    }
  }
  return { metrics, state };
}

export function cpuCollector(config: AgentConfig['cpu']): Collector<CpuReading, CpuState> {
  return {
    name: 'cpu',
    measurements: ['cpu'],
    read: () => readCpu(),
    compute: (reading, previous, context) => computeCpu(reading, previous, config, context),
  };
}
