/**
 * Through a real in-process busbar and a real MQTT client: points published on the metric topics,
 * alarms read back retained from <base>/alarms/..., a recording rule's output stored and alarmed on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import type { AlarmMessage } from '../../alarms/alarm.js';

const clients = new Clients();
let busbar: TestBusbar | undefined;

afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  busbar = undefined;
});

describe('alarms in a running busbar', () => {
  it('publishes retained alarm state, records machine power and alarms on it, and saves state', async () => {
    const dir = await tempDir('alarms-e2e');
    const statePath = `${dir.path}/alarms.json`;
    try {
      busbar = await startTestBusbar({
        agent: { enabled: false },
        alarms: {
          statePath,
          evaluateInterval: '50ms',
          rules: [
            { kind: 'threshold', name: 'hot', measurement: 'temp', field: 'temp', above: 50, clear: 45 },
            {
              kind: 'threshold',
              name: 'machine_power_high',
              measurement: 'machine_power',
              field: 'power_w',
              above: 450,
            },
          ],
          record: [
            {
              name: 'machine_power',
              from: 'busbar/metrics/+/outlet',
              field: 'power_w',
              where: { machine: '*' },
              groupBy: ['machine'],
              aggregate: 'sum',
              every: '100ms',
            },
          ],
        },
      });
      const client = await clients.connect(busbar.url);
      const messages = record(client);
      await subscribe(client, 'busbar/alarms/#', 1);
      await subscribe(client, 'busbar/metrics/rules/#', 0);

      await client.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1,sensor=cpu temp=40');
      await client.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1,sensor=cpu temp=61.5');
      await client.publishAsync('busbar/metrics/pdu1/outlet', 'outlet,outlet=1,machine=web1 power_w=200');
      await client.publishAsync('busbar/metrics/pdu2/outlet', 'outlet,outlet=4,machine=web1 power_w=300');

      const hotTopic = 'busbar/alarms/hot/web1.temp.temp{host=web1,sensor=cpu}';
      await waitFor(() => messages.some((m) => m.topic === hotTopic), 'the hot alarm');
      const hot = JSON.parse(messages.find((m) => m.topic === hotTopic)!.payload) as AlarmMessage;
      expect(hot).toMatchObject({
        state: 'firing',
        value: 61.5,
        threshold: 50,
        summary: 'temp temp on web1 (sensor=cpu) is 61.5, above 50',
      });

      await waitFor(
        () =>
          messages.some(
            (m) => m.topic === 'busbar/metrics/rules/machine_power' && / power_w=500 /.test(m.payload),
          ),
        'the recorded machine power',
      );
      const powerTopic = 'busbar/alarms/machine_power_high/rules.machine_power.power_w{machine=web1}';
      await waitFor(() => messages.some((m) => m.topic === powerTopic), 'the alarm on the recorded series');

      await client.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1,sensor=cpu temp=44');
      await waitFor(
        () => messages.filter((m) => m.topic === hotTopic).some((m) => m.payload.includes('"resolved"')),
        'the hot alarm resolved',
      );

      // A new subscriber gets the state retained.
      const late = await clients.connect(busbar.url);
      const lateMessages = record(late);
      await subscribe(late, hotTopic, 1);
      await waitFor(() => lateMessages.length > 0, 'the retained alarm');
      expect(lateMessages[0]).toMatchObject({ retain: true });
      expect(JSON.parse(lateMessages[0]!.payload)).toMatchObject({ state: 'resolved' });

      await busbar.stop();
      busbar = undefined;
      const saved = JSON.parse(await readFile(statePath, 'utf8')) as {
        alarms: { rule: string; state: string }[];
      };
      expect(saved.alarms.find((alarm) => alarm.rule === 'hot')?.state).toBe('resolved');
      expect(saved.alarms.find((alarm) => alarm.rule === 'machine_power_high')?.state).toBe('firing');
    } finally {
      await dir.remove();
    }
  });
});

describe('forgotten alarms', () => {
  it('clears the retained message of a resolved alarm whose series went away', async () => {
    busbar = await startTestBusbar({
      agent: { enabled: false },
      alarms: {
        defaults: false,
        evaluateInterval: '50ms',
        forgetAfter: '300ms',
        rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'temp', above: 50 }],
      },
    });
    const client = await clients.connect(busbar.url);
    const messages = record(client);
    await subscribe(client, 'busbar/alarms/#', 1);
    await client.publishAsync('busbar/metrics/web2/temp', 'temp,host=web2 temp=60');
    await client.publishAsync('busbar/metrics/web2/temp', 'temp,host=web2 temp=40');
    const topic = 'busbar/alarms/hot/web2.temp.temp{host=web2}';
    await waitFor(() => messages.filter((m) => m.topic === topic).length === 3, 'firing, resolved, cleared');
    const payloads = messages.filter((m) => m.topic === topic).map((m) => m.payload);
    expect(
      payloads.map((payload) => (payload === '' ? '' : (JSON.parse(payload) as AlarmMessage).state)),
    ).toEqual(['firing', 'resolved', '']);
  });
});

describe('a damaged state file', () => {
  it('is logged with its path, and alarms start afresh', async () => {
    const dir = await tempDir('alarms-damaged');
    try {
      const statePath = `${dir.path}/alarms.json`;
      await writeFile(statePath, '{"version": 1, "alarms": [{"rule"');
      busbar = await startTestBusbar({
        agent: { enabled: false },
        alarms: {
          defaults: false,
          statePath,
          rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'temp', above: 50 }],
        },
      });
      const client = await clients.connect(busbar.url);
      const messages = record(client);
      await subscribe(client, 'busbar/alarms/#', 1);
      // The component subscribes once it has read the file: publish until it has.
      await waitFor(() => {
        if (messages.length === 0)
          void client.publishAsync('busbar/metrics/web3/temp', 'temp,host=web3 temp=60');
        return messages.length > 0;
      }, 'the alarm');
      expect(
        busbar.log.lines.find((line) => line.msg === 'alarm state unreadable, starting afresh'),
      ).toMatchObject({
        path: statePath,
      });
    } finally {
      await busbar?.stop();
      busbar = undefined;
      await dir.remove();
    }
  });
});
