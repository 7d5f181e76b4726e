/**
 * Building metrics from readings: a field is left out when its value is unknown (null, undefined,
 * NaN), never written as 0, so a missing sensor or an unreadable counter is a gap, not a false value.
 */
import type { Field, Metric } from '../../core/codecs/metric.js';

export class Fields {
  readonly record: Record<string, Field> = {};

  /** A float field (percentages, rates, temperatures, load). */
  float(name: string, value: number | null | undefined): this {
    if (typeof value === 'number' && Number.isFinite(value)) this.record[name] = { type: 'float', value };
    return this;
  }

  /** An integer field (bytes, counts); numbers are rounded. */
  int(name: string, value: number | bigint | null | undefined): this {
    if (typeof value === 'bigint') this.record[name] = { type: 'integer', value };
    else if (typeof value === 'number' && Number.isFinite(value))
      this.record[name] = { type: 'integer', value: BigInt(Math.round(value)) };
    return this;
  }

  get empty(): boolean {
    return Object.keys(this.record).length === 0;
  }
}

/**
 * A tag value that line protocol can carry: host data (a command name, a mount point) may hold
 * control characters or end with a backslash, which no line can (see core/codecs/metric.ts nameProblem).
 */
export function tagValue(text: string): string {
  const cleaned = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  if (cleaned === '') return '_';
  return cleaned.endsWith('\\') ? `${cleaned}_` : cleaned;
}

/** A metric, or nothing when no field is known (a line protocol point needs at least one field). */
export function point(
  measurement: string,
  tags: Record<string, string>,
  fields: Fields,
  timestamp: bigint,
): Metric[] {
  if (fields.empty) return [];
  const safeTags: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) safeTags[key] = tagValue(value);
  return [{ measurement, tags: safeTags, fields: fields.record, timestamp }];
}

/** `part / whole` in percent, clamped to 0..100; undefined when `whole` is not positive. */
export function percent(part: number, whole: number): number | undefined {
  if (!(whole > 0)) return undefined;
  return Math.min(100, Math.max(0, (part / whole) * 100));
}
