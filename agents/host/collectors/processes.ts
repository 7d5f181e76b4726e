/**
 * `processes`: counts by state (Telegraf's processes input), and `procstat`: the top N processes by
 * CPU and the top N by resident memory (Telegraf's per-process measurement), each identified by an
 * anonymised id (tag `process_id`) and its owner (tag `user`); the command name (tag
 * `process_name`) only when `processes.names` is on. `cpu_usage` is percent of one core, so a
 * process using two cores fully shows 200.
 */
import type { AgentConfig } from '../config-schema.js';
import type { Collector, ComputeContext, Computed } from '../collector.js';
import { Fields, percent, point } from '../fields.js';
import type { Metric } from '../../../core/metric.js';
import { processId } from '../process-id.js';
import { readProcesses } from '../probes/processes.js';
import type { HostFacts, ProcessStat, ProcessesReading } from '../readings.js';

export interface ProcessesState {
  atMs: number;
  /** CPU ticks by `pid:startTicks`. */
  ticks: Map<string, number>;
}

export interface RankedProcess {
  stat: ProcessStat;
  /** Percent of one core since the previous reading. */
  cpu: number;
}

const key = (stat: ProcessStat): string => `${stat.pid}:${stat.startTicks}`;

/** Telegraf's state names for the one-letter states of /proc/<pid>/stat. */
const STATE_FIELDS: Record<string, string> = {
  R: 'running',
  S: 'sleeping',
  D: 'blocked',
  Z: 'zombies',
  T: 'stopped',
  t: 'stopped',
  I: 'idle',
};

/**
 * The processes to report: the top `top` by CPU since `previous`, then the top `top` by RSS not
 * already listed. Pure, so `read` (which fetches owners and I/O for these only) and `compute` agree.
 */
export function rankProcesses(
  processes: ProcessStat[],
  atMs: number,
  previous: ProcessesState | undefined,
  top: number,
  clockTicks: number,
): RankedProcess[] {
  if (previous === undefined || top === 0) return [];
  const seconds = (atMs - previous.atMs) / 1000;
  if (!(seconds > 0)) return [];
  const ranked = processes.map((stat) => {
    // A process absent before started since: all its CPU time is within the interval.
    const before = previous.ticks.get(key(stat)) ?? 0;
    const cpu = (Math.max(0, stat.cpuTicks - before) / clockTicks / seconds) * 100;
    return { stat, cpu };
  });
  const byCpu = [...ranked].sort((a, b) => b.cpu - a.cpu || b.stat.rssPages - a.stat.rssPages).slice(0, top);
  const chosen = new Set(byCpu);
  const byMemory = [...ranked].sort((a, b) => b.stat.rssPages - a.stat.rssPages).slice(0, top);
  return [...byCpu, ...byMemory.filter((entry) => !chosen.has(entry))];
}

function counts(processes: ProcessStat[]): Fields {
  const byState: Record<string, number> = {
    running: 0,
    sleeping: 0,
    blocked: 0,
    zombies: 0,
    stopped: 0,
    idle: 0,
  };
  let threads = 0;
  for (const stat of processes) {
    const field = STATE_FIELDS[stat.state];
    if (field !== undefined) byState[field] = (byState[field] ?? 0) + 1;
    threads += stat.threads;
  }
  const fields = new Fields().int('total', processes.length).int('total_threads', threads);
  for (const [name, count] of Object.entries(byState)) fields.int(name, count);
  return fields;
}

export function computeProcesses(
  reading: ProcessesReading,
  previous: ProcessesState | undefined,
  options: { top: number; names: boolean; facts: HostFacts },
  context: ComputeContext,
): Computed<ProcessesState> {
  const { facts } = options;
  const metrics: Metric[] = [
    ...point('processes', { host: context.host }, counts(reading.processes), context.timestamp),
  ];
  const ranked = rankProcesses(reading.processes, reading.atMs, previous, options.top, facts.clockTicks);
  for (const { stat, cpu } of ranked) {
    const details = reading.details.get(stat.pid);
    const rss = stat.rssPages * facts.pageSize;
    const tags: Record<string, string> = {
      host: context.host,
      process_id: processId(facts.bootId, stat.pid, stat.startTicks),
    };
    if (details?.user) tags.user = details.user;
    if (options.names && stat.name.trim() !== '') tags.process_name = stat.name;
    const fields = new Fields()
      .float('cpu_usage', cpu)
      .int('memory_rss', rss)
      .float('memory_usage', percent(rss, facts.memTotal))
      .int('num_threads', stat.threads)
      .int('read_bytes', details?.readBytes)
      .int('write_bytes', details?.writeBytes);
    metrics.push(...point('procstat', tags, fields, context.timestamp));
  }
  const ticks = new Map(reading.processes.map((stat) => [key(stat), stat.cpuTicks]));
  return { metrics, state: { atMs: reading.atMs, ticks } };
}

export function processesCollector(
  config: AgentConfig['processes'],
  facts: HostFacts,
): Collector<ProcessesReading, ProcessesState> {
  return {
    name: 'processes',
    measurements: ['processes', 'procstat'],
    read: (previous) =>
      readProcesses((processes, atMs) =>
        rankProcesses(processes, atMs, previous, config.top, facts.clockTicks).map((entry) => entry.stat.pid),
      ),
    compute: (reading, previous, context) =>
      computeProcesses(reading, previous, { top: config.top, names: config.names, facts }, context),
  };
}
