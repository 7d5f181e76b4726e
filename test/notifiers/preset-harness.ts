/**
 * A whole busbar with the notifiers on and one route from grouped alarm notifications
 * (busbar/notify/#) to the targets under test, and the firing and resolved notifications of one
 * alarm group, published in-process as the alarms component does.
 */
import type { AlarmMessage } from '../../alarms/alarm.js';
import type { AlarmNotification } from '../../alarms/notification.js';
import type { NotifiersConfigInput } from '../../notifiers/config.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import type { Receiver } from './http-receiver.js';

export const GROUP = 'rule=disk_used,source=web1';

/** A summary with what markup and JSON must escape: quotes, a backslash, `<`, `&`, `*`, `_`. */
export const SUMMARY = 'disk used_percent on web1 (path="C:\\data" <ssd> & *fast*) is 96, above 90';

function alarm(state: 'firing' | 'resolved'): AlarmMessage {
  return {
    rule: 'disk_used',
    series: 'web1.disk.used_percent{path=/data}',
    state,
    severity: 'critical',
    value: state === 'firing' ? 96 : 70,
    threshold: 90,
    baseline: null,
    since: new Date().toISOString(),
    firedAt: new Date().toISOString(),
    labels: { source: 'web1', measurement: 'disk', field: 'used_percent', path: '/data' },
    summary: state === 'firing' ? SUMMARY : SUMMARY.replace('is 96, above 90', 'is 70, back below 90'),
  };
}

let sequence = 0;

export function groupNotification(
  status: 'firing' | 'resolved',
  severity: AlarmMessage['severity'] = 'critical',
): AlarmNotification {
  sequence += 1;
  const alarms = [{ ...alarm(status), severity }];
  return {
    id: `${GROUP}@${sequence}`,
    group: GROUP,
    labels: { rule: 'disk_used', source: 'web1' },
    status,
    reason: status === 'firing' ? 'new' : 'update',
    firing: status === 'firing' ? 1 : 0,
    resolved: status === 'resolved' ? 1 : 0,
    alarms,
    summary: status === 'firing' ? '1 firing: disk used on web1' : '1 resolved: disk used on web1',
    time: new Date().toISOString(),
  };
}

export interface PresetBusbar {
  readonly busbar: TestBusbar;
  notify(notification: AlarmNotification): Promise<void>;
  stop(): Promise<void>;
}

export async function startPresetBusbar(
  services: NotifiersConfigInput['services'],
  targets: string[],
  notifiers: Partial<NotifiersConfigInput> = {},
): Promise<PresetBusbar> {
  const busbar = await startTestBusbar({
    agent: { enabled: false },
    notifiers: {
      enabled: true,
      services,
      routes: [
        {
          name: 'alarms',
          topic: 'busbar/notify/#',
          title: '{payload.summary}',
          message: '{alarms}',
          targets,
        },
      ],
      delivery: { retryInitial: '20ms', retryMax: '100ms' },
      ...notifiers,
    },
  });
  return {
    busbar,
    async notify(notification) {
      await busbar.running.bus.publish(`busbar/notify/${notification.group}`, JSON.stringify(notification), {
        qos: 1,
      });
    },
    stop: () => busbar.stop(),
  };
}

/** Sends the group's firing and then its resolution; resolves once the receiver took both. */
export async function fireAndResolve(
  harness: PresetBusbar,
  receiver: Receiver,
  severity: AlarmMessage['severity'] = 'critical',
): Promise<void> {
  await harness.notify(groupNotification('firing', severity));
  await waitFor(
    () => receiver.accepted.length === 1 || receiver.refused.length > 0,
    'the firing at the receiver',
  );
  await harness.notify(groupNotification('resolved', severity));
  await waitFor(
    () => receiver.accepted.length === 2 || receiver.refused.length > 0,
    'the resolution at the receiver',
  );
}
