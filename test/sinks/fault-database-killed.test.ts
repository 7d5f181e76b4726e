/**
 * The databases are killed in the middle of a stream and started again: afterwards every published
 * point is in each of them, compared as sets of (series, time, value).
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
let run: FaultBusbar;

beforeAll(async () => {
  [influx, vm, dir] = await Promise.all([startInfluxd(), startVictoriaMetrics(), tempDir('fault-killed')]);
  await influx.query('CREATE DATABASE metrics');
  run = await startFaultBusbar(faultConfig(dir.path, influx.url, vm.url));
});

afterAll(async () => {
  await run?.close();
  await Promise.all([influx?.stop(), vm?.stop()]);
  await dir?.remove();
});

describe('a database killed mid-stream', () => {
  it('loses nothing: every point published is stored once the database is back', async () => {
    const points = makePoints('fault', 6000, Date.now() - 300_000);
    const streaming = publishLines(
      run.publisher,
      points.map((p) => p.line),
      100,
      40,
    ); // ~2.4 s unloaded
    // Kill once part of the stream is in, however slowly the machine runs it.
    await waitFor(
      () => (run.stats('influxdb1').accepted ?? 0) >= 1000 && (run.stats('influxdb').accepted ?? 0) >= 1000,
      'the first 1,000 points accepted',
      15_000,
    );
    // influxd syncs its WAL before it answers a write, so it can be killed outright. VictoriaMetrics
    // answers first and flushes its buffers about once a second: a SIGKILL loses the last points it
    // acknowledged, whoever wrote them (tried: the first 1,000 of this stream vanished). So it gets
    // SIGTERM, its own crash-safe way to stop, while the stream is in full flow.
    await Promise.all([influx.kill('SIGKILL'), vm.kill('SIGTERM')]);
    // While both are down the points wait in the outboxes.
    await waitFor(
      () => (run.stats('influxdb1').outbox?.lines ?? 0) > 0 && (run.stats('influxdb').outbox?.lines ?? 0) > 0,
      'points waiting in both outboxes',
      15_000,
    );
    await Promise.all([influx.restart(), vm.restart()]);
    await streaming;

    const delivered = (sink: string): boolean =>
      run.stats(sink).written! >= 6000 && run.stats(sink).outbox?.lines === 0;
    await waitFor(() => delivered('influxdb1') && delivered('influxdb'), 'both outboxes drained', 30_000);
    // QoS 1 is at-least-once: a redelivered message is accepted again, so the counts may exceed the
    // points sent. What the databases hold is exact: they keep one point per series and time.
    expect(run.stats('influxdb1').accepted).toBeGreaterThanOrEqual(6000);
    expect(run.stats('influxdb').accepted).toBeGreaterThanOrEqual(6000);

    const expected = points.map((p) => p.key);
    const inInflux = influxKeys(await influx.rows('metrics', 'fault'), 'fault');
    expect(missing(expected, inInflux)).toEqual([]);
    expect(inInflux.size).toBe(6000);
    const exported = await vm.exportWhen(
      '{__name__="fault_value"}',
      (s) => exportedKeys(s, 'fault').size >= 6000,
      20_000,
    );
    const inVm = exportedKeys(exported, 'fault');
    expect(missing(expected, inVm)).toEqual([]);
    expect(inVm.size).toBe(6000);
  }, 90_000); // two database restarts and a drain, each waited for, on a possibly loaded machine
});
