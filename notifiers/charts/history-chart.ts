/**
 * Charts of the history store: the series a pattern selects over a time range, and an alarmed series
 * around its alarm, with the threshold drawn and the firing period shaded.
 */
import type { AlarmMessage } from '../../alarms/alarm.js';
import { formatNumber } from '../../alarms/alarm.js';
import type { HistorySource, RangeSeries } from '../../history/source.js';
import { seriesName } from '../../sinks/history/series-name.js';
import { renderChartPngAsync, DEFAULT_WIDTH, type ChartSeries, type ChartSpec } from './render.js';
import { unitOfField } from './unit.js';

export { parseChartRange, type ChartRange } from './range.js';
import type { ChartRange } from './range.js';

export interface SeriesChartOptions {
  /** Series drawn at most (default 8, the number of distinct colours); the rest are counted. */
  readonly maxSeries?: number;
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
  readonly thresholds?: ChartSpec['thresholds'];
  readonly firing?: ChartSpec['firing'];
}

export interface SeriesChart {
  readonly png: Buffer;
  /** Series drawn. */
  readonly series: number;
  /** Series matched and holding points but left out (beyond `maxSeries`). */
  readonly omitted: number;
  /** The points drawn, per series. */
  readonly lines: readonly ChartSeries[];
}

export const DEFAULT_MAX_SERIES = 8;
/** How far back an alarm chart starts before the alarm began. */
export const ALARM_LOOKBACK_MS = 3 * 3_600_000;

/** The numeric points of one range result; text values cannot be drawn. */
function chartSeries(range: RangeSeries): ChartSeries {
  const points: { time: number; value: number }[] = [];
  for (const point of range.points) {
    if (typeof point.value === 'number' && Number.isFinite(point.value)) {
      points.push({ time: point.time, value: point.value });
    }
  }
  return { name: range.series.name, points };
}

/** A single unit when every series' field has the same one. */
function commonUnit(ranges: readonly RangeSeries[]): string | undefined {
  const units = new Set(ranges.map((range) => unitOfField(range.series.field)));
  return units.size === 1 ? [...units][0] : undefined;
}

async function drawRanges(
  ranges: readonly RangeSeries[],
  range: ChartRange,
  title: string,
  options: SeriesChartOptions,
): Promise<SeriesChart | undefined> {
  const drawable = ranges
    .map((one) => ({ one, series: chartSeries(one) }))
    .filter(({ series }) => series.points.length > 0);
  if (drawable.length === 0) return undefined;
  const shown = drawable.slice(0, options.maxSeries ?? DEFAULT_MAX_SERIES);
  const unit = commonUnit(shown.map(({ one }) => one));
  const png = await renderChartPngAsync({
    title,
    from: range.from,
    to: range.to,
    series: shown.map(({ series }) => series),
    ...(unit === undefined ? {} : { unit }),
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
    ...(options.firing ? { firing: options.firing } : {}),
    ...(options.width === undefined ? {} : { width: options.width }),
    ...(options.height === undefined ? {} : { height: options.height }),
  });
  return {
    png,
    series: shown.length,
    omitted: drawable.length - shown.length,
    lines: shown.map(({ series }) => series),
  };
}

/**
 * A chart of every series `pattern` selects (sinks/history/series-name.ts compilePattern) between
 * `range.from` and `range.to`; undefined when no series matches or none has a numeric point.
 */
export async function seriesChartPng(
  reader: HistorySource,
  pattern: string,
  range: ChartRange,
  options: SeriesChartOptions = {},
): Promise<SeriesChart | undefined> {
  // About a point per pixel column: more cannot be seen, fewer loses peaks.
  const maxPoints = options.width ?? DEFAULT_WIDTH;
  const ranges = await reader.range(pattern, { from: range.from, to: range.to, maxPoints });
  const title = options.title ?? (ranges.length === 1 ? (ranges[0] as RangeSeries).series.name : pattern);
  return drawRanges(ranges, range, title, options);
}

/**
 * The history store's name of an alarm's series, from its labels; undefined for alarms about a whole
 * source (offline, no data per source), which have no measurement or field.
 */
export function alarmSeriesName(alarm: AlarmMessage): string | undefined {
  const { source, measurement, field, ...tags } = alarm.labels;
  if (source === undefined || measurement === undefined || field === undefined) return undefined;
  return seriesName(source, measurement, field, tags);
}

function parseTime(iso: string | null): number | undefined {
  if (iso === null) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The alarmed series from 3 hours before the alarm fired (or entered its state) until `now`, the
 * threshold as a dashed line and the firing period shaded; undefined when the alarm has no series
 * of its own or the store holds no point of it in that window.
 */
export async function alarmChart(
  reader: HistorySource,
  alarm: AlarmMessage,
  now: number,
  options: Pick<SeriesChartOptions, 'width' | 'height'> = {},
): Promise<SeriesChart | undefined> {
  const name = alarmSeriesName(alarm);
  if (name === undefined) return undefined;
  const since = parseTime(alarm.since) ?? now;
  const firedAt = parseTime(alarm.firedAt);
  const start = Math.min(since, firedAt ?? since);
  const range = { from: Math.min(start - ALARM_LOOKBACK_MS, now - ALARM_LOOKBACK_MS), to: now };
  const firing =
    alarm.state === 'firing'
      ? [{ from: firedAt ?? since, to: now }]
      : alarm.state === 'resolved' && firedAt !== undefined
        ? [{ from: firedAt, to: since }]
        : [];
  const thresholds =
    alarm.threshold === null
      ? []
      : [{ value: alarm.threshold, label: `threshold ${formatNumber(alarm.threshold)}` }];
  // The name may hold `*` or `?`, which a pattern reads as wildcards: keep the exact series only.
  const ranges = (
    await reader.range(name, { from: range.from, to: range.to, maxPoints: options.width ?? DEFAULT_WIDTH })
  ).filter((one) => one.series.name === name);
  return drawRanges(ranges, range, `${alarm.rule}: ${name}`, { ...options, thresholds, firing });
}
