/**
 * Replays an incident into a real busbar (issue 21): weeks of history written to a history store
 * through the real writer, a busbar started on that store (so its rules seed from it), then live
 * points through the broker at the wall clock. Live samples stand for 10-second readings but are
 * published a few milliseconds apart, so a test counts samples, never wall-clock time.
 */
import type { MqttClient } from 'mqtt';
import { afterEach } from 'vitest';
import type { AlarmMessage } from '../../alarms/alarm.js';
import type { ConfigInput } from '../../config/schema.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, record, subscribe, waitFor, type ReceivedMessage } from '../helpers/mqtt-clients.js';
import { historyFixture, type HistoryFixture } from '../sinks/history-fixture.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * The time to key the noise of the `index`th live sample by. Live samples are published a few
 * milliseconds apart, so keyed by the wall clock (`gaussian` takes whole seconds) many share one
 * draw: one high draw became several breaches of a deviation rule's 3 of 5, and whether it came
 * depended on the second a run happened in. Each live sample stands for its own 10-second reading:
 * its own draw, the same in every run.
 */
export function liveNoiseAt(index: number): number {
  return index * 10_000;
}

/** A standard normal deviate that depends only on `t` and `salt`: the same noise in every run. */
export function gaussian(t: number, salt = 0): number {
  const u1 = (hash(t, salt) + 1) / 4_294_967_297;
  const u2 = hash(t, salt + 7_919) / 4_294_967_296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function hash(t: number, salt: number): number {
  let h = Math.imul((t / 1000) | 0, 2_654_435_761) ^ Math.imul(salt + 1, 40_503);
  h = Math.imul(h ^ (h >>> 16), 2_246_822_507);
  h = Math.imul(h ^ (h >>> 13), 3_266_489_909);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The usual share of a daily peak centred on `peakAt`'s time of day: 1 off-peak, 2.5 at the peak. */
export function dailyShape(atMs: number, peakAt: number): number {
  const offset = ((((atMs - peakAt) % DAY) + 1.5 * DAY) % DAY) - DAY / 2; // within ±12 h
  return 1 + 1.5 * Math.exp(-((offset / (2.5 * HOUR)) ** 2));
}

export interface Replay {
  readonly busbar: TestBusbar;
  readonly client: MqttClient;
  /** Every message on busbar/alarms/# and busbar/notify/# since the start. */
  readonly messages: ReceivedMessage[];
  /** The alarm messages of `rule` on `series` so far, in order. */
  alarms(rule: string, series: string): AlarmMessage[];
  /** Publishes line protocol on busbar/metrics/<source>/<measurement>. */
  publish(source: string, line: string): Promise<void>;
  /** Resolves once every point published before it has been evaluated (see `barrierRule`). */
  barrier(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A threshold rule on a measurement of its own that `barrier` toggles: the alarms component handles
 * metrics in order, so its change proves the points before it were evaluated.
 */
export const barrierRule = {
  kind: 'threshold',
  name: 'replay_barrier',
  source: 'replay',
  measurement: 'barrier',
  field: 'n',
  above: 0,
} as const;

/** Writes `history` to a fresh store, then starts a busbar on it that seeds its rules from it. */
export async function startReplay(
  history: (store: HistoryFixture) => void,
  config: ConfigInput,
): Promise<Replay> {
  const store = await historyFixture();
  history(store);
  const busbar = await startTestBusbar({
    agent: { enabled: false },
    ...config,
    sinks: { history: { path: store.file } },
  });
  const clients = new Clients();
  await waitFor(() => busbar.log.find('seeded from history').length > 0, 'the seeding', 15_000);
  const client = await clients.connect(busbar.url);
  const messages = record(client);
  await subscribe(client, 'busbar/alarms/#', 0);
  await subscribe(client, 'busbar/notify/#', 0);
  const alarms = (rule: string, series: string): AlarmMessage[] =>
    messages
      .filter((message) => message.topic.startsWith(`busbar/alarms/${rule}/`) && message.payload !== '')
      .map((message) => JSON.parse(message.payload) as AlarmMessage)
      .filter((message) => message.series === series);
  const replay: Replay = {
    busbar,
    client,
    messages,
    alarms,
    async publish(source, line) {
      const measurement = line.slice(0, line.search(/[ ,]/));
      await client.publishAsync(`busbar/metrics/${source}/${measurement}`, line);
    },
    async barrier() {
      const seen = (): AlarmMessage[] => alarms(barrierRule.name, 'replay.barrier.n');
      const before = seen().length;
      const value = seen().at(-1)?.state === 'firing' ? -1 : 1;
      // The component subscribes to metrics a moment after it logs its seeding: until then, retry.
      for (let attempt = 0; attempt < 50 && seen().length === before; attempt++) {
        await replay.publish('replay', `barrier n=${value}`);
        await waitFor(() => seen().length > before, 'the barrier', 200).catch(() => undefined);
      }
      if (seen().length === before) throw new Error('the barrier alarm never changed');
    },
    async stop() {
      await clients.closeAll();
      await busbar.stop();
      await store.close();
    },
  };
  return replay;
}

/** `startReplay` for the tests of a file: each replay is stopped after its test. */
export function replays(): typeof startReplay {
  let current: Replay | undefined;
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  return async (history, config) => {
    current = await startReplay(history, config);
    return current;
  };
}
