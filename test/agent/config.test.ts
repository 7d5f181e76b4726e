import { describe, expect, it } from 'vitest';
import { plannedCollectors } from '../../agents/host/collectors/index.js';
import { agentSchema } from '../../agents/host/config-schema.js';
import { parseConfig } from '../../config/load.js';
import { agentConfig } from './helpers.js';

const FACTS = { clockTicks: 100, pageSize: 4096, memTotal: 1e9, bootId: 'b' };

describe('agent configuration', () => {
  it('runs every collector by default, every 10 s with a 5 s timeout, and buffers an hour', () => {
    const config = agentConfig();
    expect(config).toMatchObject({ enabled: true, interval: 10_000, timeout: 5_000, buffer: 3_600_000 });
    const plan = plannedCollectors(config, FACTS);
    expect(plan.map((entry) => entry.collector.name)).toEqual([
      'system',
      'cpu',
      'mem',
      'disk',
      'diskio',
      'net',
      'temp',
      'processes',
    ]);
    expect(plan.every((entry) => entry.intervalMs === 10_000 && entry.timeoutMs === 5_000)).toBe(true);
  });

  it('turns collectors off and gives each its own interval and timeout', () => {
    const config = agentConfig({
      interval: '30s',
      mem: { interval: '1m' },
      disk: { timeout: '2s' },
      temp: { enabled: false },
      processes: { enabled: false },
    });
    const plan = new Map(plannedCollectors(config, FACTS).map((entry) => [entry.collector.name, entry]));
    expect([...plan.keys()]).not.toContain('temp');
    expect([...plan.keys()]).not.toContain('processes');
    expect(plan.get('mem')).toMatchObject({ intervalMs: 60_000, timeoutMs: 5_000 });
    expect(plan.get('disk')).toMatchObject({ intervalMs: 30_000, timeoutMs: 2_000 });
    expect(plan.get('cpu')).toMatchObject({ intervalMs: 30_000 });
  });

  it('refuses unknown keys, intervals below 100 ms and names that are not one topic level', () => {
    expect(agentSchema.safeParse({ cpu: { percore: true } }).success).toBe(false);
    expect(agentSchema.safeParse({ interval: '10ms' }).success).toBe(false);
    expect(agentSchema.safeParse({ name: 'web/1' }).success).toBe(false);
    expect(() => parseConfig({ agent: { net: { exclude: 'lo' } } })).toThrow(/agent\.net\.exclude/);
  });
});
