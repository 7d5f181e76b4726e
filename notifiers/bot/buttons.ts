/**
 * Taps on the inline buttons of alarm messages (notifiers/services/telegram): "Silence 1 h" silences
 * the alarm (or the group's labels) for an hour, "Ack" acknowledges the alarm (or the group's firing
 * alarms: no repeats until they resolve), "Graph" sends the alarmed series' chart. Returns the
 * short text shown to the person who tapped (answerCallbackQuery).
 */
import type { AlarmMessage } from '../../alarms/alarm.js';
import { alarmChart } from '../charts/history-chart.js';
import { parseCallbackData } from './callback-data.js';
import type { CommandContext } from './context.js';
import { escapeHtml } from './format.js';
import { silence } from './commands/silence.js';
import { acknowledge } from './commands/ack.js';
import { sourceLink, textChart } from './text-chart.js';

export const BUTTON_SILENCE = '1h';
/** Charts a group's Graph button sends at most. */
export const MAX_GROUP_CHARTS = 3;

async function sendAlarmCharts(context: CommandContext, alarms: readonly AlarmMessage[]): Promise<number> {
  const reader = context.data.reader();
  let sent = 0;
  for (const alarm of alarms.slice(0, MAX_GROUP_CHARTS)) {
    const chart = await alarmChart(reader, alarm, context.now);
    if (!chart) continue;
    const link =
      alarm.labels.source === undefined ? undefined : sourceLink(context.externalUrl, alarm.labels.source);
    await context.replyPhoto(
      chart.png,
      `<b>${escapeHtml(alarm.rule)}</b>: ${escapeHtml(alarm.summary)}`,
      textChart(chart.lines, link === undefined ? [] : [link]),
    );
    sent++;
  }
  return sent;
}

export async function handleButton(context: CommandContext, data: string | undefined): Promise<string> {
  const parsed = parseCallbackData(data);
  if (!parsed) return 'This button is not understood.';
  if (parsed.kind === 'alarm') {
    const alarm = context.data.alarmByHash(parsed.hash);
    if (!alarm) return 'That alarm is gone (resolved and forgotten).';
    if (parsed.action === 'silence') {
      const key = `${alarm.rule}/${alarm.series}`;
      await context.reply(
        await silence(context, { rule: alarm.rule, series: alarm.series }, BUTTON_SILENCE, key),
      );
      return 'Silenced for 1 h';
    }
    if (parsed.action === 'ack') {
      if (alarm.state !== 'firing') return 'That alarm no longer fires.';
      await context.reply(await acknowledge(context, [alarm], ''));
      return 'Acknowledged';
    }
    const sent = await sendAlarmCharts(context, [alarm]);
    if (sent === 0) await context.reply(`No history of <code>${escapeHtml(alarm.series)}</code> to draw.`);
    return sent > 0 ? 'Chart sent' : 'Nothing to draw';
  }
  const group = context.data.groupByHash(parsed.hash);
  if (!group) return 'That notification is too old to act on; use SILENCE or GRAPH.';
  if (parsed.action === 'silence') {
    // A group without groupBy labels is every alarm: silence its alarms one by one instead.
    const matcherSets =
      Object.keys(group.labels).length > 0
        ? [group.labels]
        : group.alarms.map((alarm) => ({ rule: alarm.rule, series: alarm.series }));
    for (const matchers of matcherSets) {
      const what = Object.entries(matchers)
        .map(([label, value]) => `${label}=${value}`)
        .join(',');
      await context.reply(await silence(context, { ...matchers }, BUTTON_SILENCE, what));
    }
    return 'Silenced for 1 h';
  }
  // The alarms as they are now (retained on the bus), not as the notification told them.
  const alarms = group.alarms.flatMap((ref) => context.data.alarm(ref.rule, ref.series) ?? []);
  if (parsed.action === 'ack') {
    const firing = alarms.filter((alarm) => alarm.state === 'firing');
    if (firing.length === 0) return 'None of those alarms fires now.';
    await context.reply(await acknowledge(context, firing, ''));
    return 'Acknowledged';
  }
  if (alarms.length === 0) {
    await context.reply('None of the alarms of that notification is known now: use GRAPH.');
    return 'Nothing to draw';
  }
  const sent = await sendAlarmCharts(context, alarms);
  if (sent === 0) await context.reply('No history of these alarms to draw.');
  return sent > 0 ? 'Chart sent' : 'Nothing to draw';
}
