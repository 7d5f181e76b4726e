/**
 * busbar is stopped and started again while the databases are down: the points it accepted wait in
 * the durable outboxes across the restart, and every one of them (and those accepted after the
 * restart) is in the databases once they are back, compared as sets of (series, time, value).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type InfluxServer } from '../helpers/influxdb.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { startVictoriaMetrics, type VictoriaMetricsServer } from '../helpers/victoria-metrics.js';
import { faultConfig, publishLines, startFaultBusbar, type FaultBusbar } from './fault-sinks.js';
import { exportedKeys, influxKeys, makePoints, missing } from './metric-sets.js';

let influx: InfluxServer;
let vm: VictoriaMetricsServer;
let dir: Awaited<ReturnType<typeof tempDir>>;
let run: FaultBusbar | undefined;

beforeAll(async () => {
  [influx, vm, dir] = await Promise.all([startInfluxd(), startVictoriaMetrics(), tempDir('fault-restart')]);
  await influx.query('CREATE DATABASE metrics');
});

afterAll(async () => {
  await run?.close();
  await Promise.all([influx?.stop(), vm?.stop()]);
  await dir?.remove();
});

// QoS 1 is at-least-once: a redelivered message is accepted (and queued) again, so the counts are
// at least the points sent. What the databases hold is exact: one point per series and time.
const accepted = (sink: string, count: number): boolean => (run?.stats(sink).accepted ?? 0) >= count;

describe('busbar restarted while the databases are down', () => {
  it('delivers everything it accepted before and after the restart once the databases are back', async () => {
    const config = faultConfig(dir.path, influx.url, vm.url);
    await Promise.all([influx.kill('SIGKILL'), vm.kill('SIGTERM')]);

    run = await startFaultBusbar(config);
    const before = makePoints('restart', 3000, Date.now() - 300_000);
    await publishLines(
      run.publisher,
      before.map((p) => p.line),
      100,
    );
    await waitFor(() => accepted('influxdb1', 3000) && accepted('influxdb', 3000), 'first run accepted 3000');
    expect(run.stats('influxdb1').written ?? 0).toBe(0);
    await run.close();

    run = await startFaultBusbar(config);
    const after = makePoints('restart', 1000, Date.now() - 300_000, 10, 3000);
    await publishLines(
      run.publisher,
      after.map((p) => p.line),
      100,
    );
    await waitFor(
      () => accepted('influxdb1', 1000) && accepted('influxdb', 1000),
      'second run accepted 1000',
    );
    expect(run.stats('influxdb1').outbox?.lines).toBeGreaterThanOrEqual(4000);

    await Promise.all([influx.restart(), vm.restart()]);
    const delivered = (sink: string): boolean =>
      (run!.stats(sink).written ?? 0) >= 4000 && run!.stats(sink).outbox?.lines === 0;
    await waitFor(() => delivered('influxdb1') && delivered('influxdb'), 'both outboxes drained', 30_000);

    const expected = [...before, ...after].map((p) => p.key);
    const inInflux = influxKeys(await influx.rows('metrics', 'restart'), 'restart');
    expect(missing(expected, inInflux)).toEqual([]);
    expect(inInflux.size).toBe(4000);
    const exported = await vm.exportWhen(
      '{__name__="restart_value"}',
      (s) => exportedKeys(s, 'restart').size >= 4000,
      20_000,
    );
    const inVm = exportedKeys(exported, 'restart');
    expect(missing(expected, inVm)).toEqual([]);
    expect(inVm.size).toBe(4000);
  }, 90_000); // two busbar runs, two database restarts and a drain, on a possibly loaded machine
});
