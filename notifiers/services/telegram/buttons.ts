/**
 * Inline buttons for alarm messages: an alarm state (<base>/alarms/<rule>/<series>) or a grouped
 * notification (<base>/notify/<group>) gets "Silence 1 h" and "Ack" while firing, and "Graph".
 */
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { isAlarmMessage, isAlarmNotification } from '../../alarm-payload.js';
import { callbackData, type ButtonSubject } from '../../bot/callback-data.js';

/** What an alarm payload is about, and whether it fires; undefined for any other payload. */
export function alarmSubject(payload: unknown): { subject: ButtonSubject; firing: boolean } | undefined {
  if (isAlarmNotification(payload)) {
    return { subject: { kind: 'group', key: payload.group }, firing: payload.status === 'firing' };
  }
  if (isAlarmMessage(payload)) {
    return {
      subject: { kind: 'alarm', key: `${payload.rule}/${payload.series}` },
      firing: payload.state === 'firing',
    };
  }
  return undefined;
}

export function alarmButtons(payload: unknown): InlineKeyboardMarkup | undefined {
  const about = alarmSubject(payload);
  if (!about) return undefined;
  const row = [{ text: 'Graph', callback_data: callbackData('graph', about.subject) }];
  if (about.firing) {
    row.unshift(
      { text: 'Silence 1 h', callback_data: callbackData('silence', about.subject) },
      { text: 'Ack', callback_data: callbackData('ack', about.subject) },
    );
  }
  return { inline_keyboard: [row] };
}
