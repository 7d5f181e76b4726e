/**
 * The same chart data from anywhere: one busbar keeps history in its embedded store and writes it
 * to a real influxd with its InfluxDB sink; a second busbar, with no history file of its own, reads
 * it from influxd only. Their web APIs and bots answer alike: series, sources, latest values, raw
 * ranges, buckets, GRAPH's chart and STATUS.
 *
 * What may differ, and why:
 * - series ids: the embedded store's are its table's, InfluxDB's are places in a sorted listing;
 * - where buckets come from (`source`): the embedded store names its rollup table, InfluxDB buckets
 *   raw points (`points`); the buckets are the same;
 * - a bucket's mean, within rounding: SQLite and InfluxDB add the same values in another order;
 * - booleans in buckets: the embedded store averages them as 0 and 1, InfluxQL refuses to, so the
 *   InfluxDB reader keeps them raw;
 * - STATUS's ages ("5m 12s ago"): each bot counts from the moment it answers;
 * - the order of tags in STATUS's labels: the embedded store keeps the publisher's, InfluxDB's
 *   answers sort them.
 * Nothing here reaches past the embedded store's raw retention (48 h), where it would read its
 * rollups: there a first bucket may start before `from`, which InfluxQL's WHERE cuts off.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../config/schema.js';
import { FakeBotApi, type BotApiCall } from '../helpers/fake-bot-api.js';
import { startInfluxd, type InfluxServer } from '../helpers/influxdb.js';
import { Clients, delay } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { askBot } from './bot-reply.js';
import { OPS_CHAT, TOKEN } from '../notifiers/bot-harness.js';
import { READ_TOKEN, bearer, startWebBusbar, webUsers, type WebBusbar } from '../web/web-fixture.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Whole minutes, so that buckets of any width start on the same times in both stores. */
const START = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const END = START + 3 * HOUR;

/** What is published: [topic source, measurement, lines]. Values are exact in binary. */
function published(): [string, string, string[]][] {
  const ns = (ms: number): string => `${BigInt(ms) * 1_000_000n}`;
  const web1: string[] = [];
  // Two fields a minute apart, with a half-hour gap from 60 to 90 minutes.
  for (let m = 0; m < 150; m++) {
    if (m >= 60 && m < 90) continue;
    web1.push(
      `cpu,host=web1,cpu=cpu-total usage_idle=${50 + (m % 7)},usage_user=${m % 5}.5 ${ns(START + m * MINUTE)}`,
    );
  }
  // Denser than a chart is wide (800): GRAPH draws buckets of it.
  const web2: string[] = [];
  for (let i = 0; i < 1_500; i++)
    web2.push(`cpu,host=web2,cpu=cpu0 usage_idle=${i % 40} ${ns(START + i * 5 * SECOND)}`);
  // No host tag (a PDU polled over SNMP): the topic's source is all that says where it is from.
  const pdu: string[] = [];
  for (let m = 0; m < 120; m += 10) {
    for (const outlet of [1, 2])
      pdu.push(`power,pdu=pdu1,outlet=${outlet} watts=${200 + m + outlet},on=true ${ns(START + m * MINUTE)}`);
  }
  const mem = [0, 30, 60].map((m) => `mem,host=web1 used=${1_000 + m}i ${ns(START + m * MINUTE)}`);
  const svc = [`svc,host=web1,unit=web state="up" ${ns(START + 100 * MINUTE)}`];
  return [
    ['web1', 'cpu', web1],
    ['web2', 'cpu', web2],
    ['pdu1', 'power', pdu],
    ['web1', 'mem', mem],
    ['web1', 'svc', svc],
  ];
}

let influx: InfluxServer;
let dir: Awaited<ReturnType<typeof tempDir>>;
let embedded: WebBusbar;
let remote: WebBusbar;
const apis: { embedded?: FakeBotApi; remote?: FakeBotApi } = {};
const clients = new Clients();
/** The history file the reading busbar would have: it must never exist. */
let remoteHistoryPath: string;

const sink = (durable: boolean, outbox: string) => ({
  url: influx.url,
  database: 'metrics',
  durable,
  outboxPath: `${dir.path}/${outbox}`,
  flushInterval: '50ms',
  retryDelay: '50ms',
  maxRetryDelay: '200ms',
});

const bot = (api: FakeBotApi, state: string): ConfigInput => ({
  notifiers: {
    enabled: true,
    bot: {
      enabled: true,
      token: TOKEN,
      apiRoot: api.url,
      allow: { chats: [OPS_CHAT.id] },
      statePath: `${dir.path}/${state}`,
      pollTimeout: '2s',
    },
  },
});

async function json<T>(busbar: WebBusbar, path: string): Promise<T> {
  const response = await fetch(`${busbar.base}${path}`, { headers: bearer(READ_TOKEN) });
  const text = await response.text();
  expect(response.status, `${path}: ${text}`).toBe(200);
  return JSON.parse(text) as T;
}

/** The same API read from both busbars, series ids left out. */
async function both<T>(path: string): Promise<[T, T]> {
  const withoutIds = (value: unknown): T =>
    JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === 'id' ? undefined : inner))) as T;
  const [a, b] = await Promise.all([json<T>(embedded, path), json<T>(remote, path)]);
  return [withoutIds(a), withoutIds(b)];
}

async function askBoth(text: string): Promise<[BotApiCall, BotApiCall]> {
  return Promise.all([askBot(apis.embedded!, text), askBot(apis.remote!, text)]);
}

beforeAll(async () => {
  [influx, dir, apis.embedded, apis.remote] = await Promise.all([
    startInfluxd(),
    tempDir('same-charts'),
    FakeBotApi.start({ token: TOKEN }),
    FakeBotApi.start({ token: TOKEN }),
  ]);
  await influx.query('CREATE DATABASE metrics');
  remoteHistoryPath = `${dir.path}/remote-history.db`;
  const common: ConfigInput = {
    ...(await webUsers()),
    agent: { enabled: false },
    alarms: { defaults: false },
  };
  // History embedded (the default), and written to influxd by the InfluxDB 1.x sink.
  embedded = await startWebBusbar({
    ...common,
    sinks: { history: { path: `${dir.path}/history.db` }, influxdb1: sink(true, 'outbox.db') },
    ...bot(apis.embedded, 'bot-embedded.json'),
  });
  const device = await clients.connect(embedded.busbar.url, {
    username: 'admin',
    password: 'admin-password',
  });
  let total = 0;
  for (const [source, measurement, lines] of published()) {
    total += lines.length;
    for (let i = 0; i < lines.length; i += 200) {
      await device.publishAsync(
        `busbar/metrics/${source}/${measurement}`,
        lines.slice(i, i + 200).join('\n'),
        {
          qos: 1,
        },
      );
    }
  }
  // Both stores hold every point before anything is compared.
  const inInflux = async (): Promise<number> => {
    let rows = 0;
    for (const measurement of ['cpu', 'power', 'mem', 'svc'])
      rows += (await influx.rows('metrics', measurement).catch(() => [])).length;
    return rows;
  };
  const inEmbedded = async (): Promise<number> => {
    const ranges = await json<{ points: unknown[]; series: { field: string } }[]>(
      embedded,
      `/api/range?pattern=*&from=${START}&to=${END}&points=100000`,
    );
    // A line of two fields is one InfluxDB row: count the rows by one field of each measurement.
    return ranges
      .filter((one) => one.series.field !== 'usage_user' && one.series.field !== 'on')
      .reduce((sum, one) => sum + one.points.length, 0);
  };
  for (let i = 0; i < 600 && ((await inInflux()) < total || (await inEmbedded()) < total); i++)
    await delay(100);
  expect([await inInflux(), await inEmbedded()]).toEqual([total, total]);

  // The reading machine: no history store, its sink in memory only, history read from influxd.
  remote = await startWebBusbar({
    ...common,
    sinks: { history: { enabled: false, path: remoteHistoryPath }, influxdb1: sink(false, 'unused.db') },
    history: { read: 'influx:influxdb1' },
    ...bot(apis.remote, 'bot-remote.json'),
  });
  await Promise.all(
    [apis.embedded, apis.remote].map((api) =>
      api.waitForCall((call) => call.method === 'getUpdates', 'the bot polling', 15_000),
    ),
  );
});

afterAll(async () => {
  await clients.closeAll();
  await remote?.stop();
  await embedded?.stop();
  await apis.embedded?.close();
  await apis.remote?.close();
  await influx?.stop();
  await dir?.remove();
});

describe('history read from influxd gives the chart data of the embedded store', () => {
  it('the reading busbar has no history file', () => {
    expect(existsSync(remoteHistoryPath)).toBe(false);
    expect(existsSync(`${dir.path}/unused.db`)).toBe(false);
  });

  it('lists the same series and sources, the source from the topic even without a host tag', async () => {
    const [a, b] = await both<{ name: string }[]>('/api/series');
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
    const [sourcesA, sourcesB] = await both('/api/sources');
    expect(sourcesB).toEqual(sourcesA);
  });

  it('gives the same latest values, with their times', async () => {
    const [a, b] = await both<unknown[]>('/api/latest?pattern=*');
    expect(a).toHaveLength(9);
    expect(b).toEqual(a);
  });

  it('gives the same raw points, the gap included', async () => {
    const [a, b] = await both<{ series: { name: string }; source: string; points: { time: number }[] }[]>(
      `/api/range?pattern=*&from=${START}&to=${END}&points=2000`,
    );
    expect(a.map((one) => one.source)).toEqual(Array(9).fill('raw'));
    const web1 = a.find((one) => one.series.name.startsWith('web1/cpu/usage_idle'))!;
    expect(web1.points).toHaveLength(120);
    // No point between minute 60 and 90.
    expect(web1.points.filter((p) => p.time >= START + 60 * MINUTE && p.time < START + 90 * MINUTE)).toEqual(
      [],
    );
    expect(b).toEqual(a);
  });

  it('gives the same buckets: times, counts, min and max exactly, means within rounding', async () => {
    type Bucketed = {
      series: { name: string; type: string };
      source: string;
      bucketMs: number;
      points: { time: number; value: number; min?: number; max?: number; count?: number }[];
    };
    for (const points of [10, 50, 500]) {
      const [allA, allB] = await both<Bucketed[]>(
        `/api/range?pattern=*&from=${START}&to=${END}&points=${points}`,
      );
      const numeric = (ranges: Bucketed[]) => ranges.filter((one) => one.series.type !== 'boolean');
      const [a, b] = [numeric(allA), numeric(allB)];
      // InfluxDB's booleans: raw, cut at the points asked for.
      for (const one of allB.filter((range) => range.series.type === 'boolean'))
        expect([one.source, one.points.length]).toEqual(['raw', Math.min(12, points)]);
      const shape = (ranges: Bucketed[]) =>
        ranges.map(({ series, source, bucketMs, points: list }) => ({
          name: series.name,
          raw: source === 'raw',
          bucketMs,
          points: list.map(({ time, min, max, count }) => ({ time, min, max, count })),
        }));
      expect(shape(b)).toEqual(shape(a));
      const bucketed = a.filter((one) => one.bucketMs > 0);
      expect(bucketed.length).toBeGreaterThan(0);
      a.forEach((one, i) =>
        one.points.forEach((point, j) => {
          const other = b[i]!.points[j]!.value;
          if (typeof point.value === 'number') expect(other).toBeCloseTo(point.value, 9);
          else expect(other).toEqual(point.value);
        }),
      );
    }
  });

  it('draws the same GRAPH, raw and bucketed, and STATUS tells the same values', async () => {
    const span = `${new Date(START).toISOString()}..${new Date(END).toISOString()}`;
    for (const words of ['web1 cpu', 'web2 cpu', 'pdu1 watts']) {
      const [a, b] = await askBoth(`GRAPH ${words} ${span}`);
      expect([a.method, b.method]).toEqual(['sendPhoto', 'sendPhoto']);
      expect(b.params.caption).toBe(a.params.caption);
      expect(Buffer.compare(b.files.photo!.bytes, a.files.photo!.bytes), `GRAPH ${words}`).toBe(0);
    }
    const sortedTags = (tags: string) => tags.split(',').sort().join(',');
    const withoutAges = (text: string | undefined) =>
      text
        ?.replace(/· [\dhms ]+ ago/g, '· AGE')
        .replace(/\(([^)]*)\)/g, (_, tags: string) => `(${sortedTags(tags)})`);
    for (const words of ['web1', 'pdu1', 'web2 cpu']) {
      const [a, b] = await askBoth(`STATUS ${words}`);
      expect(a.params.text).toContain('<b>');
      expect(withoutAges(b.params.text)).toBe(withoutAges(a.params.text));
    }
  });
});
