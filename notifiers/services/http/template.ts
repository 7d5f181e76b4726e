/**
 * Templates in an HTTP target's URL, headers and body. The language is the routes' (router/
 * template.ts: `{topic}`, `{topic[N]}`, `{payload}`, `{payload.a.b}`, `{alarms}`, `{summary}`,
 * `{details}`) plus the notification as the route rendered it and what an incident API needs:
 * `{title}`, `{message}`, `{status}`, `{severity}`, `{level}`, `{key}`, `{priority}`, `{id}`,
 * `{route}`. Each value is escaped by the caller for where it lands (URL-encoded in a URL,
 * JSON-escaped by serialisation in a JSON body), so no value can break out of its place.
 */
import { compileMessageTemplate, fieldAt, stringify } from '../../router/template.js';
import type { RequestValues } from './values.js';

type Get = (values: RequestValues) => unknown;
type Part = { kind: 'text'; text: string } | { kind: 'value'; get: Get };

export interface RequestTemplate {
  readonly problem?: string;
  /** Set when the template is one value alone: that value with its type (a number, an object). */
  readonly whole?: Get;
  render(values: RequestValues, escape: (text: string) => string): string;
}

// The routes' placeholder syntax (router/template.ts).
const PLACEHOLDER = /\{([^{}]*)\}/g;

const NOTIFICATION_VALUES = [
  'title',
  'message',
  'status',
  'severity',
  'level',
  'key',
  'priority',
  'id',
  'route',
] as const satisfies readonly (keyof RequestValues)[];

function accessor(name: string): Get | string {
  const own = NOTIFICATION_VALUES.find((key) => key === name);
  if (own) return (values) => values[own];
  if (name === 'payload') return (values) => values.payload;
  if (name.startsWith('payload.') && !name.split('.').includes('')) {
    const path = name.slice('payload.'.length).split('.');
    return (values) => fieldAt(values.payload, path);
  }
  // Everything else is the routes' language, rendered by it.
  const routeTemplate = compileMessageTemplate(`{${name}}`);
  if (routeTemplate.problem)
    return `unknown value "{${name}}" (use {${NOTIFICATION_VALUES.join('}, {')}}, {topic}, {topic[N]}, {payload}, {payload.field}, {alarms}, {summary} or {details})`;
  return (values) => routeTemplate.render(values, 'plain');
}

export function compileRequestTemplate(template: string): RequestTemplate {
  const parts: Part[] = [];
  let last = 0;
  let problem: string | undefined;
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push({ kind: 'text', text: template.slice(last, match.index) });
    const get = accessor(match[1]!.trim());
    if (typeof get === 'string') problem ??= get;
    else parts.push({ kind: 'value', get });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
  const only = parts.length === 1 && parts[0]!.kind === 'value' ? parts[0]!.get : undefined;
  return {
    ...(problem === undefined ? {} : { problem }),
    ...(only === undefined ? {} : { whole: only }),
    render(values, escape) {
      return parts
        .map((part) => (part.kind === 'text' ? part.text : escape(stringify(part.get(values)))))
        .join('');
    },
  };
}
