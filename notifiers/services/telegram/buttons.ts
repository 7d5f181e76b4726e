/**
 * Inline buttons for alarm messages: an alarm state (<base>/alarms/<rule>/<series>) or a grouped
 * notification (<base>/notify/<group>) gets "Silence 1 h" while firing, and "Graph".
 */
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { callbackData, type ButtonSubject } from '../../bot/callback-data.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What an alarm payload is about, and whether it fires; undefined for any other payload. */
export function alarmSubject(payload: unknown): { subject: ButtonSubject; firing: boolean } | undefined {
  if (!isRecord(payload)) return undefined;
  if (typeof payload.group === 'string' && Array.isArray(payload.alarms)) {
    return { subject: { kind: 'group', key: payload.group }, firing: payload.status === 'firing' };
  }
  if (
    typeof payload.rule === 'string' &&
    typeof payload.series === 'string' &&
    typeof payload.state === 'string'
  ) {
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
  if (about.firing)
    row.unshift({ text: 'Silence 1 h', callback_data: callbackData('silence', about.subject) });
  return { inline_keyboard: [row] };
}
