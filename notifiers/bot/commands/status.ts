/**
 * STATUS: with no words, one screen about every source (online or offline, series, firing alarms);
 * with words, the latest value of each matching series with its unit and age, and the firing alarms
 * about them.
 */
import { alarmsAbout } from '../alarm-match.js';
import type { Command, CommandContext } from '../context.js';
import { HistoryUnavailableError } from '../data.js';
import { escapeHtml, formatAge, formatValue } from '../format.js';
import { alarmLine, capLines, unknownWordsReply } from '../replies.js';
import { selectSeries, vocabulary } from '../select.js';

export const MAX_SOURCES = 40;
export const MAX_VALUES = 30;

const STATUS_MARK: Record<string, string> = { online: '🟢', offline: '🔴' };

/** Series per source, or undefined when the history store cannot be read (the bus still tells the rest). */
async function seriesCounts(context: CommandContext): Promise<Map<string, number> | undefined> {
  try {
    return new Map((await context.data.reader().sources()).map((one) => [one.source, one.series]));
  } catch (error) {
    if (error instanceof HistoryUnavailableError) return undefined;
    throw error;
  }
}

async function summary(context: CommandContext): Promise<string> {
  const { data, now } = context;
  const counts = await seriesCounts(context);
  const series = counts ?? new Map<string, number>();
  const firing = data.firing();
  const names = [...new Set([...data.state.sources.keys(), ...series.keys()])].sort();
  if (names.length === 0) return 'No source has reported yet.';
  let online = 0;
  const lines = names.map((name) => {
    const status = data.state.sources.get(name);
    if (status?.status === 'online') online++;
    const mark = STATUS_MARK[status?.status ?? ''] ?? '⚪';
    const state = status ? `${escapeHtml(status.status)} ${formatAge(status.since, now)}` : 'no status';
    const count = firing.filter((alarm) => alarm.labels.source === name).length;
    const alarms = count > 0 ? `, <b>${count} firing</b>` : '';
    const stored = counts ? `, ${series.get(name) ?? 0} series` : '';
    return `${mark} <b>${escapeHtml(name)}</b>: ${state}${stored}${alarms}`;
  });
  const acked = firing.filter((alarm) => data.ackOf(alarm) !== undefined).length;
  const ackedText = acked > 0 ? ` (${acked} acknowledged)` : '';
  const head = `<b>${names.length} sources</b>, ${online} online, ${firing.length} alarms firing${ackedText}`;
  const out = [head, ...capLines(lines, MAX_SOURCES, 'STATUS <source> for one')];
  if (!counts) out.push('', '(the history store is off: no values)');
  return out.join('\n');
}

async function details(context: CommandContext, words: readonly string[]): Promise<string> {
  const { data, now } = context;
  const reader = data.reader();
  const all = await reader.series();
  const alarms = data.alarms();
  const selection = selectSeries(all, words);
  const only = words.length === 1 ? sourceWithoutSeries(context, words[0]!) : undefined;
  if (selection.unknown.length > 0 && only !== undefined) return statusOnly(context, only);
  if (selection.unknown.length > 0) {
    const names = vocabulary(all, [...data.state.sources.keys(), ...alarms.map((alarm) => alarm.rule)]);
    return unknownWordsReply(selection.unknown, names);
  }
  if (selection.series.length === 0) {
    return `No series matches all of <code>${escapeHtml(words.join(' '))}</code>.`;
  }
  // Series come sorted by name, so by source; only those shown are looked up.
  const shown = selection.series.slice(0, MAX_VALUES);
  const lines: string[] = [];
  let current: string | undefined;
  for (const series of shown) {
    if (series.source !== current) {
      current = series.source;
      const status = data.state.sources.get(current);
      const state = status ? ` ${STATUS_MARK[status.status] ?? '⚪'} ${escapeHtml(status.status)}` : '';
      lines.push(`<b>${escapeHtml(current)}</b>${state}`);
    }
    // A name holding `*` or `?` reads as a pattern: keep the exact series only.
    const point = (await reader.latest(series.name)).find((one) => one.series.name === series.name);
    const tags = Object.entries(series.tags)
      .filter(([key]) => key !== 'host')
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    const label = `${series.measurement} ${series.field}${tags ? ` (${tags})` : ''}`;
    const value = point
      ? `<b>${escapeHtml(formatValue(point.value, series.field))}</b> · ${formatAge(point.time, now)}`
      : 'no value';
    lines.push(`  ${escapeHtml(label)}: ${value}`);
  }
  const left = selection.series.length - shown.length;
  if (left > 0) lines.push(`… and ${left} more series (narrow it down with more words)`);
  const sources = [...new Set(selection.series.map((series) => series.source))];
  const firing = alarmsAbout(alarms, selection.series, new Set(sources)).filter(
    (alarm) => alarm.state === 'firing',
  );
  if (firing.length > 0)
    lines.push('', `<b>Firing</b>`, ...firing.map((alarm) => alarmLine(alarm, now, data.ackOf(alarm))));
  return lines.join('\n');
}

/** A source the bus knows (its status) that has nothing in the history store. */
function sourceWithoutSeries(context: CommandContext, word: string): string | undefined {
  const lower = word.toLowerCase();
  return [...context.data.state.sources.keys()].find((name) => name.toLowerCase() === lower);
}

function statusOnly(context: CommandContext, source: string): string {
  const { data, now } = context;
  const status = data.state.sources.get(source)!;
  const firing = data.firing().filter((alarm) => alarm.labels.source === source);
  const lines = [
    `<b>${escapeHtml(source)}</b> ${STATUS_MARK[status.status] ?? '⚪'} ${escapeHtml(status.status)} ${formatAge(status.since, now)}`,
    '  no series in the history store',
  ];
  if (firing.length > 0)
    lines.push('', '<b>Firing</b>', ...firing.map((alarm) => alarmLine(alarm, now, data.ackOf(alarm))));
  return lines.join('\n');
}

export const statusCommand: Command = async (context, args) => {
  await context.reply(args.length === 0 ? await summary(context) : await details(context, args));
};
