/**
 * With the default broker (`persistence: memory`) a restart loses every retained message, the alarm
 * states among them. The alarms component publishes again the states its state file restored, so the
 * web, the bot and any subscriber see a firing alarm at once; marked `restored`, they notify no one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import type { AlarmMessage } from '../../alarms/alarm.js';
import type { ConfigInput } from '../../config/schema.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, delay, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';

const clients = new Clients();
let busbar: TestBusbar | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;

afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  await dir?.remove();
  busbar = undefined;
  dir = undefined;
});

const HOT = 'busbar/alarms/hot/web1.temp.temp{host=web1}';
const COOL = 'busbar/alarms/hot/web2.temp.temp{host=web2}';

function config(path: string): ConfigInput {
  return {
    agent: { enabled: false },
    web: { enabled: false },
    alarms: {
      defaults: false,
      statePath: `${path}/alarms.json`,
      evaluateInterval: '50ms',
      rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'temp', above: 50 }],
    },
    notifiers: {
      enabled: true,
      services: { file: { changes: { path: `${path}/changes.jsonl` } } },
      routes: [
        { name: 'changes', topic: 'busbar/alarms/#', message: '{payload.state}', targets: ['file:changes'] },
      ],
    },
  };
}

const lines = (file: string): string[] =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];

it('publishes again the alarm states a memory broker lost in a restart, and notifies no one of them', async () => {
  dir = await tempDir('restart-memory');
  const changes = `${dir.path}/changes.jsonl`;
  busbar = await startTestBusbar(config(dir.path));
  const device = await clients.connect(busbar.url);
  await device.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=61');
  await device.publishAsync('busbar/metrics/web2/temp', 'temp,host=web2 temp=62');
  await device.publishAsync('busbar/metrics/web2/temp', 'temp,host=web2 temp=20');
  await waitFor(() => lines(changes).length === 3, 'firing, firing and resolved sent');
  await clients.closeAll();
  await busbar.stop(); // saves the state file; the broker's retained messages are gone with it
  busbar = undefined;

  busbar = await startTestBusbar(config(dir.path));
  const watcher = await clients.connect(busbar.url);
  const seen = record(watcher);
  await subscribe(watcher, 'busbar/alarms/#', 1);
  await waitFor(() => seen.some((m) => m.topic === HOT) && seen.some((m) => m.topic === COOL), 'both alarms');
  const hot = JSON.parse(seen.find((m) => m.topic === HOT)!.payload) as AlarmMessage;
  const cool = JSON.parse(seen.find((m) => m.topic === COOL)!.payload) as AlarmMessage;
  expect(hot).toMatchObject({ state: 'firing', value: 61, restored: true });
  expect(cool).toMatchObject({ state: 'resolved', restored: true });
  expect(busbar.log.find('alarm states the broker had lost published again')[0]).toMatchObject({
    republished: 2,
  });

  // Published again, they are retained: a later subscriber gets them too.
  const late = await clients.connect(busbar.url);
  const lateSeen = record(late);
  await subscribe(late, 'busbar/alarms/#', 1);
  await waitFor(() => lateSeen.filter((m) => m.retain).length === 2, 'the retained states');

  // Not news: the route on busbar/alarms/# sent nothing more; a real change still goes out.
  const again = await clients.connect(busbar.url);
  await again.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=20');
  await waitFor(() => lines(changes).length >= 4, 'the resolution sent');
  await delay(200);
  expect(lines(changes).map((line) => (JSON.parse(line) as { message: string }).message)).toEqual([
    'firing',
    'firing',
    'resolved',
    'resolved',
  ]);
});
