import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryReader } from '../../sinks/history/reader.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { runCli } from '../helpers/cli.js';
import { Clients, record, subscribe, waitFor, type ReceivedMessage } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
let file: string;
let busbar: TestBusbar;
const clients = new Clients();
let stats: ReceivedMessage[];
const T = Date.now() - 60_000;

let fridgeSent = 0;

const historyConfig = () => ({ path: file, flushInterval: '20ms', statsInterval: '50ms' });

function latestStats(): Record<string, number> {
  const last = stats.filter((m) => m.topic === 'busbar/stats/history').at(-1);
  return last ? (JSON.parse(last.payload) as Record<string, number>) : {};
}

beforeAll(async () => {
  dir = await tempDir('history-component');
  file = path.join(dir.path, 'history.db');
  busbar = await startTestBusbar({ agent: { enabled: false }, sinks: { history: historyConfig() } });
  const watcher = await clients.connect(busbar.url);
  stats = record(watcher);
  await subscribe(watcher, 'busbar/stats/history', 0);
  const device = await clients.connect(busbar.url);
  await device.publishAsync(
    'busbar/metrics/web1/cpu',
    `cpu,host=web1 usage_user=12.5,usage_system=3 ${T}000000\ncpu,host=web1 usage_user=14.5,usage_system=4 ${T + 1000}000000`,
    { qos: 1 },
  );
  fridgeSent = Date.now();
  await device.publishAsync('busbar/metrics/fridge/temperature', '4.2', { qos: 1 });
  await device.publishAsync(
    'busbar/metrics/plug/energy',
    JSON.stringify({ measurement: 'energy', fields: { power_w: 41 } }),
    {
      qos: 1,
    },
  );
  // One bad line among good ones: the good ones are kept (ingest dead-letters the bad one).
  await device.publishAsync(
    'busbar/metrics/web1/mem',
    `mem used=1 ${T}000000\nmem used= oops\nmem used=3 ${T + 1000}000000`,
    {
      qos: 1,
    },
  );
  await waitFor(() => latestStats().pointsWritten === 8, 'history stats showing 8 points written');
});

afterAll(async () => {
  await clients.closeAll();
  await busbar.stop();
  await dir.remove();
});

describe('history sink in a running busbar', () => {
  it('stores every metric published on the bus, whatever its payload form', () => {
    const reader = HistoryReader.open(file);
    try {
      expect(reader.series().map((s) => s.name)).toEqual([
        'fridge/temperature/value',
        'plug/energy/power_w',
        'web1/cpu/usage_system{host=web1}',
        'web1/cpu/usage_user{host=web1}',
        'web1/mem/used',
      ]);
      const latest = reader.latest('web1/*').map((l) => [l.series.name, l.value, l.time]);
      expect(latest).toEqual([
        ['web1/cpu/usage_system{host=web1}', 4, T + 1000],
        ['web1/cpu/usage_user{host=web1}', 14.5, T + 1000],
        ['web1/mem/used', 3, T + 1000],
      ]);
      // A bare number gets the time of arrival.
      const [fridge] = reader.latest('fridge/*');
      expect(fridge?.value).toBe(4.2);
      // Between the publish and now, however long that took on a busy machine.
      // busbar's clock keeps within a millisecond of Date.now() (core/codecs/metric.ts nowNs).
      expect(fridge!.time).toBeGreaterThanOrEqual(fridgeSent - 1);
      expect(fridge!.time).toBeLessThanOrEqual(Date.now() + 1);
    } finally {
      reader.close();
    }
  });

  it('publishes its statistics retained on busbar/stats/history', () => {
    expect(latestStats()).toMatchObject({ pointsReceived: 8, pointsWritten: 8, pointsDropped: 0, series: 5 });
  });

  it('`busbar query` lists sources and series and prints latest values and ranges', async () => {
    const sources = await runCli(['query', 'sources', '--db', file, '--json']);
    expect(sources.stderr).toBe('');
    expect(JSON.parse(sources.stdout)).toEqual([
      { source: 'fridge', series: 1 },
      { source: 'plug', series: 1 },
      { source: 'web1', series: 3 },
    ]);
    const latest = await runCli(['query', 'latest', 'web1/cpu/*', '--db', file]);
    expect(latest.stdout).toMatch(/web1\/cpu\/usage_user\{host=web1\}\s+14\.5\s+\d{4}-/);
    const range = await runCli([
      'query',
      'range',
      'web1/cpu/usage_user',
      '--from',
      '-1h',
      '--db',
      file,
      '--json',
    ]);
    const [series] = JSON.parse(range.stdout) as { points: { time: number; value: number }[] }[];
    expect(series?.points).toEqual([
      { time: T, value: 12.5 },
      { time: T + 1000, value: 14.5 },
    ]);
    const bad = await runCli(['query', 'range', 'x', '--from', 'yesterday-ish', '--db', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"yesterday-ish" is not a time');
  });

  it('`busbar export` writes CSV with a header, to a file or one file per day', async () => {
    const out = path.join(dir.path, 'cpu.csv');
    const result = await runCli(['export', 'web1/cpu/*', '--from', '-1h', '--db', file, '-o', out]);
    expect(result.code).toBe(0);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('time,series,source,measurement,field,tags,value');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe(
      `${new Date(T).toISOString()},web1/cpu/usage_system{host=web1},web1,cpu,usage_system,host=web1,3`,
    );
    const perDay = path.join(dir.path, 'days');
    const rollups = await runCli([
      'export',
      '*',
      '--from',
      '-1h',
      '--resolution',
      '1m',
      '--db',
      file,
      '--per-day',
      perDay,
    ]);
    expect(rollups.code).toBe(0);
    const files = await readdir(perDay);
    expect(files.length).toBeGreaterThan(0);
    const text = await readFile(path.join(perDay, files[0]!), 'utf8');
    expect(text.split('\n')[0]).toBe('time,series,source,measurement,field,tags,min,avg,max,last,count');
  });

  it('keeps the data across a restart of busbar', async () => {
    await busbar.stop();
    busbar = await startTestBusbar({ agent: { enabled: false }, sinks: { history: historyConfig() } });
    const reader = HistoryReader.open(file);
    try {
      expect(reader.series()).toHaveLength(5);
      expect(reader.latest('web1/mem/used')[0]?.value).toBe(3);
    } finally {
      reader.close();
    }
  });
});
