/**
 * The charts of a page, by id: drawn once, then given new data on each load; a chart whose series
 * changed is made again (uPlot's series are fixed when it is made), and charts left out of a load
 * are removed. Live values are appended to every chart holding their series.
 */
import { drawChart, type ChartHandle, type ChartSpec, type Zoom } from './chart.js';
import { el } from './dom.js';
import type { Span } from './time-range.js';

interface Drawn {
  readonly id: string;
  readonly box: HTMLElement;
  spec: ChartSpec;
  names: string;
  handle: ChartHandle;
  /** Holds live values not drawn yet. */
  dirty: boolean;
}

/** A live value as /api/events sends it. */
export interface LivePoint {
  readonly name: string;
  readonly time: number;
  readonly value: number;
}

export class ChartSet {
  private charts: Drawn[] = [];
  private touched = new Set<string>();
  private frameAsked = false;

  constructor(private readonly zoom: Zoom) {}

  get count(): number {
    return this.charts.length;
  }

  /** Starts a load: charts not drawn again before `endLoad` are removed then. */
  beginLoad(): void {
    this.touched = new Set();
  }

  endLoad(): void {
    this.charts = this.charts.filter((chart) => {
      if (this.touched.has(chart.id)) return true;
      chart.handle.plot.destroy();
      chart.box.remove();
      return false;
    });
  }

  /** Draws chart `id` under `parent`, or gives it the new spec when it is already there. */
  draw(parent: HTMLElement, id: string, title: string, spec: ChartSpec, measurement: string): void {
    this.touched.add(id);
    const names = spec.series.map((s) => s.name).join('\n');
    const existing = this.charts.find((chart) => chart.id === id);
    if (existing) {
      existing.spec = spec;
      existing.box.querySelector('h2')!.textContent = title;
      if (existing.names === names) existing.handle.update(spec);
      else {
        existing.handle.plot.destroy();
        existing.handle = drawChart(existing.box, spec, this.zoom);
        existing.names = names;
      }
      return;
    }
    const box = el(
      'div',
      { class: 'chart', 'data-chart': id, 'data-measurement': measurement },
      el('h2', {}, title),
      el('div', { class: 'plot' }),
    );
    parent.append(box);
    this.charts.push({ id, box, spec, names, handle: drawChart(box, spec, this.zoom), dirty: false });
  }

  /**
   * Picks out the chart holding series `name` (an alarm's link names it): outlined, its "Other
   * fields" box opened, scrolled to. False when no chart holds it.
   */
  pick(name: string): boolean {
    const hit = this.charts.find((chart) => chart.spec.series.some((s) => s.name === name));
    if (!hit) return false;
    hit.box.classList.add('target');
    hit.box.setAttribute('data-target-series', name);
    const details = hit.box.closest('details');
    if (details) details.open = true;
    hit.box.scrollIntoView({ block: 'center' });
    return true;
  }

  /** Appends a live value; the charts it changed are redrawn over `span()` at the next frame. */
  append(point: LivePoint, span: () => Span): void {
    for (const chart of this.charts)
      for (const s of chart.spec.series) {
        if (s.name !== point.name) continue;
        const last = s.points[s.points.length - 1];
        if (last && last.time >= point.time) continue;
        s.points.push({ time: point.time, value: point.value * s.factor });
        chart.dirty = true;
      }
    if (this.frameAsked) return;
    this.frameAsked = true;
    requestAnimationFrame(() => {
      this.frameAsked = false;
      const { from, to } = span();
      for (const chart of this.charts) {
        if (!chart.dirty) continue;
        chart.dirty = false;
        chart.spec.from = from;
        chart.spec.to = to;
        chart.handle.update(chart.spec);
      }
    });
  }

  resizeAll(): void {
    for (const chart of this.charts) chart.handle.resize();
  }
}
