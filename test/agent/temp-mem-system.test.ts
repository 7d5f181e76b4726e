/** The collectors without counters: temperatures (absent sensors), memory and swap, system. */
import { describe, expect, it } from 'vitest';
import { computeMem } from '../../agents/host/collectors/mem.js';
import { computeSystem } from '../../agents/host/collectors/system.js';
import { computeTemp } from '../../agents/host/collectors/temp.js';
import { CONTEXT, numbers, tagged } from './helpers.js';

describe('temp collector', () => {
  it('publishes nothing on a host without sensors (as systeminformation reports this VM)', () => {
    const reading = { main: null, cores: [], max: null, socket: [], chipset: null };
    expect(computeTemp(reading, CONTEXT).metrics).toEqual([]);
  });

  it('publishes the sensors that exist and leaves the missing ones out, never as 0', () => {
    const { metrics } = computeTemp({ main: null, cores: [41.5, 43], socket: [], chipset: 52 }, CONTEXT);
    expect(metrics.map((metric) => metric.tags.sensor)).toEqual(['core0', 'core1', 'chipset']);
    expect(numbers(tagged(metrics, 'sensor', 'core1'))).toEqual({ temp: 43 });
    expect(metrics.every((metric) => metric.tags.host === 'h1')).toBe(true);
  });
});

describe('mem collector', () => {
  const reading = {
    total: 8_000_000_000,
    free: 1_000_000_000,
    available: 6_000_000_000,
    buffers: 100_000_000,
    cached: 3_000_000_000,
    swapTotal: 0,
    swapUsed: 0,
    swapFree: 0,
  };

  it('counts used as total − available (cache is not used memory), with percentages', () => {
    const { metrics } = computeMem(reading, CONTEXT);
    const mem = numbers(metrics.find((metric) => metric.measurement === 'mem'));
    expect(mem).toMatchObject({ total: 8e9, used: 2e9, free: 1e9, available: 6e9, used_percent: 25 });
    expect(mem.used!).toBeLessThanOrEqual(mem.total!);
  });

  it('has swap sizes but no swap percentage on a host without swap', () => {
    const swap = computeMem(reading, CONTEXT).metrics.find((metric) => metric.measurement === 'swap');
    expect(numbers(swap)).toEqual({ total: 0, used: 0, free: 0 });
    const withSwap = computeMem({ ...reading, swapTotal: 4e9, swapUsed: 1e9, swapFree: 3e9 }, CONTEXT);
    expect(numbers(withSwap.metrics.find((metric) => metric.measurement === 'swap')).used_percent).toBe(25);
  });
});

describe('system collector', () => {
  it("writes Telegraf's system fields, integers where they count", () => {
    const reading = {
      load1: 0.5,
      load5: 0.25,
      load15: 0.1,
      uptimeSeconds: 3600.7,
      cpus: 4,
      users: 2,
      processes: 180,
    };
    const [metric] = computeSystem(reading, CONTEXT).metrics;
    expect(metric?.fields).toEqual({
      load1: { type: 'float', value: 0.5 },
      load5: { type: 'float', value: 0.25 },
      load15: { type: 'float', value: 0.1 },
      uptime: { type: 'integer', value: 3600n },
      n_cpus: { type: 'integer', value: 4n },
      n_users: { type: 'integer', value: 2n },
      n_processes: { type: 'integer', value: 180n },
    });
    const unknown = computeSystem({ ...reading, users: undefined }, CONTEXT).metrics[0];
    expect(unknown?.fields).not.toHaveProperty('n_users');
  });
});
