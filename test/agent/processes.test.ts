import { describe, expect, it } from 'vitest';
import {
  computeProcesses,
  rankProcesses,
  type ProcessesState,
} from '../../agents/host/collectors/processes.js';
import { processId } from '../../agents/host/process-id.js';
import type { HostFacts, ProcessDetails, ProcessStat, ProcessesReading } from '../../agents/host/readings.js';
import { CONTEXT, numbers } from './helpers.js';

const FACTS: HostFacts = { clockTicks: 100, pageSize: 4096, memTotal: 4096 * 1000, bootId: 'boot-1' };

function proc(
  pid: number,
  cpuTicks: number,
  rssPages: number,
  extra: Partial<ProcessStat> = {},
): ProcessStat {
  return {
    pid,
    name: `cmd${pid}`,
    state: 'S',
    cpuTicks,
    threads: 1,
    startTicks: pid * 10,
    rssPages,
    ...extra,
  };
}

const before: ProcessStat[] = [
  proc(1, 0, 10),
  proc(2, 0, 500),
  proc(3, 0, 20),
  proc(4, 0, 300),
  proc(5, 0, 1),
];
const previous: ProcessesState = {
  atMs: 0,
  ticks: new Map(before.map((stat) => [`${stat.pid}:${stat.startTicks}`, stat.cpuTicks])),
};

function reading(processes: ProcessStat[], details: [number, ProcessDetails][] = []): ProcessesReading {
  return { atMs: 10_000, processes, details: new Map(details) };
}

describe('processes collector', () => {
  const now = [
    proc(1, 500, 10, { state: 'R', threads: 4 }), // 5 s of CPU in 10 s: 50 % of one core
    proc(2, 100, 500),
    proc(3, 2000, 20, { state: 'R' }), // 200 %: two cores busy
    proc(4, 0, 300, { state: 'Z' }),
    proc(5, 0, 1, { state: 'D' }),
  ];

  it('counts processes by state and threads', () => {
    const { metrics } = computeProcesses(
      reading(now),
      previous,
      { top: 2, names: false, facts: FACTS },
      CONTEXT,
    );
    expect(numbers(metrics.find((metric) => metric.measurement === 'processes'))).toEqual({
      total: 5,
      total_threads: 8,
      running: 2,
      sleeping: 1,
      blocked: 1,
      zombies: 1,
      stopped: 0,
      idle: 0,
    });
  });

  it('reports the top N by CPU, then the top N by memory not already listed', () => {
    const ranked = rankProcesses(now, 10_000, previous, 2, FACTS.clockTicks);
    expect(ranked.map((entry) => [entry.stat.pid, entry.cpu])).toEqual([
      [3, 200],
      [1, 50],
      [2, 10],
      [4, 0],
    ]);
    expect(rankProcesses(now, 10_000, undefined, 2, 100)).toEqual([]); // needs a previous reading
    // A process that started since the previous reading: all its CPU time is recent.
    const fresh = rankProcesses([proc(9, 300, 1)], 10_000, previous, 1, 100);
    expect(fresh[0]?.cpu).toBe(30);
  });

  it('identifies a process by a hash of pid and start time, with its owner, and no name by default', () => {
    const details: [number, ProcessDetails][] = [[3, { user: 'www-data', readBytes: 4096n, writeBytes: 0n }]];
    const { metrics } = computeProcesses(
      reading(now, details),
      previous,
      { top: 1, names: false, facts: FACTS },
      CONTEXT,
    );
    const top = metrics.filter((metric) => metric.measurement === 'procstat');
    expect(top).toHaveLength(2);
    const busiest = top[0]!;
    expect(busiest.tags).toEqual({ host: 'h1', process_id: processId('boot-1', 3, 30), user: 'www-data' });
    expect(busiest.tags.process_id).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(busiest.tags)).not.toContain('cmd3');
    expect(numbers(busiest)).toEqual({
      cpu_usage: 200,
      memory_rss: 20 * 4096,
      memory_usage: 2,
      num_threads: 1,
      read_bytes: 4096,
      write_bytes: 0,
    });
    // Another user's I/O counters are unreadable without root: those fields are absent, not 0.
    expect(Object.keys(numbers(top[1]))).not.toContain('read_bytes');
  });

  it('adds the command name only when processes.names is on', () => {
    const { metrics } = computeProcesses(
      reading(now),
      previous,
      { top: 1, names: true, facts: FACTS },
      CONTEXT,
    );
    expect(metrics.find((metric) => metric.measurement === 'procstat')?.tags.process_name).toBe('cmd3');
  });

  it('gives a reused pid a new id, and the same process the same id across boots only with the same boot id', () => {
    expect(processId('boot-1', 42, 100)).toBe(processId('boot-1', 42, 100));
    expect(processId('boot-1', 42, 100)).not.toBe(processId('boot-1', 42, 101));
    expect(processId('boot-1', 42, 100)).not.toBe(processId('boot-2', 42, 100));
  });
});
