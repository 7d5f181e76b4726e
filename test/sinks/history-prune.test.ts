import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Pruner } from '../../sinks/history/prune.js';
import {
  DAY_MS,
  DEFAULT_RETENTION,
  historyFixture,
  HOUR_MS,
  type HistoryFixture,
} from './history-fixture.js';

const NOW = Date.now();
let store: HistoryFixture;

beforeEach(async () => {
  store = await historyFixture();
});
afterEach(async () => {
  await store.close();
});

const count = (sql: string): number => store.db.prepare(sql).pluck().get() as number;

describe('history retention', () => {
  it('deletes raw points after 48 h, 1-minute rollups after 30 days, 1-hour rollups after 2 years', async () => {
    store.write('s', `m v=1 ${NOW - 3 * DAY_MS}\nm v=2 ${NOW - HOUR_MS}`);
    store.write('s', `old v=1 ${NOW - 40 * DAY_MS}`);
    store.write('s', `ancient v=1 ${NOW - 800 * DAY_MS}`);
    const deleted: number[] = [];
    const result = await new Pruner(store.db, DEFAULT_RETENTION, (ids) => deleted.push(...ids)).run();
    expect(result).toMatchObject({ points: 3, minuteRows: 2, hourRows: 1 });
    // m: one raw point left, both minutes and hours kept; old: only its hour; ancient: nothing, so gone.
    expect(count('SELECT count(*) FROM points')).toBe(1);
    expect(count('SELECT count(*) FROM rollup_1m')).toBe(2);
    expect(count('SELECT count(*) FROM rollup_1h')).toBe(3);
    expect(result.series).toEqual(['s/ancient/v']);
    expect(deleted).toHaveLength(1);
    expect(
      store
        .reader()
        .series()
        .map((s) => s.name),
    ).toEqual(['s/m/v', 's/old/v']);
  });

  it('recreates a deleted series when a point of it arrives again', async () => {
    store.write('s', `gone v=1 ${NOW - 800 * DAY_MS}`);
    await new Pruner(store.db, DEFAULT_RETENTION, (ids) => store.writer.forget(ids)).run();
    expect(store.reader().series()).toEqual([]);
    expect(store.write('s', `gone v=2 ${NOW}`)).toBe(1);
    // Same series, same id: it came back with its first point after the deletion.
    expect(store.reader().series()).toMatchObject([{ name: 's/gone/v' }]);
    expect(store.reader().latest('s/gone/v')).toMatchObject([{ value: 2 }]);
  });

  it('prunes a large backlog in slices, yielding to the event loop so that writes keep flowing', async () => {
    const old = NOW - 3 * DAY_MS;
    for (let batch = 0; batch < 10; batch++) {
      const lines: string[] = [];
      for (let i = 0; i < 20_000; i++) lines.push(`m,s=${i % 20} v=${i} ${old + batch * 20_000 + i}`);
      store.write('s', lines.join('\n'));
    }
    expect(count('SELECT count(*) FROM points')).toBe(200_000);

    // A timer can only fire while the pruner has yielded: one synchronous pass would leave it at 0.
    // How long the loop stalls and how many writes get through is a measurement, not a property of
    // the code alone (it depends on the machine's load): `npm run bench:history-prune` reports it.
    let writesDuringPrune = 0;
    const writes = setInterval(() => {
      writesDuringPrune += store.write('live', `m v=1 ${NOW + writesDuringPrune}`);
    }, 2);
    const result = await new Pruner(store.db, DEFAULT_RETENTION).run();
    clearInterval(writes);

    expect(result.points).toBe(200_000);
    expect(count('SELECT count(*) FROM points WHERE ts < ' + (NOW - 2 * DAY_MS) * 1000)).toBe(0);
    expect(writesDuringPrune).toBeGreaterThan(0);
    // Every write made while the pruner ran is stored: none was lost to a slice.
    expect(count('SELECT count(*) FROM points')).toBe(writesDuringPrune);
  });
});
