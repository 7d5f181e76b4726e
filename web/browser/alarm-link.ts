/**
 * Where an alarm's series is drawn: its source's page, over the time around the alarm, with the
 * series' chart picked out (`#series=<history series name>`, read by the source page). The alarm
 * names its series `web1.disk.used_percent{path=/}` (alarms/series.ts); the history store names it
 * `web1/disk/used_percent{path=/}` (sinks/history/series-name.ts): same tags, same order.
 */

import { escapePart } from './history-types.js';

/** What the link needs of an alarm's JSON state (alarms/alarm.ts). */
export interface AlarmLike {
  readonly series?: unknown;
  readonly state?: unknown;
  readonly since?: unknown;
  readonly firedAt?: unknown;
  readonly labels?: Readonly<Record<string, unknown>>;
}

/** Shown before the alarm began, and after it ended when it has. */
const MARGIN_MS = 30 * 60_000;

/** The history series name of an alarm, or undefined when its labels do not say. */
export function alarmSeriesName(alarm: AlarmLike): string | undefined {
  const labels = alarm.labels ?? {};
  const { source, measurement, field } = labels;
  if (typeof source !== 'string' || typeof measurement !== 'string' || typeof field !== 'string')
    return undefined;
  const key = typeof alarm.series === 'string' ? alarm.series : '';
  const brace = key.indexOf('{');
  const tags = brace >= 0 && key.endsWith('}') ? key.slice(brace) : '';
  return `${escapePart(source)}/${escapePart(measurement)}/${escapePart(field)}${tags}`;
}

/** The source page URL showing the alarm's series around its time; undefined without a source. */
export function alarmChartUrl(alarm: AlarmLike, now = Date.now()): string | undefined {
  const source = alarm.labels?.source;
  if (typeof source !== 'string' || source === '') return undefined;
  const since = Date.parse(String(alarm.since));
  const fired = typeof alarm.firedAt === 'string' ? Date.parse(alarm.firedAt) : NaN;
  const start = Number.isNaN(fired) ? since : Math.min(fired, since);
  const ongoing = alarm.state === 'firing' || alarm.state === 'pending';
  const query = new URLSearchParams();
  if (!Number.isNaN(start)) {
    const to = ongoing || since + MARGIN_MS >= now ? 'now' : String(since + MARGIN_MS);
    query.set('from', String(Math.min(start - MARGIN_MS, now - 2 * MARGIN_MS)));
    query.set('to', to);
  }
  const name = alarmSeriesName(alarm);
  const hash = name === undefined ? '' : `#series=${encodeURIComponent(name)}`;
  const search = query.toString();
  return `/source/${encodeURIComponent(source)}${search === '' ? '' : `?${search}`}${hash}`;
}
