/**
 * History read from InfluxDB 1.x (`history.read: influx:influxdb1`), as a site on several machines
 * does: one busbar writes points with its InfluxDB sink into a real influxd; another, without a
 * history store of its own, answers the web API, the bot's GRAPH and seeds its alarms from them.
 * With influxd down, each says so and nothing crashes.
 */
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmMessage } from '../../alarms/alarm.js';
import type { ConfigInput } from '../../config/schema.js';
import { createTopics } from '../../core/topics.js';
import { InfluxV1History } from '../../history/influx-v1.js';
import { AlarmCharts } from '../../notifiers/services/email/charts.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { captureLog } from '../helpers/log-capture.js';
import { FakeBotApi, type BotApiCall } from '../helpers/fake-bot-api.js';
import { INFLUX_ADMIN, startInfluxd, type InfluxServer } from '../helpers/influxdb.js';
import { Clients, delay, messageOn, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { askBot } from './bot-reply.js';
import { OPS_CHAT, TOKEN } from '../notifiers/bot-harness.js';
import {
  ADMIN,
  READ_TOKEN,
  basic,
  bearer,
  startWebBusbar,
  webUsers,
  type WebBusbar,
} from '../web/web-fixture.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.now();
/** 20 cpu points a minute apart, the newest 1 minute ago. */
const CPU_TIMES = Array.from({ length: 20 }, (_, i) => NOW - (20 - i) * MINUTE);
const DISK = 'web1.disk.used_percent{host=web1,path=/}';

let influx: InfluxServer;
let dir: Awaited<ReturnType<typeof tempDir>>;
let writer: TestBusbar;
let reader: WebBusbar;
let api: FakeBotApi;
const clients = new Clients();

const sink = (outbox: string) => ({
  url: influx.url,
  database: 'metrics',
  username: INFLUX_ADMIN.username,
  password: INFLUX_ADMIN.password,
  outboxPath: `${dir.path}/${outbox}`,
  flushInterval: '50ms',
  retryDelay: '50ms',
  maxRetryDelay: '200ms',
});

/** What `history.read: influx:influxdb1` makes of the sink's settings. */
const influxTarget = () => ({
  kind: 'influx-v1' as const,
  sink: 'influxdb1',
  url: influx.url,
  database: 'metrics',
  username: INFLUX_ADMIN.username,
  password: INFLUX_ADMIN.password,
  sourceTag: 'source',
  timeoutMs: 10_000,
});

/** A busbar that keeps no history of its own and reads it from influxd. */
const readingConfig = (outbox: string): ConfigInput => ({
  agent: { enabled: false },
  sinks: { history: { enabled: false }, influxdb1: sink(outbox) },
  history: { read: 'influx:influxdb1' },
  alarms: {
    defaults: false,
    rules: [
      {
        kind: 'trend',
        name: 'disk_full_soon',
        measurement: 'disk',
        field: 'used_percent',
        above: 100,
        window: '6h',
        horizon: '24h',
      },
    ],
  },
});

const get = async (path: string) => {
  const response = await fetch(`${reader.base}${path}`, { headers: bearer(READ_TOKEN) });
  return { status: response.status, text: await response.text() };
};
const json = async <T>(path: string): Promise<T> => {
  const answer = await get(path);
  expect(answer.status, answer.text).toBe(200);
  return JSON.parse(answer.text) as T;
};

const ask = (text: string): Promise<BotApiCall> => askBot(api, text);

beforeAll(async () => {
  [influx, dir, api] = await Promise.all([
    startInfluxd({ auth: true }),
    tempDir('influx-read'),
    FakeBotApi.start({ token: TOKEN }),
  ]);
  await influx.query('CREATE DATABASE metrics');
  // The writing machine: its InfluxDB sink stores what is published on its broker.
  writer = await startTestBusbar({
    agent: { enabled: false },
    sinks: { history: { enabled: false }, influxdb1: sink('writer-outbox.db') },
  });
  const device = await clients.connect(writer.url);
  const ns = (ms: number): string => `${BigInt(ms) * 1_000_000n}`;
  const cpu = CPU_TIMES.map((t, i) => `cpu,host=web1,cpu=cpu-total usage_idle=${50 + i} ${ns(t)}`);
  await device.publishAsync('busbar/metrics/web1/cpu', cpu.join('\n'), { qos: 1 });
  // Disk usage of the last 6 hours, rising 2 %/h to 62 % now: a trend seeded from it predicts 100 %.
  const disk: string[] = [];
  for (let t = NOW - 6 * HOUR; t < NOW; t += 10 * MINUTE) {
    disk.push(`disk,host=web1,path=/ used_percent=${62 - (2 * (NOW - t)) / HOUR} ${ns(t)}`);
  }
  await device.publishAsync('busbar/metrics/web1/disk', disk.join('\n'), { qos: 1 });
  await device.publishAsync(
    'busbar/metrics/web1/svc',
    `svc,host=web1,unit=web\\,\\ app state="up" ${ns(NOW - MINUTE)}`,
    {
      qos: 1,
    },
  );
  // No host tag: the sink's source tag still files it under pdu1. Booleans: never averaged.
  const power = [3, 2, 1].map((m, i) => `power,pdu=pdu1 watts=${230 + i},on=true ${ns(NOW - m * MINUTE)}`);
  await device.publishAsync('busbar/metrics/pdu1/power', power.join('\n'), { qos: 1 });
  const stored = async (measurement: string): Promise<number> =>
    (await influx.rows('metrics', measurement).catch(() => [])).length;
  const counts = async (): Promise<number[]> => Promise.all(['cpu', 'disk', 'svc', 'power'].map(stored));
  for (let i = 0; i < 400 && (await counts()).join() !== '20,36,1,3'; i++) await delay(50);
  expect(await counts()).toEqual([20, 36, 1, 3]);
  // The reading machine: web, bot and alarms, no history store.
  reader = await startWebBusbar(
    {
      ...(await webUsers()),
      ...readingConfig('reader-outbox.db'),
      notifiers: {
        enabled: true,
        bot: {
          enabled: true,
          token: TOKEN,
          apiRoot: api.url,
          allow: { chats: [OPS_CHAT.id] },
          statePath: `${dir.path}/telegram.json`,
          pollTimeout: '2s',
        },
      },
    },
    { allowAnonymous: false },
  );
  await api.waitForCall((call) => call.method === 'getUpdates', 'the bot polling', 15_000);
});

afterAll(async () => {
  await clients.closeAll();
  await reader?.stop();
  await writer?.stop();
  await api?.close();
  await influx?.stop();
  await dir?.remove();
});

describe('the web API reads history from InfluxDB 1.x', () => {
  it("lists series by the store's names, the source from the sink's source tag, with their types", async () => {
    const series = await json<{ name: string; source: string; type: string; tags: object }[]>('/api/series');
    expect(series.map(({ name, source, type }) => ({ name, source, type }))).toEqual([
      { name: 'pdu1/power/on{pdu=pdu1}', source: 'pdu1', type: 'boolean' },
      { name: 'pdu1/power/watts{pdu=pdu1}', source: 'pdu1', type: 'float' },
      { name: 'web1/cpu/usage_idle{cpu=cpu-total,host=web1}', source: 'web1', type: 'float' },
      { name: 'web1/disk/used_percent{host=web1,path=/}', source: 'web1', type: 'float' },
      { name: 'web1/svc/state{host=web1,unit=web\\, app}', source: 'web1', type: 'string' },
    ]);
    expect(await json('/api/sources')).toEqual([
      { source: 'pdu1', series: 2 },
      { source: 'web1', series: 3 },
    ]);
    // /health asks influxd too: up, it is healthy.
    expect((await fetch(`${reader.base}/health`)).status).toBe(200);
    const web1cpu = await json<unknown[]>(`/api/series?pattern=${encodeURIComponent('web1/cpu/*')}`);
    expect(web1cpu).toHaveLength(1);
  });

  it('answers latest values and ranges, raw when few enough, else buckets of every point', async () => {
    const latest = await json<{ series: { name: string }; time: number; value: unknown }[]>(
      `/api/latest?pattern=${encodeURIComponent('web1/*')}`,
    );
    expect(latest.map(({ series, time, value }) => ({ name: series.name, time, value }))).toEqual([
      { name: 'web1/cpu/usage_idle{cpu=cpu-total,host=web1}', time: CPU_TIMES[19], value: 69 },
      {
        name: 'web1/disk/used_percent{host=web1,path=/}',
        time: expect.any(Number),
        value: expect.any(Number),
      },
      { name: 'web1/svc/state{host=web1,unit=web\\, app}', time: NOW - MINUTE, value: 'up' },
    ]);
    const pattern = encodeURIComponent('web1/cpu/*');
    const [raw] = await json<{ source: string; points: { time: number; value: number }[] }[]>(
      `/api/range?pattern=${pattern}&from=-1h`,
    );
    expect(raw?.source).toBe('raw');
    expect(raw?.points).toEqual(CPU_TIMES.map((time, i) => ({ time, value: 50 + i })));
    const [buckets] = await json<
      { source: string; bucketMs: number; points: { count: number; max: number }[] }[]
    >(`/api/range?pattern=${pattern}&from=-1h&points=5`);
    expect(buckets?.bucketMs).toBeGreaterThan(0);
    expect(buckets!.points.length).toBeLessThanOrEqual(6);
    expect(buckets!.points.reduce((sum, point) => sum + point.count, 0)).toBe(20);
    expect(Math.max(...buckets!.points.map((point) => point.max))).toBe(69);
  });

  it('keeps booleans raw (as 1 and 0) where numbers come in buckets', async () => {
    const ranges = await json<{ series: { name: string }; source: string; points: { value: number }[] }[]>(
      `/api/range?pattern=${encodeURIComponent('pdu1/power/*')}&from=-1h&points=2`,
    );
    expect(ranges.map(({ series, source, points }) => [series.name, source, points.length])).toEqual([
      ['pdu1/power/on{pdu=pdu1}', 'raw', 2],
      ['pdu1/power/watts{pdu=pdu1}', 'points', expect.any(Number)],
    ]);
    expect(ranges[0]!.points.map((point) => point.value)).toEqual([1, 1]);
  });

  it('refuses the CSV export, which reads the embedded store only, saying so', async () => {
    const answer = await get(`/api/export.csv?pattern=${encodeURIComponent('web1/*')}`);
    expect(answer.status).toBe(501);
    expect(answer.text).toContain('influx:influxdb1');
  });
});

describe('the bot reads history from InfluxDB 1.x', () => {
  it('GRAPH sends a chart of the series it selects', async () => {
    const call = await ask('GRAPH web1 cpu 1h');
    expect(call.method).toBe('sendPhoto');
    const png = PNG.sync.read(call.files.photo!.bytes);
    expect(png.width).toBe(800);
    expect(call.params.caption).toContain('web1/cpu/usage_idle{cpu=cpu-total,host=web1}');
  });

  it('STATUS shows the latest value of the series it selects', async () => {
    const call = await ask('STATUS web1 cpu');
    expect(call.method).toBe('sendMessage');
    expect(call.params.text).toMatch(/cpu usage_idle \(cpu=cpu-total\): <b>69/);
  });
});

describe('alarm mails read history from InfluxDB 1.x', () => {
  it("draw the firing alarm's series", async () => {
    const log = captureLog('debug');
    const charts = new AlarmCharts(influxTarget(), log.logger);
    const firedAt = new Date(NOW - 30 * MINUTE).toISOString();
    const alarm: AlarmMessage = {
      rule: 'disk-full',
      series: DISK,
      state: 'firing',
      severity: 'critical',
      value: 95,
      threshold: 90,
      baseline: null,
      since: firedAt,
      firedAt,
      labels: { source: 'web1', measurement: 'disk', field: 'used_percent', host: 'web1', path: '/' },
      summary: 'disk used_percent on web1 is 95',
    };
    try {
      const drawn = await charts.render([alarm], NOW, new AbortController().signal);
      expect(drawn.charts.map((chart) => chart.caption)).toEqual([
        'disk-full: web1/disk/used_percent{host=web1,path=/}',
      ]);
      expect(PNG.sync.read(drawn.charts[0]!.png).width).toBe(800);
    } finally {
      charts.close();
    }
  });
});

describe('alarm seeding reads history from InfluxDB 1.x', () => {
  it('seeds the trend at start: the first disk point after it fires', async () => {
    const busbar = reader.busbar;
    await waitFor(() => busbar.log.find('seeded from history').length > 0, 'the seeding');
    const [seeded] = busbar.log.find('seeded from history');
    expect(seeded).toMatchObject({ series: 1, history: 'influx:influxdb1' });
    // 36 buckets of 10-minute points, the oldest one out of the window by the time alarms start.
    expect([35, 36]).toContain(seeded?.rows);
    const client = await clients.connect(busbar.url, ADMIN);
    const messages = record(client);
    await subscribe(client, 'busbar/alarms/#', 1);
    const topic = createTopics().alarm('disk_full_soon', DISK);
    for (let i = 0; i < 100 && !messages.some((message) => message.topic === topic); i++) {
      await client.publishAsync('busbar/metrics/web1/disk', 'disk,host=web1,path=/ used_percent=62.1');
      await delay(100);
    }
    const alarm = await messageOn(messages, topic);
    expect(JSON.parse(alarm.payload) as AlarmMessage).toMatchObject({
      state: 'firing',
      summary: 'disk used_percent on web1 (path=/) is 62.1, heading above 100 in about 19h',
    });
  });
});

describe("the sink's retention policy", () => {
  it('is the one read from, when the sink names one', async () => {
    await influx.query('CREATE RETENTION POLICY week ON metrics DURATION 7d REPLICATION 1');
    const written = await fetch(`${influx.url}/write?db=metrics&rp=week&precision=ms`, {
      method: 'POST',
      headers: basic(INFLUX_ADMIN),
      body: `kept,source=h1 v=7 ${NOW - MINUTE}`,
    });
    expect(written.status).toBe(204);
    const target = influxTarget();
    const range = { from: NOW - HOUR, to: NOW };
    const week = new InfluxV1History({ ...target, retentionPolicy: 'week' });
    expect((await week.range('h1/*', range)).map((one) => one.points)).toEqual([
      [{ time: NOW - MINUTE, value: 7 }],
    ]);
    // The database's default policy holds none of it.
    const byDefault = new InfluxV1History(target);
    expect(await byDefault.range('h1/*', range)).toEqual([]);
  });
});

describe('InfluxDB unreachable', () => {
  it('the web answers 503 saying why, the bot replies so, and seeding starts empty, warned', async () => {
    await influx.kill();
    try {
      const answer = await get('/api/series');
      expect(answer.status).toBe(503);
      expect(answer.text).toMatch(/influx:influxdb1.*does not answer/);
      expect(answer.text).not.toContain(INFLUX_ADMIN.password);
      const health = await fetch(`${reader.base}/health`);
      expect(health.status).toBe(503);

      const reply = await ask('GRAPH web1 cpu 1h');
      expect(reply.method).toBe('sendMessage');
      expect(reply.params.text).toMatch(
        /InfluxDB \(influx:influxdb1\) at http:\/\/127\.0\.0\.1:\d+\/? does not answer/,
      );

      const late = await startTestBusbar(readingConfig('late-outbox.db'));
      try {
        await waitFor(() => late.log.find('alarms start unseeded').length > 0, 'the seeding warning');
        expect(late.log.find('alarms start unseeded')[0]).toMatchObject({ history: 'influx:influxdb1' });
        expect(late.log.find('seeded from history')).toHaveLength(0);
        expect(late.log.text()).not.toContain(INFLUX_ADMIN.password);
      } finally {
        await late.stop();
      }
    } finally {
      await influx.restart();
    }
    expect(reader.busbar.log.text()).not.toContain(INFLUX_ADMIN.password);
  });
});
