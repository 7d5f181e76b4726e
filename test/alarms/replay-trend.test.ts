/**
 * Trend replay (issue 21, part 3) through a real busbar and the built-in `disk_full_soon` rule: 6 h
 * of history seeded from the store, then live points at the wall clock. web1's disk fills faster
 * and faster (full 4 h from now); web2's was flat at 50 % until a writer starts filling it at
 * 2 %/min, one live sample standing for 10 s.
 */
import { describe, expect, it } from 'vitest';
import type { AlarmMessage } from '../../alarms/alarm.js';
import { delay } from '../helpers/mqtt-clients.js';
import { barrierRule, HOUR, MINUTE, replays } from './replay.js';

const startReplay = replays();

describe('disk_full_soon, seeded from 6 hours of history', () => {
  it('predicts an accelerating fill within 1.5× of the truth, and a runaway within a minute of data', async () => {
    const now = Date.now();
    const fillStart = now - 8 * HOUR; // 20 + 80·(h/12)²: full 12 h after fillStart
    const used = (t: number): number => 20 + 80 * ((t - fillStart) / (12 * HOUR)) ** 2;
    const replay = await startReplay(
      (store) => {
        const web1: string[] = [];
        const web2: string[] = [];
        for (let t = now - 6 * HOUR; t < now - MINUTE; t += MINUTE) {
          web1.push(`disk,host=web1,path=/ used_percent=${used(t)} ${t}`);
          web2.push(`disk,host=web2,path=/data used_percent=50 ${t}`);
        }
        store.write('web1', web1.join('\n'));
        store.write('web2', web2.join('\n'));
      },
      { alarms: { rules: [barrierRule] } }, // with the built-in rules
    );
    await replay.barrier();

    await replay.publish('web1', `disk,host=web1,path=/ used_percent=${used(Date.now())}`);
    await replay.barrier();
    const [fill] = replay.alarms('disk_full_soon', 'web1.disk.used_percent{host=web1,path=/}');
    const truth = (fillStart + 12 * HOUR - Date.now()) / 1000;
    expect(fill?.state).toBe('firing');
    expect(fill?.eta?.seconds).toBeGreaterThan(truth / 1.5);
    expect(fill?.eta?.seconds).toBeLessThan(truth * 1.5);
    expect(fill?.summary).toMatch(/heading above 100 in [345]h–[4-6]h$/);

    // The runaway: +1/3 % a sample; the alarm must come within 6 samples (a minute at 10 s).
    const runaway = (): AlarmMessage[] =>
      replay.alarms('disk_full_soon', 'web2.disk.used_percent{host=web2,path=/data}');
    // Samples evenly spaced (100 ms here), as a sensor's are: the fit is against arrival time.
    for (let sample = 1; sample <= 30; sample++) {
      await replay.publish('web2', `disk,host=web2,path=/data used_percent=${50 + sample / 3}`);
      await delay(100);
    }
    await replay.barrier();
    expect(runaway()[0]?.state).toBe('firing');
    expect(runaway()[0]?.value).toBeLessThanOrEqual(50 + 6 / 3);
  });
});
