/**
 * The overview: every source with its status (`busbar/status/+`), when it was last seen, its key
 * gauges (coloured past WARN and BAD) each with a sparkline of the last hour, and its firing and
 * pending alarms (labels.source), linked to the chart of the latest one around its time. Values are
 * refreshed every 10 s, sparklines every minute. Rows are filtered by name or status and sorted by
 * the column whose header was pressed (again: the other way).
 */
import { alarmChartUrl, type AlarmLike } from './alarm-link.js';
import { getJson } from './api.js';
import { byId, el, fill } from './dom.js';
import { sparkline } from './sparkline.js';

interface Gauge {
  readonly id: 'cpu' | 'mem' | 'disk' | 'load1';
  /** Series pattern of the history store. */
  readonly pattern: string;
  /** The top of its sparkline's scale; undefined: the largest value. */
  readonly max?: number;
  readonly warn?: number;
  readonly bad?: number;
}

const GAUGES: readonly Gauge[] = [
  { id: 'cpu', pattern: '*/cpu/usage_active*', max: 100, warn: 75, bad: 90 },
  { id: 'mem', pattern: '*/mem/used_percent*', max: 100, warn: 80, bad: 90 },
  { id: 'disk', pattern: '*/disk/used_percent*', max: 100, warn: 80, bad: 90 },
  { id: 'load1', pattern: '*/system/load1*' },
];

interface SeriesInfo {
  readonly source: string;
  readonly name: string;
}
interface Latest {
  readonly series: SeriesInfo;
  readonly time: number;
  readonly value: unknown;
}
interface RangeSeries {
  readonly series: SeriesInfo;
  readonly points: ReadonlyArray<{ time: number; value: unknown }>;
}
type Alarm = AlarmLike & { readonly state?: string; readonly since?: string };

const VALUES_EVERY_MS = 10_000;
const SPARKLINES_EVERY_MS = 60_000;
const SPARKLINE_POINTS = 60;
const HOUR_MS = 3_600_000;

const rows = byId<HTMLTableSectionElement>('sources');
const filter = byId<HTMLInputElement>('filter');
let sortBy = { column: 0, down: false };
/** Gauge id → source → [time, value] points of the last hour (the source's highest series). */
let history = new Map<string, Map<string, Array<[number, number]>>>();

const fmt = (value: number | undefined): string =>
  value === undefined ? '' : String(Math.round(value * 10) / 10);

function ago(ms: number | undefined): string {
  if (!ms) return '';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 120
    ? `${s} s ago`
    : s < 7200
      ? `${Math.round(s / 60)} min ago`
      : `${Math.round(s / 3600)} h ago`;
}

function gaugeCell(gauge: Gauge, values: readonly Latest[], source: string): HTMLTableCellElement {
  const numbers = values
    .filter((latest) => latest.series.source === source && typeof latest.value === 'number')
    .map((latest) => latest.value as number);
  const value = numbers.length > 0 ? Math.max(...numbers) : undefined;
  const level =
    value === undefined || gauge.warn === undefined
      ? ''
      : value >= gauge.bad!
        ? ' offline'
        : value >= gauge.warn
          ? ' warn'
          : '';
  const now = Date.now();
  const line = sparkline(
    history.get(gauge.id)?.get(source) ?? [],
    { from: now - HOUR_MS, to: now },
    gauge.max,
  );
  return el('td', { class: `num${level}`, 'data-gauge': gauge.id }, fmt(value), line ? el('br') : null, line);
}

function alarmsCell(alarms: readonly Alarm[], source: string): HTMLTableCellElement {
  const mine = alarms.filter((alarm) => alarm.labels?.source === source);
  const firing = mine.filter((alarm) => alarm.state === 'firing');
  const pending = mine.filter((alarm) => alarm.state === 'pending');
  const said = [
    firing.length ? `${firing.length} firing` : '',
    pending.length ? `${pending.length} pending` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const latest = [...(firing.length ? firing : pending)].sort((a, b) =>
    String(b.since).localeCompare(String(a.since)),
  )[0];
  const href = latest && alarmChartUrl(latest);
  return el(
    'td',
    {
      class: `num ${firing.length ? 'offline' : pending.length ? 'warn' : ''}`,
      'data-alarms': true,
      'data-sort': firing.length * 1000 + pending.length,
    },
    href ? el('a', { href, title: 'the chart of the latest alarm, around its time' }, said) : said,
  );
}

async function refresh(): Promise<void> {
  const [sources, status, latest, alarms, ...gauges] = await Promise.all([
    getJson<Array<{ source: string }>>('/api/sources'),
    getJson<Record<string, { status: string }>>('/api/status'),
    getJson<Latest[]>('/api/latest?pattern=*'),
    getJson<Alarm[]>('/api/alarms'),
    ...GAUGES.map((gauge) => getJson<Latest[]>(`/api/latest?pattern=${encodeURIComponent(gauge.pattern)}`)),
  ]);
  const lastSeen = new Map<string, number>();
  for (const entry of latest)
    lastSeen.set(entry.series.source, Math.max(lastSeen.get(entry.series.source) ?? 0, entry.time));
  const names = sources.map((entry) => entry.source);
  for (const name of Object.keys(status)) if (!names.includes(name) && name !== 'bridge') names.push(name);
  names.sort();
  const list = names.map((name) => {
    const state = status[name]?.status ?? 'unknown';
    const seen = lastSeen.get(name);
    return el(
      'tr',
      { 'data-source': encodeURIComponent(name) },
      el('td', {}, el('a', { href: `/source/${encodeURIComponent(name)}` }, name)),
      el('td', { class: state === 'online' ? 'online' : state === 'offline' ? 'offline' : 'unknown' }, state),
      el('td', { 'data-sort': seen ? Math.round((Date.now() - seen) / 1000) : 1e12 }, ago(seen)),
      ...GAUGES.map((gauge, i) => gaugeCell(gauge, gauges[i]!, name)),
      alarmsCell(alarms, name),
    );
  });
  fill(rows, list.length > 0 ? list : [el('tr', {}, el('td', { colspan: 8 }, 'no sources yet'))]);
  arrange();
}

/** Per gauge and source, the points of its highest series over the last hour. */
async function refreshSparklines(): Promise<void> {
  const answers = await Promise.all(
    GAUGES.map((gauge) =>
      getJson<RangeSeries[]>(
        `/api/range?pattern=${encodeURIComponent(gauge.pattern)}&from=-1h&points=${SPARKLINE_POINTS}`,
      ),
    ),
  );
  const next = new Map<string, Map<string, Array<[number, number]>>>();
  GAUGES.forEach((gauge, i) => {
    const bySource = new Map<string, Array<[number, number]>>();
    const peak = new Map<string, number>();
    for (const result of answers[i]!) {
      const points = result.points
        .filter((point) => typeof point.value === 'number')
        .map((point): [number, number] => [point.time, point.value as number]);
      const top = Math.max(-Infinity, ...points.map(([, value]) => value));
      if (points.length > 0 && top > (peak.get(result.series.source) ?? -Infinity)) {
        peak.set(result.series.source, top);
        bySource.set(result.series.source, points);
      }
    }
    next.set(gauge.id, bySource);
  });
  history = next;
}

function sortValue(row: HTMLTableRowElement): number | string {
  const cell = row.children[sortBy.column]!;
  const text = cell.getAttribute('data-sort') ?? cell.textContent ?? '';
  const n = parseFloat(text);
  return Number.isNaN(n) ? text.toLowerCase() : n;
}

/** Applies the filter and the sort to the rows drawn. */
function arrange(): void {
  const list = [...rows.querySelectorAll<HTMLTableRowElement>('tr[data-source]')];
  const words = filter.value.trim().toLowerCase();
  for (const row of list) {
    const said = `${row.children[0]!.textContent} ${row.children[1]!.textContent}`.toLowerCase();
    row.hidden = words !== '' && !said.includes(words);
  }
  list
    .sort((a, b) => {
      const x = sortValue(a);
      const y = sortValue(b);
      const order = x < y ? -1 : x > y ? 1 : 0;
      return sortBy.down ? -order : order;
    })
    .forEach((row) => rows.append(row));
}

filter.addEventListener('input', arrange);
document.querySelectorAll<HTMLButtonElement>('button.sort').forEach((button) => {
  button.addEventListener('click', () => {
    const column = Number(button.getAttribute('data-column'));
    sortBy = { column, down: sortBy.column === column ? !sortBy.down : column >= 3 };
    arrange();
  });
});

function repeat(action: () => Promise<void>, everyMs: number): void {
  const run = (): void =>
    void action().catch((error: unknown) => console.warn('overview refresh failed', error));
  setInterval(run, everyMs);
}

void refreshSparklines()
  .catch((error: unknown) => console.warn('sparklines not read', error))
  .then(refresh)
  .then(() => document.body.setAttribute('data-overview-ready', 'true'));
repeat(refresh, VALUES_EVERY_MS);
repeat(() => refreshSparklines().then(refresh), SPARKLINES_EVERY_MS);
