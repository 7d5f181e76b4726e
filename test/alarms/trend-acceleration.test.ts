/**
 * Trend rules on fills that speed up and on runaways (issue 21, part 3), on a controlled clock.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../alarms/defaults.js';
import { Drive, MINUTE, SECOND, T0 } from './drive.js';
import { gaussian } from './replay.js';

const HOUR = 60 * MINUTE;
const SERIES = 'web1.disk.used_percent{host=web1,path=/}';

/** The built-in rule: 100 % within 24 h, over 6 h. */
const diskFull = DEFAULT_RULES.find((candidate) => candidate.name === 'disk_full_soon')!;

function disk(drive: Drive, value: number): void {
  drive.point('web1', 'disk', { used_percent: value }, { host: 'web1', path: '/' });
}

describe('trend rules: acceleration and runaways', () => {
  it('a fill that speeds up: the predicted time to full is within 1.5× of the truth, with a range', () => {
    // 20 % at T0, then 20 + 80·(h/12)²: full 12 h after T0. At 8 h it is 55.6 % and 4 h from full;
    // the 6 h line alone sees the average rate since 2 h and says about 8 h.
    const drive = new Drive([diskFull]);
    const used = (at: number): number => 20 + 80 * ((at - T0) / (12 * HOUR)) ** 2;
    while (drive.now < T0 + 8 * HOUR) {
      drive.advance(MINUTE, MINUTE);
      disk(drive, used(drive.now));
    }
    const instance = drive.engine.get('disk_full_soon', SERIES)!;
    const truth = 4 * HOUR;
    expect(instance.state).toBe('firing');
    expect(instance.eta).toBeGreaterThan(truth / 1.5);
    expect(instance.eta).toBeLessThan(truth * 1.5);
    const [low, high] = instance.etaRange!;
    expect(low).toBeLessThanOrEqual(truth * 1.05);
    expect(high).toBeGreaterThanOrEqual(truth);
    expect(drive.engine.messages(drive.now)[0]).toMatchObject({
      summary: 'disk used_percent on web1 (path=/) is 55.56, heading above 100 in 4h–5h',
      eta: { seconds: Math.round(instance.eta! / 1000) },
    });
  });

  it('a runaway writer at 2 %/min alarms within a minute of 10-second data', () => {
    const drive = new Drive([diskFull]);
    while (drive.now < T0 + 6 * HOUR) {
      drive.advance(MINUTE, MINUTE);
      disk(drive, 50);
    }
    expect(drive.published).toEqual([]);
    const start = drive.now;
    for (let sample = 1; sample <= 30 && drive.published.length === 0; sample++) {
      drive.advance(10 * SECOND, 10 * SECOND);
      disk(drive, 50 + (2 * (drive.now - start)) / MINUTE);
    }
    expect(drive.published).toHaveLength(1);
    const [firing] = drive.published;
    expect(firing?.state).toBe('firing');
    expect(Date.parse(firing!.since) - start).toBeLessThanOrEqual(MINUTE);
    expect(firing?.summary).toMatch(
      /^disk used_percent on web1 \(path=\/\) is 5[12](\.\d+)?, heading above 100 in /,
    );
  });

  it('noise is no runaway: a slope through 6 noisy points counts only when it stands out of the noise', () => {
    const drive = new Drive([diskFull]);
    while (drive.now < T0 + 12 * HOUR) {
      drive.advance(10 * SECOND, 10 * SECOND);
      disk(drive, 50 + 1.5 * gaussian(drive.now)); // σ = 1.5 %
    }
    expect(drive.published).toEqual([]);
  });
});
