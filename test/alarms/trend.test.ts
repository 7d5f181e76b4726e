import { describe, expect, it } from 'vitest';
import { TrendFit, timeToLimit } from '../../alarms/trend.js';
import { Drive, MINUTE, rule, T0 } from './drive.js';

const HOUR = 60 * MINUTE;

const diskFull = rule({
  kind: 'trend',
  name: 'disk_full_soon',
  measurement: 'disk',
  field: 'used_percent',
  above: 100,
  window: '6h',
  horizon: '24h',
});

/** One point every 10 minutes from `drive.now` for `hours`, the value given by `at(hoursSinceT0)`. */
function feed(drive: Drive, hours: number, at: (hours: number) => number): void {
  const end = drive.now + hours * HOUR;
  while (drive.now < end) {
    drive.advance(10 * MINUTE, 10 * MINUTE);
    drive.point('web1', 'disk', { used_percent: at((drive.now - T0) / HOUR) }, { host: 'web1', path: '/' });
  }
}

describe('trend rules', () => {
  it('the fit is exact on a line, and drops points past the window', () => {
    const fit = new TrendFit();
    for (let minute = 0; minute <= 60; minute += 10) fit.push(T0 + minute * MINUTE, 10 + minute);
    expect(fit.fit(T0 + 60 * MINUTE)?.value).toBeCloseTo(70, 9);
    expect(fit.fit(T0 + 60 * MINUTE)!.slopePerMs * MINUTE).toBeCloseTo(1, 9);
    fit.prune(T0 + 30 * MINUTE);
    expect(fit.count).toBe(4);
    expect(fit.spanMs).toBe(30 * MINUTE);
    expect(timeToLimit({ value: 70, slopePerMs: 1 / MINUTE }, 70, 100, 'above')).toBeCloseTo(30 * MINUTE, 6);
    expect(timeToLimit({ value: 70, slopePerMs: -1 / MINUTE }, 70, 100, 'above')).toBeUndefined();
    expect(timeToLimit({ value: 70, slopePerMs: 0 }, 100, 100, 'above')).toBe(0);
  });

  it('"full in about 22h": fires once half the window shows the rise, resolves when growth stops', () => {
    const drive = new Drive([diskFull]);
    feed(drive, 2.9, (hours) => 50 + 2 * hours); // 2 %/h: full 25 h after T0
    expect(drive.published).toEqual([]); // less than half the window: no prediction yet
    feed(drive, 0.1, (hours) => 50 + 2 * hours);
    expect(drive.published).toMatchObject([
      {
        state: 'firing',
        threshold: 100,
        summary: 'disk used_percent on web1 (path=/) is 56.33, heading above 100 in about 22h',
      },
    ]);
    feed(drive, 10, () => 56); // flat again: the slope fades out of the window
    expect(drive.published.map((message) => message.state)).toEqual(['firing', 'resolved']);
    expect(drive.published.at(-1)?.summary).toBe(
      'disk used_percent on web1 (path=/) is 56, no longer heading above 100 within 24h',
    );
  });

  it('after a restart a firing trend alarm waits for its window to refill before it resolves', () => {
    const before = new Drive([diskFull]);
    feed(before, 3.5, (hours) => 50 + 2 * hours);
    expect(before.published.map((message) => message.state)).toEqual(['firing']);
    const after = new Drive([diskFull], before.engine.snapshot(), before.now);
    feed(after, 3, () => 57); // flat, but less than half a window seen since the restart
    expect(after.published).toEqual([]);
    feed(after, 0.2, () => 57);
    expect(after.published.map((message) => message.state)).toEqual(['resolved']);
  });

  it('a slow rise (full in 50 h) and a falling series do not fire', () => {
    const drive = new Drive([diskFull]);
    feed(drive, 12, (hours) => 50 + hours);
    feed(drive, 12, (hours) => 62 - hours);
    expect(drive.published).toEqual([]);
  });
});
