import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, record, subscribe, waitFor, type ReceivedMessage } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { startVictoriaMetrics, type VictoriaMetricsServer } from '../helpers/victoria-metrics.js';
import { exportedKeys, makePoints, missing } from './metric-sets.js';

let vm: VictoriaMetricsServer;
let busbar: TestBusbar;
let dir: Awaited<ReturnType<typeof tempDir>>;
const clients = new Clients();
let device: MqttClient;
let seen: ReceivedMessage[];
const TOKEN = 'vm-token-very-secret';

function stats(): Record<string, number> {
  const last = seen.filter((m) => m.topic === 'busbar/stats/influxdb').at(-1);
  return last ? (JSON.parse(last.payload) as Record<string, number>) : {};
}

beforeAll(async () => {
  [vm, dir] = await Promise.all([startVictoriaMetrics(), tempDir('influx-v2')]);
  busbar = await startTestBusbar({
    sinks: {
      history: { enabled: false },
      influxdb: {
        url: vm.url,
        token: TOKEN,
        org: 'site',
        bucket: 'metrics',
        outboxPath: path.join(dir.path, 'outbox.db'),
        batchSize: 500,
        flushInterval: '50ms',
        statsInterval: '50ms',
      },
    },
  });
  const watcher = await clients.connect(busbar.url);
  seen = record(watcher);
  await subscribe(watcher, 'busbar/stats/influxdb', 0);
  device = await clients.connect(busbar.url);
});

afterAll(async () => {
  await clients.closeAll();
  await busbar?.stop();
  await vm?.stop();
  await dir?.remove();
});

describe('InfluxDB v2 sink against VictoriaMetrics', () => {
  it('writes every published point through /api/v2/write (gzip), read back through the export API', async () => {
    const points = makePoints('v2load', 3000, Date.now() - 120_000);
    for (let i = 0; i < points.length; i += 100) {
      const payload = points
        .slice(i, i + 100)
        .map((p) => p.line)
        .join('\n');
      await device.publishAsync('busbar/metrics/loader/v2load', payload, { qos: 1 });
    }
    await waitFor(() => (stats().written ?? 0) >= 3000, '3000 lines written', 20_000);
    const exported = await vm.exportWhen(
      '{__name__="v2load_value"}',
      (s) => exportedKeys(s, 'v2load').size >= 3000,
    );
    const stored = exportedKeys(exported, 'v2load');
    expect(
      missing(
        points.map((p) => p.key),
        stored,
      ),
    ).toEqual([]);
    expect(stored.size).toBe(3000);
    // Never one request per line. How many messages share a request depends on timing (the flush
    // interval seals what waits when publishing is slow), so the bound is one request per message.
    expect(stats().requests).toBeLessThanOrEqual(30);
    expect(busbar.log.text()).not.toContain(TOKEN);
  });

  it('writes points serialised by busbar (no time in the payload, JSON) as well as verbatim ones', async () => {
    const before = Date.now();
    const written = stats().written ?? 0;
    await device.publishAsync('busbar/metrics/room/climate', 'climate,room=r1 temp=21.5,humidity=40i', {
      qos: 1,
    });
    await device.publishAsync(
      'busbar/metrics/plug/energy',
      JSON.stringify({ measurement: 'energy', fields: { w: 41 } }),
      {
        qos: 1,
      },
    );
    await waitFor(() => (stats().written ?? 0) >= written + 2, 'two more lines written');
    const climate = await vm.exportWhen('{__name__=~"climate_.*"}', (s) => s.length === 2);
    expect(climate.map((s) => [s.metric.__name__, s.metric.room, s.values[0]]).sort()).toEqual([
      ['climate_humidity', 'r1', 40],
      ['climate_temp', 'r1', 21.5],
    ]);
    expect(climate[0]!.timestamps[0]).toBeGreaterThanOrEqual(before - 1);
    const energy = await vm.exportWhen('{__name__="energy_w"}', (s) => s.length === 1);
    expect(energy[0]?.values).toEqual([41]);
  });
});
