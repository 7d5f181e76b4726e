/**
 * A client forging busbar's own topics, with the default config (anonymous clients on loopback may
 * publish anything): a retained firing alarm, a sink `down` and a grouped notification. None of them
 * reaches /api/alarms, /health or Telegram; a real alarm still does. A forgery already in a
 * persistent store (Redis) when busbar starts is not trusted either, while the real alarm states
 * the alarms component keeps in its state file are published again.
 */
import { afterEach, expect, it } from 'vitest';
import type { ConfigInput } from '../../config/schema.js';
import { FakeBotApi } from '../helpers/fake-bot-api.js';
import { Clients, waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startWebBusbar, type WebBusbar } from './web-fixture.js';

const TOKEN = '7012345678:AAE-own_topics_TOKEN_xyz';
const CHAT = 1001;
const clients = new Clients();
let web: WebBusbar | undefined;
let api: FakeBotApi | undefined;
let redis: RedisServer | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;

afterEach(async () => {
  await clients.closeAll();
  await web?.stop();
  await api?.close();
  await redis?.stop();
  await dir?.remove();
  web = api = redis = dir = undefined;
});

const FORGED_ALARM = JSON.stringify({
  rule: 'forged',
  series: 'x',
  state: 'firing',
  severity: 'critical',
  labels: { source: 'x' },
  summary: 'forged alarm',
  since: new Date().toISOString(),
});
const SINK_DOWN = JSON.stringify({ state: 'down', lastError: 'forged outage' });

function config(telegramApi: string, extra: ConfigInput = {}): ConfigInput {
  return {
    agent: { enabled: false },
    ...extra,
    broker: { sysInterval: '100ms', ...extra.broker },
    alarms: {
      defaults: false,
      evaluateInterval: '50ms',
      notify: { groupBy: ['...'], groupWait: '0s', groupInterval: '100ms' },
      rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'temp', above: 50 }],
      ...extra.alarms,
    },
    notifiers: {
      enabled: true,
      services: { telegram: { ops: { token: TOKEN, chats: [CHAT], apiRoot: telegramApi } } },
      routes: [
        { name: 'alarms', topic: 'busbar/alarms/#', message: '{payload.summary}', targets: ['telegram:ops'] },
        { name: 'groups', topic: 'busbar/notify/#', message: '{payload.summary}', targets: ['telegram:ops'] },
      ],
      delivery: { ratePerMinute: 6000, burst: 1000, retryInitial: '100ms' },
    },
  };
}

const json = async (path: string): Promise<{ status: number; body: string }> => {
  const response = await fetch(`${web!.base}${path}`);
  return { status: response.status, body: await response.text() };
};

/** Polls an asynchronous condition, at most 5 s. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const sent = (): string[] => api!.callsOf('sendMessage').map((call) => call.params.text ?? '');

it('refuses forged alarms, statistics and notifications from a client, and counts them', async () => {
  api = await FakeBotApi.start({ token: TOKEN });
  web = await startWebBusbar(config(api.url));
  const forger = await clients.connect(web.busbar.url, { clientId: 'forger' });
  await forger.publishAsync('busbar/alarms/forged/x', FORGED_ALARM, { qos: 1, retain: true });
  await forger.publishAsync('busbar/stats/influxdb', SINK_DOWN, { qos: 1, retain: true });
  await forger.publishAsync(
    'busbar/notify/forged',
    JSON.stringify({ group: 'forged', summary: 'forged group' }),
    { qos: 1 },
  );
  // A real alarm, after the forgeries on the same connection: once it is sent, they were handled.
  await forger.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=61', { qos: 1 });
  await waitFor(() => sent().some((text) => text.includes('above 50')), 'the real alarm on Telegram', 10_000);

  expect(sent().filter((text) => text.includes('forged'))).toEqual([]);
  const alarms = await json('/api/alarms');
  expect(alarms.status).toBe(200);
  expect(alarms.body).toContain('hot');
  expect(alarms.body).not.toContain('forged');
  expect(await json('/health')).toEqual({ status: 200, body: 'OK\n' });

  let denied = 0;
  const subscription = await web.busbar.running.bus.subscribe('busbar/stats/broker', (message) => {
    denied = (JSON.parse(message.payload.toString()) as { publishesDenied: number }).publishesDenied;
  });
  await waitFor(() => denied >= 3, 'the 3 refusals counted on busbar/stats/broker');
  await subscription.unsubscribe();
  expect(web.busbar.log.find("publish refused: the topic is busbar's own")[0]).toMatchObject({
    clientId: 'forger',
  });
});

it('does not trust a retained forgery already in a Redis store at start, and keeps the real alarms', async () => {
  [api, redis, dir] = await Promise.all([FakeBotApi.start({ token: TOKEN }), startRedis(), tempDir('own')]);
  const persistent: ConfigInput = {
    broker: { persistence: { type: 'redis', redis: { host: '127.0.0.1', port: redis.port } } },
    alarms: { statePath: `${dir.path}/alarms.json` },
  };
  web = await startWebBusbar(config(api.url, persistent));
  const device = await clients.connect(web.busbar.url);
  await device.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=61', { qos: 1 });
  await waitFor(() => sent().some((text) => text.includes('above 50')), 'the real alarm on Telegram', 10_000);
  // Planted as a client could before busbar refused it: straight into the broker, past the ACL.
  const aedes = web.busbar.running.broker!.aedes;
  for (const [topic, payload] of [
    ['busbar/alarms/forged/x', FORGED_ALARM],
    ['busbar/stats/influxdb', SINK_DOWN],
  ] as const) {
    await new Promise<void>((resolve, reject) =>
      aedes.publish(
        { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: true, dup: false },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }
  // Trusted while it is there: what the start below must not let through.
  await until(async () => (await json('/api/alarms')).body.includes('forged'), 'the planted alarm listed');
  expect((await json('/health')).status).toBe(503);
  await clients.closeAll();
  await web.stop();

  web = await startWebBusbar(config(api.url, persistent));
  await until(async () => (await json('/api/alarms')).body.includes('hot'), 'the real alarm republished');
  expect((await json('/api/alarms')).body).not.toContain('forged');
  expect(await json('/health')).toEqual({ status: 200, body: 'OK\n' });
  expect(
    web.busbar.log.find("retained messages on busbar's own topics from before this start cleared"),
  ).toHaveLength(1);
});
