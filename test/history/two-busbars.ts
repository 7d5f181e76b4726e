/**
 * Two busbars that should chart alike: one keeps history in its embedded store and writes it to a
 * database with an InfluxDB sink; the other has no history file and reads that database
 * (`history.read`). Both run the web API and the Telegram bot (each on its own fake Bot API).
 */
import { expect } from 'vitest';
import type { ConfigInput } from '../../config/schema.js';
import { FakeBotApi, type BotApiCall } from '../helpers/fake-bot-api.js';
import { Clients, delay } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { OPS_CHAT, TOKEN } from '../notifiers/bot-harness.js';
import { ADMIN, READ_TOKEN, bearer, startWebBusbar, webUsers, type WebBusbar } from '../web/web-fixture.js';
import { askBot } from './bot-reply.js';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
/** On the hour, so that buckets of any width start on the same times in both stores. */
export const START = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
export const END = START + 3 * HOUR;

/** Published lines: [topic source, measurement, lines]. Values are exact in binary. */
export type Published = [source: string, measurement: string, lines: string[]][];

/**
 * Several sources, tags and fields, a gap, a series denser than a chart is wide, a source without
 * a host tag, booleans, an integer and (when the database keeps text) a string.
 */
export function publishedLines(options: { text: boolean }): Published {
  const ns = (ms: number): string => `${BigInt(ms) * 1_000_000n}`;
  const web1: string[] = [];
  // Two fields a minute apart, with a half-hour gap from 60 to 90 minutes.
  for (let m = 0; m < 150; m++) {
    if (m >= 60 && m < 90) continue;
    const fields = `usage_idle=${50 + (m % 7)},usage_user=${m % 5}.5`;
    web1.push(`cpu,host=web1,cpu=cpu-total ${fields} ${ns(START + m * MINUTE)}`);
  }
  // Denser than a chart is wide (800): GRAPH draws buckets of it.
  const web2: string[] = [];
  for (let i = 0; i < 1_500; i++)
    web2.push(`cpu,host=web2,cpu=cpu0 usage_idle=${i % 40} ${ns(START + i * 5 * SECOND)}`);
  // No host tag (a PDU polled over SNMP): the topic's source is all that says where it is from.
  const pdu: string[] = [];
  for (let m = 0; m < 120; m += 10) {
    for (const outlet of [1, 2]) {
      const fields = `watts=${200 + m + outlet},on=${m % 20 === 0}`;
      pdu.push(`power,pdu=pdu1,outlet=${outlet} ${fields} ${ns(START + m * MINUTE)}`);
    }
  }
  const mem = [0, 30, 60].map((m) => `mem,host=web1 used=${1_000 + m}i ${ns(START + m * MINUTE)}`);
  const out: Published = [
    ['web1', 'cpu', web1],
    ['web2', 'cpu', web2],
    ['pdu1', 'power', pdu],
    ['web1', 'mem', mem],
  ];
  if (options.text)
    out.push(['web1', 'svc', [`svc,host=web1,unit=web state="up" ${ns(START + 100 * MINUTE)}`]]);
  return out;
}

/** Field values in `published`: what the embedded store holds once it has every line. */
function valueCount(published: Published): number {
  return published
    .flatMap(([, , lines]) => lines)
    .reduce((sum, line) => sum + (line.split(' ')[1] as string).split(',').length, 0);
}

type Sinks = (durable: boolean, outbox: string) => NonNullable<ConfigInput['sinks']>;

/** An InfluxDB 1.x sink to `url` (InfluxDB or VictoriaMetrics) that flushes and retries quickly. */
export function influxdb1Sink(url: () => string): Sinks {
  return (durable, outboxPath) => ({
    influxdb1: {
      url: url(),
      database: 'metrics',
      durable,
      outboxPath,
      flushInterval: '50ms',
      retryDelay: '50ms',
      maxRetryDelay: '200ms',
    },
  });
}

export interface BusbarPair {
  /** Embedded history, and a sink writing to the database. */
  readonly embedded: WebBusbar;
  /** No history file, history read from the database. */
  readonly remote: WebBusbar;
  readonly apis: { readonly embedded: FakeBotApi; readonly remote: FakeBotApi };
  readonly embeddedHistoryPath: string;
  /** Where the reading busbar's history file would be: it must never exist. */
  readonly remoteHistoryPath: string;
  /** Where its sink's outbox would be (it keeps it in memory): it must never exist. */
  readonly remoteOutboxPath: string;
  stop(): Promise<void>;
}

const bot = (api: FakeBotApi, statePath: string): ConfigInput => ({
  notifiers: {
    enabled: true,
    bot: {
      enabled: true,
      token: TOKEN,
      apiRoot: api.url,
      allow: { chats: [OPS_CHAT.id] },
      statePath,
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

/** Points of every series between START and END, as one busbar's web API answers. */
async function storedValues(busbar: WebBusbar): Promise<number> {
  const ranges = await json<{ points: unknown[] }[]>(
    busbar,
    `/api/range?pattern=*&from=${START}&to=${END}&points=100000`,
  );
  return ranges.reduce((sum, one) => sum + one.points.length, 0);
}

async function waitForValues(busbar: WebBusbar, expected: number, what: string): Promise<void> {
  for (let i = 0; i < 300 && (await storedValues(busbar).catch(() => 0)) < expected; i++) await delay(100);
  expect(await storedValues(busbar), what).toBe(expected);
}

/**
 * Starts the embedded busbar, publishes `published` to it, waits until its store holds every value,
 * then starts the reading busbar (`read`) and waits until it reads as many.
 */
export async function startPair(options: {
  readonly sinks: Sinks;
  readonly read: string;
  readonly published: Published;
}): Promise<BusbarPair> {
  const dir = await tempDir('two-busbars');
  const apis = {
    embedded: await FakeBotApi.start({ token: TOKEN }),
    remote: await FakeBotApi.start({ token: TOKEN }),
  };
  const clients = new Clients();
  const started: WebBusbar[] = [];
  const stop = async (): Promise<void> => {
    await clients.closeAll();
    for (const busbar of started.reverse()) await busbar.stop();
    await apis.embedded.close();
    await apis.remote.close();
    await dir.remove();
  };
  try {
    const common: ConfigInput = {
      ...(await webUsers()),
      agent: { enabled: false },
      alarms: { defaults: false },
    };
    const embedded = await startWebBusbar({
      ...common,
      ...bot(apis.embedded, `${dir.path}/bot-embedded.json`),
      sinks: { history: { path: `${dir.path}/history.db` }, ...options.sinks(true, `${dir.path}/outbox.db`) },
    });
    started.push(embedded);
    const device = await clients.connect(embedded.busbar.url, ADMIN);
    for (const [source, measurement, lines] of options.published) {
      for (let i = 0; i < lines.length; i += 200) {
        const payload = lines.slice(i, i + 200).join('\n');
        await device.publishAsync(`busbar/metrics/${source}/${measurement}`, payload, { qos: 1 });
      }
    }
    const values = valueCount(options.published);
    await waitForValues(embedded, values, 'values in the embedded store');
    const remoteHistoryPath = `${dir.path}/remote-history.db`;
    const remoteOutboxPath = `${dir.path}/remote-outbox.db`;
    const remote = await startWebBusbar({
      ...common,
      ...bot(apis.remote, `${dir.path}/bot-remote.json`),
      sinks: {
        history: { enabled: false, path: remoteHistoryPath },
        ...options.sinks(false, remoteOutboxPath),
      },
      history: { read: options.read },
    });
    started.push(remote);
    await waitForValues(remote, values, `values read through ${options.read}`);
    await Promise.all(
      [apis.embedded, apis.remote].map((api) =>
        api.waitForCall((call) => call.method === 'getUpdates', 'the bot polling', 15_000),
      ),
    );
    const embeddedHistoryPath = `${dir.path}/history.db`;
    return { embedded, remote, apis, embeddedHistoryPath, remoteHistoryPath, remoteOutboxPath, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The same API read from both busbars, series ids left out (positions in a listing elsewhere). */
export async function both<T>(pair: BusbarPair, path: string): Promise<[T, T]> {
  const withoutIds = (value: unknown): T =>
    JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === 'id' ? undefined : inner))) as T;
  const [a, b] = await Promise.all([json<T>(pair.embedded, path), json<T>(pair.remote, path)]);
  return [withoutIds(a), withoutIds(b)];
}

/** The same words to both bots; their replies. */
export async function askBoth(pair: BusbarPair, text: string): Promise<[BotApiCall, BotApiCall]> {
  return Promise.all([askBot(pair.apis.embedded, text), askBot(pair.apis.remote, text)]);
}

/**
 * STATUS's text without what legitimately differs: ages (each bot counts from the moment it
 * answers) and the order of tags in labels (the embedded store keeps the publisher's, a database's
 * answer sorts them).
 */
export function comparableStatus(text: string | undefined): string | undefined {
  const sortedTags = (tags: string): string => tags.split(',').sort().join(',');
  return text
    ?.replace(/· [\dhms ]+ ago/g, '· AGE')
    .replace(/\(([^)]*)\)/g, (_, tags: string) => `(${sortedTags(tags)})`);
}

export interface Bucketed {
  readonly series: { readonly name: string; readonly type: string };
  readonly source: string;
  readonly bucketMs: number;
  readonly points: { time: number; value: number; min?: number; max?: number; count?: number }[];
}

/**
 * Expects the same buckets: raw or not, widths, times, counts, min and max exactly, and means
 * within rounding (the same values added in another order). Where buckets come from (`source`)
 * may differ: the embedded store names its rollup table, a database buckets raw points.
 */
export function expectSameBuckets(a: readonly Bucketed[], b: readonly Bucketed[]): void {
  const shape = (ranges: readonly Bucketed[]) =>
    ranges.map(({ series, source, bucketMs, points }) => ({
      name: series.name,
      raw: source === 'raw',
      bucketMs,
      points: points.map(({ time, min, max, count }) => ({ time, min, max, count })),
    }));
  expect(shape(b)).toEqual(shape(a));
  a.forEach((one, i) =>
    one.points.forEach((point, j) => {
      const other = b[i]!.points[j]!.value;
      if (typeof point.value === 'number') expect(other).toBeCloseTo(point.value, 9);
      else expect(other).toEqual(point.value);
    }),
  );
}

/**
 * GRAPH over START..END draws the same PNG, bytes for bytes, in both bots (raw and bucketed
 * series alike), with the same caption; STATUS tells the same values.
 */
export async function expectSameBotAnswers(
  pair: BusbarPair,
  graphs: readonly string[],
  statuses: readonly string[],
): Promise<void> {
  const span = `${new Date(START).toISOString()}..${new Date(END).toISOString()}`;
  for (const words of graphs) {
    const [a, b] = await askBoth(pair, `GRAPH ${words} ${span}`);
    expect([a.method, b.method]).toEqual(['sendPhoto', 'sendPhoto']);
    expect(b.params.caption).toBe(a.params.caption);
    expect(Buffer.compare(b.files.photo!.bytes, a.files.photo!.bytes), `GRAPH ${words}`).toBe(0);
  }
  for (const words of statuses) {
    const [a, b] = await askBoth(pair, `STATUS ${words}`);
    expect(a.params.text).toContain('<b>');
    expect(comparableStatus(b.params.text)).toBe(comparableStatus(a.params.text));
  }
}
