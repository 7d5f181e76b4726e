/** ALARMS: every firing alarm, and the silences in force. */
import type { Command } from '../context.js';
import { escapeHtml } from '../format.js';
import { alarmLine, capLines } from '../replies.js';
import { silenceLine } from './unsilence.js';

export const MAX_ALARMS = 40;

export const alarmsCommand: Command = async (context) => {
  const { data, now } = context;
  const firing = data.firing();
  const lines = firing.length === 0 ? ['✅ No alarm is firing.'] : [`<b>${firing.length} firing</b>`];
  lines.push(
    ...capLines(
      firing.map((alarm) => alarmLine(alarm, now, data.ackOf(alarm))),
      MAX_ALARMS,
      'STATUS <source> for one source',
    ),
  );
  const silences = [...data.silences.values()];
  if (silences.length > 0) lines.push('', `<b>${silences.length} silenced</b>`, ...silences.map(silenceLine));
  const pending = data.alarms().filter((alarm) => alarm.state === 'pending').length;
  if (pending > 0) lines.push('', escapeHtml(`${pending} pending (condition met, waiting for \`for\`).`));
  await context.reply(lines.join('\n'));
};
