/**
 * Which alarms a notification is about, from its payload: one alarm (the retained JSON on
 * <base>/alarms/<rule>/<series>, alarms/alarm.ts) or a group of them (<base>/notify/<group>,
 * alarms/notification.ts). Anything else is about no alarm. The one test of "is this an alarm" for
 * templates, the email and Telegram services and the bot.
 */
import type { AlarmMessage } from '../alarms/alarm.js';
import type { AlarmAcknowledgement, AlarmNotification } from '../alarms/notification.js';

export type NotifiedAlarm = AlarmMessage & {
  readonly flapping?: boolean;
  readonly acknowledged?: AlarmAcknowledgement;
};

export interface PayloadAlarms {
  /** `group`: a grouped notification (listed alarm by alarm in a mail). */
  readonly kind: 'alarm' | 'group';
  readonly alarms: readonly NotifiedAlarm[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fields notifiers read; a payload without them is not taken for an alarm. */
export function isAlarmMessage(value: unknown): value is AlarmMessage {
  return (
    isObject(value) &&
    typeof value.rule === 'string' &&
    typeof value.series === 'string' &&
    typeof value.state === 'string' &&
    typeof value.since === 'string' &&
    isObject(value.labels)
  );
}

export function isAlarmNotification(value: unknown): value is AlarmNotification {
  return (
    isObject(value) &&
    typeof value.group === 'string' &&
    typeof value.status === 'string' &&
    Array.isArray(value.alarms) &&
    value.alarms.every(isAlarmMessage)
  );
}

export function payloadAlarms(payload: unknown): PayloadAlarms | undefined {
  if (isAlarmNotification(payload)) return { kind: 'group', alarms: payload.alarms };
  if (isAlarmMessage(payload)) return { kind: 'alarm', alarms: [payload] };
  return undefined;
}
