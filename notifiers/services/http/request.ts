/**
 * One HTTP request from a target's config and a notification's values. Every value is escaped for
 * where it lands: URL-encoded in the URL, made header-safe in a header, JSON-escaped by
 * serialisation in a JSON body and URL-encoded in a form body; the template text is the operator's
 * and is kept as written.
 */
import { fieldAt } from '../../router/template.js';
import type { BodyValue, HttpRequestConfig, HttpTargetConfig } from './config.js';
import { compileRequestTemplate, type RequestTemplate } from './template.js';
import type { RequestValues } from './values.js';

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

const CONTENT_TYPES: Record<HttpRequestConfig['encoding'], string> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
  text: 'text/plain; charset=utf-8',
};

const templates = new Map<string, RequestTemplate>();

/** Compiled once per distinct text; the config check already refused unknown values. */
function template(text: string): RequestTemplate {
  let compiled = templates.get(text);
  if (!compiled) {
    compiled = compileRequestTemplate(text);
    templates.set(text, compiled);
  }
  return compiled;
}

const asIs = (text: string): string => text;

/**
 * A header value may hold neither a line break (it would start a header of its own) nor, in fetch,
 * characters past Latin-1: such a value is sent as an RFC 2047 encoded word, which ntfy and most
 * mail-minded receivers decode.
 */
export function headerSafe(text: string): string {
  const line = text.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e\t]*$/.test(line) ? line : `=?UTF-8?B?${Buffer.from(line).toString('base64')}?=`;
}

function renderValue(value: BodyValue, values: RequestValues): unknown {
  if (typeof value === 'string') {
    const compiled = template(value);
    return compiled.whole ? compiled.whole(values) : compiled.render(values, asIs);
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, values));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, values)]));
  return value;
}

function formText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean);
}

/** Cuts the text at each `limits` path to its length, in characters (code points), ending in `…`. */
function applyLimits(rendered: unknown, limits: Record<string, number>): void {
  for (const [path, limit] of Object.entries(limits)) {
    const keys = path.split('.');
    const last = keys.pop()!;
    const parent = fieldAt(rendered, keys) as Record<string, unknown> | undefined;
    const text = parent?.[last];
    if (typeof text !== 'string') continue;
    const chars = [...text];
    if (chars.length > limit) parent![last] = `${chars.slice(0, limit - 1).join('')}…`;
  }
}

function renderBody(
  request: HttpRequestConfig,
  values: RequestValues,
  limits: Record<string, number>,
): string | undefined {
  const { body, encoding } = request;
  if (body === undefined) return undefined;
  if (typeof body === 'string') return template(body).render(values, asIs);
  const rendered = renderValue(body, values);
  applyLimits(rendered, limits);
  if (encoding === 'json') return JSON.stringify(rendered);
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(rendered as Record<string, unknown>)) {
    // An absent value leaves its field out (Pushover refuses an empty `title`, for one).
    if (value !== undefined && value !== null && value !== '') form.append(key, formText(value));
  }
  return form.toString();
}

/** The request for these values: the `resolved` variant for a resolution, when there is one. */
export function buildRequest(config: HttpTargetConfig, values: RequestValues): HttpRequest {
  const resolved = values.status === 'resolved' ? config.resolved : undefined;
  const request: HttpRequestConfig = {
    method: resolved?.method ?? config.method,
    url: resolved?.url ?? config.url,
    headers: { ...config.headers, ...resolved?.headers },
    encoding: resolved?.encoding ?? config.encoding,
    body: resolved && 'body' in resolved ? resolved.body : config.body,
  };
  const body = renderBody(request, values, config.limits);
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = CONTENT_TYPES[request.encoding];
  for (const [name, value] of Object.entries(request.headers))
    headers[name.toLowerCase()] = headerSafe(template(value).render(values, asIs));
  return {
    method: request.method,
    url: template(request.url).render(values, encodeURIComponent),
    headers,
    body,
  };
}
