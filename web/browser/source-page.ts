/**
 * A source's page, a host dashboard: a facts panel from the source's inventory, then one chart per
 * concept with its unit (source-panels.ts), then every other field grouped by measurement and unit,
 * so no series is left out. The range (presets, custom, or dragged on a chart) and the auto-refresh
 * live in the URL; live values arrive over SSE and extend the charts.
 */
import { getJson } from './api.js';
import { ChartSet, type LivePoint } from './chart-set.js';
import { byId } from './dom.js';
import { escapePart, type RangeResult, type SeriesInfo } from './history-types.js';
import { RangePicker } from './range-picker.js';
import { showFacts, type Inventory } from './source-facts.js';
import { groupByUnit } from './source-others.js';
import { coreCount, DASHBOARD_MEASUREMENTS, PANELS, panelSeries } from './source-panels.js';
import { relativeMs } from './time-range.js';

/** Points asked for per series: about one per pixel of a wide chart. */
const POINTS = 600;

const { source } = JSON.parse(byId('page-data').textContent ?? '{}') as { source: string };
const container = byId('charts');
const others = byId('other-charts');
const othersBox = others.parentElement!;

/** An alarm's link names its series (#series=<name>, alarm-link.ts): its chart is picked out once. */
let target = /^#series=(.+)$/.exec(location.hash)?.[1];
target = target === undefined ? undefined : decodeURIComponent(target);

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let loading = false;
const picker = new RangePicker(() => void load(), schedule);
const charts = new ChartSet(picker.zoom);

function schedule(): void {
  clearTimeout(refreshTimer);
  const every = relativeMs(`-${picker.range.refresh}`);
  if (every !== undefined && picker.live()) refreshTimer = setTimeout(() => void load(), every);
}

/** Null for a failed request: the page shows what it has and tries again at the next refresh. */
function getOrNull<T>(path: string): Promise<T | null> {
  return getJson<T>(path).catch((error: unknown) => {
    console.warn(`${path} not read`, error);
    return null;
  });
}

/** Every measurement of the source with its series over the range. */
async function measurements(span: { from: number; to: number }): Promise<Map<string, RangeResult[]>> {
  const series =
    (await getOrNull<SeriesInfo[]>(`/api/series?pattern=${encodeURIComponent(`${escapePart(source)}/*`)}`)) ??
    [];
  const names = [...new Set(series.filter((s) => s.type !== 'string').map((s) => s.measurement))];
  const query = `&from=${span.from}&to=${span.to}&points=${POINTS}`;
  const answers = await Promise.all(
    names.map(async (m): Promise<[string, RangeResult[]]> => {
      const pattern = encodeURIComponent(`${escapePart(source)}/${escapePart(m)}/*`);
      return [m, (await getOrNull<RangeResult[]>(`/api/range?pattern=${pattern}${query}`)) ?? []];
    }),
  );
  return new Map(answers);
}

function draw(
  byMeasurement: ReadonlyMap<string, RangeResult[]>,
  inventory: Inventory | null,
  span: { from: number; to: number },
): void {
  charts.beginLoad();
  const inventoryCores = inventory?.cpu?.cores;
  const onPanels = new Set<string>();
  for (const panel of PANELS) {
    const results = byMeasurement.get(panel.measurement);
    if (!results) continue;
    const list = panelSeries(panel, results, inventoryCores);
    for (const s of list) onPanels.add(s.name);
    if (list.length === 0) continue;
    let title = panel.title;
    if (panel.perCore) {
      const n = coreCount(results, inventoryCores);
      title += n ? ` (${n} cores)` : ' (core count unknown)';
      if (!n) for (const s of list) s.label = s.field ?? s.label;
    }
    const spec = { unit: panel.unit, stacked: panel.stacked, max: panel.max, ...span, series: list };
    charts.draw(container, panel.id, title, spec, panel.measurement);
  }
  for (const m of [...byMeasurement.keys()].sort()) {
    const rest = byMeasurement.get(m)!.filter((r) => !onPanels.has(r.series.name));
    const parent = DASHBOARD_MEASUREMENTS.has(m) ? others : container;
    for (const group of groupByUnit(m, rest))
      charts.draw(
        parent,
        `${m}:${group.unit}`,
        `${m} (${group.unit})`,
        { unit: group.unit, ...span, series: group.series },
        m,
      );
  }
  charts.endLoad();
}

async function load(): Promise<void> {
  if (loading) return;
  loading = true;
  clearTimeout(refreshTimer);
  try {
    picker.show();
    const span = picker.resolved();
    const [byMeasurement, inventory] = await Promise.all([
      measurements(span),
      getOrNull<Inventory>(`/api/inventory/${encodeURIComponent(source)}`),
    ]);
    showFacts(byId('facts'), inventory, byMeasurement.get('system'));
    draw(byMeasurement, inventory, span);
    const otherCount = others.querySelectorAll('.chart').length;
    byId('other-count').textContent = String(otherCount);
    othersBox.hidden = otherCount === 0;
    byId('empty').hidden = charts.count > 0;
    document.body.setAttribute('data-charts-ready', String(charts.count));
    document.body.setAttribute('data-range', `${span.from}-${span.to}`);
    if (target !== undefined) {
      charts.pick(target);
      target = undefined;
    }
  } finally {
    loading = false;
    schedule();
  }
}

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => charts.resizeAll(), 100);
});
// Charts drawn in the closed "other fields" box had no width yet.
othersBox.addEventListener('toggle', () => charts.resizeAll());
void load();
const events = new EventSource(`/api/events?source=${encodeURIComponent(source)}`);
events.onmessage = (event: MessageEvent<string>) => {
  if (picker.live()) charts.append(JSON.parse(event.data) as LivePoint, () => picker.resolved());
};
events.onopen = () => document.body.setAttribute('data-live', 'open');
