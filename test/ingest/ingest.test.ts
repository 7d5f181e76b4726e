import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLineProtocol } from '../../core/codecs/line-protocol.js';
import {
  Clients,
  messageOn,
  record,
  subscribe,
  waitFor,
  type ReceivedMessage,
} from '../helpers/mqtt-clients.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';

let busbar: TestBusbar;
const clients = new Clients();
let device: MqttClient;
let watcher: MqttClient;
let seen: ReceivedMessage[];

beforeAll(async () => {
  busbar = await startTestBusbar({
    ingest: {
      statsInterval: '100ms',
      deadletterPerSecond: 1000,
      rules: [
        {
          topic: 'sensors/+room/+measurement',
          source: '{room}',
          measurement: '{measurement}',
          tags: { room: '{room}' },
          format: 'value',
        },
        {
          topic: 'tele/+device/SENSOR',
          source: '{device}',
          measurement: 'energy',
          format: 'json',
          fields: [
            { path: 'ENERGY.Power', name: 'power_w', type: 'float' },
            { path: 'ENERGY.Total', name: 'energy_kwh' },
            { path: 'ENERGY.Count', name: 'count', type: 'integer' },
          ],
          timestampPath: 'Time',
        },
        { topic: 'legacy/+site/influx', source: '{site}', format: 'line', tags: { site: '{site}' } },
        { topic: 'switches/+name', source: 'switches', format: 'value', type: 'boolean', field: 'on' },
      ],
    },
  });
  device = await clients.connect(busbar.url, { clientId: 'device' });
  watcher = await clients.connect(busbar.url, { clientId: 'watcher' });
  seen = record(watcher);
  await subscribe(watcher, 'busbar/#', 1);
});

afterAll(async () => {
  await clients.closeAll();
  await busbar.stop();
});

function metricsOn(topic: string): Promise<ReturnType<typeof parseLineProtocol>> {
  return messageOn(seen, topic).then((message) => parseLineProtocol(message.payload));
}

describe('ingest rules', () => {
  it('maps a plain value on a device topic to a metric with captured source, measurement and tags', async () => {
    await device.publishAsync('sensors/kitchen/temperature', '21.5', { qos: 1 });
    const { metrics, errors } = await metricsOn('busbar/metrics/kitchen/temperature');
    expect(errors).toEqual([]);
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({
      measurement: 'temperature',
      tags: { room: 'kitchen' },
      fields: { value: { type: 'float', value: 21.5 } },
    });
    expect(metrics[0]!.timestamp).toBeDefined();
  });

  it('selects, renames and types JSON fields and takes the timestamp from the payload', async () => {
    const payload = { ENERGY: { Power: 41, Total: 12.75, Count: '7' }, Time: '2026-11-25T10:00:00Z' };
    await device.publishAsync('tele/plug-7/SENSOR', JSON.stringify(payload), { qos: 1 });
    const { metrics } = await metricsOn('busbar/metrics/plug-7/energy');
    expect(metrics[0]).toMatchObject({
      measurement: 'energy',
      fields: {
        power_w: { type: 'float', value: 41 },
        energy_kwh: { type: 'float', value: 12.75 },
        count: { type: 'integer', value: 7n },
      },
      timestamp: BigInt(Date.parse('2026-11-25T10:00:00Z')) * 1_000_000n,
    });
  });

  it('passes line protocol through, adding the rule tags', async () => {
    await device.publishAsync('legacy/paris/influx', 'power,rack=r1 watts=230i\npower,rack=r2 watts=180i', {
      qos: 1,
    });
    const { metrics } = await metricsOn('busbar/metrics/paris/power');
    expect(metrics.map((m) => m.tags)).toEqual([
      { rack: 'r1', site: 'paris' },
      { rack: 'r2', site: 'paris' },
    ]);
  });

  it('republishes a message of several measurements on one topic per measurement, in order', async () => {
    await device.publishAsync(
      'legacy/lyon/influx',
      'power,rack=r1 watts=230i\ntemp,rack=r1 c=21\npower,rack=r2 watts=1i',
      {
        qos: 1,
      },
    );
    const power = await metricsOn('busbar/metrics/lyon/power');
    const temp = await metricsOn('busbar/metrics/lyon/temp');
    expect(power.metrics.map((m) => m.tags.rack)).toEqual(['r1', 'r2']);
    expect(temp.metrics.map((m) => m.fields.c)).toEqual([{ type: 'float', value: 21 }]);
    const order = seen.filter((m) => m.topic.startsWith('busbar/metrics/lyon/')).map((m) => m.topic);
    expect(order).toEqual(['busbar/metrics/lyon/power', 'busbar/metrics/lyon/temp']);
  });

  it('coerces ON/OFF into a boolean field', async () => {
    await device.publishAsync('switches/pump', 'ON', { qos: 1 });
    const { metrics } = await metricsOn('busbar/metrics/switches/pump');
    expect(metrics[0]?.fields).toEqual({ on: { type: 'boolean', value: true } });
  });
});

describe('bad payloads', () => {
  const cases: { name: string; topic: string; payload: string; reason: string }[] = [
    { name: 'garbage as a value', topic: 'sensors/hall/co2', payload: 'twelve', reason: 'value' },
    { name: 'an empty value', topic: 'sensors/hall/humidity', payload: '', reason: 'value' },
    { name: 'JSON that is not JSON', topic: 'tele/plug-8/SENSOR', payload: '{"ENERGY":', reason: 'json' },
    {
      name: 'a JSON field of the wrong type',
      topic: 'tele/plug-9/SENSOR',
      payload: '{"ENERGY":{"Count":"many"}}',
      reason: 'type',
    },
    {
      name: 'a bad timestamp',
      topic: 'tele/plug-10/SENSOR',
      payload: '{"ENERGY":{"Power":1},"Time":"soon"}',
      reason: 'json',
    },
    {
      name: 'broken line protocol on a metric topic',
      topic: 'busbar/metrics/web1/cpu',
      payload: 'cpu usage=',
      reason: 'line-protocol',
    },
    {
      name: 'a metric topic with too many levels',
      topic: 'busbar/metrics/a/b/c',
      payload: 'x v=1',
      reason: 'topic',
    },
    { name: 'an empty metric payload', topic: 'busbar/metrics/web1/cpu', payload: '  ', reason: 'empty' },
    {
      name: 'a JSON metric without fields',
      topic: 'busbar/metrics/web1/mem',
      payload: '{"measurement":"mem","fields":{}}',
      reason: 'metric',
    },
  ];

  for (const testCase of cases) {
    it(`counts and dead-letters ${testCase.name} (reason ${testCase.reason})`, async () => {
      const before = seen.length;
      await device.publishAsync(testCase.topic, testCase.payload, { qos: 1 });
      await waitFor(
        () =>
          seen
            .slice(before)
            .some(
              (m) =>
                m.topic === `busbar/deadletter/${testCase.reason}` &&
                JSON.parse(m.payload).topic === testCase.topic,
            ),
        `dead letter for ${testCase.topic}`,
      );
      const letter = seen
        .slice(before)
        .find(
          (m) =>
            m.topic === `busbar/deadletter/${testCase.reason}` &&
            JSON.parse(m.payload).topic === testCase.topic,
        )!;
      const record = JSON.parse(letter.payload) as Record<string, unknown>;
      expect(record).toMatchObject({ reason: testCase.reason, payload: testCase.payload, encoding: 'utf8' });
      expect(String(record.detail).length).toBeGreaterThan(3);
    });
  }

  it('keeps the good lines of a message that also has bad ones', async () => {
    await device.publishAsync('busbar/metrics/web2/disk', 'disk used=1i\ndisk used=oops\ndisk used=3i', {
      qos: 1,
    });
    await waitFor(
      () => seen.some((m) => m.topic === 'busbar/deadletter/line-protocol' && m.payload.includes('web2')),
      'dead letter for the bad line',
    );
    expect(busbar.log.find('payload refused on busbar/metrics/web2/disk')[0]?.detail).toMatch(/line 2/);
  });

  it('publishes per-reason counts on busbar/stats/ingest', async () => {
    await waitFor(() => {
      const last = seen.filter((m) => m.topic === 'busbar/stats/ingest').at(-1);
      if (!last) return false;
      const stats = JSON.parse(last.payload) as { rejected: Record<string, number> };
      return ['value', 'json', 'type', 'metric', 'line-protocol', 'topic', 'empty'].every(
        (reason) => (stats.rejected[reason] ?? 0) > 0,
      );
    }, 'stats with every reason');
    const stats = JSON.parse(seen.filter((m) => m.topic === 'busbar/stats/ingest').at(-1)!.payload) as Record<
      string,
      number
    >;
    expect(stats.ruleMessages).toBeGreaterThanOrEqual(4);
    expect(stats.metricsAccepted).toBeGreaterThanOrEqual(5);
  });

  it('dead-letters binary garbage as base64 and stays up', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    await device.publishAsync('busbar/metrics/web3/raw', bytes, { qos: 1 });
    await waitFor(
      () => seen.some((m) => m.topic.startsWith('busbar/deadletter/') && m.payload.includes('web3/raw')),
      'binary dead letter',
    );
    const letter = JSON.parse(
      seen.find((m) => m.payload.includes('web3/raw') && m.topic.startsWith('busbar/deadletter/'))!.payload,
    );
    expect(letter.encoding).toBe('base64');
    expect(Buffer.from(letter.payload, 'base64')).toEqual(bytes);
    // Still serving: a good metric after the garbage gets through.
    await device.publishAsync('sensors/attic/temperature', '3.5', { qos: 1 });
    await messageOn(seen, 'busbar/metrics/attic/temperature');
  });
});
