/**
 * The host dashboard: per concept, its measurement, fields (in order), unit, and how series are
 * named (Grafana's node-exporter dashboard: one panel per concept, one unit per axis).
 */
import type { ChartSeries } from './chart.js';
import type { RangeResult, SeriesInfo } from './history-types.js';
import { format, type Unit } from './units.js';

export interface Panel {
  readonly id: string;
  readonly title: string;
  readonly measurement: string;
  readonly unit: Unit;
  readonly stacked?: boolean;
  readonly max?: number;
  readonly fields: readonly string[];
  /** Picks series by tags. */
  readonly where?: (tags: SeriesInfo['tags']) => boolean;
  readonly label: (series: SeriesInfo) => string;
  /** Multiplies the values (bytes/s to bits/s). */
  readonly scale?: number;
  /** Names each mount's free space (disk's `free`) in its label. */
  readonly free?: boolean;
  /** Divides by the core count (from `n_cpus` or the inventory), which the title then names. */
  readonly perCore?: boolean;
  /** A top-N list: the highest newest value first. */
  readonly sort?: boolean;
}

const without =
  (prefix: string) =>
  (s: SeriesInfo): string =>
    s.field.startsWith(prefix) ? s.field.slice(prefix.length) : s.field;
const tag =
  (name: string) =>
  (s: SeriesInfo): string =>
    s.tags[name] ?? '';
const fieldName = (s: SeriesInfo): string => s.field;

const IN_OUT: Readonly<Record<string, string>> = {
  bytes_recv_per_sec: 'in',
  bytes_sent_per_sec: 'out',
  read_bytes_per_sec: 'read',
  write_bytes_per_sec: 'write',
  reads_per_sec: 'read',
  writes_per_sec: 'write',
};
/** `eth0 in`, `sda write`: the device, then the direction. */
const deviceDirection =
  (tagName: string) =>
  (s: SeriesInfo): string =>
    `${s.tags[tagName] ?? ''} ${IN_OUT[s.field] ?? s.field}`;

/** A tag value as the page says it: the agent's `_other` is every process outside its top lists. */
export const shownTag = (value: string): string => (value === '_other' ? 'all others' : value);

const processName = (s: SeriesInfo): string => shownTag(s.tags.process_name ?? s.tags.process_id ?? s.name);

export const PANELS: readonly Panel[] = [
  {
    id: 'cpu',
    title: 'CPU by state',
    measurement: 'cpu',
    unit: '%',
    stacked: true,
    max: 100,
    fields: [
      'usage_user',
      'usage_system',
      'usage_nice',
      'usage_iowait',
      'usage_irq',
      'usage_softirq',
      'usage_steal',
      'usage_guest',
      'usage_guest_nice',
    ],
    where: (t) => !t.cpu || t.cpu === 'cpu-total',
    label: without('usage_'),
  },
  {
    id: 'cpu-cores',
    title: 'CPU per core (active)',
    measurement: 'cpu',
    unit: '%',
    max: 100,
    fields: ['usage_active'],
    where: (t) => t.cpu !== undefined && t.cpu !== '' && t.cpu !== 'cpu-total',
    label: tag('cpu'),
  },
  {
    id: 'mem',
    title: 'Memory',
    measurement: 'mem',
    unit: 'bytes',
    stacked: true,
    fields: ['used', 'buffered', 'cached', 'free'],
    label: fieldName,
  },
  {
    id: 'swap',
    title: 'Swap',
    measurement: 'swap',
    unit: 'bytes',
    stacked: true,
    fields: ['used', 'free'],
    label: fieldName,
  },
  {
    id: 'disk',
    title: 'Disk used (free space in the legend)',
    measurement: 'disk',
    unit: '%',
    max: 100,
    fields: ['used_percent'],
    label: tag('path'),
    free: true,
  },
  {
    id: 'diskio',
    title: 'Disk I/O',
    measurement: 'diskio',
    unit: 'B/s',
    fields: ['read_bytes_per_sec', 'write_bytes_per_sec'],
    label: deviceDirection('name'),
  },
  {
    id: 'iops',
    title: 'Disk IOPS',
    measurement: 'diskio',
    unit: 'IOPS',
    fields: ['reads_per_sec', 'writes_per_sec'],
    label: deviceDirection('name'),
  },
  {
    id: 'net',
    title: 'Network',
    measurement: 'net',
    unit: 'bit/s',
    scale: 8,
    fields: ['bytes_recv_per_sec', 'bytes_sent_per_sec'],
    label: deviceDirection('interface'),
  },
  {
    id: 'load',
    title: 'Load per core',
    measurement: 'system',
    unit: 'number',
    fields: ['load1', 'load5', 'load15'],
    label: (s) => `${s.field} / core`,
    perCore: true,
  },
  {
    id: 'temp',
    title: 'Temperatures',
    measurement: 'temp',
    unit: '°C',
    fields: ['temp'],
    label: tag('sensor'),
  },
  {
    id: 'processes',
    title: 'Processes by state',
    measurement: 'processes',
    unit: 'number',
    stacked: true,
    fields: ['running', 'blocked', 'zombies', 'stopped', 'sleeping', 'idle'],
    label: fieldName,
  },
  {
    id: 'top-cpu',
    title: 'Top processes by CPU (% of one core)',
    measurement: 'procstat',
    unit: '%',
    fields: ['cpu_usage'],
    label: processName,
    sort: true,
  },
  {
    id: 'top-mem',
    title: 'Top processes by memory (resident)',
    measurement: 'procstat',
    unit: 'bytes',
    fields: ['memory_rss'],
    label: processName,
    sort: true,
  },
];

/** The measurements the dashboard draws: their other fields go under "Other fields". */
export const DASHBOARD_MEASUREMENTS: ReadonlySet<string> = new Set(PANELS.map((p) => p.measurement));

const newest = (points: RangeResult['points']): unknown => points[points.length - 1]?.value;

/** The machine's core count: from the `n_cpus` field, else the inventory's. */
export function coreCount(
  results: readonly RangeResult[],
  inventoryCores: number | undefined,
): number | undefined {
  const n = results.find((r) => r.series.field === 'n_cpus' && r.points.length > 0);
  const fromSeries = n === undefined ? undefined : newest(n.points);
  return (typeof fromSeries === 'number' && fromSeries > 0 ? fromSeries : undefined) ?? inventoryCores;
}

/** The series of one panel out of its measurement's, each with its points converted, in order. */
export function panelSeries(
  panel: Panel,
  results: readonly RangeResult[],
  inventoryCores: number | undefined,
): ChartSeries[] {
  const list = results.filter(
    (r) => panel.fields.includes(r.series.field) && (panel.where?.(r.series.tags) ?? true),
  );
  const cores = panel.perCore ? coreCount(results, inventoryCores) : undefined;
  const free = new Map<string, unknown>();
  if (panel.free)
    for (const r of results)
      if (r.series.field === 'free' && r.points.length > 0)
        free.set(r.series.tags.path ?? '', newest(r.points));
  const out = list.map((r): ChartSeries => {
    const factor = (panel.scale ?? 1) / (cores ?? 1);
    let label = panel.label(r.series);
    const freeBytes = free.get(r.series.tags.path ?? '');
    if (panel.free && freeBytes !== undefined) label += ` (${format(freeBytes, 'bytes')} free)`;
    return {
      name: r.series.name,
      field: r.series.field,
      label,
      factor,
      points: r.points.map((p) => ({
        time: p.time,
        value: typeof p.value === 'number' ? p.value * factor : null,
      })),
    };
  });
  const last = (s: ChartSeries): number => {
    const value = newest(s.points);
    return typeof value === 'number' ? value : -1;
  };
  if (panel.sort) out.sort((a, b) => last(b) - last(a));
  else
    out.sort(
      (a, b) =>
        panel.fields.indexOf(a.field!) - panel.fields.indexOf(b.field!) ||
        (a.label < b.label ? -1 : a.label > b.label ? 1 : 0),
    );
  return out;
}
