import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { INFLUX_ADMIN, startInfluxd, type InfluxServer } from '../helpers/influxdb.js';
import { Clients, record, subscribe, waitFor, type ReceivedMessage } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';

let influx: InfluxServer;
let busbar: TestBusbar;
let dir: Awaited<ReturnType<typeof tempDir>>;
const clients = new Clients();
let device: MqttClient;
let seen: ReceivedMessage[];
const T = BigInt(Date.now() - 60_000) * 1_000_000n;

function stats(): Record<string, number> {
  const last = seen.filter((m) => m.topic === 'busbar/stats/influxdb1').at(-1);
  return last ? (JSON.parse(last.payload) as Record<string, number>) : {};
}

beforeAll(async () => {
  [influx, dir] = await Promise.all([startInfluxd({ auth: true }), tempDir('influx-v1')]);
  await influx.query('CREATE DATABASE metrics');
  busbar = await startTestBusbar({
    sinks: {
      history: { enabled: false },
      influxdb1: {
        url: influx.url,
        database: 'metrics',
        username: INFLUX_ADMIN.username,
        password: INFLUX_ADMIN.password,
        outboxPath: path.join(dir.path, 'outbox.db'),
        batchSize: 100,
        flushInterval: '50ms',
        statsInterval: '50ms',
        retryDelay: '50ms',
        maxRetryDelay: '200ms',
      },
    },
  });
  const watcher = await clients.connect(busbar.url);
  seen = record(watcher);
  await subscribe(watcher, 'busbar/stats/influxdb1', 0);
  await subscribe(watcher, 'busbar/deadletter/#', 0);
  device = await clients.connect(busbar.url);
});

afterAll(async () => {
  await clients.closeAll();
  await busbar?.stop();
  await influx?.stop();
  await dir?.remove();
});

describe('InfluxDB 1.x sink against influxd 1.6', () => {
  it('writes every point with its tags, fields and time, with basic auth, in batches', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 250; i++)
      lines.push(`power,pdu=pdu1,outlet=${i % 8} watts=${i}.5,on=true,n=${i}i ${T + BigInt(i)}`);
    for (let i = 0; i < 250; i += 25) {
      await device.publishAsync('busbar/metrics/pdu1/power', lines.slice(i, i + 25).join('\n'), { qos: 1 });
    }
    await waitFor(() => (stats().written ?? 0) >= 250, '250 lines written');
    const rows = await influx.rows('metrics', 'power');
    expect(rows).toHaveLength(250);
    // The source of the topic comes along as the tag `source` (history read back from InfluxDB).
    expect(rows[7]).toEqual({
      time: Number(T + 7n),
      pdu: 'pdu1',
      outlet: '7',
      source: 'pdu1',
      watts: 7.5,
      on: true,
      n: 7,
    });
    // Batches of up to 100 lines: never one request per line. How many messages share a request
    // depends on timing (the 50 ms flush seals what waits when publishing is slow), so the bound
    // is one request per message.
    expect(stats().requests).toBeLessThanOrEqual(10);
    expect(busbar.log.text()).not.toContain(INFLUX_ADMIN.password);
  });

  it('stamps points published without a time with their arrival time, and takes JSON and bare numbers', async () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const written = stats().written ?? 0;
    await device.publishAsync('busbar/metrics/room1/climate', 'climate,room=r1 temp=21.5', { qos: 1 });
    await device.publishAsync('busbar/metrics/fridge/temperature', '4.25', { qos: 1 });
    await device.publishAsync(
      'busbar/metrics/plug/energy',
      JSON.stringify({ measurement: 'energy', fields: { w: 41 } }),
      {
        qos: 1,
      },
    );
    await waitFor(() => (stats().written ?? 0) >= written + 3, '3 more lines written');
    const [climate] = await influx.rows('metrics', 'climate');
    expect(climate).toMatchObject({ room: 'r1', temp: 21.5 });
    expect(BigInt(climate!.time as number)).toBeGreaterThanOrEqual(before - 1_000_000n);
    expect(await influx.rows('metrics', 'temperature')).toMatchObject([{ value: 4.25 }]);
    expect(await influx.rows('metrics', 'energy')).toMatchObject([{ w: 41 }]);
  });

  it('dead-letters only the lines of a field type conflict, with the server reason, and writes the rest', async () => {
    // Counted from here, so that what earlier tests wrote (a QoS 1 message may come twice) does not matter.
    const written = stats().written ?? 0;
    await device.publishAsync('busbar/metrics/s/typed', `typed v=1.5 ${T}`, { qos: 1 });
    await waitFor(() => (stats().written ?? 0) >= written + 1, 'the float point written');
    const good = Array.from({ length: 40 }, (_, i) => `typed,k=g${i} v=${i}.25 ${T + 1000n + BigInt(i)}`);
    const bad = [`typed,k=bad1 v=7i ${T + 5000n}`, `typed,k=bad2 v="text" ${T + 5001n}`];
    const payload = [...good.slice(0, 13), bad[0], ...good.slice(13, 31), bad[1], ...good.slice(31)].join(
      '\n',
    );
    await device.publishAsync('busbar/metrics/s/typed', payload, { qos: 1 });
    await waitFor(
      () => (stats().written ?? 0) >= written + 41 && (stats().deadlettered ?? 0) >= 2,
      '40 written, 2 dead-lettered',
    );

    const rows = await influx.rows('metrics', 'typed');
    expect(rows).toHaveLength(41);
    expect(rows.some((row) => String(row.k).startsWith('bad'))).toBe(false);
    const letters = seen
      .filter((m) => m.topic === 'busbar/deadletter/sink-rejected')
      .map((m) => JSON.parse(m.payload));
    // As sent: with the source tag the sink adds.
    const sent = bad.map((line) => line.replace(/^typed,k=(\w+)/, 'typed,k=$1,source=s'));
    expect(letters.map((letter) => letter.payload).sort()).toEqual(sent.sort());
    for (const letter of letters) {
      expect(letter).toMatchObject({ sink: 'influxdb1', reason: 'sink-rejected' });
      expect(letter.detail).toContain('field type conflict');
    }
  });

  it('publishes depth, latency and counters on busbar/stats/influxdb1', () => {
    const snapshot = stats() as unknown as Record<string, unknown>;
    expect(snapshot).toMatchObject({
      state: 'ok',
      dropped: 0,
      url: `${influx.url}/write?db=metrics&precision=ns`,
    });
    expect(snapshot.outbox).toMatchObject({ durable: true, batches: 0, lines: 0 });
    expect((snapshot.writeLatencyMs as { max: number }).max).toBeGreaterThan(0);
  });
});
