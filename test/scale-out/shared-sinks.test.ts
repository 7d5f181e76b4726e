/**
 * Scale-out on an existing broker: two busbar processes without their embedded broker, both
 * attached over MQTT 5 to one Mosquitto, or to another busbar's embedded broker, split the metric
 * stream with a shared subscription. Each worker writes
 * to its own VictoriaMetrics here, so the test can see who wrote what: each holds a part, no point
 * is in both, and together they hold every point.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBusbar, type RunningBusbar } from '../../cli/app.js';
import { parseConfig } from '../../config/load.js';
import { startTestBusbar } from '../helpers/busbar.js';
import { captureLog } from '../helpers/log-capture.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { Clients } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { startVictoriaMetrics, type VictoriaMetricsServer } from '../helpers/victoria-metrics.js';
import { exportedKeys, makePoints, missing } from '../sinks/metric-sets.js';

interface SharedBroker {
  readonly url: string;
  stop(): Promise<void>;
}

const BROKERS: [string, () => Promise<SharedBroker>][] = [
  ['Mosquitto', startMosquitto],
  [
    "busbar's embedded broker",
    () => startTestBusbar({ agent: { enabled: false }, sinks: { history: { enabled: false } } }),
  ],
];

describe.each(BROKERS)('on %s', (_name, startBroker) => {
  let broker: SharedBroker;
  let databases: VictoriaMetricsServer[];
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const workers: RunningBusbar[] = [];
  const logs = [captureLog('info'), captureLog('info')];
  const clients = new Clients();

  function worker(index: number): Promise<RunningBusbar> {
    const config = parseConfig({
      broker: { enabled: false },
      bus: { remote: { url: broker.url, protocolVersion: 5, clientId: `sink-worker-${index}` } },
      sinks: {
        history: { enabled: false },
        influxdb: {
          url: databases[index]!.url,
          org: 'site',
          bucket: 'metrics',
          shareGroup: 'sinks',
          outboxPath: path.join(dir.path, `outbox-${index}.db`),
          batchSize: 200,
          flushInterval: '50ms',
          statsInterval: '100ms',
        },
      },
      agent: { enabled: false },
    });
    return startBusbar(config, logs[index]!.logger);
  }

  beforeAll(async () => {
    let a: VictoriaMetricsServer;
    let b: VictoriaMetricsServer;
    [broker, a, b, dir] = await Promise.all([
      startBroker(),
      startVictoriaMetrics(),
      startVictoriaMetrics(),
      tempDir('scale-out'),
    ]);
    databases = [a, b];
    // Each returns once its sink has subscribed to the shared group.
    workers.push(await worker(0), await worker(1));
  });

  afterAll(async () => {
    await clients.closeAll();
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all([broker?.stop(), ...(databases ?? []).map((db) => db.stop())]);
    await dir?.remove();
  });

  it('two sink workers on one shared subscription each take a part and together write every point once', async () => {
    const device = await clients.connect(broker.url);
    const points = makePoints('shared', 2000, Date.now() - 60_000);
    for (let i = 0; i < points.length; i += 20) {
      const payload = points
        .slice(i, i + 20)
        .map((p) => p.line)
        .join('\n');
      await device.publishAsync('busbar/metrics/loader/shared', payload, { qos: 1 });
    }

    // Read both databases until the two parts add up (or 20 s pass; the assertions then say what lacks).
    const readParts = async (): Promise<Set<string>[]> =>
      Promise.all(
        databases.map(async (db) => exportedKeys(await db.export('{__name__="shared_value"}'), 'shared')),
      );
    let parts = await readParts();
    for (
      const deadline = Date.now() + 20_000;
      parts[0]!.size + parts[1]!.size < 2000 && Date.now() < deadline;
    ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      parts = await readParts();
    }
    const [first, second] = parts as [Set<string>, Set<string>];
    const both = [...first].filter((key) => second.has(key));
    expect(both).toEqual([]);
    const union = new Set([...first, ...second]);
    expect(
      missing(
        points.map((p) => p.key),
        union,
      ),
    ).toEqual([]);
    expect(union.size).toBe(2000);
    // A shared subscription hands out messages round-robin: each worker took a real share.
    expect(first.size).toBeGreaterThan(200);
    expect(second.size).toBeGreaterThan(200);
  });
});
