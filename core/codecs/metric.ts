/**
 * The metric every busbar component exchanges: InfluxDB's data model (measurement, tag set, field set,
 * timestamp). The limits of the line protocol reference are enforced here, once, so that any metric
 * that passes `validateMetric` can be written as line protocol and read back unchanged.
 * Spec: https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/ (and the v1 reference
 * for reserved keys and the float range).
 */
import { CodecError, formatPath, preview } from './codec-errors.js';

export type FieldType = 'float' | 'integer' | 'unsigned' | 'boolean' | 'string';

export type Field =
  | { type: 'float'; value: number }
  | { type: 'integer'; value: bigint } // signed 64-bit range, enforced
  | { type: 'unsigned'; value: bigint } // 0 .. 2^64-1, enforced
  | { type: 'boolean'; value: boolean }
  | { type: 'string'; value: string };

export interface Metric {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, Field>;
  /** Nanoseconds since the epoch; absent = the receiver assigns one. */
  timestamp?: bigint;
}

export type Precision = 'ns' | 'us' | 'ms' | 's';

export const FIELD_TYPES: readonly FieldType[] = ['float', 'integer', 'unsigned', 'boolean', 'string'];
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;
/** The spec's timestamp range: int64 without its extreme values, which InfluxDB keeps for itself. */
export const MIN_TIMESTAMP_NS = -9223372036854775806n;
export const MAX_TIMESTAMP_NS = 9223372036854775806n;
/** Spec, data types: strings have a "length limit 64KB" (bytes of UTF-8). */
export const MAX_STRING_BYTES = 64 * 1024;
/**
 * v1 reference: "`time` cannot be a field key or tag key; InfluxDB rejects writes with `time`", and
 * points with `_field` or `_measurement` as a tag or field key are discarded. The v2 page's wider
 * advice (no name may begin with `_`) is not enforced: InfluxDB accepts such writes, and devices send them.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['time', '_field', '_measurement']);

const PRECISION_NS: Readonly<Record<Precision, bigint>> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
};

export function isFieldType(value: unknown): value is FieldType {
  return typeof value === 'string' && (FIELD_TYPES as readonly string[]).includes(value);
}

/** Nanoseconds in one unit of `precision`. */
export function precisionFactor(precision: Precision): bigint {
  const factor = PRECISION_NS[precision];
  if (factor === undefined) throw new RangeError(`unknown precision ${preview(precision)} (ns, us, ms or s)`);
  return factor;
}

/** A timestamp in `precision` units as nanoseconds; fractional numbers keep their sub-unit part. */
export function toNs(value: bigint | number, precision: Precision): bigint {
  const factor = precisionFactor(precision);
  if (typeof value === 'bigint') return value * factor;
  if (!Number.isFinite(value)) throw new CodecError('type', `${preview(value)} is not a timestamp`);
  const whole = Math.trunc(value);
  // Split so that large values (ms since the epoch) keep every integer digit exactly.
  return BigInt(whole) * factor + BigInt(Math.round((value - whole) * Number(factor)));
}

/** Nanoseconds in `precision` units, truncated toward zero as InfluxDB's encoders do. */
export function fromNs(ns: bigint, precision: Precision): bigint {
  return ns / precisionFactor(precision);
}

// Date.now() has millisecond resolution; two readings of one series in one millisecond would share a
// timestamp, and InfluxDB keeps one point per series and timestamp. So the monotonic clock supplies
// the digits below the millisecond, re-anchored whenever it drifts a millisecond from the wall clock.
let anchorWallNs = BigInt(Date.now()) * 1_000_000n;
let anchorMonotonic = process.hrtime.bigint();

export function nowNs(): bigint {
  const monotonic = process.hrtime.bigint();
  const candidate = anchorWallNs + (monotonic - anchorMonotonic);
  const wall = BigInt(Date.now()) * 1_000_000n;
  const drift = candidate - wall;
  if (drift < -1_000_000n || drift > 1_000_000n) {
    anchorWallNs = wall;
    anchorMonotonic = monotonic;
    return wall;
  }
  return candidate;
}

/** Numeric view for alarms and charts: booleans are 1/0, strings have none. */
export function fieldNumber(field: Field): number | undefined {
  switch (field.type) {
    case 'float':
      return field.value;
    case 'integer':
    case 'unsigned':
      return Number(field.value);
    case 'boolean':
      return field.value ? 1 : 0;
    case 'string':
      return undefined;
  }
}

/**
 * Sets `record[key]` as an own property. Plain assignment of `__proto__` would replace the object's
 * prototype instead of storing a tag or field of that name.
 */
export function setEntry<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    record[key] = value;
  }
}

const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const UPPER_E = 0x45;
const LOWER_E = 0x65;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** `-?(digits[.digits]|.digits)([eE][+-]?digits)?`: the float syntax of line protocol (no inf, nan, hex). */
export function isDecimalSyntax(text: string, start = 0, end = text.length): boolean {
  let i = start;
  if (i < end && text.charCodeAt(i) === MINUS) i++;
  const integerStart = i;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  let digits = i - integerStart;
  if (i < end && text.charCodeAt(i) === DOT) {
    const fractionStart = ++i;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    digits += i - fractionStart;
  }
  if (digits === 0) return false;
  if (i < end && (text.charCodeAt(i) === LOWER_E || text.charCodeAt(i) === UPPER_E)) {
    i++;
    if (i < end && (text.charCodeAt(i) === PLUS || text.charCodeAt(i) === MINUS)) i++;
    const exponentStart = i;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    if (i === exponentStart) return false;
  }
  return i === end;
}

/** `-?digits`. */
export function isIntegerSyntax(text: string, start = 0, end = text.length): boolean {
  let i = start;
  if (i < end && text.charCodeAt(i) === MINUS) i++;
  if (i === end) return false;
  for (; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

const TRUE_WORDS: ReadonlySet<string> = new Set(['true', 't', 'on', 'yes', '1']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', 'f', 'off', 'no', '0']);

function refuse(value: unknown, type: FieldType, why: string): CodecError {
  const article = type === 'integer' || type === 'unsigned' ? 'an' : 'a';
  const what = type === 'unsigned' ? 'unsigned' : `${article} ${type}`;
  return new CodecError('type', `${preview(value)} cannot be ${what}: ${why}`);
}

/** A JS string holding a number, with an optional leading `+` as devices often send. */
function numericText(text: string): string {
  const trimmed = text.trim();
  return trimmed.startsWith('+') && !trimmed.startsWith('+-') ? trimmed.slice(1) : trimmed;
}

function toFloat(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw refuse(value, 'float', 'not finite');
    return value;
  }
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const text = numericText(value);
    if (!isDecimalSyntax(text)) throw refuse(value, 'float', 'not a number');
    const number = Number(text);
    if (!Number.isFinite(number)) throw refuse(value, 'float', 'outside the float64 range');
    return number;
  }
  throw refuse(value, 'float', 'expected a number, boolean or string');
}

function toBigInt(value: unknown, type: 'integer' | 'unsigned'): bigint {
  let result: bigint;
  if (typeof value === 'bigint') result = value;
  else if (typeof value === 'boolean') result = value ? 1n : 0n;
  else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw refuse(value, type, 'not a whole number');
    // Beyond 2^53 a JSON number has already lost digits; only a string keeps them.
    if (!Number.isSafeInteger(value)) throw refuse(value, type, 'beyond 2^53, send it as a string');
    result = BigInt(value);
  } else if (typeof value === 'string') {
    const text = numericText(value);
    if (!isIntegerSyntax(text)) {
      throw refuse(value, type, isDecimalSyntax(text) ? 'not a whole number' : 'not a number');
    }
    result = BigInt(text);
  } else throw refuse(value, type, 'expected a number, boolean or string');
  if (type === 'unsigned') {
    if (result < 0n) throw refuse(value, type, 'negative');
    if (result > UINT64_MAX) throw refuse(value, type, 'above 2^64-1');
  } else if (result < INT64_MIN || result > INT64_MAX) {
    throw refuse(value, type, 'outside the signed 64-bit range');
  }
  return result;
}

function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 1n) return true;
  if (value === 0 || value === 0n) return false;
  if (typeof value === 'number' || typeof value === 'bigint')
    throw refuse(value, 'boolean', 'only 0 and 1 are booleans');
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    throw refuse(value, 'boolean', 'expected true/false, on/off, yes/no or 1/0');
  }
  throw refuse(value, 'boolean', 'expected a boolean, number or string');
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  throw refuse(value, 'string', 'expected a string, number or boolean');
}

/**
 * A field from a JS value. With no type: number → float, boolean → boolean, string → string,
 * bigint → integer. With a type, the value is converted or a `CodecError` (reason `type`) says why not.
 */
export function coerceField(value: unknown, type?: FieldType): Field {
  switch (type ?? inferType(value)) {
    case 'float':
      return { type: 'float', value: toFloat(value) };
    case 'integer':
      return { type: 'integer', value: toBigInt(value, 'integer') };
    case 'unsigned':
      return { type: 'unsigned', value: toBigInt(value, 'unsigned') };
    case 'boolean':
      return { type: 'boolean', value: toBoolean(value) };
    case 'string':
      return { type: 'string', value: toText(value) };
    default:
      throw new CodecError('type', `unknown field type ${preview(type)}`);
  }
}

function inferType(value: unknown): FieldType {
  switch (typeof value) {
    case 'number':
      return 'float';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'bigint':
      return 'integer';
    default:
      throw new CodecError(
        'type',
        `${preview(value)} cannot be a field: expected a number, boolean or string`,
      );
  }
}

/** UTF-8 length, computed only when the string could exceed `limit` (3 bytes per UTF-16 unit at most). */
export function exceedsUtf8Bytes(text: string, limit: number): boolean {
  return text.length * 3 > limit && Buffer.byteLength(text, 'utf8') > limit;
}

/**
 * Why a measurement, tag key, tag value or field key cannot be written, or undefined. Besides the
 * spec's "cannot be empty", this follows InfluxData's reference encoder (line-protocol/v2): no ASCII
 * control characters (a newline would end the line; the spec: "does not support the newline character")
 * and no trailing backslash, which would escape the separator after it and so cannot round-trip.
 */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return 'must not contain control characters (newline, tab...)';
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = name.charCodeAt(i + 1);
      if (code >= 0xdc00 || !(next >= 0xdc00 && next <= 0xdfff)) return 'is not well-formed Unicode';
      i++;
    }
  }
  if (name.charCodeAt(name.length - 1) === 0x5c) return 'must not end with a backslash';
  return undefined;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function fieldProblem(field: Field): string | undefined {
  switch (field.type) {
    case 'float':
      return typeof field.value === 'number' && Number.isFinite(field.value)
        ? undefined
        : 'must be a finite number';
    case 'integer':
      return typeof field.value === 'bigint' && field.value >= INT64_MIN && field.value <= INT64_MAX
        ? undefined
        : 'must be a bigint in the signed 64-bit range';
    case 'unsigned':
      return typeof field.value === 'bigint' && field.value >= 0n && field.value <= UINT64_MAX
        ? undefined
        : 'must be a bigint from 0 to 2^64-1';
    case 'boolean':
      return typeof field.value === 'boolean' ? undefined : 'must be a boolean';
    case 'string':
      if (typeof field.value !== 'string') return 'must be a string';
      if (exceedsUtf8Bytes(field.value, MAX_STRING_BYTES)) return 'is longer than 64KB';
      return LONE_SURROGATE.test(field.value) ? 'is not well-formed Unicode' : undefined;
    default:
      return `has unknown type ${preview((field as { type: unknown }).type)}`;
  }
}

export interface MetricProblem {
  /** Where in the metric: `measurement`, `tags.host`, `fields["a b"]`, `timestamp`. */
  path: string;
  message: string;
}

/** Every reason the metric cannot be stored or written as line protocol; empty when it is valid. */
export function validateMetric(metric: Metric): MetricProblem[] {
  const problems: MetricProblem[] = [];
  const add = (path: (string | number)[], message: string) =>
    problems.push({ path: formatPath(path), message });
  if (typeof metric.measurement !== 'string') add(['measurement'], 'must be a string');
  else {
    const problem = nameProblem(metric.measurement);
    if (problem) add(['measurement'], problem);
    // A line that begins with `#` is a comment (spec, "Comments"), and `\#` is not an escape.
    else if (metric.measurement.startsWith('#')) add(['measurement'], 'must not begin with "#"');
  }
  for (const [key, value] of Object.entries(metric.tags ?? {})) {
    const problem =
      nameProblem(key) ?? (RESERVED_KEYS.has(key) ? 'is reserved (time, _field, _measurement)' : undefined);
    if (problem) add(['tags', key], `key ${problem}`);
    else if (typeof value !== 'string') add(['tags', key], 'must be a string');
    else {
      const valueProblem = nameProblem(value);
      if (valueProblem) add(['tags', key], valueProblem);
    }
  }
  const fields = Object.entries(metric.fields ?? {});
  if (fields.length === 0) add(['fields'], 'at least one field is required');
  for (const [key, field] of fields) {
    const problem =
      nameProblem(key) ?? (RESERVED_KEYS.has(key) ? 'is reserved (time, _field, _measurement)' : undefined);
    if (problem) add(['fields', key], `key ${problem}`);
    else {
      const valueProblem = fieldProblem(field);
      if (valueProblem) add(['fields', key], valueProblem);
    }
  }
  if (metric.timestamp !== undefined) {
    const ts = metric.timestamp;
    if (typeof ts !== 'bigint' || ts < MIN_TIMESTAMP_NS || ts > MAX_TIMESTAMP_NS) {
      add(['timestamp'], 'must be a bigint of nanoseconds within ±9223372036854775806');
    }
  }
  return problems;
}

/** Throws a `CodecError` (reason `metric`) naming every problem. */
export function assertValidMetric(metric: Metric): void {
  const problems = validateMetric(metric);
  if (problems.length > 0) {
    throw new CodecError(
      'metric',
      problems.map((problem) => `${problem.path}: ${problem.message}`).join('; '),
    );
  }
}
