/**
 * A chart spec as an ECharts option: a time axis in UTC (the server's time zone means nothing to
 * whoever reads the mail), one line per series, threshold lines and shaded firing periods.
 */
import type { ChartSpec } from './spec.js';
import { FONT_FAMILY } from './font.js';

/**
 * Series colours, in order; fixed so that a reader (and a test) can tell which line is which. Red is
 * left out: it marks the threshold and the firing period.
 */
export const CHART_COLORS = [
  '#1f77b4',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
];
export const THRESHOLD_COLOR = '#b00020';
/** Series with this many points or fewer are drawn with a dot at each point. */
const SYMBOLS_UP_TO = 30;
export const FIRING_COLOR = 'rgba(214, 39, 40, 0.12)';

export function chartOption(spec: ChartSpec): Record<string, unknown> {
  const legend = spec.series.length > 1;
  const title = spec.unit === undefined ? spec.title : `${spec.title} (${spec.unit})`;
  const thresholds = spec.thresholds ?? [];
  const firing = spec.firing ?? [];
  const series: Record<string, unknown>[] = spec.series.map((one) => ({
    type: 'line',
    name: one.name,
    data: one.points.map((point) => [point.time, point.value]),
    // Dots only where there are few points: a lone point draws no line, and would not show at all.
    showSymbol: one.points.length <= SYMBOLS_UP_TO,
    symbolSize: 6,
    // A point per pixel column is all an 800 px wide picture can show.
    sampling: 'lttb',
    lineStyle: { width: 2 },
  }));
  if (thresholds.length > 0 || firing.length > 0) series.push(decorations(spec, thresholds, firing));
  return {
    animation: false,
    useUTC: true,
    backgroundColor: '#ffffff',
    color: CHART_COLORS,
    textStyle: { fontFamily: FONT_FAMILY },
    title: { text: title, left: 'center', textStyle: { fontSize: 14, fontFamily: FONT_FAMILY } },
    legend: legend
      ? { bottom: 0, data: spec.series.map((one) => one.name), textStyle: { fontFamily: FONT_FAMILY } }
      : { show: false },
    grid: { left: 64, right: 32, top: 44, bottom: legend ? 64 : 36 },
    xAxis: {
      type: 'time',
      min: spec.from,
      max: spec.to,
      name: 'UTC',
      nameGap: 8,
      splitLine: { show: true, lineStyle: { color: '#eeeeee' } },
    },
    yAxis: {
      type: 'value',
      name: spec.unit ?? '',
      scale: true,
      splitLine: { lineStyle: { color: '#eeeeee' } },
    },
    series,
  };
}

/**
 * Threshold lines and firing bands ride on a series of their own whose invisible points sit at the
 * thresholds: the y axis then keeps a threshold in view (with rounded bounds) even when every value
 * is far from it, which a markLine alone does not do.
 */
function decorations(
  spec: ChartSpec,
  thresholds: NonNullable<ChartSpec['thresholds']>,
  firing: NonNullable<ChartSpec['firing']>,
): Record<string, unknown> {
  return {
    type: 'line',
    name: '',
    silent: true,
    showSymbol: false,
    lineStyle: { opacity: 0 },
    data: thresholds.flatMap((threshold) => [
      [spec.from, threshold.value],
      [spec.to, threshold.value],
    ]),
    markLine: {
      silent: true,
      symbol: 'none',
      lineStyle: { color: THRESHOLD_COLOR, type: 'dashed', width: 2 },
      label: { formatter: '{b}', position: 'insideEndTop', color: THRESHOLD_COLOR, fontFamily: FONT_FAMILY },
      data: thresholds.map((threshold) => ({ yAxis: threshold.value, name: threshold.label })),
    },
    markArea: {
      silent: true,
      itemStyle: { color: FIRING_COLOR },
      data: firing.map((period) => [{ xAxis: period.from }, { xAxis: period.to }]),
    },
  };
}
