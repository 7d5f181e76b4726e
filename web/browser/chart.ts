/**
 * One uPlot chart with a unit on its y axis, an x axis spanning the chosen range, a legend whose
 * rows toggle their series and show the newest values away from the cursor, and at most MAX_SHOWN
 * series shown until its "N more" button is pressed: no series is dropped unseen.
 */
import uPlot from 'uplot';
import { themedAxes } from './chart-axes.js';
import { columns, type Columns, type Point } from './chart-columns.js';
import { el } from './dom.js';
import { seriesColour, translucent } from './palette.js';
import { localTime, utcTime } from './time.js';
import { BINARY_STEPS, DECIMAL_STEPS, format, type Unit } from './units.js';

export const MAX_SHOWN = 12;
const HEIGHT = 220;

export interface ChartSeries {
  /** The history store's series name. */
  readonly name: string;
  readonly field?: string;
  label: string;
  /** What its stored values were multiplied by (bytes/s to bits/s, per core); live values too. */
  readonly factor: number;
  readonly points: Point[];
}

export interface ChartSpec {
  readonly unit: Unit;
  readonly stacked?: boolean;
  /** The top of the y axis at most (100 for a percentage). */
  readonly max?: number;
  /** The x axis' range, epoch ms. */
  from: number;
  to: number;
  readonly series: ChartSeries[];
}

export interface ChartHandle {
  readonly plot: uPlot;
  update(spec: ChartSpec): void;
  resize(): void;
}

/** The viewer's time zone, named on the legend (the page test reads it). */
function zone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch (error) {
    console.warn('no time zone', error);
    return '';
  }
}

/** Away from the cursor, the legend shows each series' newest value. */
function showLast(plot: uPlot): void {
  const n = plot.data[0].length;
  if (n > 0 && !((plot.cursor.left ?? -1) >= 0)) plot.setLegend({ idx: n - 1 });
}

/** Wide enough for the longest tick label, so none is clipped. */
function axisWidth(_plot: uPlot, values: string[] | null): number {
  const longest = (values ?? []).reduce((n, value) => Math.max(n, String(value).length), 0);
  return Math.max(40, longest * 7 + 18);
}

/** uPlot's options; `spec()` and `cols()` are read when drawn, so an update reaches scales and legend. */
function options(box: HTMLElement, spec: () => ChartSpec, cols: () => Columns, onZoom: Zoom): uPlot.Options {
  const first = spec();
  const fmt = (value: unknown): string => format(value, spec().unit);
  const axes = themedAxes();
  const series: uPlot.Series[] = [
    { value: (_u, v) => (v === null || v === undefined ? '–' : localTime(v * 1000)) },
    ...first.series.map((s, i): uPlot.Series => {
      const colour = seriesColour(i);
      return {
        label: s.label,
        stroke: colour,
        width: 1.5,
        spanGaps: true,
        show: i < MAX_SHOWN,
        fill: first.stacked ? translucent(colour) : undefined,
        value: (_u, _v, seriesIdx, idx) => fmt(idx === null ? null : cols().raw[seriesIdx - 1]![idx]),
      };
    }),
  ];
  return {
    width: chartWidth(box),
    height: HEIGHT,
    series,
    scales: {
      x: { time: true, range: () => [spec().from / 1000, spec().to / 1000] },
      y: {
        range: (_u, min, max) => {
          const lo = Math.min(0, min ?? 0);
          let hi = max === null || max <= lo ? lo + 1 : max * 1.05;
          const top = spec().max;
          if (top !== undefined) hi = Math.min(top, Math.max(hi, lo + 1));
          return [lo, hi];
        },
      },
    },
    axes: [
      axes.x,
      {
        ...axes.y,
        values: (_u, splits) => splits.map(fmt),
        incrs: first.unit === 'bytes' || first.unit === 'B/s' ? [...BINARY_STEPS] : [...DECIMAL_STEPS],
        size: axisWidth,
      },
    ],
    cursor: { drag: { x: true, y: false, setScale: false } },
    hooks: {
      ready: [showLast],
      setData: [showLast],
      setSelect: [
        (u) => {
          if (u.select.width < 5) return;
          const a = u.posToVal(u.select.left, 'x');
          const b = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
          onZoom(Math.round(a * 1000), Math.round(b * 1000));
        },
      ],
      setLegend: [
        (u) => {
          // The time cell: UTC on hover.
          const cell = u.root.querySelector<HTMLElement>('.u-series:first-child .u-value');
          const idx = u.legend.idx;
          if (cell) cell.title = idx === null || idx === undefined ? '' : utcTime(u.data[0][idx]! * 1000);
        },
      ],
    },
  };
}

/** The box's width less its padding. */
const chartWidth = (box: HTMLElement): number => Math.max(240, box.clientWidth - 14);

export type Zoom = (fromMs: number, toMs: number) => void;

/** Marks the legend's rows with their series' names, and hides those past MAX_SHOWN behind a button. */
function legendRows(box: HTMLElement, plot: uPlot, spec: ChartSpec): void {
  const rows = plot.root.querySelectorAll('.u-legend .u-series');
  spec.series.forEach((s, i) => {
    const row = rows[i + 1];
    if (!row) return;
    row.setAttribute('data-series', s.name);
    if (i >= MAX_SHOWN) row.classList.add('more');
  });
  plot.root.querySelector('.u-legend')?.setAttribute('data-zone', zone());
  box.querySelector('button.more')?.remove();
  if (spec.series.length <= MAX_SHOWN) return;
  const more = el('button', { class: 'more', type: 'button' }, `${spec.series.length - MAX_SHOWN} more`);
  more.addEventListener('click', () => {
    box.classList.add('all-shown');
    for (let i = MAX_SHOWN; i < spec.series.length; i++) plot.setSeries(i + 1, { show: true });
    more.remove();
  });
  box.append(more);
}

/** One chart in `box` (which holds a `.plot`); `onZoom` is called with the range dragged across it. */
export function drawChart(box: HTMLElement, initial: ChartSpec, onZoom: Zoom): ChartHandle {
  const plotBox = box.querySelector<HTMLElement>('.plot') ?? box;
  let spec = initial;
  let cols = columns(spec.series, spec.stacked === true);
  plotBox.replaceChildren();
  const plot = new uPlot(
    options(
      box,
      () => spec,
      () => cols,
      onZoom,
    ),
    cols.data,
    plotBox,
  );
  legendRows(box, plot, spec);
  box.setAttribute('data-unit', spec.unit);
  box.setAttribute('data-series-count', String(spec.series.length));
  plot.over.addEventListener('mouseleave', () => showLast(plot));
  return {
    plot,
    update(next) {
      spec = next;
      cols = columns(spec.series, spec.stacked === true);
      plot.setData(cols.data);
    },
    resize() {
      plot.setSize({ width: chartWidth(box), height: HEIGHT });
    },
  };
}
