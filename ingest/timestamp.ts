/**
 * A reading time taken from a document (ingest rules' and Redis selections' `timestampPath`):
 * a number or a numeric string in a configured unit (`s`, `ms`, `us`, `ns`), with or without a
 * fraction (`1732530000.25` seconds), or an ISO 8601 date-time with a time zone.
 *
 * `auto` (the default) picks the unit by magnitude. Epoch seconds are the common case in scripts
 * and Redis values, milliseconds in JavaScript; read in the wrong unit a time lands in 1970 or in
 * the year 50000. Seconds up to 1e11 (year 5138) are taken as seconds, then milliseconds up to 1e14,
 * microseconds up to 1e17, nanoseconds above: the only times misread are milliseconds before
 * 1973-03-03 (and the like for finer units), which no live reading carries. Name the unit to be exact.
 */
import { CodecError } from '../core/codecs/codec-errors.js';
import { preview } from '../core/codecs/codec-errors.js';
import { jsonTimestampToNs } from '../core/codecs/payload-json.js';
import { toNs, type Precision } from '../core/codecs/metric.js';

export const TIMESTAMP_UNITS = ['auto', 's', 'ms', 'us', 'ns'] as const;
export type TimestampUnit = (typeof TIMESTAMP_UNITS)[number];

const DIGITS: Readonly<Record<Precision, number>> = { s: 9, ms: 6, us: 3, ns: 0 };
const DECIMAL = /^([-+]?)(\d+)(?:\.(\d*))?$/;
const SCIENTIFIC = /^[-+]?(\d+(\.\d*)?|\.\d+)[eE][-+]?\d+$/;

/** The unit `auto` reads a magnitude (of the whole part) in. */
function autoUnit(magnitude: number): Precision {
  if (magnitude < 1e11) return 's';
  if (magnitude < 1e14) return 'ms';
  if (magnitude < 1e17) return 'us';
  return 'ns';
}

/**
 * `value` as nanoseconds since the epoch. Throws a `CodecError` (reason `json`) that says what was
 * expected; the caller decides what a missing (undefined or null) timestamp means.
 */
export function timestampToNs(value: unknown, unit: TimestampUnit = 'auto'): bigint {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return toNs(value, unit === 'auto' ? autoUnit(Math.abs(value)) : unit);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    const decimal = DECIMAL.exec(text);
    if (decimal) return decimalToNs(decimal[1]!, decimal[2]!, decimal[3] ?? '', unit);
    if (SCIENTIFIC.test(text)) return timestampToNs(Number(text), unit);
    // Starts like a date: its own message says what is wrong with it (2026-02-30 is no date).
    if (/^\d{4}-/.test(text)) return jsonTimestampToNs(text);
  }
  throw new CodecError(
    'json',
    `${preview(value)} is not a timestamp: expected a number (or numeric string) of ${
      unit === 'auto' ? 's, ms, us or ns' : unit
    } since the epoch or an ISO 8601 date-time with a time zone`,
  );
}

/** A decimal string read exactly: `1732530000.123456789` seconds keeps every digit. */
function decimalToNs(sign: string, whole: string, fraction: string, unit: TimestampUnit): bigint {
  const precision = unit === 'auto' ? autoUnit(Number(whole)) : unit;
  const digits = DIGITS[precision];
  const ns =
    BigInt(whole) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0').slice(0, digits) || 0);
  return sign === '-' ? -ns : ns;
}
