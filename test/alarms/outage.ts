/**
 * An outage through a real busbar: sources say `offline` on their status topics (as agents' last
 * wills and a PDU bridge do), and the test reads what the alarms component published and told.
 */
import { afterEach } from 'vitest';
import type { AlarmMessage } from '../../alarms/alarm.js';
import type { AlarmNotification } from '../../alarms/notification.js';
import type { ConfigInput } from '../../config/schema.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, record, subscribe, waitFor, type ReceivedMessage } from '../helpers/mqtt-clients.js';

export interface Outage {
  /** The offline alarms published, by source. */
  readonly alarms: Map<string, AlarmMessage>;
  /** The notifications told on busbar/notify/#, so far. */
  notifications(): AlarmNotification[];
  /** Resolves once the alarms component counts at least `count` inhibited alarm mentions. */
  inhibited(count: number): Promise<void>;
}

/** `alarms` with offline rules firing at once and groups told a second after their first alarm. */
export function promptly(
  alarms: Record<string, unknown> & { rules: { name: string }[] },
): ConfigInput['alarms'] {
  return {
    ...alarms,
    rules: alarms.rules.map((rule) => ({ ...rule, for: '0s' })),
    notify: { ...(alarms.notify as object), groupWait: '1s' },
    evaluateInterval: '200ms',
  } as ConfigInput['alarms'];
}

/** Tests of a file that each start one busbar, stopped after the test. */
export function outages(): (alarms: ConfigInput['alarms'], offline: readonly string[]) => Promise<Outage> {
  let busbar: TestBusbar | undefined;
  const clients = new Clients();
  afterEach(async () => {
    await clients.closeAll();
    await busbar?.stop();
    busbar = undefined;
  });
  return async (alarms, offline) => {
    busbar = await startTestBusbar({ agent: { enabled: false }, alarms });
    const client = await clients.connect(busbar.url);
    const messages: ReceivedMessage[] = record(client);
    await subscribe(client, 'busbar/alarms/#');
    await subscribe(client, 'busbar/notify/#');
    await subscribe(client, 'busbar/stats/alarms');
    for (const source of offline) {
      await client.publishAsync(`busbar/status/${source}`, 'offline', { retain: true });
    }
    const published = (): AlarmMessage[] =>
      messages
        .filter((message) => message.topic.startsWith('busbar/alarms/') && message.payload !== '')
        .map((message) => JSON.parse(message.payload) as AlarmMessage);
    await waitFor(() => published().length === offline.length, `${offline.length} offline alarms`);
    return {
      alarms: new Map(published().map((alarm) => [alarm.labels.source!, alarm])),
      notifications: () =>
        messages
          .filter((message) => message.topic.startsWith('busbar/notify/'))
          .map((message) => JSON.parse(message.payload) as AlarmNotification),
      inhibited: (count) =>
        waitFor(
          () =>
            messages.some(
              (message) =>
                message.topic === 'busbar/stats/alarms' &&
                (JSON.parse(message.payload) as { inhibited: number }).inhibited >= count,
            ),
          `${count} inhibited alarms`,
          10_000,
        ),
    };
  };
}
