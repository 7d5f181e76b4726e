/**
 * `processes`: counts by state (Telegraf's processes input), and `procstat`: the top processes by
 * CPU and by resident memory (Telegraf's per-process measurement). `cpu_usage` is percent of one
 * core, so a process using two cores fully shows 200.
 *
 * The series stay bounded on a busy host, where short-lived processes come and go every second:
 * - By default (`groupBy: name`) processes are summed by command name (tag `process_name`, field
 *   `processes` the number summed), so a new pid of `sh` is the same series as the last one.
 *   `groupBy: process` keeps one series per process, identified by a hash of pid and start time
 *   (tag `process_id`, as SlapOS's collector anonymises them; `names` adds the command name).
 * - An identity in the top `top` by CPU or by memory in two readings in a row enters a roster of at
 *   most 2 × `top`, and only the roster's members are reported; the rest are summed as `_other`, so
 *   the totals stay whole. A process that lives less than two intervals never enters, and a full
 *   roster admits a newcomer only once a member has been out of the top lists for `expireAfter` (or
 *   gone): after the first readings, new processes add no series for at least that long.
 */
import type { AgentConfig } from '../config-schema.js';
import type { Collector, ComputeContext, Computed } from '../collector.js';
import { Fields, percent, point } from '../fields.js';
import type { Metric } from '../../../core/codecs/metric.js';
import { processId } from '../process-id.js';
import { readProcesses } from '../probes/processes.js';
import type { HostFacts, ProcessStat, ProcessesReading } from '../readings.js';

export interface ProcessesState {
  atMs: number;
  /** CPU ticks by `pid:startTicks`. */
  ticks: Map<string, number>;
  /** Reported identities → when they were last in a top list (the reading's atMs). */
  roster: Map<string, number>;
  /** The identities in this reading's top lists: the next reading admits those still there. */
  candidates: Set<string>;
}

export interface ProcessesOptions {
  top: number;
  groupBy: 'name' | 'process';
  expireAfterMs: number;
  clockTicks: number;
}

/** The processes summed as one identity (a command name, or one process). */
export interface ProcessGroup {
  identity: string;
  members: ProcessStat[];
  /** Percent of one core since the previous reading, summed. */
  cpu: number;
  rssPages: number;
}

/** The identity of the rest: every process outside the roster. */
export const OTHER = '_other';

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

function identityOf(stat: ProcessStat, groupBy: ProcessesOptions['groupBy']): string {
  if (groupBy === 'process') return key(stat);
  const name = stat.name.trim();
  // A process named `_other` must not merge into the rest.
  return name === '' || name === OTHER ? `${name}_` : name;
}

export interface ProcessSelection {
  reported: ProcessGroup[];
  rest: ProcessGroup | undefined;
  roster: Map<string, number>;
  candidates: Set<string>;
}

/**
 * The groups to report (roster members present now, busiest first) and the rest, with the roster
 * after this reading. Pure, so `read` (which fetches owners and I/O for the reported processes only)
 * and `compute` agree.
 */
export function selectProcesses(
  processes: ProcessStat[],
  atMs: number,
  previous: ProcessesState | undefined,
  options: ProcessesOptions,
): ProcessSelection {
  const roster = new Map(previous?.roster ?? []);
  const seconds = previous === undefined ? 0 : (atMs - previous.atMs) / 1000;
  if (previous === undefined || options.top === 0 || !(seconds > 0))
    return { reported: [], rest: undefined, roster, candidates: new Set() };
  const groups = new Map<string, ProcessGroup>();
  for (const stat of processes) {
    // A process absent before started since: all its CPU time is within the interval.
    const before = previous.ticks.get(key(stat)) ?? 0;
    const cpu = (Math.max(0, stat.cpuTicks - before) / options.clockTicks / seconds) * 100;
    const identity = identityOf(stat, options.groupBy);
    const group = groups.get(identity) ?? { identity, members: [], cpu: 0, rssPages: 0 };
    group.members.push(stat);
    group.cpu += cpu;
    group.rssPages += stat.rssPages;
    groups.set(identity, group);
  }
  const all = [...groups.values()];
  const byCpu = [...all].sort((a, b) => b.cpu - a.cpu || b.rssPages - a.rssPages).slice(0, options.top);
  const byMemory = [...all].sort((a, b) => b.rssPages - a.rssPages).slice(0, options.top);
  const capacity = 2 * options.top;
  for (const [identity, lastTop] of roster) {
    if (atMs - lastTop > options.expireAfterMs) roster.delete(identity);
  }
  const candidates = new Set<string>();
  for (const group of [...byCpu, ...byMemory]) {
    candidates.add(group.identity);
    const admitted = previous.candidates.has(group.identity) && roster.size < capacity;
    if (roster.has(group.identity) || admitted) roster.set(group.identity, atMs);
  }
  const reported = all.filter((group) => roster.has(group.identity)).sort((a, b) => b.cpu - a.cpu);
  const others = all.filter((group) => !roster.has(group.identity));
  const rest =
    others.length === 0
      ? undefined
      : {
          identity: OTHER,
          members: others.flatMap((group) => group.members),
          cpu: others.reduce((sum, group) => sum + group.cpu, 0),
          rssPages: others.reduce((sum, group) => sum + group.rssPages, 0),
        };
  return { reported, rest, roster, candidates };
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

/** A sum over processes of a counter that may be unknown for some: unknown if unknown for all. */
function sum(values: (bigint | undefined)[]): bigint | undefined {
  const known = values.filter((value): value is bigint => value !== undefined);
  return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0n);
}

export function computeProcesses(
  reading: ProcessesReading,
  previous: ProcessesState | undefined,
  options: Omit<ProcessesOptions, 'clockTicks'> & { names: boolean; facts: HostFacts },
  context: ComputeContext,
): Computed<ProcessesState> {
  const { facts } = options;
  const metrics: Metric[] = [
    ...point('processes', { host: context.host }, counts(reading.processes), context.timestamp),
  ];
  const selection = selectProcesses(reading.processes, reading.atMs, previous, {
    ...options,
    clockTicks: facts.clockTicks,
  });
  const groups = selection.rest ? [...selection.reported, selection.rest] : selection.reported;
  for (const group of groups) {
    const details = group.members.map((stat) => reading.details.get(stat.pid));
    const rss = group.rssPages * facts.pageSize;
    const tags: Record<string, string> = { host: context.host };
    const single = options.groupBy === 'process' && group.identity !== OTHER ? group.members[0] : undefined;
    if (single) {
      tags.process_id = processId(facts.bootId, single.pid, single.startTicks);
      if (details[0]?.user) tags.user = details[0].user;
      if (options.names && single.name.trim() !== '') tags.process_name = single.name;
    } else if (options.groupBy === 'process') {
      tags.process_id = OTHER;
    } else {
      tags.process_name = group.identity;
    }
    const fields = new Fields()
      .float('cpu_usage', group.cpu)
      .int('memory_rss', rss)
      .float('memory_usage', percent(rss, facts.memTotal))
      .int(
        'num_threads',
        group.members.reduce((n, stat) => n + stat.threads, 0),
      )
      .int('read_bytes', sum(details.map((d) => d?.readBytes)))
      .int('write_bytes', sum(details.map((d) => d?.writeBytes)));
    if (options.groupBy === 'name' || group.identity === OTHER) fields.int('processes', group.members.length);
    metrics.push(...point('procstat', tags, fields, context.timestamp));
  }
  const ticks = new Map(reading.processes.map((stat) => [key(stat), stat.cpuTicks]));
  const state = { atMs: reading.atMs, ticks, roster: selection.roster, candidates: selection.candidates };
  return { metrics, state };
}

export function processesCollector(
  config: AgentConfig['processes'],
  facts: HostFacts,
): Collector<ProcessesReading, ProcessesState> {
  const options = {
    top: config.top,
    groupBy: config.groupBy,
    expireAfterMs: config.expireAfter,
    names: config.names,
  };
  return {
    name: 'processes',
    measurements: ['processes', 'procstat'],
    // Owners and I/O counters of the reported processes only (the rest is summed without them).
    read: (previous) =>
      readProcesses((processes, atMs) =>
        selectProcesses(processes, atMs, previous, {
          ...options,
          clockTicks: facts.clockTicks,
        }).reported.flatMap((group) => group.members.map((stat) => stat.pid)),
      ),
    compute: (reading, previous, context) =>
      computeProcesses(reading, previous, { ...options, facts }, context),
  };
}
