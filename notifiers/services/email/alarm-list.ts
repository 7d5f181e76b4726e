/** A grouped notification's alarms, one per line (text) or list item (HTML, every value escaped). */
import { formatNumber } from '../../../alarms/alarm.js';
import { escapeFor } from '../../router/template.js';
import type { NotifiedAlarm } from '../../alarm-payload.js';

function facts(alarm: NotifiedAlarm): string {
  const parts: string[] = [];
  if (alarm.value !== null) parts.push(`value ${formatNumber(alarm.value)}`);
  if (alarm.threshold !== null) parts.push(`threshold ${formatNumber(alarm.threshold)}`);
  if (alarm.flapping === true) parts.push('flapping');
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

export function alarmListText(alarms: readonly NotifiedAlarm[]): string {
  return alarms.map((alarm) => `- ${alarm.state.toUpperCase()}: ${alarm.summary}${facts(alarm)}`).join('\n');
}

export function alarmListHtml(alarms: readonly NotifiedAlarm[]): string {
  const items = alarms.map(
    (alarm) =>
      `<li><b>${escapeFor('html', alarm.state.toUpperCase())}</b>: ` +
      `${escapeFor('html', alarm.summary)}${escapeFor('html', facts(alarm))}</li>`,
  );
  return `<ul>${items.join('')}</ul>`;
}
