/**
 * How long a chart takes to render: 24 hours at 1-minute resolution (1,440 points), warm, the whole
 * path a mail or a bot reply pays (ECharts SVG, then resvg to PNG). The reference, timed in the same
 * run on the same spec, is the SVG string alone: it is what ECharts costs, so the ratio is what the
 * rasterisation to PNG adds, the part a client that took SVG would not pay. Prints nothing;
 * bench/notify.ts reports it.
 */
import { renderChartPng, renderChartSvg, type ChartSpec } from '../notifiers/charts/render.js';

export interface RenderTimes {
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Points in the chart rendered. */
  readonly points: number;
  readonly runs: number;
  /** PNG bytes of one render. */
  readonly pngBytes: number;
  /** The same spec to an SVG string only. */
  readonly reference: { readonly name: string; readonly p50Ms: number; readonly p99Ms: number };
  /** p50 of the PNG render over p50 of the reference. */
  readonly ratio: number;
}

const MINUTE_MS = 60_000;
const POINTS = 1_440;
const WARM_UP = 5;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/** A day of a plausible metric: a daily swing, faster wiggles and a little deterministic noise. */
function daySpec(): ChartSpec {
  const to = Date.UTC(2026, 0, 1);
  const from = to - POINTS * MINUTE_MS;
  let noise = 1;
  const points = Array.from({ length: POINTS }, (_, i) => {
    noise = (noise * 48_271) % 2_147_483_647;
    const value =
      55 + 20 * Math.sin((i / POINTS) * 2 * Math.PI) + 5 * Math.sin(i / 17) + (noise / 2_147_483_647) * 4;
    return { time: from + (i + 1) * MINUTE_MS, value };
  });
  return {
    title: 'web1/cpu/usage_percent',
    from,
    to,
    unit: '%',
    series: [{ name: 'web1/cpu/usage_percent', points }],
    thresholds: [{ value: 80, label: 'threshold 80' }],
    firing: [{ from: to - 2 * 3_600_000, to }],
  };
}

function time(runs: number, work: () => unknown): number[] {
  for (let i = 0; i < WARM_UP; i++) work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

export function measureRender(options: { runs?: number } = {}): Promise<RenderTimes> {
  const runs = options.runs ?? 100;
  const spec = daySpec();
  const pngBytes = renderChartPng(spec).length;
  // Interleaving would mix the two caches' warmth; each is warmed on its own first.
  const svg = time(runs, () => renderChartSvg(spec));
  const png = time(runs, () => renderChartPng(spec));
  const p50Ms = percentile(png, 50);
  const referenceP50 = percentile(svg, 50);
  return Promise.resolve({
    p50Ms,
    p99Ms: percentile(png, 99),
    points: POINTS,
    runs,
    pngBytes,
    reference: { name: 'ECharts SVG string only', p50Ms: referenceP50, p99Ms: percentile(svg, 99) },
    ratio: p50Ms / referenceP50,
  });
}
