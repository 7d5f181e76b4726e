/**
 * A rule removed from the config leaves no retained alarm behind: through a real busbar whose broker
 * keeps retained messages in a real Redis (so they outlive the restart, as on a site broker).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../config/schema.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, delay, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

const clients = new Clients();
let redis: RedisServer;
let busbar: TestBusbar | undefined;

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  busbar = undefined;
});
afterAll(async () => {
  await redis?.stop();
});

const hot = { kind: 'threshold', name: 'hot', measurement: 'temp', field: 'temp', above: 50 } as const;
const loud = { kind: 'threshold', name: 'loud', measurement: 'fan', field: 'rpm', above: 3000 } as const;

const HOT = 'busbar/alarms/hot/web1.temp.temp{host=web1}';
const LOUD = [
  'busbar/alarms/loud/web1.fan.rpm{fan=1,host=web1}',
  'busbar/alarms/loud/web1.fan.rpm{fan=2,host=web1}',
];

type Rules = NonNullable<NonNullable<ConfigInput['alarms']>['rules']>;

function config(statePath: string, rules: Rules): ConfigInput {
  return {
    agent: { enabled: false },
    broker: {
      listeners: [{ type: 'tcp', host: '127.0.0.1', port: 0 }],
      persistence: { type: 'redis', redis: { host: '127.0.0.1', port: redis.port, db: 3 } },
    },
    alarms: { defaults: false, statePath, evaluateInterval: '50ms', rules },
  };
}

describe('retained alarms of removed rules', () => {
  it('a restart without rule `loud` clears its retained alarms and keeps those of `hot`', async () => {
    const dir = await tempDir('removed-rules');
    const statePath = `${dir.path}/alarms.json`;
    try {
      busbar = await startTestBusbar(config(statePath, [hot, loud]));
      const device = await clients.connect(busbar.url);
      const before = record(device);
      await subscribe(device, 'busbar/alarms/#', 1);
      await device.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=61');
      await device.publishAsync('busbar/metrics/web1/fan', 'fan,host=web1,fan=1 rpm=4000');
      await device.publishAsync('busbar/metrics/web1/fan', 'fan,host=web1,fan=2 rpm=4200');
      await waitFor(
        () =>
          [HOT, ...LOUD].every((topic) =>
            before.some((m) => m.topic === topic && /"firing"/.test(m.payload)),
          ),
        'three firing alarms',
      );
      await clients.closeAll();
      await busbar.stop(); // saves the state file
      busbar = undefined;

      busbar = await startTestBusbar(config(statePath, [hot]));
      const log = busbar.log;
      // The broker clears every retained message on busbar's own topics at start (broker/own-retained.ts),
      // the three alarms among them; the alarms component then publishes again those its state file
      // holds for configured rules: hot, not loud.
      expect(
        log.find("retained messages on busbar's own topics from before this start cleared")[0]?.cleared,
      ).toBeGreaterThanOrEqual(3);
      await waitFor(
        () => log.find('alarm states the broker had lost published again').length > 0,
        'hot published again',
      );
      expect(log.find('alarm states the broker had lost published again')[0]).toMatchObject({
        republished: 1,
      });

      const fresh = await clients.connect(busbar.url);
      const after = record(fresh);
      await subscribe(fresh, 'busbar/alarms/#', 1);
      await waitFor(() => after.some((m) => m.topic === HOT), "hot's retained alarm");
      await delay(300); // any other retained alarm would arrive with it
      expect(after.map((m) => m.topic)).toEqual([HOT]);
      expect(after[0]).toMatchObject({ retain: true, payload: expect.stringContaining('"firing"') });
      expect(after[0]!.payload).toContain('"restored"');
    } finally {
      await dir.remove();
    }
  });
});
