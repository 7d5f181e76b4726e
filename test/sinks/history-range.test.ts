import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planRange } from '../../sinks/history/resolution.js';
import {
  DAY_MS,
  DEFAULT_RETENTION,
  historyFixture,
  HOUR_MS,
  MINUTE_MS,
  type HistoryFixture,
} from './history-fixture.js';

const NOW = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
const US = 1000;

describe('range resolution plan', () => {
  const plan = (fromMs: number, toMs: number): ReturnType<typeof planRange> =>
    planRange(fromMs * US, toMs * US, 1000, DEFAULT_RETENTION, NOW * US);

  it('reads raw points for recent spans, in buckets of a readable width', () => {
    expect(plan(NOW - HOUR_MS, NOW)).toEqual({ table: 'points', bucketUs: 5_000_000 });
    expect(plan(NOW - 10 * MINUTE_MS, NOW)).toEqual({ table: 'points', bucketUs: 1_000_000 });
  });

  it('reads 1-minute rollups for spans of days, 1-hour rollups for months and years', () => {
    expect(plan(NOW - DAY_MS, NOW)).toEqual({ table: 'rollup_1m', bucketUs: 2 * MINUTE_MS * US });
    expect(plan(NOW - 30 * DAY_MS, NOW)).toEqual({ table: 'rollup_1h', bucketUs: HOUR_MS * US });
    expect(plan(NOW - 730 * DAY_MS, NOW)).toEqual({ table: 'rollup_1h', bucketUs: DAY_MS * US });
  });

  it('falls back to the finest table that still covers the start of the range', () => {
    // One hour, three days ago: raw points are gone (48 h), 1-minute rollups remain.
    expect(plan(NOW - 3 * DAY_MS, NOW - 3 * DAY_MS + HOUR_MS)).toEqual({
      table: 'rollup_1m',
      bucketUs: MINUTE_MS * US,
    });
    expect(plan(NOW - 60 * DAY_MS, NOW - 60 * DAY_MS + HOUR_MS)).toEqual({
      table: 'rollup_1h',
      bucketUs: HOUR_MS * US,
    });
  });
});

describe('range queries', () => {
  let store: HistoryFixture;
  beforeEach(async () => {
    store = await historyFixture();
  });
  afterEach(async () => {
    await store.close();
  });

  /** One point per `stepMs` from `fromMs` (exclusive of `toMs`), value = seconds since `fromMs`. */
  function series(source: string, fromMs: number, toMs: number, stepMs: number): void {
    const lines: string[] = [];
    for (let t = fromMs; t < toMs; t += stepMs) lines.push(`m v=${(t - fromMs) / 1000} ${t}`);
    store.write(source, lines.join('\n'));
  }

  it('returns raw points when there are at most maxPoints of them', () => {
    series('s', NOW - HOUR_MS, NOW, 60_000);
    const [result] = store.reader().range('s/m/v', { from: NOW - HOUR_MS, to: NOW });
    expect(result).toMatchObject({ source: 'raw', bucketMs: 0 });
    expect(result!.points).toHaveLength(60);
    expect(result!.points[1]).toEqual({ time: NOW - HOUR_MS + 60_000, value: 60 });
  });

  it('aggregates raw points into buckets when there are more: at most maxPoints per series', () => {
    series('s', NOW - HOUR_MS, NOW, 1000); // 3,600 points
    const [result] = store.reader().range('s/*', { from: NOW - HOUR_MS, to: NOW - 1 });
    expect(result).toMatchObject({ source: 'points', bucketMs: 5000 });
    expect(result!.points).toHaveLength(720);
    expect(result!.points[0]).toEqual({ time: NOW - HOUR_MS, value: 2, min: 0, max: 4, count: 5 });
    const small = store.reader().range('s/*', { from: NOW - HOUR_MS, to: NOW, maxPoints: 10 })[0]!;
    expect(small.points.length).toBeLessThanOrEqual(10);
  });

  it('reads 1-minute rollups once raw points are past their retention', () => {
    const start = NOW - 3 * DAY_MS;
    series('s', start, start + HOUR_MS, 10_000); // 6 points a minute
    const [result] = store.reader().range('s/m/v', { from: start, to: start + HOUR_MS - 1 });
    expect(result).toMatchObject({ source: 'rollup_1m', bucketMs: MINUTE_MS });
    expect(result!.points).toHaveLength(60);
    expect(result!.points[1]).toEqual({ time: start + MINUTE_MS, value: 85, min: 60, max: 110, count: 6 });
  });

  it('reads 1-hour rollups for long spans, averaging by count across hours', () => {
    const start = Math.floor((NOW - 40 * DAY_MS) / DAY_MS) * DAY_MS;
    series('s', start, start + 2 * DAY_MS, 10 * MINUTE_MS);
    const [result] = store
      .reader()
      .range('s/m/v', { from: start, to: start + 2 * DAY_MS - 1, maxPoints: 25 });
    expect(result).toMatchObject({ source: 'rollup_1h', bucketMs: 2 * HOUR_MS });
    expect(result!.points).toHaveLength(24);
    expect(result!.points[0]).toMatchObject({ time: start, min: 0, max: 6600, count: 12 });
    expect(result!.points[0]!.value).toBeCloseTo(3300);
  });

  it('returns string series as raw values, never averaged', () => {
    store.write(
      's',
      Array.from({ length: 50 }, (_, i) => `m state="s${i}" ${NOW - HOUR_MS + i * 1000}`).join('\n'),
    );
    const [result] = store.reader().range('s/m/state', { from: NOW - HOUR_MS, to: NOW, maxPoints: 20 });
    expect(result).toMatchObject({ source: 'raw' });
    expect(result!.points).toHaveLength(20);
    expect(result!.points[0]!.value).toBe('s0');
  });
});
