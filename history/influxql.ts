/**
 * The pieces of InfluxQL and of InfluxDB 1.x's /query answer the reader needs: quoting, series keys
 * (`measurement,tag=value,...` with `\` escapes, as SHOW SERIES prints them) and the JSON shape.
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

/** Splits on `separator` where it is not escaped by `\`, and removes the escapes. */
function splitUnescaped(text: string, separator: string, limit = Infinity): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (c === separator && parts.length < limit - 1) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

export interface SeriesKey {
  readonly measurement: string;
  readonly tags: Record<string, string>;
}

/** `cpu,host=web1,cpu=cpu-total` → measurement and tags. */
export function parseSeriesKey(key: string): SeriesKey {
  // Tags are split first on raw text: an escaped `,` or `=` belongs to its key or value.
  const pieces: string[] = [];
  let start = 0;
  for (let i = 0; i < key.length; i++) {
    if (key[i] === '\\') i++;
    else if (key[i] === ',') {
      pieces.push(key.slice(start, i));
      start = i + 1;
    }
  }
  pieces.push(key.slice(start));
  const [measurement = '', ...tagPieces] = pieces;
  const tags: Record<string, string> = {};
  for (const piece of tagPieces) {
    const [name = '', value = ''] = splitUnescaped(piece, '=', 2);
    tags[name] = value;
  }
  return { measurement: measurement.replace(/\\(.)/g, '$1'), tags };
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
