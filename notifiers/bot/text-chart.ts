/**
 * A chart as text, for when a photo cannot be sent (a Bot API or a proxy refusing uploads): per
 * series a sparkline and its min, average, max and last value, and a link to the source's page on
 * the web console when its address is configured (notifiers.externalUrl).
 */
import { formatNumber } from '../../alarms/alarm.js';
import type { ChartSeries } from '../charts/render.js';
import { escapeHtml } from './format.js';

const BARS = '▁▂▃▄▅▆▇█';
/** Characters of one sparkline: fits a phone's width in a monospace line. */
export const SPARKLINE_WIDTH = 24;

/** Values averaged into `width` buckets, each drawn as one of eight bar heights. */
export function sparkline(values: readonly number[], width = SPARKLINE_WIDTH): string {
  if (values.length === 0) return '';
  const buckets: number[] = [];
  const count = Math.min(width, values.length);
  for (let bucket = 0; bucket < count; bucket++) {
    const from = Math.floor((bucket * values.length) / count);
    const to = Math.max(from + 1, Math.floor(((bucket + 1) * values.length) / count));
    let sum = 0;
    for (let at = from; at < to; at++) sum += values[at]!;
    buckets.push(sum / (to - from));
  }
  const low = Math.min(...buckets);
  const span = Math.max(...buckets) - low;
  return buckets
    .map((value) => BARS[span === 0 ? 3 : Math.round(((value - low) / span) * (BARS.length - 1))])
    .join('');
}

/** The web console's page of a source, or undefined without a configured address. */
export function sourceLink(externalUrl: string | undefined, source: string): string | undefined {
  if (externalUrl === undefined) return undefined;
  return `${externalUrl.replace(/\/+$/, '')}/source/${encodeURIComponent(source)}`;
}

/** HTML lines: per series its name, sparkline and figures; then the links. */
export function textChart(series: readonly ChartSeries[], links: readonly string[]): string {
  const lines: string[] = [];
  for (const one of series) {
    const values = one.points.map((point) => point.value);
    if (values.length === 0) continue;
    const sum = values.reduce((total, value) => total + value, 0);
    const figures = [
      `min ${formatNumber(Math.min(...values))}`,
      `avg ${formatNumber(sum / values.length)}`,
      `max ${formatNumber(Math.max(...values))}`,
      `last ${formatNumber(values.at(-1)!)}`,
    ].join(' · ');
    lines.push(`<b>${escapeHtml(one.name)}</b>`, `<code>${sparkline(values)}</code>`, figures);
  }
  for (const link of new Set(links)) lines.push(`<a href="${escapeHtml(link)}">${escapeHtml(link)}</a>`);
  return lines.join('\n');
}
