/**
 * What the agent publishes about a real host must make sense: percentages within 0..100, parts
 * within their whole, rates never negative. Shared by the in-process and the standalone tests.
 */
import os from 'node:os';
import { expect } from 'vitest';
import type { Metric } from '../../core/codecs/metric.js';
import { numbers } from './helpers.js';

const percentFields = /(^usage_|_percent$)/;

function checkPercentages(fields: Record<string, number>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (!percentFields.test(name)) continue;
    expect(value, name).toBeGreaterThanOrEqual(0);
    expect(value, name).toBeLessThanOrEqual(100);
  }
}

function checkRates(fields: Record<string, number>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (name.endsWith('_per_sec')) expect(value, name).toBeGreaterThanOrEqual(0);
  }
}

/** Checks every metric of one measurement as received; throws with the offending field's name. */
export function expectPlausible(measurement: string, metrics: Metric[], host: string): void {
  expect(metrics.length, measurement).toBeGreaterThan(0);
  // Owners are tags of single processes (groupBy: process), not of names summed.
  if (measurement === 'procstat' && metrics.some((metric) => metric.tags.process_id !== undefined))
    expect(metrics.some((metric) => metric.tags.user !== undefined)).toBe(true);
  for (const metric of metrics) {
    expect(metric.measurement).toBe(measurement);
    expect(metric.tags.host).toBe(host);
    const fields = numbers(metric);
    checkPercentages(fields);
    checkRates(fields);
    switch (measurement) {
      case 'system':
        expect(fields.n_cpus).toBe(os.cpus().length);
        expect(fields.uptime).toBeGreaterThan(0);
        expect(fields.n_processes).toBeGreaterThan(0);
        expect(fields.load1).toBeGreaterThanOrEqual(0);
        break;
      case 'mem':
        expect(fields.total).toBe(os.totalmem());
        expect(fields.used!).toBeLessThanOrEqual(fields.total!);
        expect(fields.available!).toBeLessThanOrEqual(fields.total!);
        expect(fields.free!).toBeLessThanOrEqual(fields.total!);
        break;
      case 'swap':
      case 'disk':
        expect(fields.used!).toBeLessThanOrEqual(fields.total!);
        expect(fields.free!).toBeLessThanOrEqual(fields.total!);
        if (fields.inodes_total !== undefined)
          expect(fields.inodes_used!).toBeLessThanOrEqual(fields.inodes_total);
        break;
      case 'cpu':
        expect(Object.keys(fields)).toEqual(
          expect.arrayContaining(['usage_user', 'usage_idle', 'usage_iowait']),
        );
        break;
      case 'net':
        expect(metric.tags.interface).not.toBe('lo');
        break;
      case 'processes':
        expect(fields.total).toBeGreaterThan(0);
        expect(fields.running! + fields.sleeping! + fields.blocked! + fields.zombies!).toBeLessThanOrEqual(
          fields.total!,
        );
        break;
      case 'procstat':
        if (metric.tags.process_id !== undefined)
          expect(metric.tags.process_id).toMatch(/^([0-9a-f]{16}|_other)$/);
        else expect(metric.tags.process_name).toMatch(/^.+$/);
        // A process that exits between its stat and its owner lookup has no user tag; others do.
        if (metric.tags.user !== undefined) expect(metric.tags.user).not.toBe('');
        expect(fields.cpu_usage).toBeGreaterThanOrEqual(0);
        expect(fields.memory_rss).toBeGreaterThanOrEqual(0);
        expect(fields.num_threads).toBeGreaterThanOrEqual(1);
        break;
    }
  }
}

/** Measurements every Linux host publishes (temp only where it has sensors). */
export const HOST_MEASUREMENTS = [
  'system',
  'cpu',
  'mem',
  'swap',
  'disk',
  'diskio',
  'net',
  'processes',
  'procstat',
  'agent',
  'agent_collector',
] as const;
