/**
 * `history.read`: the embedded store by default; InfluxDB or VictoriaMetrics through a sink that is
 * configured, reading the source from the tag that sink adds.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import { historyReadTarget } from '../../history/config.js';

const influxdb1 = { url: 'http://127.0.0.1:8086', database: 'metrics', username: 'u', password: 'p' };
const influxdb = { url: 'http://127.0.0.1:8428', bucket: 'metrics' };

const target = (input: Parameters<typeof parseConfig>[0]) => {
  const config = parseConfig(input);
  return historyReadTarget(config.history, config.sinks);
};

describe('history.read', () => {
  it('reads the embedded store by default, nothing when it is off, InfluxDB 1.x when named', () => {
    expect(target({})).toEqual({ kind: 'embedded', path: 'data/history.db' });
    expect(target({ sinks: { history: { enabled: false } } })).toMatchObject({ kind: 'off' });
    expect(target({ sinks: { influxdb1 }, history: { read: 'influx:influxdb1' } })).toEqual({
      kind: 'influx-v1',
      sink: 'influxdb1',
      url: influxdb1.url,
      database: 'metrics',
      retentionPolicy: undefined,
      username: 'u',
      password: 'p',
      token: undefined,
      sourceTag: 'source',
      timeoutMs: 10_000,
    });
  });

  it('reads the source from the tag the sink adds, unless history.sourceTag names another', () => {
    const own = {
      sinks: { influxdb1: { ...influxdb1, sourceTag: 'origin' } },
      history: { read: 'influx:influxdb1' },
    };
    expect(target(own)).toMatchObject({ sourceTag: 'origin' });
    expect(target({ ...own, history: { ...own.history, sourceTag: 'host' } })).toMatchObject({
      sourceTag: 'host',
    });
    const none = { sinks: { influxdb1: { ...influxdb1, sourceTag: false as const } }, history: own.history };
    expect(() => parseConfig(none)).toThrow(/history\.read.*sinks\.influxdb1\.sourceTag is false/s);
    expect(target({ ...none, history: { ...none.history, sourceTag: 'host' } })).toMatchObject({
      sourceTag: 'host',
    });
  });

  it('sends a token to InfluxDB 2.x/3.x when one is set', () => {
    expect(
      target({ sinks: { influxdb1 }, history: { read: 'influx:influxdb1', token: 'tok-1' } }),
    ).toMatchObject({ kind: 'influx-v1', token: 'tok-1' });
  });

  it("reads InfluxDB 2.x/3.x with InfluxQL, not Flux: the v2 sink's URL and token, its bucket as database", () => {
    const v2 = { ...influxdb, token: 'sink-token' };
    expect(target({ sinks: { influxdb: v2 }, history: { read: 'influx:influxdb' } })).toEqual({
      kind: 'influx-v1',
      sink: 'influxdb',
      url: influxdb.url,
      database: 'metrics',
      token: 'sink-token',
      sourceTag: 'source',
      timeoutMs: 10_000,
    });
    expect(
      target({
        sinks: { influxdb: v2 },
        history: { read: 'influx:influxdb', database: 'telegraf', token: 'read-token' },
      }),
    ).toMatchObject({ database: 'telegraf', token: 'read-token' });
    // A bucket named db/rp maps to that database and retention policy.
    expect(
      target({
        sinks: { influxdb: { ...v2, bucket: 'metrics/week' } },
        history: { read: 'influx:influxdb' },
      }),
    ).toMatchObject({ database: 'metrics', retentionPolicy: 'week' });
  });

  it("reads VictoriaMetrics through either sink; the 1.x sink's database is the db label", () => {
    expect(target({ sinks: { influxdb1 }, history: { read: 'victoriametrics:influxdb1' } })).toEqual({
      kind: 'victoriametrics',
      sink: 'influxdb1',
      url: influxdb1.url,
      database: 'metrics',
      username: 'u',
      password: 'p',
      sourceTag: 'source',
      measurementSeparator: '_',
      timeoutMs: 10_000,
    });
    expect(
      target({
        sinks: { influxdb },
        history: { read: 'victoriametrics:influxdb', measurementSeparator: '.' },
      }),
    ).toEqual({
      kind: 'victoriametrics',
      sink: 'influxdb',
      url: influxdb.url,
      sourceTag: 'source',
      measurementSeparator: '.',
      timeoutMs: 10_000,
    });
  });

  it('refuses a sink that is not configured, and anything else, naming the place', () => {
    expect(() => parseConfig({ history: { read: 'influx:influxdb1' } })).toThrow(
      /history\.read.*sinks\.influxdb1 is not configured/s,
    );
    expect(() => parseConfig({ history: { read: 'victoriametrics:influxdb' } })).toThrow(
      /history\.read.*sinks\.influxdb is not configured/s,
    );
    expect(() => parseConfig({ history: { read: 'victoriametrics:vm' } })).toThrow(
      /history\.read.*no InfluxDB sink is named vm/s,
    );
    expect(() => parseConfig({ history: { read: 'sqlite' } })).toThrow(/history\.read.*embedded, influx:/s);
  });
});
