/**
 * The alarms section of config/example.yaml, uncommented and run (issue 21, part 4): the labels of
 * `alarms.sources` ride on every alarm of a source, so a dead PDU's inhibition rule (`equal: [pdu]`)
 * mutes the machines behind it without a list. One notification for the PDU and its 2 machines.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { AlarmMessage } from '../../alarms/alarm.js';
import type { AlarmNotification } from '../../alarms/notification.js';
import type { ConfigInput } from '../../config/schema.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';

/** The commented `# alarms:` section of config/example.yaml, as the YAML it would be uncommented. */
function exampleAlarms(): Record<string, unknown> & { rules: { name: string; for?: string }[] } {
  const lines = readFileSync(new URL('../../config/example.yaml', import.meta.url), 'utf8').split('\n');
  const start = lines.indexOf('# alarms:');
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('#'));
  const yaml = lines
    .slice(start, end)
    .map((line) => line.replace(/^# ?/, ''))
    .join('\n');
  return (parse(yaml) as { alarms: ReturnType<typeof exampleAlarms> }).alarms;
}

let busbar: TestBusbar | undefined;
const clients = new Clients();

afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  busbar = undefined;
});

describe("config/example.yaml's alarms", () => {
  it('a PDU outage with two machines behind it is one notification, about the PDU', async () => {
    const { statePath: _statePath, ...alarms } = exampleAlarms();
    expect(alarms.sources).toMatchObject({ web1: { pdu: 'pdu1' }, web2: { pdu: 'pdu1' } });
    busbar = await startTestBusbar({
      agent: { enabled: false },
      alarms: {
        ...alarms,
        // Sooner than the example's 2 min and 30 s, so the test does not wait for them.
        rules: alarms.rules.map((rule) => (rule.name === 'source_offline' ? { ...rule, for: '0s' } : rule)),
        notify: { ...(alarms.notify as object), groupWait: '1s' },
        evaluateInterval: '200ms',
      } as ConfigInput['alarms'],
    });
    const client = await clients.connect(busbar.url);
    const messages = record(client);
    await subscribe(client, 'busbar/alarms/source_offline/#');
    await subscribe(client, 'busbar/notify/#');
    // The machines' agents say so first (their last will), the PDU's bridge a poll later.
    for (const source of ['web1', 'web2', 'pdu1']) {
      await client.publishAsync(`busbar/status/${source}`, 'offline', { retain: true });
    }
    await waitFor(
      () => messages.filter((message) => message.topic.startsWith('busbar/alarms/')).length === 3,
      'three offline alarms',
    );
    const web1 = messages.find((message) => message.topic === 'busbar/alarms/source_offline/web1')!;
    expect((JSON.parse(web1.payload) as AlarmMessage).labels).toEqual({
      source: 'web1',
      rack: 'r1',
      pdu: 'pdu1',
    });
    const notifications = (): AlarmNotification[] =>
      messages
        .filter((message) => message.topic.startsWith('busbar/notify/'))
        .map((message) => JSON.parse(message.payload) as AlarmNotification);
    await waitFor(() => notifications().length > 0, 'a notification');
    const [told] = notifications();
    expect(told?.alarms.map((alarm) => alarm.series)).toEqual(['pdu1']);
    expect(told?.summary).toMatch(/pdu1/);
    // Nothing else to tell: the statistics say the two machines were inhibited.
    await subscribe(client, 'busbar/stats/alarms');
    await waitFor(
      () =>
        messages.some(
          (message) =>
            message.topic === 'busbar/stats/alarms' &&
            (JSON.parse(message.payload) as { inhibited: number }).inhibited >= 2,
        ),
      'two inhibited alarms',
      10_000,
    );
    expect(notifications()).toHaveLength(1);
  });
});
