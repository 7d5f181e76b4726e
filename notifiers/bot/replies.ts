/** Pieces of answers several commands share. */
import type { AlarmMessage } from '../../alarms/alarm.js';
import type { Ack } from '../../alarms/ack.js';
import { escapeHtml, formatAge } from './format.js';
import { suggest } from './suggest.js';

const SEVERITY_MARK: Record<string, string> = { critical: '🔴', warning: '🟠', info: '🔵' };

/** `No series matches "cpuu". Did you mean: cpu?` for each unknown word. */
export function unknownWordsReply(
  words: readonly string[],
  vocabulary: Iterable<string>,
  what = 'series',
): string {
  const names = [...vocabulary];
  return words
    .map((word) => {
      const close = suggest(word, names);
      const hint =
        close.length > 0
          ? ` Did you mean: ${close.map((name) => `<code>${escapeHtml(name)}</code>`).join(', ')}?`
          : '';
      return `No ${what} matches <code>${escapeHtml(word)}</code>.${hint}`;
    })
    .join('\n');
}

/** One line per alarm: severity mark, rule, summary, how long, and who acknowledged it. */
export function alarmLine(alarm: AlarmMessage, now: number, ack?: Ack): string {
  const mark = SEVERITY_MARK[alarm.severity] ?? '⚪';
  const since = Date.parse(alarm.since);
  const age = Number.isNaN(since) ? '' : ` (${formatAge(since, now).replace(' ago', '')})`;
  const silenced = typeof (alarm as { silenced?: unknown }).silenced === 'string' ? ' 🔕' : '';
  const ackAge = ack && !Number.isNaN(Date.parse(ack.at)) ? ` ${formatAge(Date.parse(ack.at), now)}` : '';
  const acked = ack
    ? ` ✋ ${escapeHtml(ack.by)}${ackAge}${ack.comment === '' ? '' : `: ${escapeHtml(ack.comment)}`}`
    : '';
  return `${mark} <b>${escapeHtml(alarm.rule)}</b>: ${escapeHtml(alarm.summary)}${age}${silenced}${acked}`;
}

/** Lines cut to `max`, with a count of the rest. */
export function capLines(lines: readonly string[], max: number, hint: string): string[] {
  if (lines.length <= max) return [...lines];
  return [...lines.slice(0, max), `… and ${lines.length - max} more (${hint})`];
}
