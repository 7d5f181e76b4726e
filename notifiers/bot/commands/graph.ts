/** GRAPH <words> [1h|6h|24h|7d|FROM..TO]: a PNG line chart of the matching series. */
import { parseChartRange } from '../../charts/range.js';
import type { Command } from '../context.js';
import { escapeHtml } from '../format.js';
import { graphChart } from '../graph-chart.js';
import { unknownWordsReply } from '../replies.js';
import { selectSeries, vocabulary } from '../select.js';
import { sourceLink, textChart } from '../text-chart.js';

/** A last word that reads as a range: `6h`, `7d`, `30m`, `2w`, or `FROM..TO`. */
export function splitRange(args: readonly string[]): { words: string[]; range: string | undefined } {
  const last = args.at(-1);
  if (last !== undefined && args.length > 1 && (/^\d+[mhdw]$/i.test(last) || last.includes('..'))) {
    return { words: args.slice(0, -1), range: last };
  }
  return { words: [...args], range: undefined };
}

function formatUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

export const graphCommand: Command = async (context, args) => {
  const { data, now } = context;
  if (args.length === 0) {
    await context.reply('Which series? e.g. <code>GRAPH web1 cpu 6h</code> (see HELP).');
    return;
  }
  const { words, range: rangeText } = splitRange(args);
  let range;
  try {
    range = parseChartRange(rangeText, now);
  } catch (error) {
    await context.reply(escapeHtml((error as Error).message));
    return;
  }
  const reader = data.reader();
  const all = await reader.series();
  const alarms = data.alarms();
  const selection = selectSeries(all, words);
  if (selection.unknown.length > 0) {
    const names = vocabulary(all, [...data.state.sources.keys(), ...alarms.map((alarm) => alarm.rule)]);
    await context.reply(unknownWordsReply(selection.unknown, names));
    return;
  }
  if (selection.series.length === 0) {
    await context.reply(`No series matches all of <code>${escapeHtml(words.join(' '))}</code>.`);
    return;
  }
  const title = selection.series.length === 1 ? selection.series[0]!.name : words.join(' ');
  const chart = await graphChart(reader, selection.series, alarms, range, title);
  if (!chart) {
    await context.reply(
      `No numeric value of <code>${escapeHtml(words.join(' '))}</code> between ${formatUtc(range.from)} and ${formatUtc(range.to)} UTC.`,
    );
    return;
  }
  const more = chart.left > 0 ? `\n${chart.left} more series not drawn: add words to narrow it down.` : '';
  const links = chart.sources.flatMap((source) => sourceLink(context.externalUrl, source) ?? []);
  await context.replyPhoto(
    chart.png,
    `${escapeHtml(title)}\n${formatUtc(range.from)} – ${formatUtc(range.to)} UTC${escapeHtml(more)}`,
    textChart(chart.lines, links),
  );
};
