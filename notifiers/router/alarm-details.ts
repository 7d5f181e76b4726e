/**
 * The default message about alarms (`{details}`): per alarm its state and severity, its summary, the
 * value and threshold, when it started (and, resolved, how long it lasted), who acknowledged it, its
 * labels, a link to
 * its source's chart on the web console around the alarm's time, and its rule's runbook. Rendered
 * for the target's format: bold and links in HTML (email, Telegram) and Markdown, plain lines in
 * text; every value from the payload escaped for that format.
 */
import { formatNumber } from '../../alarms/alarm.js';
import { payloadAlarms, type NotifiedAlarm } from '../alarm-payload.js';
import { sourceLink } from '../bot/text-chart.js';
import type { TargetFormat } from '../services/service.js';
import { escapeFor } from './escape.js';

type Format = TargetFormat | 'plain';

const MINUTE = 60_000;
/** The chart shows this much before the alarm started, and after it ended. */
const CHART_BEFORE = 60 * MINUTE;
const CHART_AFTER = 15 * MINUTE;

/** `45 s`, `12 min`, `1 h 5 min`, `2 d 3 h`: how long an alarm lasted, for people. */
export function spokenDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** `2026-12-07 03:10:05 UTC`: one zone for every reader of a shared channel. */
function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function parsed(iso: string | null | undefined): number | undefined {
  if (typeof iso !== 'string') return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

/** When the alarm started and, once resolved, when it ended. */
export function alarmPeriod(alarm: NotifiedAlarm): { start: number | undefined; end: number | undefined } {
  const since = parsed(alarm.since);
  if (alarm.state === 'resolved') return { start: parsed(alarm.firedAt), end: since };
  return { start: since, end: undefined };
}

/**
 * The source's page on the web console (web/pages/source-js.ts reads `from` and `to`, epoch ms or
 * `now`), from an hour before the alarm started to a while after it ended, or to now while it lasts.
 */
export function chartLink(externalUrl: string | undefined, alarm: NotifiedAlarm): string | undefined {
  const source = alarm.labels.source;
  const page = source === undefined ? undefined : sourceLink(externalUrl, source);
  if (page === undefined) return undefined;
  const { start, end } = alarmPeriod(alarm);
  if (start === undefined) return page;
  const to = end === undefined ? 'now' : String(end + CHART_AFTER);
  return `${page}?from=${start - CHART_BEFORE}&to=${to}`;
}

function stateWord(alarm: NotifiedAlarm): string {
  return alarm.flapping === true ? 'FLAPPING' : String(alarm.state).toUpperCase();
}

function bold(format: Format, text: string): string {
  if (format === 'html') return `<b>${escapeFor(format, text)}</b>`;
  if (format === 'markdown') return `**${escapeFor(format, text)}**`;
  if (format === 'slack') return `*${escapeFor(format, text)}*`;
  return text;
}

/** `Chart: <url>` in text; a link named by its label in HTML and Markdown. */
function link(format: Format, label: string, url: string): string {
  if (format === 'html') return `<a href="${escapeFor('html', url)}">${label}</a>`;
  // Parentheses would end a Markdown link's target early.
  if (format === 'markdown') return `[${label}](${url.replace(/[()]/g, encodeURIComponent)})`;
  // Slack's `<url|label>`: a `|` or `>` in the URL would end it early.
  if (format === 'slack')
    return `<${url.replace(/[|<>]/g, encodeURIComponent).replace(/&/g, '&amp;')}|${label}>`;
  return `${label}: ${url}`;
}

function whenLine(alarm: NotifiedAlarm): string | undefined {
  const { start, end } = alarmPeriod(alarm);
  if (alarm.state === 'resolved') {
    if (start === undefined || end === undefined) return undefined;
    return `Started ${utcTime(start)}, resolved after ${spokenDuration(end - start)}`;
  }
  return start === undefined ? undefined : `Since ${utcTime(start)}`;
}

function factsLine(alarm: NotifiedAlarm): string | undefined {
  const facts: string[] = [];
  if (typeof alarm.value === 'number') facts.push(`value ${formatNumber(alarm.value)}`);
  if (typeof alarm.threshold === 'number') facts.push(`threshold ${formatNumber(alarm.threshold)}`);
  if (facts.length === 0) return undefined;
  const line = facts.join(', ');
  return line.charAt(0).toUpperCase() + line.slice(1);
}

/** Who said "I'm on it" (alarms/ack.ts), so nobody else starts on it too. */
function ackLine(alarm: NotifiedAlarm): string | undefined {
  const ack = alarm.acknowledged;
  if (ack === undefined) return undefined;
  const at = parsed(ack.at);
  const when = at === undefined ? '' : ` at ${utcTime(at)}`;
  return `Acknowledged by ${ack.by}${when}${ack.comment ? `: ${ack.comment}` : ''}`;
}

function labelsLine(alarm: NotifiedAlarm): string | undefined {
  const entries = Object.entries(alarm.labels);
  return entries.length === 0 ? undefined : `Labels: ${entries.map(([k, v]) => `${k}=${v}`).join(', ')}`;
}

/** One alarm's lines, rendered for `format`. */
function alarmBlock(alarm: NotifiedAlarm, format: Format, externalUrl: string | undefined): string {
  const head = `${bold(format, `[${stateWord(alarm)}] ${String(alarm.severity)}`)} ${escapeFor(format, String(alarm.summary))}`;
  const plain = [factsLine(alarm), whenLine(alarm), ackLine(alarm), labelsLine(alarm)].flatMap((line) =>
    line === undefined ? [] : [escapeFor(format, line)],
  );
  const chart = chartLink(externalUrl, alarm);
  const links = [
    ...(chart === undefined ? [] : [link(format, 'Chart', chart)]),
    ...(typeof alarm.runbook === 'string' ? [link(format, 'Runbook', alarm.runbook)] : []),
  ];
  // Text gives each link its own line; links named by their label share one.
  const linkLines = format === 'text' || format === 'plain' ? links : [links.join(' · ')];
  return [head, ...plain, ...(links.length === 0 ? [] : linkLines)].join('\n');
}

/**
 * Every alarm of an alarm or grouped-notification payload, a blank line between them; undefined for
 * any other payload.
 */
export function alarmDetails(
  payload: unknown,
  format: Format,
  externalUrl: string | undefined,
): string | undefined {
  const alarms = payloadAlarms(payload)?.alarms;
  if (alarms === undefined) return undefined;
  return alarms.map((alarm) => alarmBlock(alarm, format, externalUrl)).join('\n\n');
}
