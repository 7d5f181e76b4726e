/**
 * The pieces of InfluxQL and of InfluxDB 1.x's /query answer the reader needs: quoting and the JSON
 * shape of an answer.
 * https://docs.influxdata.com/influxdb/v1/query_language/spec/ (identifiers, string literals).
 */

/** `"name"`, for measurements, fields and tag keys. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/[\\"]/g, '\\$&')}"`;
}

/** `'value'`, for tag values. */
export function quoteString(value: string): string {
  return `'${value.replace(/[\\']/g, '\\$&')}'`;
}

/** `time >= ...ms AND time <= ...ms`, inclusive like the embedded store. */
export function timeRange(from: number, to: number): string {
  return `time >= ${Math.floor(from)}ms AND time <= ${Math.floor(to)}ms`;
}

export interface QuerySeries {
  readonly name: string;
  readonly tags?: Record<string, string>;
  readonly columns: string[];
  readonly values?: unknown[][];
}

export interface QueryAnswer {
  readonly results?: { readonly series?: QuerySeries[]; readonly error?: string }[];
  readonly error?: string;
}

/** A group's tags without the keys GROUP BY * lists empty (tags the series does not have). */
export function presentTags(tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags ?? {})) if (value !== '') out[key] = value;
  return out;
}

export function sameTags(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
