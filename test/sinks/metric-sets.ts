/**
 * Points as a set of `series|time|value` strings, so tests compare what was published with what a
 * database holds by content, not by count.
 */
import type { ExportedSeries } from '../helpers/victoria-metrics.js';

/** A generated point: one line with one float field. */
export interface SentPoint {
  readonly line: string;
  readonly key: string;
}

/**
 * `count` points of measurement `m`, spread over `hosts` tag values, at distinct millisecond times
 * from `startMs` (VictoriaMetrics keeps milliseconds), as line protocol with nanosecond timestamps.
 */
export function makePoints(
  measurement: string,
  count: number,
  startMs: number,
  hosts = 10,
  offset = 0,
): SentPoint[] {
  const points: SentPoint[] = [];
  for (let i = offset; i < offset + count; i++) {
    const host = `h${i % hosts}`;
    const value = (i * 0.25) % 1000;
    const ms = startMs + i;
    points.push({
      line: `${measurement},host=${host} value=${value} ${ms}000000`,
      key: `${measurement}.value{host=${host}}|${ms}|${value}`,
    });
  }
  return points;
}

/** The same keys from a VictoriaMetrics export (series `<measurement>_value{host=...}`). */
export function exportedKeys(series: ExportedSeries[], measurement: string): Set<string> {
  const keys = new Set<string>();
  for (const { metric, values, timestamps } of series) {
    if (metric.__name__ !== `${measurement}_value`) continue;
    values.forEach((value, i) =>
      keys.add(`${measurement}.value{host=${metric.host}}|${timestamps[i]}|${value}`),
    );
  }
  return keys;
}

/** The same keys from InfluxQL rows (time in nanoseconds). */
export function influxKeys(rows: Record<string, unknown>[], measurement: string): Set<string> {
  return new Set(
    rows.map(
      (row) =>
        `${measurement}.value{host=${String(row.host)}}|${Math.round(Number(row.time) / 1e6)}|${String(row.value)}`,
    ),
  );
}

/** Keys present in `expected` and missing from `actual` (first few), for readable failures. */
export function missing(expected: Iterable<string>, actual: Set<string>, limit = 5): string[] {
  const out: string[] = [];
  for (const key of expected) {
    if (!actual.has(key)) out.push(key);
    if (out.length >= limit) break;
  }
  return out;
}
