/**
 * `startBusbar` returns once every component takes its inputs: the web server answers, and a message
 * published on the in-process bus the moment it returns reaches ingest, the alarm rules and the
 * notifier routes. Before, components started in the background and the web server (started last)
 * refused connections for a while after `startBusbar` returned.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/process.js';

let busbar: TestBusbar | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;

afterEach(async () => {
  await busbar?.stop();
  await dir?.remove();
  busbar = undefined;
  dir = undefined;
});

it('returns once every component listens: messages published at once are ingested, alarmed and routed', async () => {
  dir = await tempDir('readiness');
  const events = `${dir.path}/events.jsonl`;
  const webPort = await freePort();
  busbar = await startTestBusbar({
    agent: { enabled: false },
    web: { port: webPort },
    ingest: { rules: [{ topic: 'sensors/+room/+measurement', source: '{room}' }] },
    alarms: {
      evaluateInterval: '50ms',
      rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'value', above: 50 }],
    },
    notifiers: {
      enabled: true,
      services: { file: { events: { path: events } } },
      routes: [{ name: 'door', topic: 'home/+/open', message: '{topic[1]}', targets: ['file:events'] }],
    },
  });
  const { bus, readiness } = busbar.running;
  expect(readiness.failed).toEqual([]);
  expect(readiness.waiting).toEqual([]);
  expect(readiness.ready).toEqual(
    expect.arrayContaining(['ingest', 'history', 'alarms', 'notifiers', 'web']),
  );

  // The web server, started last, already answers.
  const health = await fetch(`http://127.0.0.1:${webPort}/health`);
  expect(health.status).toBe(200);
  await bus.publish('home/door/open', '{}', { qos: 1 });
  await bus.publish('sensors/hall/temp', '61.5', { qos: 1 });

  const alarms: string[] = [];
  await bus.subscribe('busbar/alarms/hot/#', (message) => {
    alarms.push(message.payload.toString('utf8'));
  });
  await waitFor(
    () => alarms.some((payload) => payload.includes('"firing"')),
    'the alarm on the ingested reading',
  );
  await waitFor(
    () => existsSync(events) && readFileSync(events, 'utf8').includes('"door"'),
    'the routed door event',
  );
});
