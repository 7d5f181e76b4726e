/**
 * A chart of the series a loose selection picked (several may share no pattern), with the
 * thresholds of their alarms as lines and the periods they fired shaded.
 */
import type { AlarmMessage } from '../../alarms/alarm.js';
import { formatNumber } from '../../alarms/alarm.js';
import type { HistorySource, SeriesInfo } from '../../history/source.js';
import type { ChartRange } from '../charts/range.js';
import { DEFAULT_WIDTH, renderChartPngAsync, type ChartSeries } from '../charts/render.js';
import { unitOfField } from '../charts/unit.js';
import { alarmIsAboutSeries } from './alarm-match.js';

/** The number of distinct line colours. */
export const MAX_CHART_SERIES = 8;

export interface GraphChart {
  readonly png: Buffer;
  readonly drawn: readonly string[];
  /** What was drawn, for a text chart when the photo cannot be sent. */
  readonly lines: readonly ChartSeries[];
  /** The sources of the drawn series. */
  readonly sources: readonly string[];
  /** Series selected but not drawn (beyond the colours, or without a numeric point in range). */
  readonly left: number;
}

function firingPeriods(alarm: AlarmMessage, range: ChartRange): { from: number; to: number }[] {
  const since = Date.parse(alarm.since);
  const firedAt = alarm.firedAt === null ? Number.NaN : Date.parse(alarm.firedAt);
  if (alarm.state === 'firing') return [{ from: Number.isNaN(firedAt) ? since : firedAt, to: range.to }];
  if (alarm.state === 'resolved' && !Number.isNaN(firedAt)) return [{ from: firedAt, to: since }];
  return [];
}

export async function graphChart(
  reader: HistorySource,
  selected: readonly SeriesInfo[],
  alarms: readonly AlarmMessage[],
  range: ChartRange,
  title: string,
): Promise<GraphChart | undefined> {
  const lines: ChartSeries[] = [];
  const drawnSeries: SeriesInfo[] = [];
  for (const series of selected) {
    if (lines.length >= MAX_CHART_SERIES) break;
    // A name holding `*` or `?` reads as a pattern: keep the exact series only.
    const found = (
      await reader.range(series.name, { from: range.from, to: range.to, maxPoints: DEFAULT_WIDTH })
    ).find((one) => one.series.name === series.name);
    const points = (found?.points ?? []).flatMap((point) =>
      typeof point.value === 'number' && Number.isFinite(point.value)
        ? [{ time: point.time, value: point.value }]
        : [],
    );
    if (points.length === 0) continue;
    lines.push({ name: series.name, points });
    drawnSeries.push(series);
  }
  if (lines.length === 0) return undefined;
  const related = alarms.filter((alarm) => drawnSeries.some((series) => alarmIsAboutSeries(alarm, series)));
  const thresholds = [
    ...new Set(related.flatMap((alarm) => (alarm.threshold === null ? [] : [alarm.threshold]))),
  ].map((value) => ({ value, label: `threshold ${formatNumber(value)}` }));
  const firing = related
    .flatMap((alarm) => firingPeriods(alarm, range))
    .filter((period) => period.to > range.from && period.from < range.to);
  const units = new Set(drawnSeries.map((series) => unitOfField(series.field)));
  const unit = units.size === 1 ? [...units][0] : undefined;
  const png = await renderChartPngAsync({
    title,
    from: range.from,
    to: range.to,
    series: lines,
    ...(unit === undefined ? {} : { unit }),
    thresholds,
    firing,
  });
  return {
    png,
    drawn: lines.map((line) => line.name),
    lines,
    sources: [...new Set(drawnSeries.map((series) => series.source))],
    left: selected.length - lines.length,
  };
}
