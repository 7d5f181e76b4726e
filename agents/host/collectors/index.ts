/** The collectors the configuration enables, each with its interval and timeout resolved. */
import type { AgentConfig } from '../config-schema.js';
import type { Collector } from '../collector.js';
import type { HostFacts } from '../readings.js';
import { cpuCollector } from './cpu.js';
import { diskCollector } from './disk.js';
import { diskIoCollector } from './diskio.js';
import { memCollector } from './mem.js';
import { netCollector } from './net.js';
import { processesCollector } from './processes.js';
import { systemCollector } from './system.js';
import { tempCollector } from './temp.js';

export interface PlannedCollector {
  readonly collector: Collector;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export function plannedCollectors(config: AgentConfig, facts: HostFacts): PlannedCollector[] {
  const plan: PlannedCollector[] = [];
  const add = (
    section: { enabled: boolean; interval?: number | undefined; timeout?: number | undefined },
    create: (timeoutMs: number) => Collector,
  ): void => {
    if (!section.enabled) return;
    const timeoutMs = section.timeout ?? config.timeout;
    plan.push({
      collector: create(timeoutMs),
      intervalMs: section.interval ?? config.interval,
      timeoutMs,
    });
  };
  add(config.system, () => systemCollector());
  add(config.cpu, () => cpuCollector(config.cpu));
  add(config.mem, () => memCollector());
  add(config.disk, (timeoutMs) => diskCollector(config.disk, timeoutMs));
  add(config.diskio, () => diskIoCollector(config.diskio));
  add(config.net, () => netCollector(config.net));
  add(config.temp, () => tempCollector());
  add(config.processes, () => processesCollector(config.processes, facts));
  return plan;
}
