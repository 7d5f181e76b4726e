/**
 * Trend fits and deviation baselines seeded at start from a real history store (written by the real
 * writer, rollups and all), then judged on a controlled clock.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmRule } from '../../alarms/config.js';
import { seedFromHistory } from '../../alarms/seed.js';
import { EmbeddedHistory } from '../../history/embedded.js';
import type { AlarmMessage } from '../../alarms/alarm.js';
import { createTopics } from '../../core/topics.js';
import { startTestBusbar } from '../helpers/busbar.js';
import { Clients, delay, messageOn, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { historyFixture, type HistoryFixture } from '../sinks/history-fixture.js';
import { Drive, MINUTE, rule, T0 } from './drive.js';

const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Three weeks after T0 (a Monday): the store holds the three weeks before. */
const START = T0 + 21 * DAY;

/** Requests per second of a web server: a daily peak at 14:00 UTC, and a little deterministic noise. */
function traffic(atMs: number): number {
  const hourOfDay = (atMs % DAY) / HOUR;
  return 100 + 60 * Math.exp(-(((hourOfDay - 14) / 2.5) ** 2)) + Math.sin(atMs / 7_919) * 3;
}

/** Disk usage rising 2 %/h, 62 % at START: full 19 h later. */
function disk(atMs: number): number {
  return 62 + (2 * (atMs - START)) / HOUR;
}

const unusualTraffic = (season: 'hourOfDay' | 'hourOfWeek'): AlarmRule =>
  rule({
    kind: 'deviation',
    name: 'unusual_traffic',
    measurement: 'http',
    field: 'requests_per_sec',
    k: 4,
    season,
    halfLife: '30m',
    warmUp: 12,
    minSigma: 2,
  });

const diskFull = rule({
  kind: 'trend',
  name: 'disk_full_soon',
  measurement: 'disk',
  field: 'used_percent',
  above: 100,
  window: '6h',
  horizon: '24h',
});

const TRAFFIC = 'web1.http.requests_per_sec{host=web1}';
const DISK = 'web1.disk.used_percent{host=web1,path=/}';

let store: HistoryFixture;

beforeEach(async () => {
  store = await historyFixture();
  // Three weeks of traffic and the last 6 hours of disk usage, one point every 10 minutes.
  const lines: string[] = [];
  for (let t = T0; t < START; t += 10 * MINUTE) {
    lines.push(`http,host=web1 requests_per_sec=${traffic(t)} ${t}`);
    if (t >= START - 6 * HOUR) lines.push(`disk,host=web1,path=/ used_percent=${disk(t)} ${t}`);
  }
  store.write('web1', lines.join('\n'));
});

afterEach(async () => {
  await store.close();
});

/** One traffic point every 10 minutes for `ms`, `extra` added to each. */
function liveTraffic(drive: Drive, ms: number, extra = 0): void {
  const end = drive.now + ms;
  while (drive.now < end) {
    drive.advance(10 * MINUTE, 10 * MINUTE);
    drive.point('web1', 'http', { requests_per_sec: traffic(drive.now) + extra });
  }
}

describe('seeding from the history store', () => {
  it.each(['hourOfDay', 'hourOfWeek'] as const)(
    '%s baseline: the daily peak is normal right after start, an anomaly fires on its third point',
    async (season) => {
      const drive = new Drive([unusualTraffic(season)], undefined, START);
      const seeded = await seedFromHistory(drive.engine, new EmbeddedHistory(store.file), START);
      expect(seeded).toMatchObject({ series: 1, skipped: 0 });
      // Hourly rollups: 14 days (hour of the day) or all three stored weeks (hour of the week).
      expect(seeded.rows).toBe(season === 'hourOfDay' ? 14 * 24 : 21 * 24);
      expect(drive.published).toEqual([]); // seeding announces nothing
      expect(drive.engine.get('unusual_traffic', TRAFFIC)).toMatchObject({
        state: 'inactive',
        labels: { source: 'web1', measurement: 'http', field: 'requests_per_sec', tags: { host: 'web1' } },
      });
      expect(Object.keys(drive.engine.get('unusual_traffic', TRAFFIC)!.labels).sort()).toEqual([
        'field',
        'measurement',
        'source',
        'tags',
      ]);

      liveTraffic(drive, DAY); // a whole day, through the 14:00 peak
      expect(drive.published).toEqual([]);
      liveTraffic(drive, 30 * MINUTE, 80); // 3 points: 3 of 5 beyond k·σ
      expect(drive.states()).toEqual([`${TRAFFIC}:firing`]);
      const mean = drive.published[0]!.baseline!.mean;
      expect(Math.abs(mean - traffic(drive.now))).toBeLessThan(10); // the usual value at this hour
    },
  );

  it('without seeding the same anomaly goes unnoticed while the baseline warms up', () => {
    const drive = new Drive([unusualTraffic('hourOfWeek')], undefined, START);
    liveTraffic(drive, DAY);
    liveTraffic(drive, 30 * MINUTE, 80);
    expect(drive.published).toEqual([]);
  });

  it('a trend seeded with a rising disk predicts the crossing on the first point after start', async () => {
    const seededDrive = new Drive([diskFull], undefined, START);
    const seeded = await seedFromHistory(seededDrive.engine, new EmbeddedHistory(store.file), START);
    expect(seeded).toMatchObject({ series: 1, rows: 36 }); // 6 h of 1-minute rollups, one point each
    expect(seededDrive.published).toEqual([]);
    const unseeded = new Drive([diskFull], undefined, START);
    for (const drive of [seededDrive, unseeded]) {
      drive.advance(10 * MINUTE, 10 * MINUTE);
      drive.point('web1', 'disk', { used_percent: disk(drive.now) }, { host: 'web1', path: '/' });
    }
    expect(unseeded.published).toEqual([]); // one point: no line yet
    expect(seededDrive.published).toMatchObject([
      {
        series: DISK,
        state: 'firing',
        summary: 'disk used_percent on web1 (path=/) is 62.33, heading above 100 in about 19h',
      },
    ]);
  });

  it('stops at `maxSeries` and counts what it left; no store seeds nothing; a damaged one throws', async () => {
    const drive = new Drive([unusualTraffic('hourOfDay'), diskFull], undefined, START);
    expect(await seedFromHistory(drive.engine, new EmbeddedHistory(store.file), START, 1)).toMatchObject({
      series: 1,
      skipped: 1,
    });
    expect(
      await seedFromHistory(drive.engine, new EmbeddedHistory(`${store.file}.missing`), START),
    ).toMatchObject({ series: 0 });
    const damaged = `${store.file}.damaged`;
    await writeFile(damaged, 'not a database, not at all, and long enough to have a header\n'.repeat(20));
    await expect(seedFromHistory(drive.engine, new EmbeddedHistory(damaged), START)).rejects.toThrow();
  });
});

describe('seeding in a running busbar', () => {
  it("the alarms component seeds from the history sink's file: the first disk point fires", async () => {
    // The last 6 hours before now, rising 2 %/h to 62 %, in a store the history sink then opens.
    const now = Date.now();
    const lines: string[] = [];
    for (let t = now - 6 * HOUR; t < now; t += 10 * MINUTE) {
      lines.push(`disk,host=web1,path=/ used_percent=${62 - (2 * (now - t)) / HOUR} ${t}`);
    }
    store.write('web1', lines.join('\n'));
    const busbar = await startTestBusbar({
      agent: { enabled: false },
      sinks: { history: { path: store.file } },
      alarms: { defaults: false, rules: [diskFull] },
    });
    const clients = new Clients();
    try {
      await waitFor(() => busbar.log.find('seeded from history').length > 0, 'the seeding');
      // 36 buckets of 10-minute points, the oldest one out of the window by the time alarms start.
      const [seeded] = busbar.log.find('seeded from history');
      expect(seeded).toMatchObject({ series: 1 });
      expect([35, 36]).toContain(seeded?.rows);
      const client = await clients.connect(busbar.url);
      const messages = record(client);
      await subscribe(client, 'busbar/alarms/#', 1);
      // Published until the alarm shows: the component subscribes to metrics a moment after it logs.
      const topic = createTopics().alarm('disk_full_soon', DISK);
      for (let i = 0; i < 100 && !messages.some((message) => message.topic === topic); i++) {
        await client.publishAsync('busbar/metrics/web1/disk', 'disk,host=web1,path=/ used_percent=62.1');
        await delay(100);
      }
      const alarm = await messageOn(messages, topic);
      expect(JSON.parse(alarm.payload) as AlarmMessage).toMatchObject({
        state: 'firing',
        summary: 'disk used_percent on web1 (path=/) is 62.1, heading above 100 in about 19h',
      });
    } finally {
      await clients.closeAll();
      await busbar.stop();
    }
  });
});
