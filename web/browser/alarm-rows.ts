/**
 * The alarms page's rows: an alarm state (firing first, then pending, then the rest, newest first
 * within each), marked when an active silence matches it (`silencedBy`, computed by the server), who
 * acknowledged it (`ack`), and its buttons; an active silence with its Remove button.
 */
import { alarmChartUrl, type AlarmLike } from './alarm-link.js';
import { el } from './dom.js';
import { localTime, utcTime } from './time.js';

export interface Alarm extends AlarmLike {
  readonly rule: string;
  readonly series: string;
  readonly state: string;
  readonly severity?: string;
  readonly summary?: string;
  readonly since?: string;
  readonly silencedBy?: readonly string[];
  readonly ack?: { readonly by: string; readonly at: string; readonly comment?: string };
}

export interface Silence {
  readonly id: string;
  readonly matchers: Readonly<Record<string, string>>;
  readonly endsAt: string;
  readonly createdBy?: string;
  readonly comment?: string;
}

const ORDER: Readonly<Record<string, number>> = { firing: 0, pending: 1 };
const rank = (alarm: Alarm): number => ORDER[alarm.state] ?? 9;

export function byUrgency(a: Alarm, b: Alarm): number {
  return rank(a) - rank(b) || String(b.since).localeCompare(String(a.since));
}

/** A time cell in the viewer's zone, the same time in UTC on hover. */
function timeCell(iso: string | undefined): HTMLTableCellElement {
  const ms = new Date(iso ?? '').getTime();
  if (Number.isNaN(ms)) return el('td', {}, iso);
  return el('td', { 'data-time': ms, title: utcTime(ms) }, localTime(ms));
}

/** The series, linked to its chart around the alarm's time. */
function seriesCell(alarm: Alarm): HTMLTableCellElement {
  const href = alarmChartUrl(alarm);
  return el(
    'td',
    { class: 'series' },
    href === undefined ? alarm.series : el('a', { href, title: 'chart around the alarm' }, alarm.series),
  );
}

function ackCell(ack: Alarm['ack']): HTMLTableCellElement {
  if (!ack) return el('td', { 'data-acked': true });
  const comment = ack.comment ? `: ${ack.comment}` : '';
  return el(
    'td',
    { 'data-acked': true, title: ack.at + (ack.comment ? ` — ${ack.comment}` : '') },
    ack.by + comment,
  );
}

/** Row `index` of the alarms; its buttons carry the index (data-silence, data-ack). */
export function alarmRow(alarm: Alarm, index: number, canWrite: boolean): HTMLTableRowElement {
  const stateClass = alarm.state === 'firing' ? 'offline' : alarm.state === 'pending' ? 'unknown' : 'online';
  const active = alarm.state === 'firing' || alarm.state === 'pending';
  const silenced = active && (alarm.silencedBy?.length ?? 0) > 0;
  const actions = el(
    'td',
    {},
    canWrite && active && !silenced ? el('button', { 'data-silence': index }, 'Silence') : null,
    canWrite && alarm.state === 'firing' && !alarm.ack ? el('button', { 'data-ack': index }, 'Ack') : null,
  );
  return el(
    'tr',
    { 'data-alarm': `${alarm.rule}/${alarm.series}`, class: silenced ? 'silenced' : undefined },
    el('td', { class: stateClass }, alarm.state),
    el('td', {}, alarm.severity),
    el('td', {}, alarm.rule),
    seriesCell(alarm),
    el('td', {}, alarm.summary),
    timeCell(alarm.since),
    el(
      'td',
      { 'data-silenced': true, title: (alarm.silencedBy ?? []).join(', ') },
      silenced ? 'silenced' : '',
    ),
    ackCell(alarm.ack),
    actions,
  );
}

export function silenceRow(silence: Silence, canWrite: boolean): HTMLTableRowElement {
  const matchers = Object.entries(silence.matchers)
    .map(([label, pattern]) => `${label}=${pattern}`)
    .join(', ');
  return el(
    'tr',
    { 'data-silence-id': silence.id },
    el('td', {}, matchers),
    timeCell(silence.endsAt),
    el('td', {}, silence.createdBy),
    el('td', {}, silence.comment),
    el('td', {}, canWrite ? el('button', { 'data-remove': silence.id }, 'Remove') : null),
  );
}

/** The one row of an empty table. */
export function emptyRow(columns: number, text: string): HTMLTableRowElement {
  return el('tr', {}, el('td', { colspan: columns }, text));
}
