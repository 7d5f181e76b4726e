/**
 * Persistence against noise (issue 21, part 2): 8 normal series with Gaussian noise, seeded from 14
 * days of hourly summaries, then a day of 10-second points at the rule's defaults (k = 3, 3 of 5).
 */
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../alarms/ewma.js';
import { Drive, rule, SECOND, T0 } from './drive.js';
import { dailyShape, DAY, gaussian, HOUR, MINUTE } from './replay.js';

const SERVERS = 8;
const START = T0 + 14 * DAY;
const PEAK = T0 + 14 * HOUR;
const usual = (server: number, t: number): number =>
  (100 + 20 * server) * dailyShape(t, PEAK) * (1 + 0.04 * gaussian(t, server));

/** The hourly rollups of 14 days of 1-minute samples, as the history store keeps them. */
function history(server: number): Summary[] {
  const summaries: Summary[] = [];
  for (let hour = START - 14 * DAY; hour < START; hour += HOUR) {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let t = hour; t < hour + HOUR; t += MINUTE) {
      const value = usual(server, t);
      sum += value;
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    summaries.push({ time: hour + HOUR / 2, mean: sum / 60, min, max, count: 60 });
  }
  return summaries;
}

/** A day of 10-second points on every server after seeding; what was published. */
function day(persistence: { breaches?: number; outOf?: number }): Drive {
  const unusual = rule({
    kind: 'deviation',
    name: 'unusual_traffic',
    measurement: 'http',
    field: 'requests_per_sec',
    season: 'hourOfDay',
    ...persistence,
  });
  const drive = new Drive([unusual], undefined, START);
  for (let server = 1; server <= SERVERS; server++) {
    const labels = { source: `web${server}`, measurement: 'http', field: 'requests_per_sec' };
    drive.engine.seed(
      'unusual_traffic',
      { ...labels, tags: { host: `web${server}` } },
      history(server),
      START,
    );
  }
  while (drive.now < START + DAY) {
    drive.advance(10 * SECOND, 10 * SECOND);
    for (let server = 1; server <= SERVERS; server++) {
      drive.point(`web${server}`, 'http', { requests_per_sec: usual(server, drive.now) });
    }
  }
  return drive;
}

describe('deviation rules against noise', () => {
  it('at the defaults (3 of the last 5 points beyond 3σ) a day of normal noise gives no alarm state', () => {
    expect(day({}).published).toEqual([]);
  });

  it('judging each point alone, the same day gives one-point alarm states', () => {
    const states = day({ breaches: 1, outOf: 1 }).published.map((message) => message.state);
    expect(states.filter((state) => state === 'firing').length).toBeGreaterThan(3);
  });

  it("the alarms page's worked example: 3 of 5 readings beyond 300 ± 12 at k = 3 fire, 3 of 5 within resolve", () => {
    const drive = new Drive([
      rule({ kind: 'deviation', name: 'unusual', measurement: 'http', field: 'rps' }),
    ]);
    const labels = { source: 'web1', measurement: 'http', field: 'rps', tags: { host: 'web1' } };
    // One summary of 100 points, mean 300, range 48: σ = 48 / 4 = 12.
    drive.engine.seed('unusual', labels, [{ time: T0, mean: 300, min: 276, max: 324, count: 100 }], T0);
    const states: string[] = [];
    for (const value of [301, 352, 297, 355, 360, 320, 310]) {
      drive.advance(10 * SECOND, 10 * SECOND);
      drive.point('web1', 'http', { rps: value });
      states.push(drive.published.at(-1)?.state ?? '-');
    }
    expect(states).toEqual(['-', '-', '-', '-', 'firing', 'firing', 'resolved']);
    // 301 and 297 taught the baseline a little (1 % each: it holds 100 points).
    expect(drive.published[0]!.summary).toMatch(
      /^http rps on web1 is 360, 5\.\d+σ above its usual 300(\.\d+)? ± 1[12]\.\d+$/,
    );
    expect(Date.parse(drive.published[0]!.since)).toBe(T0 + 50 * SECOND); // 30 s after 352
    // The resolution says how long it fired, what the value is now and what is usual.
    expect(drive.published[1]!.summary).toMatch(
      /^http rps on web1 resolved after 20s; now 310, usual 300(\.\d+)? ± 1[12](\.\d+)?$/,
    );
  });
});
