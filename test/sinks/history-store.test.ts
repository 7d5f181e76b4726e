import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seriesName } from '../../sinks/history/series-name.js';
import { historyFixture, metricsMs, MINUTE_MS, type HistoryFixture } from './history-fixture.js';

let store: HistoryFixture;
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR; // an hour boundary, two hours ago

beforeEach(async () => {
  store = await historyFixture();
});
afterEach(async () => {
  await store.close();
});

describe('history store: series and points', () => {
  it('stores one series per field, named source/measurement/field{tags}, with every field type', () => {
    const stored = store.write(
      'web1',
      `cpu,host=web1,cpu=cpu0 usage_user=12.5,usage_system=3 ${T0}\n` +
        `status,host=web1 up=true,version="1.2",uptime=42i,count=7u ${T0}`,
    );
    expect(stored).toBe(6);
    const reader = store.reader();
    expect(reader.series().map((s) => [s.name, s.type])).toEqual([
      ['web1/cpu/usage_system{cpu=cpu0,host=web1}', 'float'],
      ['web1/cpu/usage_user{cpu=cpu0,host=web1}', 'float'],
      ['web1/status/count{host=web1}', 'unsigned'],
      ['web1/status/uptime{host=web1}', 'integer'], // sorted by code point: `t` before `{`
      ['web1/status/up{host=web1}', 'boolean'],
      ['web1/status/version{host=web1}', 'string'],
    ]);
    const latest = new Map(reader.latest('web1/status/*').map((l) => [l.series.field, l.value]));
    expect(Object.fromEntries(latest)).toEqual({ up: 1, version: '1.2', uptime: 42, count: 7 });
    expect(reader.sources()).toEqual([{ source: 'web1', series: 6 }]);
  });

  it('escapes names so that different tag sets never share a series', () => {
    expect(seriesName('s', 'm', 'f', { a: '1,b=2' })).not.toBe(seriesName('s', 'm', 'f', { a: '1', b: '2' }));
    expect(seriesName('s', 'a/b', 'c', {})).not.toBe(seriesName('s', 'a', 'b/c', {}));
    store.write('s', `m,a=1\\,b\\=2 f=1 ${T0}\nm,a=1,b=2 f=2 ${T0}`);
    expect(store.reader().series()).toHaveLength(2);
  });

  it('keeps two readings of a series in the same millisecond apart (microsecond times)', () => {
    const [metric] = metricsMs(`m v=1 ${T0}`);
    const second = {
      ...metric!,
      fields: { v: { type: 'float' as const, value: 2 } },
      timestamp: metric!.timestamp! + 1_000n,
    };
    expect(store.writeMetrics('s', [metric!, second])).toBe(2);
    const points = store
      .reader()
      .range('s/m/v', { from: T0 - 1, to: T0 + 1 })
      .at(0)?.points;
    expect(points?.map((p) => [p.time, p.value])).toEqual([
      [T0, 1],
      [T0 + 0.001, 2],
    ]);
  });

  it('ignores a repeated (series, time): a redelivered message is stored and rolled up once', () => {
    expect(store.write('s', `m v=5 ${T0}`)).toBe(1);
    expect(store.write('s', `m v=5 ${T0}`)).toBe(0);
    const rollup = store.db.prepare('SELECT n, v_sum FROM rollup_1m').get();
    expect(rollup).toEqual({ n: 1, v_sum: 5 });
  });

  it('selects series by pattern: whole name, or name without tags; * and ? wildcards', () => {
    store.write('web1', `cpu,cpu=cpu0 usage=1 ${T0}\ncpu,cpu=cpu1 usage=2 ${T0}\nmem used=3 ${T0}`);
    store.write('web2', `cpu,cpu=cpu0 usage=4 ${T0}`);
    const names = (pattern: string): string[] =>
      store
        .reader()
        .series(pattern)
        .map((s) => s.name);
    expect(names('web1/*')).toHaveLength(3);
    expect(names('web1/cpu/usage')).toEqual(['web1/cpu/usage{cpu=cpu0}', 'web1/cpu/usage{cpu=cpu1}']);
    expect(names('*/cpu/usage{cpu=cpu0}')).toEqual(['web1/cpu/usage{cpu=cpu0}', 'web2/cpu/usage{cpu=cpu0}']);
    expect(names('web?/mem/*')).toEqual(['web1/mem/used']);
    expect(names('web1/cpu.usage')).toEqual([]); // `.` is literal
  });

  it('returns the newest value of each series, even when points arrived out of order', () => {
    store.write('s', `m v=2 ${T0 + 2000}\nm v=1 ${T0 + 1000}`);
    store.write('s', `m v=0 ${T0}`);
    const [latest] = store.reader().latest('s/m/v');
    expect(latest).toMatchObject({ time: T0 + 2000, value: 2 });
  });
});

describe('history store: rollups', () => {
  it('keeps min, avg, max, last and count per minute and per hour, merging late points', () => {
    const lines = [
      `m v=1 ${T0 + 1000}`,
      `m v=5 ${T0 + 2000}`,
      `m v=3 ${T0 + 59_000}`,
      `m v=10 ${T0 + MINUTE_MS}`,
    ];
    store.write('s', lines.join('\n'));
    store.write('s', `m v=-1 ${T0 + 500}`); // late, into the first minute again
    const minutes = store.db
      .prepare('SELECT ts, v_min, v_max, v_sum, n, v_last FROM rollup_1m ORDER BY ts')
      .all();
    expect(minutes).toEqual([
      { ts: T0 * 1000, v_min: -1, v_max: 5, v_sum: 8, n: 4, v_last: 3 },
      { ts: (T0 + MINUTE_MS) * 1000, v_min: 10, v_max: 10, v_sum: 10, n: 1, v_last: 10 },
    ]);
    const hours = store.db.prepare('SELECT ts, v_min, v_max, v_sum, n, v_last FROM rollup_1h').all();
    expect(hours).toEqual([{ ts: T0 * 1000, v_min: -1, v_max: 10, v_sum: 18, n: 5, v_last: 10 }]);
  });

  it('rolls up booleans and integers but not strings', () => {
    store.write('s', `m ok=true,n=3i,s="x" ${T0}`);
    const counted = store.db.prepare('SELECT count(*) FROM rollup_1m').pluck().get();
    expect(counted).toBe(2);
  });
});
