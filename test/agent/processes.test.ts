import { describe, expect, it } from 'vitest';
import {
  computeProcesses,
  selectProcesses,
  type ProcessesState,
} from '../../agents/host/collectors/processes.js';
import type { Metric } from '../../core/codecs/metric.js';
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
  roster: new Map(),
  // Every process was in the top lists of the previous reading: all may enter the roster now.
  candidates: new Set([
    ...before.map((stat) => `${stat.pid}:${stat.startTicks}`),
    ...before.map((stat) => stat.name),
    '9:90',
    'node',
    'cc1',
    'postgres',
    'sh',
  ]),
};
const PER_PROCESS = { groupBy: 'process', expireAfterMs: 600_000, facts: FACTS } as const;
const BY_NAME = { groupBy: 'name', expireAfterMs: 600_000, names: false, facts: FACTS } as const;

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
      { ...PER_PROCESS, top: 2, names: false },
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

  it('reports the top N by CPU and the top N by memory, busiest first', () => {
    const options = { top: 2, groupBy: 'process', expireAfterMs: 600_000, clockTicks: 100 } as const;
    const { reported, rest } = selectProcesses(now, 10_000, previous, options);
    expect(reported.map((group) => [group.members[0]!.pid, group.cpu])).toEqual([
      [3, 200],
      [1, 50],
      [2, 10],
      [4, 0],
    ]);
    expect(rest?.members.map((stat) => stat.pid)).toEqual([5]);
    expect(selectProcesses(now, 10_000, undefined, options).reported).toEqual([]); // needs a previous reading
    // A process that started since the previous reading: all its CPU time is recent.
    const fresh = selectProcesses([proc(9, 300, 1)], 10_000, previous, { ...options, top: 1 });
    expect(fresh.reported[0]?.cpu).toBe(30);
  });

  it('identifies a process by a hash of pid and start time, with its owner, and no name by default', () => {
    const details: [number, ProcessDetails][] = [[3, { user: 'www-data', readBytes: 4096n, writeBytes: 0n }]];
    const { metrics } = computeProcesses(
      reading(now, details),
      previous,
      { ...PER_PROCESS, top: 1, names: false },
      CONTEXT,
    );
    const top = metrics.filter((metric) => metric.measurement === 'procstat');
    expect(top).toHaveLength(3);
    expect(top[2]!.tags).toEqual({ host: 'h1', process_id: '_other' });
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

  it('adds the command name to a process only when processes.names is on', () => {
    const { metrics } = computeProcesses(
      reading(now),
      previous,
      { ...PER_PROCESS, top: 1, names: true },
      CONTEXT,
    );
    expect(metrics.find((metric) => metric.measurement === 'procstat')?.tags.process_name).toBe('cmd3');
  });

  it('gives a reused pid a new id, and the same process the same id across boots only with the same boot id', () => {
    expect(processId('boot-1', 42, 100)).toBe(processId('boot-1', 42, 100));
    expect(processId('boot-1', 42, 100)).not.toBe(processId('boot-1', 42, 101));
    expect(processId('boot-1', 42, 100)).not.toBe(processId('boot-2', 42, 100));
  });

  it('sums processes by command name by default, the rest as _other', () => {
    const named = [
      proc(1, 500, 10, { name: 'node' }),
      proc(2, 100, 500, { name: 'node' }),
      proc(3, 2000, 20, { name: 'cc1' }),
      proc(4, 0, 300, { name: 'postgres' }),
      proc(5, 0, 1, { name: 'sh' }),
    ];
    const { metrics } = computeProcesses(reading(named), previous, { ...BY_NAME, top: 1 }, CONTEXT);
    const top = metrics.filter((metric) => metric.measurement === 'procstat');
    expect(top.map((metric) => metric.tags)).toEqual([
      { host: 'h1', process_name: 'cc1' },
      { host: 'h1', process_name: 'node' },
      { host: 'h1', process_name: '_other' },
    ]);
    expect(numbers(top[1])).toMatchObject({
      cpu_usage: 60,
      memory_rss: 510 * 4096,
      num_threads: 2,
      processes: 2,
    });
    expect(numbers(top[2])).toMatchObject({ cpu_usage: 0, memory_rss: 301 * 4096, processes: 2 });
  });
});

/**
 * A busy host, from recorded-style readings: every 10 s, a steady set of daemons and a crowd of
 * short-lived commands with names never seen before, some of them busier than any daemon.
 */
describe('procstat series on a busy host', () => {
  const daemons = ['postgres', 'nginx', 'redis-server', 'node', 'java', 'sshd'];
  function busyReading(step: number): ProcessStat[] {
    const stats = daemons.map((name, i) =>
      proc(100 + i, step * 10 * (i + 1), 1000 * (i + 1), { name, startTicks: 1 }),
    );
    for (let k = 0; k < 40; k++) {
      const pid = 10_000 + step * 40 + k;
      // Each short-lived command used 2 s of CPU in its first 10 s: busier than most daemons.
      stats.push(proc(pid, 200, 50, { name: `job-${step}-${k}`, startTicks: pid }));
    }
    return stats;
  }
  function run(steps: number, options: typeof BY_NAME | typeof PER_PROCESS, expireAfterMs: number) {
    let state: ProcessesState | undefined;
    const seenAt: { series: string; step: number }[] = [];
    const seen = new Set<string>();
    for (let step = 0; step < steps; step++) {
      const r = { atMs: step * 10_000, processes: busyReading(step), details: new Map() };
      const computed = computeProcesses(
        r,
        state,
        { ...options, top: 5, names: false, expireAfterMs },
        CONTEXT,
      );
      state = computed.state;
      for (const metric of computed.metrics.filter((m: Metric) => m.measurement === 'procstat')) {
        const series = JSON.stringify(metric.tags);
        if (!seen.has(series)) seenAt.push({ series, step });
        seen.add(series);
      }
    }
    return seenAt;
  }

  it('adds no series after the first minute while no reported name has been idle for expireAfter', () => {
    // 5 minutes and 10 s: 31 readings.
    for (const options of [BY_NAME, PER_PROCESS]) {
      const seenAt = run(31, options, 600_000);
      expect(seenAt.filter((entry) => entry.step > 6)).toEqual([]);
      // At most 2 × top reported identities and the rest.
      expect(seenAt.length).toBeLessThanOrEqual(11);
    }
  });

  it('lets a newcomer take the place of one that left the top lists expireAfter ago', () => {
    // top 1: a roster of two. A (busiest) and B (largest) hold it; A exits at step 11 and C, as busy,
    // starts: C is reported once A has been out of the top lists for expireAfter (60 s).
    let state: ProcessesState | undefined;
    const firstSeen = new Map<string, number>();
    for (let step = 0; step < 30; step++) {
      const processes = [proc(2, 0, 5000, { name: 'B', startTicks: 1 })];
      if (step <= 10) processes.push(proc(1, step * 500, 10, { name: 'A', startTicks: 1 }));
      else processes.push(proc(3, (step - 10) * 500, 10, { name: 'C', startTicks: 1 }));
      const computed = computeProcesses(
        { atMs: step * 10_000, processes, details: new Map() },
        state,
        { ...BY_NAME, top: 1, expireAfterMs: 60_000 },
        CONTEXT,
      );
      state = computed.state;
      expect(state.roster.size).toBeLessThanOrEqual(2);
      for (const metric of computed.metrics.filter((m: Metric) => m.measurement === 'procstat')) {
        const name = metric.tags.process_name!;
        if (!firstSeen.has(name)) firstSeen.set(name, step);
      }
    }
    expect(firstSeen.get('A')).toBe(2); // in the top lists at steps 1 and 2
    expect(firstSeen.get('B')).toBe(2);
    // A was last in a top list at step 10 (100 s); it expires once more than 60 s have passed.
    expect(firstSeen.get('C')).toBe(17);
  });
});
