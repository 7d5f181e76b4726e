/**
 * JSON metric payloads, for devices and scripts that find JSON easier than line protocol:
 *
 *   { "measurement": "cpu", "tags": { "host": "a" }, "fields": { "usage": 12.5, "ok": true },
 *     "timestamp": 1700000000000 }          (or an array of such objects)
 *
 * JSON numbers become float fields, booleans boolean, strings string; `{ "value": "123", "type":
 * "integer" }` picks a type explicitly (a string keeps every digit of a 64-bit integer, a JSON number
 * does not). Numeric timestamps are milliseconds; strings are ISO 8601 with a time zone.
 * Like the line protocol parser, one bad metric is reported by path and the others are kept.
 */
import { CodecError, formatPath, preview, type CodecReason } from './codec-errors.js';
import {
  FIELD_TYPES,
  coerceField,
  isFieldType,
  setEntry,
  toNs,
  validateMetric,
  type Field,
  type Metric,
} from './metric.js';

export interface JsonError {
  /** Where in the payload: `[2].fields.temp`; empty for the payload as a whole. */
  path: string;
  reason: CodecReason;
  /** Path and reason: `[2].fields.temp: expected number, boolean or string`. */
  message: string;
}

export interface JsonOptions {
  /** Nanoseconds given to metrics without a timestamp; without it they stay without one. */
  defaultTimestamp?: bigint;
}

type Segments = (string | number)[];
type JsonObject = Record<string, unknown>;

const METRIC_KEYS: ReadonlySet<string> = new Set(['measurement', 'tags', 'fields', 'timestamp']);
const TYPED_VALUE_KEYS: ReadonlySet<string> = new Set(['value', 'type']);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses `text` as JSON, then reads metrics from it with `jsonToMetrics`. */
export function parseJsonMetrics(
  text: string,
  options: JsonOptions = {},
): { metrics: Metric[]; errors: JsonError[] } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { metrics: [], errors: [{ path: '', reason: 'json', message: `not JSON: ${why}` }] };
  }
  return jsonToMetrics(document, options);
}

/** Metrics from an already parsed JSON document: one metric object or an array of them. */
export function jsonToMetrics(
  document: unknown,
  options: JsonOptions = {},
): { metrics: Metric[]; errors: JsonError[] } {
  const metrics: Metric[] = [];
  const errors: JsonError[] = [];
  if (Array.isArray(document)) {
    document.forEach((item, index) => {
      const metric = readMetric(item, [index], errors, options);
      if (metric) metrics.push(metric);
    });
  } else if (isObject(document)) {
    const metric = readMetric(document, [], errors, options);
    if (metric) metrics.push(metric);
  } else {
    errors.push({ path: '', reason: 'json', message: 'expected a metric object or an array of them' });
  }
  return { metrics, errors };
}

function pushError(errors: JsonError[], at: Segments, reason: CodecReason, why: string): void {
  const path = formatPath(at);
  errors.push({ path, reason, message: path === '' ? why : `${path}: ${why}` });
}

function readMetric(
  item: unknown,
  at: Segments,
  errors: JsonError[],
  options: JsonOptions,
): Metric | undefined {
  const before = errors.length;
  if (!isObject(item)) {
    pushError(errors, at, 'json', 'expected an object with "measurement" and "fields"');
    return undefined;
  }
  for (const key of Object.keys(item)) {
    if (!METRIC_KEYS.has(key))
      pushError(errors, [...at, key], 'json', 'unknown key (measurement, tags, fields, timestamp)');
  }
  const { measurement, tags: rawTags, fields: rawFields, timestamp: rawTimestamp } = item;
  if (typeof measurement !== 'string') pushError(errors, [...at, 'measurement'], 'json', 'expected a string');
  const tags = readTags(rawTags, [...at, 'tags'], errors);
  const fields = readFields(rawFields, [...at, 'fields'], errors);
  let timestamp = options.defaultTimestamp;
  if (rawTimestamp !== undefined) {
    try {
      timestamp = jsonTimestampToNs(rawTimestamp);
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      pushError(errors, [...at, 'timestamp'], error.reason, error.message);
    }
  }
  if (errors.length > before || typeof measurement !== 'string') return undefined;
  const metric: Metric =
    timestamp === undefined ? { measurement, tags, fields } : { measurement, tags, fields, timestamp };
  const problems = validateMetric(metric);
  if (problems.length === 0) return metric;
  const prefix = formatPath(at);
  for (const problem of problems) {
    const path = prefix === '' ? problem.path : `${prefix}.${problem.path}`;
    errors.push({ path, reason: 'metric', message: `${path}: ${problem.message}` });
  }
  return undefined;
}

/** Tag values are strings; a number or boolean is taken as its text, as a device means it. */
function readTags(raw: unknown, at: Segments, errors: JsonError[]): Record<string, string> {
  const tags: Record<string, string> = {};
  if (raw === undefined) return tags;
  if (!isObject(raw)) {
    pushError(errors, at, 'json', 'expected an object of strings');
    return tags;
  }
  for (const [key, value] of Object.entries(raw)) {
    if (
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    ) {
      setEntry(tags, key, String(value));
    } else {
      pushError(errors, [...at, key], 'json', 'expected a string');
    }
  }
  return tags;
}

function readFields(raw: unknown, at: Segments, errors: JsonError[]): Record<string, Field> {
  const fields: Record<string, Field> = {};
  if (!isObject(raw)) {
    pushError(errors, at, 'json', 'expected an object of fields');
    return fields;
  }
  for (const [key, value] of Object.entries(raw)) {
    const field = readField(value, [...at, key], errors);
    if (field) setEntry(fields, key, field);
  }
  return fields;
}

function readField(value: unknown, at: Segments, errors: JsonError[]): Field | undefined {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string')
    return coerceField(value);
  if (!isObject(value) || !('value' in value)) {
    pushError(errors, at, 'json', 'expected number, boolean or string');
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!TYPED_VALUE_KEYS.has(key)) pushError(errors, [...at, key], 'json', 'unknown key (value, type)');
  }
  const { value: inner, type } = value;
  if (type !== undefined && !isFieldType(type)) {
    pushError(errors, [...at, 'type'], 'json', `expected one of ${FIELD_TYPES.join(', ')}`);
    return undefined;
  }
  if (typeof inner !== 'number' && typeof inner !== 'boolean' && typeof inner !== 'string') {
    pushError(errors, [...at, 'value'], 'json', 'expected number, boolean or string');
    return undefined;
  }
  try {
    return coerceField(inner, type);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    pushError(errors, at, error.reason, error.message);
    return undefined;
  }
}

// Date.parse accepts many local, zone-less forms; a timestamp must say which instant it means.
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * A JSON timestamp as nanoseconds: a number of milliseconds since the epoch (fractions kept), or an
 * ISO 8601 date-time with a time zone (`2026-11-25T10:00:00Z`, up to nanosecond digits).
 * Throws a `CodecError` (reason `json`).
 */
export function jsonTimestampToNs(value: unknown): bigint {
  if (typeof value === 'number' && Number.isFinite(value)) return toNs(value, 'ms');
  const match = typeof value === 'string' ? ISO_8601.exec(value.trim()) : null;
  if (!match) {
    throw new CodecError(
      'json',
      `${preview(value)} is not a timestamp: expected milliseconds since the epoch or an ISO 8601 date-time with a time zone`,
    );
  }
  const part = (index: number): number => Number(match[index] ?? 0);
  const [year, month, day, hour, minute, second] = [part(1), part(2) - 1, part(3), part(4), part(5), part(6)];
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, 0);
  // setUTC* roll 2026-02-30 over to March; a date that moved was not a real date.
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  if (!valid) throw new CodecError('json', `${preview(value)} is not a valid date-time`);
  const zone = match[8] ?? 'Z';
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes =
      (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * (zone.startsWith('-') ? -1 : 1);
  }
  const fraction = BigInt((match[7] ?? '').padEnd(9, '0'));
  return BigInt(date.getTime() - offsetMinutes * 60_000) * 1_000_000n + fraction;
}

const ARRAY_INDEX = /^(0|[1-9]\d*)$/;

/**
 * The value at a dotted path (`sensor.temp`, `values.0.c`; numeric segments index arrays), or
 * undefined when any step is missing. Only own properties are followed, so `constructor` or
 * `__proto__` in a path never reaches into prototypes. A key that itself contains a dot cannot be named.
 */
export function getPath(obj: unknown, path: string): unknown {
  if (path === '') return obj;
  let current = obj;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) {
      if (!ARRAY_INDEX.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (isObject(current) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      return undefined;
    }
  }
  return current;
}
