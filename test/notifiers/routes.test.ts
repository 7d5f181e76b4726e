/**
 * Items 1 and 2 through a real in-process busbar: a device topic (`home/door/open`) and an alarm
 * topic routed to a webhook (real local HTTP server), an MQTT republish, a file and the log.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, delay, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { startHookServer, type HookServer } from './webhook-server.js';

const clients = new Clients();
let busbar: TestBusbar | undefined;
let hook: HookServer | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;

afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  await hook?.close();
  await dir?.remove();
  busbar = undefined;
  hook = undefined;
  dir = undefined;
});

describe('routes on real topics', () => {
  it('sends a device event to a webhook with headers and to an MQTT topic, filtered on levels', async () => {
    hook = await startHookServer();
    const token = 'hook-secret-7f3a';
    busbar = await startTestBusbar({
      agent: { enabled: false },
      notifiers: {
        enabled: true,
        services: {
          webhook: {
            chat: {
              url: `${hook.url}/hooks/${token}`,
              headers: { authorization: `Bearer ${token}` },
              format: 'markdown',
            },
          },
          mqtt: { echo: { topic: 'notify/home' } },
        },
        routes: [
          {
            name: 'door',
            topic: 'home/+/open',
            filter: { levels: { '1': 'door' } },
            title: 'The {topic[1]} opened',
            message: 'by {payload.who}',
            priority: 'high',
            targets: ['webhook:chat', 'mqtt:echo'],
          },
        ],
      },
    });
    const client = await clients.connect(busbar.url);
    const messages = record(client);
    await subscribe(client, 'notify/#', 1);
    await client.publishAsync('home/window/open', JSON.stringify({ who: 'wind' }));
    await client.publishAsync('home/door/open', JSON.stringify({ who: 'Ann *admin*' }));
    await waitFor(() => hook!.requests.length >= 1 && messages.length >= 1, 'webhook and republish');
    await delay(100);

    expect(hook.requests).toHaveLength(1);
    const request = hook.requests[0]!;
    expect(request.path).toBe(`/hooks/${token}`);
    expect(request.headers.authorization).toBe(`Bearer ${token}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toMatchObject({
      text: 'The door opened\nby Ann \\*admin\\*',
      route: 'door',
      topic: 'home/door/open',
      priority: 'high',
      payload: { who: 'Ann *admin*' },
    });
    expect(messages).toHaveLength(1);
    expect(messages[0]!.topic).toBe('notify/home');
    expect(JSON.parse(messages[0]!.payload)).toMatchObject({
      title: 'The door opened',
      message: 'by Ann *admin*',
      topic: 'home/door/open',
    });
    expect(busbar.log.text()).not.toContain(token);
  });

  it('routes a firing critical alarm to a file and the log, filtered on state and severity', async () => {
    dir = await tempDir('notify-file');
    const path = `${dir.path}/alarms.jsonl`;
    busbar = await startTestBusbar({
      agent: { enabled: false },
      alarms: {
        evaluateInterval: '50ms',
        rules: [
          {
            kind: 'threshold',
            name: 'hot',
            measurement: 'temp',
            field: 'temp',
            above: 50,
            severity: 'critical',
          },
          { kind: 'threshold', name: 'warm', measurement: 'temp', field: 'temp', above: 30 },
        ],
      },
      notifiers: {
        enabled: true,
        services: { file: { alarms: { path } }, log: { audit: { level: 'warn' } } },
        routes: [
          {
            name: 'critical',
            topic: 'busbar/alarms/#',
            filter: { fields: { state: 'firing' }, severity: ['critical'] },
            title: '{payload.rule} {payload.state}',
            message: '{payload.summary}',
            targets: ['file:alarms', 'log:audit'],
          },
        ],
      },
    });
    const client = await clients.connect(busbar.url);
    await client.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=40');
    await client.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=61.5');
    await waitFor(() => busbar!.log.lines.some((l) => l.title === 'hot firing'), 'the log target');
    // The file target delivers on its own: wait for its line, then a moment for one that should not come.
    await waitFor(() => existsSync(path) && readFileSync(path, 'utf8').includes('\n'), 'the file target');
    await delay(200);
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      route: 'critical',
      title: 'hot firing',
      topic: expect.stringMatching(/^busbar\/alarms\/hot\//),
    });
    expect(line.message).toContain('61.5');
    // `warm` fired too (severity warning): filtered out, so the file holds `hot` only.
    expect(busbar.log.lines.filter((l) => l.route === 'critical' && l.level === 40)).toHaveLength(1);

    // The router's counters are on busbar/stats/notifiers, retained, for dashboards and /metrics.
    const watcher = await clients.connect(busbar.url);
    const stats = record(watcher);
    await subscribe(watcher, 'busbar/stats/notifiers', 1);
    await waitFor(
      () => stats.some((m) => m.payload.includes('"file:alarms":{"delivered":1')),
      'the router statistics',
    );
    const last = JSON.parse(stats.at(-1)!.payload) as { targets: Record<string, { delivered: number }> };
    expect(last.targets['log:audit']?.delivered).toBe(1);
  });
});
