/**
 * The same chart data from anywhere: one busbar keeps history in its embedded store and writes it
 * to a real influxd with its InfluxDB 1.x sink; a second busbar, with no history file of its own,
 * reads it from influxd only. Their web APIs and bots answer alike: series, sources, latest values,
 * raw ranges, buckets, GRAPH's chart (the same PNG bytes) and STATUS.
 *
 * What may differ, and why:
 * - series ids: the embedded store's are its table's, InfluxDB's are places in a sorted listing;
 * - where buckets come from (`source`): the embedded store names its rollup table, InfluxDB buckets
 *   raw points; the buckets are the same;
 * - a bucket's mean, within rounding: SQLite and InfluxDB add the same values in another order;
 * - booleans in buckets: the embedded store averages them as 0 and 1, InfluxQL refuses to, so the
 *   InfluxDB reader keeps them raw;
 * - STATUS's ages and the order of tags in its labels (two-busbars.ts: comparableStatus).
 * Nothing here reaches past the embedded store's raw retention (48 h), where it would read its
 * rollups: there a first bucket may start before `from`, which InfluxQL's WHERE cuts off.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type InfluxServer } from '../helpers/influxdb.js';
import {
  END,
  MINUTE,
  START,
  both,
  expectSameBotAnswers,
  expectSameBuckets,
  influxdb1Sink,
  publishedLines,
  startPair,
  type Bucketed,
  type BusbarPair,
} from './two-busbars.js';

let influx: InfluxServer;
let pair: BusbarPair;

beforeAll(async () => {
  influx = await startInfluxd();
  await influx.query('CREATE DATABASE metrics');
  pair = await startPair({
    published: publishedLines({ text: true }),
    read: 'influx:influxdb1',
    sinks: influxdb1Sink(() => influx.url),
  });
});

afterAll(async () => {
  await pair?.stop();
  await influx?.stop();
});

describe('history read from influxd gives the chart data of the embedded store', () => {
  it('the reading busbar has no history file (nor an outbox)', () => {
    expect(existsSync(pair.remoteHistoryPath)).toBe(false);
    expect(existsSync(pair.remoteOutboxPath)).toBe(false);
  });

  it('lists the same series and sources, the source from the topic even without a host tag', async () => {
    const [a, b] = await both<{ name: string }[]>(pair, '/api/series');
    expect(a.map((one) => one.name)).toEqual([
      'pdu1/power/on{outlet=1,pdu=pdu1}',
      'pdu1/power/on{outlet=2,pdu=pdu1}',
      'pdu1/power/watts{outlet=1,pdu=pdu1}',
      'pdu1/power/watts{outlet=2,pdu=pdu1}',
      'web1/cpu/usage_idle{cpu=cpu-total,host=web1}',
      'web1/cpu/usage_user{cpu=cpu-total,host=web1}',
      'web1/mem/used{host=web1}',
      'web1/svc/state{host=web1,unit=web}',
      'web2/cpu/usage_idle{cpu=cpu0,host=web2}',
    ]);
    // Measurement, field, tags and type too.
    expect(b).toEqual(a);
    const [sourcesA, sourcesB] = await both(pair, '/api/sources');
    expect(sourcesB).toEqual(sourcesA);
  });

  it('gives the same latest values, with their times', async () => {
    const [a, b] = await both<unknown[]>(pair, '/api/latest?pattern=*');
    expect(a).toHaveLength(9);
    expect(b).toEqual(a);
  });

  it('gives the same raw points, the gap included', async () => {
    const [a, b] = await both<Bucketed[]>(pair, `/api/range?pattern=*&from=${START}&to=${END}&points=2000`);
    expect(a.map((one) => one.source)).toEqual(Array(9).fill('raw'));
    const web1 = a.find((one) => one.series.name.startsWith('web1/cpu/usage_idle'))!;
    expect(web1.points).toHaveLength(120);
    // No point between minute 60 and 90.
    const inGap = web1.points.filter((p) => p.time >= START + 60 * MINUTE && p.time < START + 90 * MINUTE);
    expect(inGap).toEqual([]);
    expect(b).toEqual(a);
  });

  it('gives the same buckets: times, counts, min and max exactly, means within rounding', async () => {
    for (const points of [10, 50, 500]) {
      const [a, b] = await both<Bucketed[]>(
        pair,
        `/api/range?pattern=*&from=${START}&to=${END}&points=${points}`,
      );
      const numeric = (ranges: Bucketed[]) => ranges.filter((one) => one.series.type !== 'boolean');
      expect(numeric(a).filter((one) => one.bucketMs > 0).length).toBeGreaterThan(0);
      expectSameBuckets(numeric(a), numeric(b));
      // InfluxDB's booleans: raw, cut at the points asked for.
      for (const one of b.filter((range) => range.series.type === 'boolean'))
        expect([one.source, one.points.length]).toEqual(['raw', Math.min(12, points)]);
    }
  });

  it('draws the same GRAPH, raw and bucketed, and STATUS tells the same values', async () => {
    await expectSameBotAnswers(pair, ['web1 cpu', 'web2 cpu', 'pdu1 watts'], ['web1', 'pdu1', 'web2 cpu']);
  });
});
