/**
 * Issue 21's incident, replayed: 14 days of daily-peaked traffic on 8 web servers in the history
 * store, a busbar that seeds a deviation rule at its defaults from it, then live 10-second samples
 * at the peak: web1 drops to 40 % for 12 samples (2 min) and comes back, web2 climbs to 2.5× and
 * stays there, web3-web8 stay normal.
 */
import { describe, expect, it } from 'vitest';
import { readmeRule } from './readme-blocks.js';
import { dailyShape, DAY, gaussian, liveNoiseAt, MINUTE, barrierRule, replays } from './replay.js';

const SERVERS = 8;
const base = (server: number): number => 100 + 20 * server;
/**
 * Usual requests per second of web<server> at `t`, 4 % noise (drawn at `noiseAt`); the daily peak is
 * at `peakAt`.
 */
function usual(server: number, t: number, peakAt: number, noiseAt = t): number {
  return base(server) * dailyShape(t, peakAt) * (1 + 0.04 * gaussian(noiseAt, server));
}

const series = (server: number): string => `web${server}.http.requests_per_sec{host=web${server}}`;

const startReplay = replays();

describe('a deviation rule at its defaults, seeded from 14 days of history', () => {
  it('holds through a 2-minute drop at the peak, keeps a drift firing, and stays quiet on normal peaks', async () => {
    const peakAt = Date.now();
    const replay = await startReplay(
      (store) => {
        for (let server = 1; server <= SERVERS; server++) {
          const lines: string[] = [];
          for (let t = peakAt - 14 * DAY; t < peakAt - MINUTE; t += 2 * MINUTE) {
            lines.push(`http,host=web${server} requests_per_sec=${usual(server, t, peakAt)} ${t}`);
          }
          store.write(`web${server}`, lines.join('\n'));
        }
      },
      {
        alarms: {
          defaults: false,
          rules: [
            readmeRule('unusual_traffic'), // the alarms page's example, at the defaults
            barrierRule,
          ],
        },
      },
    );
    const { publish } = replay;
    await replay.barrier(); // the component reads metrics
    let liveSamples = 0;
    /** One 10-second sample of every server; `factor` scales a server's usual value. */
    const round = async (
      factor: (server: number, sample: number) => number,
      sample: number,
    ): Promise<void> => {
      const t = Date.now();
      const noiseAt = liveNoiseAt(liveSamples++);
      for (let server = 1; server <= SERVERS; server++) {
        const value = usual(server, t, peakAt, noiseAt) * factor(server, sample);
        await publish(`web${server}`, `http,host=web${server} requests_per_sec=${value}`);
      }
    };
    for (let sample = 0; sample < 12; sample++) await round(() => 1, sample);
    // 2 minutes of samples: web1 at 40 %, web2 climbing to 2.5×.
    for (let sample = 0; sample < 12; sample++) {
      await round(
        (server) => (server === 1 ? 0.4 : server === 2 ? 1 + (1.5 * (sample + 1)) / 12 : 1),
        sample,
      );
    }
    await replay.barrier();
    const during = replay.alarms('unusual_traffic', series(1));
    expect(during.map((message) => message.state)).toEqual(['firing']);
    // Recovery: web1 back to normal, web2 still at 2.5×.
    for (let sample = 0; sample < 12; sample++) await round((server) => (server === 2 ? 2.5 : 1), sample);
    await replay.barrier();

    const web1 = replay.alarms('unusual_traffic', series(1));
    expect(web1.map((message) => message.state)).toEqual(['firing', 'resolved']);
    // Resolved by the recovered traffic, against the baseline of before the drop.
    const usualNow = base(1) * dailyShape(Date.now(), peakAt);
    expect(web1[1]!.value).toBeGreaterThan(0.8 * usualNow);
    expect(web1[1]!.baseline!.mean).toBeGreaterThan(0.85 * usualNow);
    const web2 = replay.alarms('unusual_traffic', series(2));
    expect(web2.map((message) => message.state)).toEqual(['firing']); // and never resolved
    for (let server = 3; server <= SERVERS; server++) {
      expect(replay.alarms('unusual_traffic', series(server))).toEqual([]);
    }
  });
});
