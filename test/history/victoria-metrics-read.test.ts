/**
 * History read from VictoriaMetrics (`history.read: victoriametrics:influxdb1`) through its
 * Prometheus query API: one busbar keeps its embedded store and writes line protocol to a real
 * VictoriaMetrics with its InfluxDB 1.x sink (/write?db=); another, without a history file, reads
 * it back. The web API, GRAPH and STATUS answer as the embedded store's; alarm seeding's buckets
 * are the store's rollups.
 *
 * What may differ, and why (besides what same-charts.test.ts lists):
 * - types: VictoriaMetrics keeps numbers only, so every series reads as `float` (an integer field
 *   too; booleans as 1 and 0). Text fields are not published here: VictoriaMetrics stores them as 0.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedHistory } from '../../history/embedded.js';
import { VictoriaMetricsHistory } from '../../history/victoria-metrics.js';
import { startVictoriaMetrics, type VictoriaMetricsServer } from '../helpers/victoria-metrics.js';
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

let vm: VictoriaMetricsServer;
let pair: BusbarPair;

interface Listed {
  name: string;
  type: string;
}

/** Series as VictoriaMetrics can tell them: all numbers. */
const asFloats = <T extends { series: Listed }>(list: T[]): T[] =>
  list.map((one) => ({ ...one, series: { ...one.series, type: 'float' } }));

/** A reader as `history.read: victoriametrics:influxdb1` opens it (a new one: no listing kept). */
const vmReader = () =>
  new VictoriaMetricsHistory({
    sink: 'influxdb1',
    url: vm.url,
    database: 'metrics',
    sourceTag: 'source',
    measurementSeparator: '_',
    timeoutMs: 10_000,
  });

beforeAll(async () => {
  vm = await startVictoriaMetrics();
  pair = await startPair({
    published: publishedLines({ text: false }),
    read: 'victoriametrics:influxdb1',
    sinks: influxdb1Sink(() => vm.url),
  });
});

afterAll(async () => {
  await pair?.stop();
  await vm?.stop();
});

describe('history read from VictoriaMetrics gives the chart data of the embedded store', () => {
  it('the reading busbar has no history file', () => {
    expect(existsSync(pair.remoteHistoryPath)).toBe(false);
  });

  it('lists the same series, measurement and field split from `<measurement>_<field>`, db left out', async () => {
    const [a, b] = await both<Listed[]>(pair, '/api/series');
    expect(a.map((one) => one.type)).toEqual([
      'boolean',
      'boolean',
      'float',
      'float',
      'float',
      'float',
      'integer',
      'float',
    ]);
    expect(b).toEqual(a.map((one) => ({ ...one, type: 'float' })));
    const [sourcesA, sourcesB] = await both(pair, '/api/sources');
    expect(sourcesB).toEqual(sourcesA);
  });

  it('gives the same latest values, with their times', async () => {
    const [a, b] = await both<{ series: Listed }[]>(pair, '/api/latest?pattern=*');
    expect(a).toHaveLength(8);
    expect(b).toEqual(asFloats(a));
  });

  it('gives the same raw points, the gap included', async () => {
    const [a, b] = await both<Bucketed[]>(pair, `/api/range?pattern=*&from=${START}&to=${END}&points=2000`);
    expect(a.map((one) => one.source)).toEqual(Array(8).fill('raw'));
    const web1 = b.find((one) => one.series.name.startsWith('web1/cpu/usage_idle'))!;
    const inGap = web1.points.filter((p) => p.time >= START + 60 * MINUTE && p.time < START + 90 * MINUTE);
    expect([web1.points.length, inGap.length]).toEqual([120, 0]);
    expect(b).toEqual(asFloats(a));
    // A window that starts and ends on points holds both.
    const from = START + 10 * MINUTE;
    const to = START + 20 * MINUTE;
    const [edgeA, edgeB] = await both<Bucketed[]>(
      pair,
      `/api/range?pattern=${encodeURIComponent('web1/cpu/usage_idle')}&from=${from}&to=${to}`,
    );
    expect(edgeB[0]!.points.map((p) => p.time)).toEqual(edgeA[0]!.points.map((p) => p.time));
    expect(edgeB[0]!.points).toHaveLength(11);
  });

  it('gives the same buckets (booleans too: both average 1 and 0)', async () => {
    for (const points of [10, 50, 500]) {
      const [a, b] = await both<Bucketed[]>(
        pair,
        `/api/range?pattern=*&from=${START}&to=${END}&points=${points}`,
      );
      expect(a.filter((one) => one.bucketMs > 0).length).toBeGreaterThan(0);
      expectSameBuckets(a, b);
    }
  });

  it('draws the same GRAPH, raw and bucketed, and STATUS tells the same values', async () => {
    await expectSameBotAnswers(
      pair,
      ['web1 cpu', 'web2 cpu', 'pdu1 watts'],
      ['web1', 'pdu1 watts', 'web2 cpu'],
    );
  });

  it("gives alarm seeding the store's 1-minute and 1-hour rollups", async () => {
    const embedded = new EmbeddedHistory(pair.embeddedHistoryPath);
    const remote = vmReader();
    try {
      for (const pattern of ['web1/cpu/usage_idle', 'web2/cpu/usage_idle', 'pdu1/power/watts*']) {
        for (const [width, from] of [
          ['1m', START],
          ['1h', START - 60 * MINUTE],
        ] as const) {
          const [a, b] = [await embedded.series(pattern), await remote.series(pattern)];
          expect(b.map((one) => one.name)).toEqual(a.map((one) => one.name));
          for (const [i, series] of a.entries()) {
            const expected = await embedded.summaries(series, width, from, END);
            expect(expected.length).toBeGreaterThan(0);
            const got = await remote.summaries(b[i]!, width, from, END);
            const withoutSum = ({ time, min, max, count }: (typeof got)[number]) => ({
              time,
              min,
              max,
              count,
            });
            expect(got.map(withoutSum)).toEqual(expected.map(withoutSum));
            got.forEach((bucket, j) => expect(bucket.sum).toBeCloseTo(expected[j]!.sum, 9));
          }
        }
      }
    } finally {
      embedded.close();
    }
  });
});

/**
 * `read()` again every 200 ms, for up to 10 s, until it finds something: a new series becomes
 * searchable up to about a second after it was written.
 */
async function untilFound<T>(read: () => Promise<T[]>): Promise<T[]> {
  let found = await read();
  for (let i = 0; i < 50 && found.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    found = await read();
  }
  return found;
}

describe('series VictoriaMetrics got from other clients', () => {
  it('reads a metric name without the separator as its measurement, field `value`', async () => {
    // Prometheus text format, as an exporter's scrape would bring it.
    const at = START + 5 * MINUTE;
    const imported = await fetch(`${vm.url}/api/v1/import/prometheus`, {
      method: 'POST',
      body: `up{source="h9",db="metrics",job="node"} 1 ${at}\n`,
    });
    expect(imported.status).toBe(204);
    await fetch(`${vm.url}/internal/force_flush`).then((response) => response.body?.cancel());
    const ranges = await untilFound(() => vmReader().range('h9/*', { from: START, to: END }));
    expect(ranges.map(({ series, points }) => [series.name, points])).toEqual([
      ['h9/up/value{job=node}', [{ time: at, value: 1 }]],
    ]);
  });

  it('lists a series last written days ago (VictoriaMetrics lists only the current UTC day unless asked)', async () => {
    const at = Math.floor(Date.now() / MINUTE) * MINUTE - 3 * 24 * 60 * MINUTE;
    const imported = await fetch(`${vm.url}/api/v1/import/prometheus`, {
      method: 'POST',
      body: `old_watts{source="h8",db="metrics"} 7 ${at}\n`,
    });
    expect(imported.status).toBe(204);
    await fetch(`${vm.url}/internal/force_flush`).then((response) => response.body?.cancel());
    const listed = await untilFound(() => vmReader().series('h8/*'));
    expect(listed.map((one) => one.name)).toEqual(['h8/old/watts']);
    const [latest] = await vmReader().latest('h8/*');
    expect(latest).toMatchObject({ time: at, value: 7 });
  });
});

describe('VictoriaMetrics unreachable', () => {
  it('the web answers 503 naming it', async () => {
    await vm.kill();
    try {
      const response = await fetch(`${pair.remote.base}/api/series`, {
        headers: { authorization: 'Bearer read-token-0123456789abcdef' },
      });
      expect(response.status).toBe(503);
      expect(await response.text()).toMatch(/victoriametrics:influxdb1.*does not answer/);
    } finally {
      await vm.restart();
    }
  });
});
