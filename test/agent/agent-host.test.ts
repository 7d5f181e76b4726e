/**
 * The agent inside `busbar start`, on this very host: a real busbar in this process, a real MQTT
 * client watching what arrives.
 */
import os from 'node:os';
import type { MqttClient } from 'mqtt';
import si from 'systeminformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLineProtocol } from '../../core/codecs/line-protocol.js';
import type { Metric } from '../../core/codecs/metric.js';
import { busbarVersion } from '../../core/runtime/version.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, record, subscribe, waitFor, type ReceivedMessage } from '../helpers/mqtt-clients.js';
import { HOST_MEASUREMENTS, expectPlausible } from './plausibility.js';

const SOURCE = 'it-host';
const clients = new Clients();
let busbar: TestBusbar;
let watcher: MqttClient;
let seen: ReceivedMessage[];

beforeAll(async () => {
  busbar = await startTestBusbar({
    agent: { name: SOURCE, interval: '200ms', cpu: { perCore: true }, processes: { top: 3, names: true } },
  });
  watcher = await clients.connect(busbar.url);
  seen = record(watcher);
  await subscribe(watcher, `busbar/+/${SOURCE}/#`, 1);
  await subscribe(watcher, `busbar/+/${SOURCE}`, 1);
});

afterAll(async () => {
  await clients.closeAll();
});

function received(measurement: string): Metric[] {
  return seen
    .filter((message) => message.topic === `busbar/metrics/${SOURCE}/${measurement}`)
    .flatMap((message) => {
      const { metrics, errors } = parseLineProtocol(message.payload);
      expect(errors, message.payload).toEqual([]);
      return metrics;
    });
}

describe('host agent in busbar start, on this host', () => {
  it('publishes every measurement as line protocol, with plausible values', async () => {
    const twice = (m: string): boolean => seen.filter((s) => s.topic.endsWith(`/${SOURCE}/${m}`)).length >= 2;
    await waitFor(() => HOST_MEASUREMENTS.every(twice), `every measurement twice`, 15_000);
    for (const measurement of HOST_MEASUREMENTS) expectPlausible(measurement, received(measurement), SOURCE);

    const cpus = new Set(received('cpu').map((metric) => metric.tags.cpu));
    expect(cpus).toEqual(new Set(['cpu-total', ...os.cpus().map((_cpu, index) => `cpu${index}`)]));
    expect(received('disk').map((metric) => metric.tags.path)).toContain('/');
    const top = seen.find((message) => message.topic.endsWith('/procstat'))!;
    expect(top.payload.split('\n').length).toBeLessThanOrEqual(6); // top 3 by CPU + top 3 by memory
    expect(received('procstat').every((metric) => metric.tags.process_name !== undefined)).toBe(true);

    // Timestamps are the sample's tick: on the 200 ms grid, and recent.
    const now = BigInt(Date.now()) * 1_000_000n;
    for (const metric of received('system')) {
      expect(metric.timestamp! % 200_000_000n).toBe(0n);
      expect(now - metric.timestamp!).toBeLessThan(30_000_000_000n);
    }
    expect(seen.some((message) => message.topic.startsWith('busbar/metrics/') && message.retain)).toBe(false);
  });

  it('publishes temperatures only where the host has sensors', async () => {
    const sensors = await si.cpuTemperature();
    const present = sensors.main !== null || sensors.cores.length > 0;
    await waitFor(() => received('system').length >= 3, 'three system samples');
    if (present) expect(received('temp').length).toBeGreaterThan(0);
    else expect(received('temp')).toEqual([]); // this VM: no line at all, not a 0
  });

  it('states online (retained) and a retained inventory', async () => {
    await waitFor(
      () => seen.some((message) => message.topic === `busbar/inventory/${SOURCE}`),
      'the inventory',
      10_000,
    );
    const late = await clients.connect(busbar.url);
    const retained = record(late);
    await subscribe(late, `busbar/+/${SOURCE}`, 1);
    await waitFor(() => retained.length >= 2, 'the retained status and inventory');
    const status = retained.find((message) => message.topic === `busbar/status/${SOURCE}`);
    expect(status).toMatchObject({ payload: 'online', retain: true });
    const inventory = JSON.parse(retained.find((m) => m.topic === `busbar/inventory/${SOURCE}`)!.payload);
    expect(inventory).toMatchObject({
      source: SOURCE,
      agent: { version: busbarVersion() },
      cpu: { cores: os.cpus().length },
      memory: { total: os.totalmem() },
      os: { platform: 'linux', kernel: os.release(), arch: os.arch() },
    });
    expect(inventory.disks.length).toBeGreaterThan(0);
  });

  it("samples in a thread of its own: a busy broker thread does not stop it, and its log reaches busbar's", async () => {
    expect(busbar.log.find('host agent starting')[0]).toMatchObject({ source: SOURCE });
    const systemTicks = (): bigint[] => [...new Set(received('system').map((metric) => metric.timestamp!))];
    await waitFor(() => systemTicks().length >= 2, 'two system samples');
    // Hold this thread — busbar's main thread — for 2 s, as a long task of the broker would. On it,
    // the agent would take one sample late and skip the rest (schedule.ts); in its own thread it
    // keeps its 200 ms grid, and the samples arrive once this thread is free again.
    const from = BigInt(Date.now()) * 1_000_000n;
    const until = Date.now() + 2_000;
    while (Date.now() < until);
    const to = BigInt(Date.now()) * 1_000_000n;
    const inside = (): bigint[] => systemTicks().filter((tick) => tick > from && tick < to);
    await waitFor(() => inside().length >= 3, 'system samples taken while the main thread was held', 10_000);
  });

  it('publishes offline on a clean stop', async () => {
    await busbar.stop();
    const statuses = seen.filter((message) => message.topic === `busbar/status/${SOURCE}`);
    expect(statuses.at(-1)?.payload).toBe('offline');
  });
});

describe('host agent defaults', () => {
  it('runs in busbar start without any configuration, named after the host', async () => {
    const plain = await startTestBusbar({});
    try {
      const client = await clients.connect(plain.url);
      const messages = record(client);
      await subscribe(client, `busbar/status/${os.hostname()}`, 1);
      await waitFor(() => messages.some((message) => message.payload === 'online'), 'online', 10_000);
    } finally {
      await plain.stop();
    }
  });
});
