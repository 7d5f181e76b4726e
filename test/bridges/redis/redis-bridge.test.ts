/** The Redis bridge against a real redis-server loaded with a data set shaped like seed 000's. */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../config/schema.js';
import {
  floatField,
  startBridgeHarness,
  type BridgeHarness,
  type RecordedMetric,
} from '../bridge-harness.js';
import {
  BAD_KEYS,
  IRC_PER_RACK,
  METERS,
  PHASES,
  PLUGS_PER_PHASE,
  RACKS,
  busplugKw,
  loadDataset,
} from './dataset.js';
import { startRestartableRedis, type RestartableRedis } from './redis-server.js';

type RedisInput = NonNullable<NonNullable<ConfigInput['bridges']>['redis']>;
type Selection = RedisInput['selections'][number];

const POD = {
  R1: 'pod1',
  R2: 'pod1',
  R3: 'pod1',
  R4: 'pod1',
  R5: 'pod2',
  R6: 'pod2',
  R7: 'pod2',
  R8: 'pod2',
};

const busplug = (name: string, match: string, extra: Partial<Selection> = {}): Selection => ({
  name,
  match,
  pattern: 'electrical:busplug:{rack}:{phase}:{plug}',
  source: 'moc',
  measurement: 'busplug',
  fields: [{ path: 'power_kw', name: 'power_w', scale: 1000 }, { path: 'energy_kwh' }, { path: 'current_a' }],
  lookups: { pod: { from: 'rack', values: POD } },
  interval: 300,
  ...extra,
});

let server: RestartableRedis;
let client: Redis;
let loaded = 0;
let harness: BridgeHarness | undefined;

beforeAll(async () => {
  server = await startRestartableRedis();
  client = new Redis({ port: server.port, lazyConnect: true });
  await client.connect();
  loaded = await loadDataset(client);
});
afterAll(async () => {
  client?.disconnect();
  await server?.stop();
});
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function bridge(redis: Omit<RedisInput, 'port'>): Promise<BridgeHarness> {
  harness = await startBridgeHarness({
    bridges: { redis: { port: server.port, statsInterval: 100, ...redis } },
  });
  return harness;
}

/** The metrics of the first complete read of a selection (one read shares one timestamp). */
function firstRead(metrics: RecordedMetric[]): RecordedMetric[] {
  const first = metrics[0];
  return first ? metrics.filter((metric) => metric.timestamp === first.timestamp) : [];
}

type RedisStats = {
  state: string;
  errors: number;
  notifications: boolean;
  selections: Record<
    string,
    {
      reads: number;
      keys: number;
      badValues: number;
      failedReads: number;
      lastReadMs: number;
      notifiedReads: number;
    }
  >;
};

describe('Redis bridge', () => {
  it('maps ~1,400 seed-shaped keys: globs, key patterns to tags, JSON paths, renames, unit conversion, hashes, numbers', async () => {
    expect(loaded).toBeGreaterThanOrEqual(1_400);
    const h = await bridge({
      selections: [
        busplug('busplug-R1-PA', 'electrical:busplug*R1*PA*'),
        busplug('busplug', 'electrical:busplug:*'),
        {
          name: 'irc',
          match: 'mechanical:irc:*',
          pattern: 'mechanical:irc:{rack}:{unit}',
          source: 'moc',
          measurement: 'irc',
          // °F → °C: (F − 32) × 5/9
          fields: [
            { path: 'supply_temp_f', name: 'supply_temp_c', scale: 5 / 9, offset: (-32 * 5) / 9 },
            { path: 'fan.speed_pct' },
          ],
          interval: 300,
        },
        {
          name: 'meters',
          match: 'electrical:meter:*',
          type: 'hash',
          pattern: 'electrical:meter:{meter}',
          source: 'moc',
          measurement: 'meter',
          interval: 300,
        },
        {
          name: 'makeup',
          match: 'mechanical:makeup:*',
          pattern: 'mechanical:makeup:{unit}',
          source: 'moc',
          measurement: 'makeup',
          fields: [{ path: 'cfm', type: 'integer' }],
          timestampPath: 'ts',
          interval: 300,
        },
        {
          name: 'others',
          match: 'others:*',
          type: 'number',
          pattern: 'others:{kind}:{id}',
          source: 'moc',
          measurement: '{kind}',
          interval: 300,
        },
      ],
    });
    await h.until(
      () =>
        (h.stats<RedisStats>('redis')?.selections.others?.reads ?? 0) >= 1 &&
        (h.stats<RedisStats>('redis')?.selections.busplug?.reads ?? 0) >= 1,
      'a read of every selection',
    );
    await h.until(() => h.metrics('moc', 'sensor').length >= 320, 'sensor metrics');
    // A read is counted when published; its messages may still be on their way to this subscriber.
    const plugKeys = (): Set<string> =>
      new Set(h.metrics('moc', 'busplug').map((m) => `${m.tags.rack}/${m.tags.phase}/${m.tags.plug}`));
    await h.until(
      () => plugKeys().size >= RACKS.length * PHASES.length * PLUGS_PER_PHASE,
      'every busplug of the first read',
    );

    // Each selection's first read is published as it completes: wait for every part this test reads.
    const firstReadOf = async (measurement: string, size: number, only = (_m: RecordedMetric) => true) => {
      const read = (): RecordedMetric[] => firstRead(h.metrics('moc', measurement).filter(only));
      await h.until(() => read().length >= size, `the first read of ${measurement}`);
      return read();
    };
    type Letter = { key: string; reason: string; selection: string };
    const letters = (): Letter[] =>
      h.payloads('busbar/deadletter/redis-value').map((p) => JSON.parse(p) as Letter);
    const broken = ['electrical:busplug:R3:PB:99', 'electrical:busplug:R5:PC:98', 'mechanical:irc:R2:99'];
    await h.until(
      () => broken.every((key) => letters().some((letter) => letter.key === key)),
      'the broken keys dead-lettered',
    );
    const skipped = 'Redis key electrical:busplug:R5:PC:98 (busplug) skipped: not JSON';
    await h.until(() => h.busbar.log.find(skipped).length > 0, 'the skipped key logged');

    // The seed's glob: exactly rack R1, phase A, with tags from the key and pod from the lookup table.
    const all = h.metrics('moc', 'busplug');
    const r1pa = await firstReadOf(
      'busplug',
      PLUGS_PER_PHASE,
      (m) => m.tags.rack === 'R1' && m.tags.phase === 'PA',
    );
    expect(r1pa).toHaveLength(PLUGS_PER_PHASE);
    const plug7 = r1pa.find((m) => m.tags.plug === '07')!;
    expect(plug7.tags).toEqual({ rack: 'R1', phase: 'PA', plug: '07', pod: 'pod1' });
    expect(floatField(plug7, 'power_w')).toBe(busplugKw(0, 0, 7) * 1000);
    expect(floatField(plug7, 'energy_kwh')).toBe(1_007);

    // The whole category in one selection: every good key once per read; the broken ones dead-lettered.
    const everyPlug = new Set(all.map((m) => `${m.tags.rack}/${m.tags.phase}/${m.tags.plug}`));
    expect(everyPlug.size).toBe(RACKS.length * PHASES.length * PLUGS_PER_PHASE);
    expect(letters()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          key: 'electrical:busplug:R3:PB:99',
          selection: 'busplug',
          reason: expect.stringMatching(/^not JSON/),
        }),
        expect.objectContaining({
          key: 'electrical:busplug:R5:PC:98',
          selection: 'busplug',
          reason: expect.stringMatching(/^not JSON/),
        }),
        expect.objectContaining({
          key: 'mechanical:irc:R2:99',
          selection: 'irc',
          reason: expect.stringContaining('supply_temp_f'),
        }),
      ]),
    );
    // Logged once per key and reason every 10 minutes, however many reads found it.
    expect(h.busbar.log.find(skipped).length).toBe(1);
    const stats = h.stats<RedisStats>('redis')!;
    expect(stats.state).toBe('online');
    expect(stats.selections.busplug!.keys).toBe(RACKS.length * PHASES.length * PLUGS_PER_PHASE + 2);
    expect(stats.selections.busplug!.badValues % 2).toBe(0);
    expect(stats.selections.busplug!.badValues).toBeGreaterThanOrEqual(2);

    const irc = await firstReadOf('irc', RACKS.length * IRC_PER_RACK);
    expect(irc).toHaveLength(RACKS.length * IRC_PER_RACK);
    const unit5 = irc.find((m) => m.tags.rack === 'R3' && m.tags.unit === '5')!;
    expect(unit5.fields).toEqual({
      supply_temp_c: { type: 'float', value: 20 },
      fan_speed_pct: { type: 'float', value: 55 },
    });

    const meters = await firstReadOf('meter', METERS);
    expect(meters).toHaveLength(METERS);
    expect(meters.find((m) => m.tags.meter === '3')!.fields).toEqual({
      kw: { type: 'float', value: 13 },
      kwh: { type: 'float', value: 5_003 },
    });

    await h.until(() => h.metrics('moc', 'makeup').some((m) => m.tags.unit === '1'), 'makeup unit 1');
    const makeup = h.metrics('moc', 'makeup').find((m) => m.tags.unit === '1')!;
    expect(makeup.fields).toEqual({ cfm: { type: 'integer', value: 1_001n } });
    expect(makeup.timestamp).toBe(1_732_530_000_001n * 1_000_000n);

    const sensor = await firstReadOf('sensor', 320);
    expect(sensor).toHaveLength(320);
    expect(sensor.find((m) => m.tags.id === '50')!.fields).toEqual({ value: { type: 'float', value: 20.5 } });
    expect(Object.keys(BAD_KEYS)).toHaveLength(3);
  });

  it('follows keys that appear and disappear between reads', async () => {
    const h = await bridge({
      selections: [
        {
          name: 'temp',
          match: 'churn:*',
          type: 'number',
          pattern: 'churn:{id}',
          measurement: 'churn',
          interval: 150,
        },
      ],
    });
    await client.mset({ 'churn:a': '1', 'churn:b': '2', 'churn:c': '3' });
    await h.until(() => h.metrics('redis', 'churn').length >= 3, 'first read with the keys');
    await client.del('churn:b');
    await client.set('churn:d', '4');
    const ids = (): string[] => {
      const last = h.metrics('redis', 'churn').at(-1)!;
      return h
        .metrics('redis', 'churn')
        .filter((m) => m.timestamp === last.timestamp)
        .map((m) => m.tags.id!)
        .sort();
    };
    await h.until(() => ids().join() === 'a,c,d', 'a read without b and with d');
    await client.del('churn:a', 'churn:c', 'churn:d');
  });

  it('publishes a key as soon as it changes in keyspace-notification mode, without waiting for the interval', async () => {
    await client.config('SET', 'notify-keyspace-events', '');
    const h = await bridge({
      configureKeyspaceEvents: true,
      selections: [
        {
          name: 'live',
          match: 'live:*',
          pattern: 'live:{rack}',
          measurement: 'live',
          fields: [{ path: 'kw', name: 'power_w', scale: 1000 }],
          interval: '1h',
          notify: true,
        },
        {
          name: 'live-hash',
          match: 'livehash:*',
          type: 'hash',
          pattern: 'livehash:{meter}',
          measurement: 'livehash',
          interval: '1h',
          notify: true,
        },
      ],
    });
    await h.until(() => h.stats<RedisStats>('redis')?.notifications === true, 'notifications on');
    expect(((await client.config('GET', 'notify-keyspace-events')) as string[])[1]).toMatch(/K/);
    await client.set('live:R4', JSON.stringify({ kw: 2.5 }));
    await client.hset('livehash:7', { kw: '12' });
    // The interval is an hour: arriving at all within the wait means the notification triggered the read.
    await h.until(
      () => h.metrics('redis', 'live').length > 0 && h.metrics('redis', 'livehash').length > 0,
      'notified keys',
    );
    const live = h.metrics('redis', 'live')[0]!;
    expect(live.tags).toEqual({ rack: 'R4' });
    expect(floatField(live, 'power_w')).toBe(2_500);
    expect(floatField(h.metrics('redis', 'livehash')[0]!, 'kw')).toBe(12);
    // Many changes of one key before it is read are read once or a few times, never once per change.
    for (let i = 0; i < 200; i++) void client.set('live:R5', JSON.stringify({ kw: i }));
    await h.until(
      () =>
        h.metrics('redis', 'live').some((m) => m.tags.rack === 'R5' && m.fields.power_w?.value === 199_000),
      'last value',
    );
    expect(h.metrics('redis', 'live').filter((m) => m.tags.rack === 'R5').length).toBeLessThan(200);
    await client.del('live:R4', 'live:R5', 'livehash:7');
  });

  it('says so, and reads on its interval only, when the server has keyspace notifications off', async () => {
    await client.config('SET', 'notify-keyspace-events', '');
    const h = await bridge({
      selections: [{ name: 'live', match: 'live:*', measurement: 'live', interval: '1h', notify: true }],
    });
    await h.until(() => h.busbar.log.find('Redis keyspace notifications are off').length > 0, 'the warning');
    expect(h.stats<RedisStats>('redis')?.notifications ?? false).toBe(false);
  });

  it('reports a Redis restart (offline, error counters) and reads again, notifications included, when it is back', async () => {
    const h = await bridge({
      configureKeyspaceEvents: true,
      retryDelay: 50,
      maxRetryDelay: 200,
      selections: [
        {
          name: 'others',
          match: 'others:*',
          type: 'number',
          pattern: 'others:{kind}:{id}',
          measurement: 'sensor',
          interval: 150,
        },
        {
          name: 'live',
          match: 'live:*',
          pattern: 'live:{rack}',
          measurement: 'live',
          interval: '1h',
          notify: true,
        },
      ],
    });
    await h.until(() => h.metrics('redis', 'sensor').length >= 320, 'a first read');
    client.disconnect();
    await server.stop();
    await h.until(() => h.payloads('busbar/status/redis').includes('offline'), 'offline');
    // Failed reads and connection errors are counted apart, and may reach a stats message apart.
    await h.until(
      () => (h.stats<RedisStats>('redis')?.selections.others?.failedReads ?? 0) >= 1,
      'failed reads counted',
    );
    await h.until(() => (h.stats<RedisStats>('redis')?.errors ?? 0) >= 1, 'connection errors counted');

    await server.start();
    client = new Redis({ port: server.port, lazyConnect: true });
    await client.connect();
    await client.set('others:sensor:1', '42');
    await h.until(
      () => h.metrics('redis', 'sensor').some((m) => m.fields.value?.value === 42),
      'reads again',
    );
    expect(h.payloads('busbar/status/redis')).toEqual(['online', 'offline', 'online']);
    // The restarted server lost notify-keyspace-events; the bridge set it again on reconnect.
    await h.until(() => h.stats<RedisStats>('redis')?.notifications === true, 'notifications again');
    await client.set('live:R1', JSON.stringify({ kw: 1 }));
    await h.until(() => h.metrics('redis', 'live').length > 0, 'a notified key after the restart');
    expect(h.busbar.log.find('Redis 127.0.0.1').map((l) => l.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/is offline/), expect.stringMatching(/is online/)]),
    );
    await loadDataset(client);
  });
});
