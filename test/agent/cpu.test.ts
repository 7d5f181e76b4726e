import { describe, expect, it } from 'vitest';
import { computeCpu, type CpuState } from '../../agents/host/collectors/cpu.js';
import type { CpuReading, CpuTimes } from '../../agents/host/readings.js';
import { parseProcStat } from '../../agents/host/linux/proc-stat.js';
import { PROC_STAT } from './fixtures/proc.js';
import { CONTEXT, numbers, tagged } from './helpers.js';

const first: CpuReading = { atMs: 0, ...parseProcStat(PROC_STAT) };

function advance(times: CpuTimes, by: Partial<CpuTimes>): CpuTimes {
  const next = { ...times };
  for (const [key, value] of Object.entries(by) as [keyof CpuTimes, number][]) next[key] += value;
  return next;
}

function later(by: Partial<CpuTimes>, coreBy: Partial<CpuTimes> = by): CpuReading {
  return {
    atMs: 10_000,
    total: advance(first.total, by),
    cores: first.cores.map((core) => ({ name: core.name, times: advance(core.times, coreBy) })),
  };
}

function primed(perCore = false): CpuState {
  const result = computeCpu(first, undefined, { perCore }, CONTEXT);
  expect(result.metrics).toEqual([]); // the first reading only primes
  return result.state;
}

describe('cpu collector, on recorded /proc/stat readings', () => {
  it('gives each state its share of the elapsed ticks, and usage_active = 100 − idle', () => {
    const reading = later({ user: 300, system: 100, idle: 500, iowait: 50, softirq: 30, steal: 20 });
    const { metrics } = computeCpu(reading, primed(), { perCore: false }, CONTEXT);
    expect(metrics).toHaveLength(1);
    expect(metrics[0]?.tags).toEqual({ host: 'h1', cpu: 'cpu-total' });
    expect(metrics[0]?.timestamp).toBe(CONTEXT.timestamp);
    const fields = numbers(metrics[0]);
    expect(fields).toMatchObject({
      usage_user: 30,
      usage_system: 10,
      usage_idle: 50,
      usage_iowait: 5,
      usage_softirq: 3,
      usage_steal: 2,
      usage_nice: 0,
      usage_irq: 0,
      usage_active: 50,
    });
  });

  it('does not count guest time twice (the kernel includes it in user)', () => {
    const { metrics } = computeCpu(
      later({ user: 100, guest: 40, idle: 100 }),
      primed(),
      { perCore: false },
      CONTEXT,
    );
    expect(numbers(metrics[0])).toMatchObject({ usage_user: 50, usage_guest: 20, usage_idle: 50 });
  });

  it('never goes below 0 or above 100 when a counter runs backwards (iowait may, per proc(5))', () => {
    const { metrics } = computeCpu(
      later({ user: 10, idle: 90, iowait: -100 }),
      primed(),
      { perCore: false },
      CONTEXT,
    );
    const fields = numbers(metrics[0]);
    expect(fields.usage_iowait).toBe(0);
    for (const value of Object.values(fields)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(100);
    }
  });

  it('publishes nothing when no tick elapsed', () => {
    expect(computeCpu(later({}), primed(), { perCore: false }, CONTEXT).metrics).toEqual([]);
  });

  it('adds one line per core when perCore is on; a core that just came online waits a reading', () => {
    const reading = later({ user: 20, idle: 20 }, { user: 10, idle: 10 });
    reading.cores.push({ name: 'cpu2', times: first.cores[0]!.times });
    const { metrics, state } = computeCpu(reading, primed(true), { perCore: true }, CONTEXT);
    expect(metrics.map((metric) => metric.tags.cpu)).toEqual(['cpu-total', 'cpu0', 'cpu1']);
    expect(numbers(tagged(metrics, 'cpu', 'cpu1'))).toMatchObject({ usage_user: 50, usage_idle: 50 });
    expect(state.cores.has('cpu2')).toBe(true);
  });
});
