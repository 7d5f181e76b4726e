/**
 * Title and message templates: `{topic}`, `{topic[N]}` (0-based topic level), `{payload}`,
 * `{payload.a.b}` (a field of the JSON payload), `{alarms}` (one line per alarm of an alarm or a
 * grouped notification payload: `[FIRING] disk used on web1 is 93, above 90`), `{summary}` (the
 * alarm's or group's one-line summary; the topic for any other payload) and `{details}` (every
 * alarm with its severity, value, threshold, start, duration, labels, chart and runbook links; the
 * payload for any other). `{summary}` and `{details}` are the defaults of every route. Values are
 * escaped for the target's format, so a payload cannot inject HTML into an email or markup into a
 * chat message; the template text itself is the operator's and is kept as written.
 */
import { payloadAlarms } from '../alarm-payload.js';
import type { TargetFormat } from '../services/service.js';
import { alarmDetails } from './alarm-details.js';
import { escapeFor } from './escape.js';

// Its home was this file: code importing it from here keeps working.
export { escapeFor };

type Format = TargetFormat | 'plain';
type Get = (values: TemplateValues) => unknown;
/** `markup`: a value that renders itself for the format, escaping what it takes from the payload. */
type Part =
  | { kind: 'text'; text: string }
  | { kind: 'value'; get: Get }
  | { kind: 'markup'; render: (values: TemplateValues, format: Format) => string };

export interface TemplateValues {
  readonly topic: string;
  readonly levels: readonly string[];
  readonly payload: unknown;
  /** notifiers.externalUrl: the web console's address, for chart links. */
  readonly externalUrl?: string | undefined;
}

export interface CompiledTemplate {
  readonly problem?: string;
  render(values: TemplateValues, format: TargetFormat | 'plain'): string;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
const TOPIC_LEVEL = /^topic\[(\d+)\]$/;

/** The value at a dotted path of a parsed payload, or undefined. */
export function fieldAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function accessor(name: string): Get | Extract<Part, { kind: 'markup' }> | string {
  if (name === 'topic') return (values) => values.topic;
  if (name === 'summary') return (values) => summaryOf(values);
  if (name === 'details') {
    return {
      kind: 'markup',
      render: (values, format) =>
        alarmDetails(values.payload, format, values.externalUrl) ??
        escapeFor(format, stringify(values.payload)),
    };
  }
  const level = TOPIC_LEVEL.exec(name);
  if (level) {
    const index = Number(level[1]);
    return (values) => values.levels[index];
  }
  if (name === 'payload') return (values) => values.payload;
  if (name === 'alarms') return (values) => alarmLines(values.payload);
  if (name.startsWith('payload.')) {
    const path = name.slice('payload.'.length).split('.');
    if (path.some((key) => key === '')) return `"{${name}}" has an empty field name`;
    return (values) => fieldAt(values.payload, path);
  }
  return `unknown value "{${name}}" (use {topic}, {topic[N]}, {payload}, {payload.field}, {alarms}, {summary} or {details})`;
}

/** An alarm's or a group's summary (a mail's subject, a chat message's title); else the topic. */
function summaryOf(values: TemplateValues): string {
  const payload = values.payload;
  const summary =
    payloadAlarms(payload) === undefined ? undefined : (payload as { summary?: unknown }).summary;
  return typeof summary === 'string' && summary !== '' ? summary : values.topic;
}

/**
 * `[STATE] summary` for each alarm of the payload: a grouped notification's `alarms`, or an alarm
 * itself; empty for any other payload.
 */
function alarmLines(payload: unknown): string {
  return (payloadAlarms(payload)?.alarms ?? [])
    .map(
      (alarm) =>
        `[${alarm.flapping === true ? 'FLAPPING' : String(alarm.state).toUpperCase()}] ${String(alarm.summary)}`,
    )
    .join('\n');
}

/** A template value as text: nothing for a missing one, JSON for objects and lists. */
export function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function compileMessageTemplate(template: string): CompiledTemplate {
  const parts: Part[] = [];
  let last = 0;
  let problem: string | undefined;
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push({ kind: 'text', text: template.slice(last, match.index) });
    const get = accessor(match[1]!.trim());
    if (typeof get === 'string') problem ??= get;
    else if (typeof get === 'function') parts.push({ kind: 'value', get });
    else parts.push(get);
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
  return {
    ...(problem === undefined ? {} : { problem }),
    render(values, format) {
      return parts
        .map((part) => {
          if (part.kind === 'text') return part.text;
          if (part.kind === 'markup') return part.render(values, format);
          return escapeFor(format, stringify(part.get(values)));
        })
        .join('');
    },
  };
}
