/**
 * Charts as PNG without a browser: ECharts draws the chart as an SVG string (its server-side mode, no
 * DOM), resvg turns the SVG into a PNG. Only the parts of ECharts a line chart needs are loaded.
 */
import { Resvg, renderAsync } from '@resvg/resvg-js';
import { LineChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { chartFont, DEFAULT_FONT_FILE, type ChartFont } from './font.js';
import { chartOption } from './option.js';
import type { ChartSpec } from './spec.js';

// The chart types are their own file so that option.ts need not import this one.
export type { ChartPoint, ChartSeries, ChartSpec } from './spec.js';

echarts.use([
  LineChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  SVGRenderer,
]);

export interface RenderOptions {
  /** A TrueType font file (default: DejaVu Sans from fonts-dejavu-core). */
  readonly fontFile?: string;
}

export const DEFAULT_WIDTH = 800;
export const DEFAULT_HEIGHT = 400;

const fonts = new Map<string, ChartFont>();
const warned = new Set<string>();
const pendingWarnings: string[] = [];

/** The font for `file`, looked up once per file; a missing file's warning is queued once. */
function fontFor(file: string): ChartFont {
  let font = fonts.get(file);
  if (!font) {
    font = chartFont(file);
    fonts.set(file, font);
    if (font.warning !== undefined && !warned.has(file)) {
      warned.add(file);
      pendingWarnings.push(font.warning);
    }
  }
  return font;
}

/**
 * A warning about the chart font not yet reported, or undefined: each missing font file is reported
 * once per process, by whoever renders charts and has a logger.
 */
export function takeChartFontWarning(): string | undefined {
  return pendingWarnings.shift();
}

/** The chart as an SVG string. */
export function renderChartSvg(spec: ChartSpec): string {
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: spec.width ?? DEFAULT_WIDTH,
    height: spec.height ?? DEFAULT_HEIGHT,
  });
  try {
    chart.setOption(chartOption(spec));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function resvgOptions(options: RenderOptions) {
  return {
    font: fontFor(options.fontFile ?? DEFAULT_FONT_FILE).options,
    fitTo: { mode: 'original' as const },
  };
}

/** The chart as a PNG, synchronously (the PNG step blocks the event loop; see renderChartPngAsync). */
export function renderChartPng(spec: ChartSpec, options: RenderOptions = {}): Buffer {
  return new Resvg(renderChartSvg(spec), resvgOptions(options)).render().asPng();
}

/** The chart as a PNG, the SVG-to-PNG step on libuv's thread pool so the event loop keeps moving. */
export async function renderChartPngAsync(spec: ChartSpec, options: RenderOptions = {}): Promise<Buffer> {
  const image = await renderAsync(renderChartSvg(spec), resvgOptions(options));
  return image.asPng();
}
