import { describe, expect, it } from 'vitest';
import { Drive, MINUTE, rule, T0 } from './drive.js';

const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Requests per second of a web server: a daily peak at 14:00 UTC, and a little deterministic noise. */
function normal(atMs: number): number {
  const hourOfDay = (atMs % DAY) / HOUR;
  const noise = Math.sin(atMs / 7_919) * 3;
  return 100 + 60 * Math.exp(-(((hourOfDay - 14) / 2.5) ** 2)) + noise;
}

function run(season: 'none' | 'hourOfDay', anomalyAt: number | undefined, halfLife = '30m'): Drive {
  const drive = new Drive([
    rule({
      kind: 'deviation',
      name: 'unusual_traffic',
      measurement: 'http',
      field: 'requests_per_sec',
      k: 4,
      season,
      halfLife,
      warmUp: 12,
      minSigma: 2,
    }),
  ]);
  const end = T0 + 8 * DAY;
  while (drive.now < end) {
    drive.advance(10 * MINUTE, 10 * MINUTE);
    const anomaly = anomalyAt !== undefined && drive.now >= anomalyAt && drive.now < anomalyAt + 30 * MINUTE;
    drive.point('web1', 'http', { requests_per_sec: normal(drive.now) + (anomaly ? 80 : 0) });
  }
  return drive;
}

describe('deviation rules', () => {
  it('hour-of-day baseline: the daily peak is normal, an injected anomaly fires once and resolves', () => {
    expect(run('hourOfDay', undefined).published).toEqual([]);
    const anomalyAt = T0 + 6 * DAY + 3 * HOUR;
    const drive = run('hourOfDay', anomalyAt);
    expect(drive.published.map((message) => message.state)).toEqual(['firing', 'resolved']);
    const firing = drive.published[0]!;
    // 3 of the last 5 points beyond k·σ (the default): the third anomalous point fires.
    expect(firing.since).toBe(new Date(anomalyAt + 20 * MINUTE).toISOString());
    expect(firing.baseline?.mean).toBeGreaterThan(95);
    expect(firing.baseline?.mean).toBeLessThan(105);
    expect(firing.summary).toMatch(
      /^http requests_per_sec on web1 is \d+(\.\d+)?, \d+(\.\d+)?σ above its usual \d+(\.\d+)? ± \d+(\.\d+)? at this hour$/,
    );
    // ... and 3 of the last 5 within resolves it: the third normal point.
    expect(Date.parse(drive.published[1]!.since)).toBe(anomalyAt + 50 * MINUTE);
  });

  it('after a restart a firing deviation alarm stays firing while the baseline warms up again', () => {
    const anomalyAt = T0 + 6 * DAY + 3 * HOUR;
    const rules = [
      rule({
        kind: 'deviation',
        name: 'unusual_traffic',
        measurement: 'http',
        field: 'requests_per_sec',
        k: 4,
        season: 'hourOfDay',
        halfLife: '30m',
        warmUp: 12,
        minSigma: 2,
      }),
    ];
    const firing = new Drive(rules);
    // Six days of normal traffic, then three anomalous points: firing.
    while (firing.now < anomalyAt) {
      firing.advance(10 * MINUTE, 10 * MINUTE);
      firing.point('web1', 'http', {
        requests_per_sec: normal(firing.now) + (firing.now > anomalyAt - 30 * MINUTE ? 80 : 0),
      });
    }
    expect(firing.published.map((message) => message.state)).toEqual(['firing']);
    const after = new Drive(rules, firing.engine.snapshot(), firing.now);
    for (let i = 0; i < 6; i++) {
      after.advance(10 * MINUTE, 10 * MINUTE);
      after.point('web1', 'http', { requests_per_sec: normal(after.now) });
    }
    expect(after.published).toEqual([]); // no verdict from an empty baseline
  });

  it('a slow baseline without a season takes the daily peak for an anomaly: why seasons exist', () => {
    expect(run('none', undefined, '6h').published.length).toBeGreaterThan(0);
  });
});
