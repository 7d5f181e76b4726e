/** `history.read`: the embedded store by default; an InfluxDB sink only when it is configured. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import { historyReadTarget } from '../../history/config.js';

const influxdb1 = { url: 'http://127.0.0.1:8086', database: 'metrics', username: 'u', password: 'p' };

describe('history.read', () => {
  it('reads the embedded store by default, nothing when it is off, InfluxDB 1.x when named', () => {
    const embedded = parseConfig({});
    expect(historyReadTarget(embedded.history, embedded.sinks)).toEqual({
      kind: 'embedded',
      path: 'data/history.db',
    });
    const off = parseConfig({ sinks: { history: { enabled: false } } });
    expect(historyReadTarget(off.history, off.sinks)).toMatchObject({ kind: 'off' });
    const influx = parseConfig({ sinks: { influxdb1 }, history: { read: 'influx:influxdb1' } });
    expect(historyReadTarget(influx.history, influx.sinks)).toMatchObject({
      kind: 'influx-v1',
      sink: 'influxdb1',
      database: 'metrics',
      sourceTag: 'host',
      timeoutMs: 10_000,
    });
  });

  it('refuses a sink that is not configured, InfluxDB 2.x, and anything else, naming the place', () => {
    expect(() => parseConfig({ history: { read: 'influx:influxdb1' } })).toThrow(
      /history\.read.*sinks\.influxdb1 is not configured/s,
    );
    expect(() => parseConfig({ history: { read: 'influx:influxdb' } })).toThrow(
      /history\.read.*InfluxDB 2\.x \(Flux\) is not supported yet/s,
    );
    expect(() => parseConfig({ history: { read: 'sqlite' } })).toThrow(
      /history\.read.*embedded, or influx:/s,
    );
  });
});
