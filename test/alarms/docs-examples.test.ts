/**
 * The alarm examples of docs/examples/alarms/, each loaded as the config file it is and run through a
 * real busbar: a deviation rule on the site calendar seeded from 4 weeks of history, a trend rule
 * seeded from 6 hours, and PDU correlation by the labels of `alarms.sources`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SiteCalendar } from '../../alarms/calendar/calendar.js';
import { alarmsSchema } from '../../alarms/config.js';
import { loadConfig } from '../../config/load.js';
import type { ConfigInput } from '../../config/schema.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { outages, promptly } from './outage.js';
import { barrierRule, DAY, gaussian, HOUR, liveNoiseAt, MINUTE, replays } from './replay.js';

type Alarms = Record<string, unknown> & { rules: { name: string }[] };

const file = (name: string): string =>
  new URL(`../../docs/examples/alarms/${name}`, import.meta.url).pathname;

/** The example's `alarms` section as written (defaults not filled in), after the whole file is validated. */
async function example(name: string): Promise<Alarms> {
  await loadConfig(file(name), {});
  return (parse(readFileSync(file(name), 'utf8')) as { alarms: Alarms }).alarms;
}

const startReplay = replays();
const outage = outages();

describe('docs/examples/alarms', () => {
  it('deviation.yaml: office traffic on the Paris calendar, a surge on web2 fires, web1 stays quiet', async () => {
    const alarms = await example('deviation.yaml');
    const calendar = new SiteCalendar(alarmsSchema.parse(alarms).calendar);
    /** 300 from 09:00 to 18:00 on working days in Paris, 100 otherwise; 3 % noise (drawn at `noiseAt`). */
    const usual = (server: number, t: number, noiseAt = t): number => {
      const hour = Math.floor(calendar.zone.localMs(t) / HOUR) % 24;
      const open = !calendar.isWeekend(t) && hour >= 9 && hour < 18;
      return (open ? 300 : 100) * server * (1 + 0.03 * gaussian(noiseAt, server));
    };
    const now = Date.now();
    const replay = await startReplay(
      (store) => {
        for (const server of [1, 2]) {
          const lines: string[] = [];
          for (let t = now - 28 * DAY; t < now - MINUTE; t += 10 * MINUTE) {
            lines.push(`http,host=web${server} requests_per_sec=${usual(server, t)} ${t}`);
          }
          store.write(`web${server}`, lines.join('\n'));
        }
      },
      { alarms: { ...alarms, rules: [...alarms.rules, barrierRule] } as ConfigInput['alarms'] },
    );
    await replay.barrier();
    for (let sample = 0; sample < 12; sample++) {
      const surge = sample >= 6 ? 3 : 1;
      const noiseAt = liveNoiseAt(sample);
      await replay.publish('web1', `http,host=web1 requests_per_sec=${usual(1, Date.now(), noiseAt)}`);
      await replay.publish(
        'web2',
        `http,host=web2 requests_per_sec=${usual(2, Date.now(), noiseAt) * surge}`,
      );
    }
    await replay.barrier();
    expect(replay.alarms('unusual_traffic', 'web1.http.requests_per_sec{host=web1}')).toEqual([]);
    const web2 = replay.alarms('unusual_traffic', 'web2.http.requests_per_sec{host=web2}');
    if (calendar.exception(Date.now()) !== undefined) {
      expect(web2).toEqual([]); // Christmas, or the maintenance window: the example says so
      return;
    }
    expect(web2.map((message) => message.state)).toEqual(['firing']);
    expect(web2[0]?.summary).toMatch(
      /^http requests_per_sec on web2 is [\d.]+, [\d.]+σ above its usual [\d.]+ ± [\d.]+ at this hour of a (working|weekend) day$/,
    );
  });

  it('trend.yaml: a data disk 3.5 h from full fires with its time, the root disk and a flat one do not', async () => {
    const alarms = await example('trend.yaml');
    const now = Date.now();
    const filling = (t: number): number => 60 + (10 * (t - now)) / HOUR; // 95 % at now + 3.5 h
    const replay = await startReplay(
      (store) => {
        const lines: string[] = [];
        for (let t = now - 6 * HOUR; t < now - MINUTE; t += MINUTE) {
          lines.push(`disk,host=db1,path=/data used_percent=${filling(t)} ${t}`);
          lines.push(`disk,host=db1,path=/ used_percent=${filling(t)} ${t}`); // not /data
          lines.push(`disk,host=db1,path=/data2 used_percent=50 ${t}`);
        }
        store.write('db1', lines.join('\n'));
      },
      { alarms: { ...alarms, rules: [...alarms.rules, barrierRule] } as ConfigInput['alarms'] },
    );
    await replay.barrier();
    for (const path of ['/data', '/', '/data2']) {
      const used = path === '/data2' ? 50 : filling(Date.now());
      await replay.publish('db1', `disk,host=db1,path=${path} used_percent=${used}`);
    }
    await replay.barrier();
    const [full] = replay.alarms('data_disk_full_soon', 'db1.disk.used_percent{host=db1,path=/data}');
    expect(full?.state).toBe('firing');
    expect(full?.eta?.seconds).toBeGreaterThan(3 * 3600);
    expect(full?.eta?.seconds).toBeLessThan(4 * 3600);
    expect(full?.summary).toMatch(
      /^disk used_percent on db1 \(path=\/data\) is [\d.]+, heading above 95 in /,
    );
    const others = replay.messages.filter((message) => message.topic.startsWith('busbar/alarms/data_disk'));
    expect(others.map((message) => message.topic)).toEqual([
      'busbar/alarms/data_disk_full_soon/db1.disk.used_percent{host=db1,path=_data}', // / is no topic level
    ]);
  });

  it('correlation.yaml: a PDU outage is one notification; a machine whose PDU is up is its own', async () => {
    const alarms = await example('correlation.yaml');
    // The example's offline rule waits 1 min and its groups 30 s: here at once and 1 s.
    const {
      alarms: offline,
      notifications,
      inhibited,
    } = await outage(promptly(alarms), ['web1', 'web2', 'web3', 'pdu1']);
    expect(offline.get('web3')?.labels).toEqual({ source: 'web3', rack: 'r2', pdu: 'pdu2' });
    await waitFor(() => notifications().length === 2, 'two notifications');
    const told = new Map(notifications().map((notification) => [notification.group, notification]));
    expect(told.get('pdu=pdu1')?.alarms.map((alarm) => alarm.series)).toEqual(['pdu1']);
    expect(told.get('pdu=pdu1')?.summary).toBe('[FIRING] source pdu1 is offline');
    expect(told.get('pdu=pdu2')?.alarms.map((alarm) => alarm.series)).toEqual(['web3']);
    await inhibited(2); // web1 and web2
    expect(notifications()).toHaveLength(2);
  });
});
