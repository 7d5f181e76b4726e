/**
 * The Redis bridge against a real redis-server: reading times in every unit and form, tags from
 * JSON paths, and every kind of value it refuses, each dead-lettered and counted by reason.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../config/schema.js';
import { startBridgeHarness, type BridgeHarness } from '../bridge-harness.js';
import { startRedis, type RedisServer } from '../../helpers/redis.js';

type RedisInput = NonNullable<NonNullable<ConfigInput['bridges']>['redis']>;
type Selection = RedisInput['selections'][number];

const NS = 1_732_530_000n * 1_000_000_000n; // 2024-11-25T10:20:00Z

let server: RedisServer;
let client: Redis;
let harness: BridgeHarness | undefined;

beforeAll(async () => {
  server = await startRedis();
  client = new Redis({ port: server.port, lazyConnect: true });
  await client.connect();
});
afterAll(async () => {
  client?.disconnect();
  await server?.stop();
});
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

type Stats = {
  deadletterSuppressed: number;
  deadletterSuppressedByReason: Record<string, number>;
  selections: Record<
    string,
    {
      reads: number;
      badValues: number;
      vanished: number;
      refused: Record<string, number>;
      timestampFallbacks: number;
    }
  >;
};

async function bridge(deadletterPerSecond: number, selections: Selection[]): Promise<BridgeHarness> {
  harness = await startBridgeHarness({
    bridges: { redis: { port: server.port, statsInterval: 100, deadletterPerSecond, selections } },
  });
  return harness;
}

/** Waits for a read of every selection, and for the stats published after it. */
async function afterOneRead(h: BridgeHarness): Promise<Stats> {
  await h.until(() => {
    const stats = h.stats<Stats>('redis');
    return stats !== undefined && Object.values(stats.selections).every((s) => s.reads >= 1);
  }, 'a read of every selection');
  return h.stats<Stats>('redis')!;
}

describe('Redis timestamps', () => {
  it('reads s, ms, us and ns, as numbers, numeric strings, float seconds and ISO 8601; a missing or null one is the read time, counted', async () => {
    const at = (ts: unknown): string => JSON.stringify({ v: 1, at: ts });
    await client.mset({
      'ts:s:int': at(1_732_530_000),
      'ts:s:string': at('1732530000'),
      'ts:s:float': at(1_732_530_000.5),
      'ts:s:float-string': at('1732530000.123456789'),
      'ts:s:iso': at('2024-11-25T11:20:00+01:00'),
      'ts:s:missing': JSON.stringify({ v: 1 }),
      'ts:s:null': at(null),
      'ts:ms:int': at(1_732_530_000_001),
      'ts:us:string': at('1732530000000002'),
      'ts:ns:string': at('1732530000000000003'),
      'ts:auto:s': at(1_732_530_004),
      'ts:auto:ms': at('1732530000005'),
    });
    const selection = (unit: 's' | 'ms' | 'us' | 'ns' | 'auto'): Selection => ({
      name: `ts-${unit}`,
      match: `ts:${unit}:*`,
      pattern: `ts:${unit}:{form}`,
      measurement: `ts_${unit}`,
      fields: [{ path: 'v' }],
      timestampPath: 'at',
      timestampUnit: unit,
      interval: 200,
    });
    // busbar's clock keeps within a millisecond of Date.now() (core/codecs/metric.ts nowNs).
    const before = (BigInt(Date.now()) - 1n) * 1_000_000n;
    const h = await bridge(100, [
      selection('s'),
      selection('ms'),
      selection('us'),
      selection('ns'),
      selection('auto'),
    ]);
    await h.until(
      () => new Set(h.metrics('redis').map((m) => m.topic + m.tags.form)).size >= 12,
      'a metric of every key',
    );
    const stats = await afterOneRead(h);
    const stamp = (measurement: string, form: string): bigint | undefined =>
      h.metrics('redis', measurement).find((m) => m.tags.form === form)?.timestamp;
    expect(stamp('ts_s', 'int')).toBe(NS);
    expect(stamp('ts_s', 'string')).toBe(NS);
    expect(stamp('ts_s', 'float')).toBe(NS + 500_000_000n);
    expect(stamp('ts_s', 'float-string')).toBe(NS + 123_456_789n);
    expect(stamp('ts_s', 'iso')).toBe(NS);
    expect(stamp('ts_ms', 'int')).toBe(NS + 1_000_000n);
    expect(stamp('ts_us', 'string')).toBe(NS + 2_000n);
    expect(stamp('ts_ns', 'string')).toBe(NS + 3n);
    expect(stamp('ts_auto', 's')).toBe(NS + 4_000_000_000n);
    expect(stamp('ts_auto', 'ms')).toBe(NS + 5_000_000n);
    expect(stamp('ts_s', 'missing')).toBeGreaterThanOrEqual(before);
    expect(stamp('ts_s', 'null')).toBeGreaterThanOrEqual(before);
    // Two per read; a read's counters are updated at once, before the read itself is counted.
    const { reads, timestampFallbacks } = stats.selections['ts-s']!;
    expect([2 * reads, 2 * (reads + 1)]).toContain(timestampFallbacks);
    expect(stats.selections['ts-ms']!.timestampFallbacks).toBe(0);
  });

  it('takes tags from JSON paths as well as from the key', async () => {
    await client.set('dev:rack4:1', JSON.stringify({ kw: 2, tags: { device_id: 'pdu-7', slot: 3 } }));
    await client.set('dev:rack4:2', JSON.stringify({ kw: 3 }));
    const h = await bridge(100, [
      {
        name: 'dev',
        match: 'dev:*',
        pattern: 'dev:{rack}:{n}',
        measurement: 'dev',
        tagPaths: { device_id: 'tags.device_id', slot: 'tags.slot' },
        interval: 200,
      },
    ]);
    await h.until(() => new Set(h.metrics('redis', 'dev').map((m) => m.tags.n)).size >= 2, 'both keys');
    const tags = [...new Map(h.metrics('redis', 'dev').map((m) => [m.tags.n, m])).values()]
      .map((m) => m.tags)
      .sort((a, b) => a.n!.localeCompare(b.n!));
    expect(tags).toEqual([
      { rack: 'rack4', n: '1', device_id: 'pdu-7', slot: '3' },
      { rack: 'rack4', n: '2' },
    ]);
  });
});

/** Keys of each refusal, their selection and code. */
async function loadRefusals(): Promise<Record<string, [selection: string, code: string]>> {
  await client.hset('bad:hash', { v: '1' });
  await client.sadd('bad:set', 'a');
  // {"v":1,"n":"<0xff>"}: one byte that is never UTF-8.
  await client.set(
    'bad:utf8',
    Buffer.concat([Buffer.from('{"v":1,"n":"'), Buffer.from([0xff]), Buffer.from('"}')]),
  );
  await client.mset({
    'bad:null': 'null',
    'bad:array': '[{"v":1}]',
    'bad:scalar': '"1"',
    'bad:deep': '['.repeat(2_000) + ']'.repeat(2_000),
    'bad:json': '{"v":',
    'bad:nofield': '{"w":1}',
    'bad:field': '{"v":"warm"}',
    'bad:timestamp': '{"v":1,"at":"soon"}',
    'bad:good': '{"v":1,"at":1732530000}',
    'hbad:string': '{"v":1}',
    'num:word': 'warm',
    'num:good': '21.5',
  });
  await client.hset('hbad:utf8', { v: Buffer.from([0x31, 0xc3]) });
  await client.hset('hbad:good', { v: '1' });
  await client.hset('num:hash', { v: '1' });
  return {
    'bad:hash': ['bad', 'wrong-type'],
    'bad:set': ['bad', 'wrong-type'],
    'bad:utf8': ['bad', 'invalid-utf8'],
    'bad:null': ['bad', 'null'],
    'bad:array': ['bad', 'top-level-array'],
    'bad:scalar': ['bad', 'not-an-object'],
    'bad:deep': ['bad', 'too-deep'],
    'bad:json': ['bad', 'not-json'],
    'bad:nofield': ['bad', 'no-field'],
    'bad:field': ['bad', 'bad-field'],
    'bad:timestamp': ['bad', 'bad-timestamp'],
    'hbad:string': ['hbad', 'wrong-type'],
    'hbad:utf8': ['hbad', 'invalid-utf8'],
    'num:word': ['num', 'not-a-number'],
    'num:hash': ['num', 'wrong-type'],
  };
}

const refusalSelections: Selection[] = [
  {
    name: 'bad',
    match: 'bad:*',
    measurement: 'bad',
    fields: [{ path: 'v' }],
    timestampPath: 'at',
    interval: 200,
  },
  { name: 'hbad', match: 'hbad:*', type: 'hash', measurement: 'hbad', interval: 200 },
  { name: 'num', match: 'num:*', type: 'number', measurement: 'num', interval: 200 },
];

function expectedCounts(expected: Record<string, [string, string]>): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const [selection, code] of Object.values(expected)) {
    const of = (counts[selection] ??= {});
    of[code] = (of[code] ?? 0) + 1;
  }
  return counts;
}

describe('Redis refusals', () => {
  it('dead-letters each kind of value it cannot read with its own reason, counts it, and reads the good keys', async () => {
    const expected = await loadRefusals();
    const h = await bridge(1_000, refusalSelections);
    type Letter = { key: string; selection: string; code: string; reason: string };
    const letters = (): Letter[] =>
      h.payloads('busbar/deadletter/redis-value').map((p) => JSON.parse(p) as Letter);
    const lettered = (): Record<string, [string, string]> =>
      Object.fromEntries(letters().map((l) => [l.key, [l.selection, l.code]]));
    await h.until(
      () => Object.keys(lettered()).length >= Object.keys(expected).length,
      'a dead letter per bad key',
    );
    expect(lettered()).toEqual(expected);
    const reason = (key: string): string => letters().find((l) => l.key === key)!.reason;
    expect(reason('bad:hash')).toBe(
      'WRONGTYPE: the key holds a hash, the selection reads strings (type: json)',
    );
    expect(reason('bad:set')).toMatch(/holds a set/);
    expect(reason('hbad:string')).toBe(
      'WRONGTYPE: the key holds a string, the selection reads hashs (type: hash)',
    );
    expect(reason('bad:utf8')).toBe('invalid UTF-8 in the value near byte 12');
    expect(reason('hbad:utf8')).toMatch(/^invalid UTF-8 in hash field "v"/);
    expect(reason('bad:deep')).toBe('JSON nested deeper than 64 levels');
    expect(reason('bad:timestamp')).toMatch(/^at: "soon" is not a timestamp/);

    const stats = await afterOneRead(h);
    for (const [name, perRead] of Object.entries(expectedCounts(expected))) {
      const { refused, badValues, vanished } = stats.selections[name]!;
      // Every read refuses each key once, all counted in the same tick: the same multiple of each reason.
      const reads = refused['wrong-type']! / perRead['wrong-type']!;
      expect(reads).toBeGreaterThanOrEqual(1);
      expect(refused).toEqual(
        Object.fromEntries(Object.entries(perRead).map(([code, n]) => [code, n * reads])),
      );
      expect(badValues).toBe(reads * Object.values(perRead).reduce((a, b) => a + b));
      // A key of the wrong type is not "vanished".
      expect(vanished).toBe(0);
    }
    await h.until(() => h.metrics('redis').length >= 3, 'the good keys');
    // By now a second read may have published the good keys again: each once per read, none other.
    expect([...new Set(h.metrics('redis').map((m) => m.measurement))].sort()).toEqual(['bad', 'hbad', 'num']);
    expect(h.metrics('redis', 'bad')[0]!.timestamp).toBe(NS);
  });

  it('still counts by reason what the dead-letter rate limit held back', async () => {
    const expected = await loadRefusals();
    const h = await bridge(1, refusalSelections);
    const codes = new Set(Object.values(expected).map(([, code]) => code));
    // Reads every 200 ms refuse 15 keys each; one letter a second passes, so each reason is held back.
    await h.until(() => {
      const held = h.stats<Stats>('redis')?.deadletterSuppressedByReason ?? {};
      return [...codes].every((code) => (held[code] ?? 0) >= 2);
    }, 'every reason counted as held back');
    const stats = h.stats<Stats>('redis')!;
    const held = Object.values(stats.deadletterSuppressedByReason).reduce((a, b) => a + b);
    expect(held).toBe(stats.deadletterSuppressed);
    expect(Object.keys(stats.deadletterSuppressedByReason).sort()).toEqual([...codes].sort());
    const sent = h.payloads('busbar/deadletter/redis-value').length;
    const refused = Object.values(stats.selections).reduce(
      (sum, s) => sum + Object.values(s.refused).reduce((a, b) => a + b, 0),
      0,
    );
    expect(sent).toBeLessThan(refused / 4);
  });
});
