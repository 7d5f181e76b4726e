/**
 * InfluxDB line protocol, read and written exactly as the reference describes it:
 * https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/
 *
 *   <measurement>[,<tag_key>=<tag_value>...] <field_key>=<field_value>[,...] [<timestamp>]
 *
 * Escapes (spec, "Special characters"): measurement `\,` `\ `; tag keys, tag values and field keys
 * `\,` `\=` `\ `; string field values `\"` `\\`. A backslash before any other character is a literal
 * backslash (spec: `\` alone is read as `\`), so `field_k\ey` is the key `field_k\ey`.
 *
 * Newlines: the spec says line protocol "does not support the newline character in tag or field
 * values". Names and tag values may therefore not hold one (see `nameProblem`). Inside a quoted string
 * field value, InfluxDB's own parsers read a raw newline as part of the string, so this parser does
 * too and the serializer writes one unescaped: a string field round-trips whatever it holds.
 *
 * The parser is a single pass over the text with charCodeAt; a token without escapes becomes one
 * `slice`. A bad line is reported with its number and reason and parsing resumes on the next
 * physical line, so one bad line never costs the good lines around it.
 */
import { CodecError, preview } from './codec-errors.js';
import {
  INT64_MAX,
  INT64_MIN,
  MAX_STRING_BYTES,
  MAX_TIMESTAMP_NS,
  MIN_TIMESTAMP_NS,
  RESERVED_KEYS,
  UINT64_MAX,
  exceedsUtf8Bytes,
  isDecimalSyntax,
  isIntegerSyntax,
  precisionFactor,
  setEntry,
  validateMetric,
  type Field,
  type Metric,
  type Precision,
} from './metric.js';

export interface LineError {
  /** 1-based number of the physical line where the bad point starts. */
  line: number;
  /** The reason, without the line number: `field "temp" has invalid value "12.a"`. */
  message: string;
  /** The offending line as received (without its line ending). */
  text: string;
}

export interface ParseOptions {
  /** Unit of the timestamps in the text (default `ns`). */
  precision?: Precision;
  /** Nanoseconds given to points that carry no timestamp; without it they stay without one. */
  defaultTimestamp?: bigint;
}

export interface SerializeOptions {
  /** Unit of the written timestamps (default `ns`); finer digits are truncated, as InfluxDB's encoders do. */
  precision?: Precision;
}

/** `line 3: field "temp" has invalid value "12.a"`. */
export function formatLineError(error: LineError): string {
  return `line ${error.line}: ${error.message}`;
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const HASH = 0x23;
const COMMA = 0x2c;
const MINUS = 0x2d;
const EQUALS = 0x3d;
const BACKSLASH = 0x5c;
const LOWER_I = 0x69;
const LOWER_U = 0x75;

/** Spec, "Boolean": the accepted spellings, and only those. */
const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ...['t', 'T', 'true', 'True', 'TRUE'].map((word) => [word, true] as const),
  ...['f', 'F', 'false', 'False', 'FALSE'].map((word) => [word, false] as const),
]);

// What a name token is; measurements do not treat `=` as special (spec table: comma and space only).
const MEASUREMENT = 0;
const TAG_KEY = 1;
const TAG_VALUE = 2;
const FIELD_KEY = 3;
type NameKind = typeof MEASUREMENT | typeof TAG_KEY | typeof TAG_VALUE | typeof FIELD_KEY;
const NAME_LABELS = ['measurement', 'tag key', 'tag value', 'field key'] as const;

/** Thrown inside one line's parse and turned into a `LineError`; never leaves this module. */
class LineSyntaxError extends Error {
  constructor(
    message: string,
    /** The message already says a string is unterminated; no hint about missing quotes is needed. */
    readonly unterminated = false,
  ) {
    super(message);
  }
}

function fail(message: string): LineSyntaxError {
  return new LineSyntaxError(message);
}

function quoted(name: string): string {
  return preview(name, 80);
}

class PointScanner {
  /** Read position. */
  pos = 0;
  /** Newlines consumed by the current point, embedded ones included. */
  newlines = 0;

  constructor(
    private readonly text: string,
    private readonly factor: bigint,
    private readonly defaultTimestamp: bigint | undefined,
  ) {}

  point(start: number): Metric {
    const text = this.text;
    this.pos = start;
    this.newlines = 0;
    const measurement = this.name(MEASUREMENT);
    if (measurement === '') throw fail('missing measurement');
    const tags: Record<string, string> = {};
    let c = text.charCodeAt(this.pos);
    while (c === COMMA) {
      this.pos++;
      const key = this.name(TAG_KEY);
      if (key === '') throw fail('empty tag key');
      if (text.charCodeAt(this.pos) !== EQUALS) throw fail(`tag ${quoted(key)} has no "=" and value`);
      this.pos++;
      const value = this.name(TAG_VALUE);
      // Spec: "Tag values cannot be empty; instead, omit the tag from the tag set."
      if (value === '') throw fail(`tag ${quoted(key)} has an empty value`);
      if (RESERVED_KEYS.has(key)) throw fail(`tag key ${quoted(key)} is reserved`);
      // A tag set names one series; InfluxDB refuses a point that gives one tag two values.
      if (Object.hasOwn(tags, key)) throw fail(`tag ${quoted(key)} appears twice`);
      setEntry(tags, key, value);
      c = text.charCodeAt(this.pos);
      if (c === EQUALS) throw fail(`tag ${quoted(key)} has an unescaped "=" in its value`);
    }
    if (c !== SPACE) throw fail(this.atLineEnd() ? 'missing fields' : `unexpected ${this.here()}`);
    this.skipSpaces();
    if (this.atLineEnd()) throw fail('missing fields');

    const fields: Record<string, Field> = {};
    let key: string;
    for (;;) {
      key = this.name(FIELD_KEY);
      if (key === '')
        throw fail(this.atLineEnd() ? 'missing fields' : `missing field key before ${this.here()}`);
      if (text.charCodeAt(this.pos) !== EQUALS) throw fail(`field ${quoted(key)} has no "=" and value`);
      this.pos++;
      const field = this.fieldValue(key);
      if (RESERVED_KEYS.has(key)) throw fail(`field key ${quoted(key)} is reserved`);
      // Duplicate keys: the last wins, as for duplicate points ("conflicts favor the new field set").
      setEntry(fields, key, field);
      if (text.charCodeAt(this.pos) !== COMMA) break;
      this.pos++;
    }

    let timestamp = this.defaultTimestamp;
    if (text.charCodeAt(this.pos) === SPACE) {
      this.skipSpaces();
      if (!this.atLineEnd()) {
        timestamp = this.timestamp();
        this.skipSpaces();
        if (!this.atLineEnd()) throw fail(`unexpected text after the timestamp: ${this.here()}`);
      }
    } else if (!this.atLineEnd()) {
      throw fail(`unexpected ${this.here()} after field ${quoted(key)}`);
    }
    this.consumeLineEnd();
    return timestamp === undefined ? { measurement, tags, fields } : { measurement, tags, fields, timestamp };
  }

  /** A measurement, key or tag value: up to an unescaped separator or the line end. */
  private name(kind: NameKind): string {
    const text = this.text;
    const end = text.length;
    const equalsSpecial = kind !== MEASUREMENT;
    const start = this.pos;
    let escaped = false;
    let i = start;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH) {
        const next = text.charCodeAt(i + 1);
        if (next === COMMA || next === SPACE || (next === EQUALS && equalsSpecial)) {
          escaped = true;
          i += 2;
        } else {
          i++; // a literal backslash; the next character is read on its own
        }
        continue;
      }
      if (c === COMMA || c === SPACE || (c === EQUALS && equalsSpecial) || c === LF || c === CR) break;
      if (c < 0x20 || c >= 0x7f) i = this.unusual(c, i, kind);
      else i++;
    }
    this.pos = i;
    return escaped ? unescapeName(text, start, i, equalsSpecial) : text.slice(start, i);
  }

  /** Control characters are refused (see `nameProblem`); other non-ASCII must be well-formed UTF-16. */
  private unusual(c: number, i: number, kind: NameKind): number {
    if (c < 0x20 || c === 0x7f) throw fail(`${NAME_LABELS[kind]} contains a control character`);
    if (c < 0xd800 || c > 0xdfff) return i + 1;
    const next = this.text.charCodeAt(i + 1);
    if (c >= 0xdc00 || !(next >= 0xdc00 && next <= 0xdfff)) {
      throw fail(`${NAME_LABELS[kind]} is not well-formed Unicode`);
    }
    return i + 2;
  }

  private fieldValue(key: string): Field {
    const text = this.text;
    const start = this.pos;
    if (text.charCodeAt(start) === QUOTE) return this.stringValue(key);
    let end = start;
    for (; end < text.length; end++) {
      const c = text.charCodeAt(end);
      if (c === COMMA || c === SPACE || c === LF || c === CR) break;
    }
    this.pos = end;
    if (end === start) throw fail(`field ${quoted(key)} has no value`);
    const first = text.charCodeAt(start);
    const last = text.charCodeAt(end - 1);
    if (last === LOWER_I && isIntegerSyntax(text, start, end - 1)) {
      const value = BigInt(text.slice(start, end - 1));
      if (value < INT64_MIN || value > INT64_MAX)
        throw fail(`field ${quoted(key)} is outside the integer range`);
      return { type: 'integer', value };
    }
    if (last === LOWER_U && first !== MINUS && isIntegerSyntax(text, start, end - 1)) {
      const value = BigInt(text.slice(start, end - 1));
      if (value > UINT64_MAX) throw fail(`field ${quoted(key)} is outside the unsigned range`);
      return { type: 'unsigned', value };
    }
    if (isDecimalSyntax(text, start, end)) {
      const value = Number(text.slice(start, end));
      // Spec, data types: floats are IEEE-754 64-bit "except NaN or +/- Inf"; `1e400` overflows to Inf.
      if (!Number.isFinite(value)) throw fail(`field ${quoted(key)} is outside the float range`);
      return { type: 'float', value };
    }
    const word = BOOLEANS.get(text.slice(start, end));
    if (word !== undefined) return { type: 'boolean', value: word };
    throw fail(`field ${quoted(key)} has invalid value ${preview(text.slice(start, end))}`);
  }

  private stringValue(key: string): Field {
    const text = this.text;
    const start = this.pos + 1;
    let escaped = false;
    let i = start;
    for (;;) {
      if (i >= text.length)
        throw new LineSyntaxError(`field ${quoted(key)} has an unterminated string`, true);
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        const next = text.charCodeAt(i + 1);
        if (next === BACKSLASH || next === QUOTE) {
          escaped = true;
          i += 2;
          continue;
        }
      } else if (c === LF) {
        this.newlines++;
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const next = text.charCodeAt(i + 1);
        if (c >= 0xdc00 || !(next >= 0xdc00 && next <= 0xdfff)) {
          throw fail(`field ${quoted(key)} is not well-formed Unicode`);
        }
        i++;
      }
      i++;
    }
    this.pos = i + 1;
    const value = escaped ? unescapeString(text, start, i) : text.slice(start, i);
    if (exceedsUtf8Bytes(value, MAX_STRING_BYTES)) throw fail(`field ${quoted(key)} is longer than 64KB`);
    return { type: 'string', value };
  }

  private timestamp(): bigint {
    const text = this.text;
    const start = this.pos;
    let end = start;
    for (; end < text.length; end++) {
      const c = text.charCodeAt(end);
      if (c === SPACE || c === LF || c === CR) break;
    }
    this.pos = end;
    if (!isIntegerSyntax(text, start, end))
      throw fail(`invalid timestamp ${preview(text.slice(start, end))}`);
    const ns = BigInt(text.slice(start, end)) * this.factor;
    if (ns < MIN_TIMESTAMP_NS || ns > MAX_TIMESTAMP_NS) {
      throw fail(`timestamp ${text.slice(start, end)} is outside the range InfluxDB stores`);
    }
    return ns;
  }

  private skipSpaces(): void {
    while (this.text.charCodeAt(this.pos) === SPACE) this.pos++;
  }

  /** End of text, `\n`, or `\r\n` (a `\r` alone only as the very last character). */
  private atLineEnd(): boolean {
    const c = this.text.charCodeAt(this.pos);
    if (this.pos >= this.text.length || c === LF) return true;
    return c === CR && (this.pos + 1 === this.text.length || this.text.charCodeAt(this.pos + 1) === LF);
  }

  private consumeLineEnd(): void {
    const c = this.text.charCodeAt(this.pos);
    if (c === CR) this.pos++;
    if (this.text.charCodeAt(this.pos) === LF) {
      this.pos++;
      this.newlines++;
    }
  }

  private here(): string {
    return preview(this.text.charAt(this.pos));
  }
}

function unescapeName(text: string, start: number, end: number, equalsSpecial: boolean): string {
  let out = '';
  let from = start;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) !== BACKSLASH) continue;
    const next = text.charCodeAt(i + 1);
    if (next === COMMA || next === SPACE || (next === EQUALS && equalsSpecial)) {
      out += text.slice(from, i);
      from = i + 1;
      i++;
    }
  }
  return out + text.slice(from, end);
}

/** Spec, "Escaping backslashes": `\\` is `\`, `\"` is `"`; any other backslash stays. */
function unescapeString(text: string, start: number, end: number): string {
  let out = '';
  let from = start;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) !== BACKSLASH) continue;
    const next = text.charCodeAt(i + 1);
    if (next === BACKSLASH || next === QUOTE) {
      out += text.slice(from, i);
      from = i + 1;
      i++;
    }
  }
  return out + text.slice(from, end);
}

/**
 * Every point of `text`. Blank lines and `#` comment lines (spec, "Comments") are skipped; `\n` and
 * `\r\n` both end a line. A bad point becomes a `LineError` and parsing resumes on the next physical
 * line, so an unterminated string cannot swallow the lines after it.
 */
export function parseLineProtocol(
  text: string,
  options: ParseOptions = {},
): { metrics: Metric[]; errors: LineError[] } {
  const scanner = new PointScanner(
    text,
    precisionFactor(options.precision ?? 'ns'),
    options.defaultTimestamp,
  );
  const metrics: Metric[] = [];
  const errors: LineError[] = [];
  const length = text.length;
  let pos = 0;
  let line = 1;
  while (pos < length) {
    let start = pos;
    let c = text.charCodeAt(start);
    while (c === SPACE || c === TAB) c = text.charCodeAt(++start);
    if (start >= length) break;
    if (c === HASH) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) break;
      pos = newline + 1;
      line++;
      continue;
    }
    if (c === LF) {
      pos = start + 1;
      line++;
      continue;
    }
    if (c === CR) {
      if (text.charCodeAt(start + 1) === LF) {
        pos = start + 2;
        line++;
        continue;
      }
      if (start + 1 >= length) break;
      // A `\r` that ends no line goes to the point parser, which reports it.
    }
    try {
      metrics.push(scanner.point(start));
      pos = scanner.pos;
      line += scanner.newlines;
    } catch (error) {
      if (!(error instanceof LineSyntaxError)) throw error;
      const newline = text.indexOf('\n', start);
      const lineEnd = newline < 0 ? length : newline;
      const raw = text.slice(pos, lineEnd);
      // The usual cause of an error past a newline inside a string is a missing closing quote.
      const hint =
        scanner.newlines > 0 && !error.unterminated
          ? ' (after a string that spans lines: is a quote missing?)'
          : '';
      errors.push({ line, message: error.message + hint, text: raw.endsWith('\r') ? raw.slice(0, -1) : raw });
      pos = lineEnd + 1;
      line++;
    }
  }
  return { metrics, errors };
}

const NEEDS_STRING_ESCAPE = /["\\]/g;

/** One line (no line ending). Throws a `CodecError` (reason `line-protocol`) when the metric is invalid. */
export function serializeMetric(metric: Metric, options: SerializeOptions = {}): string {
  return serialize(metric, precisionFactor(options.precision ?? 'ns'), '');
}

/** The metrics as lines joined by `\n`, without a trailing newline. */
export function serializeLineProtocol(metrics: readonly Metric[], options: SerializeOptions = {}): string {
  const factor = precisionFactor(options.precision ?? 'ns');
  return metrics.map((metric, index) => serialize(metric, factor, `metric [${index}]: `)).join('\n');
}

function serialize(metric: Metric, factor: bigint, label: string): string {
  const problems = validateMetric(metric);
  if (problems.length > 0) {
    const reasons = problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
    throw new CodecError('line-protocol', `${label}cannot write as line protocol: ${reasons}`);
  }
  let out = escapeName(metric.measurement, false);
  const tagKeys = Object.keys(metric.tags);
  // Canonical form: tags sorted as Go's bytes.Compare sorts them (spec, performance tips).
  if (tagKeys.length > 1) tagKeys.sort(compareCodePoints);
  for (const key of tagKeys)
    out += `,${escapeName(key, true)}=${escapeName(metric.tags[key] as string, true)}`;
  let separator = ' ';
  for (const [key, field] of Object.entries(metric.fields)) {
    out += `${separator}${escapeName(key, true)}=${formatValue(field)}`;
    separator = ',';
  }
  if (metric.timestamp !== undefined) out += ` ${metric.timestamp / factor}`;
  return out;
}

function formatValue(field: Field): string {
  switch (field.type) {
    case 'float':
      // String() gives the shortest text that reads back as the same double; it drops the sign of -0.
      return Object.is(field.value, -0) ? '-0' : String(field.value);
    case 'integer':
      return `${field.value}i`;
    case 'unsigned':
      return `${field.value}u`;
    case 'boolean':
      return field.value ? 'true' : 'false';
    case 'string':
      return `"${field.value.replace(NEEDS_STRING_ESCAPE, '\\$&')}"`;
  }
}

/** A tag key or value escaped for line protocol (`,`, `=` and space). */
export function escapeTagText(text: string): string {
  return escapeName(text, true);
}

function escapeName(name: string, equalsSpecial: boolean): string {
  let out = '';
  let from = 0;
  let escaped = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === COMMA || c === SPACE || (c === EQUALS && equalsSpecial)) {
      out += `${name.slice(from, i)}\\`;
      from = i;
      escaped = true;
    }
  }
  return escaped ? out + name.slice(from) : name;
}

/**
 * Code point order, which is UTF-8 byte order. Plain `<` compares UTF-16 units and would put
 * U+E000..U+FFFF after astral characters, unlike Go.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
