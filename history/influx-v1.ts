/**
 * InfluxDB 1.x as a HistorySource, through its InfluxQL query API (GET /query?db=&q=&epoch=ms).
 * InfluxDB keeps no MQTT topic, so a series' source is one of its tags (`sourceTag`, by default
 * `host`: the host agent tags every point with its source name); series without it are listed
 * under source `-`. Series ids are positions in the listing, valid only within one answer: match
 * series by name across calls.
 */
import type { FieldType } from '../core/metric.js';
import { errorMessage } from '../core/errors.js';
import { niceStep } from '../sinks/history/resolution.js';
import { compilePattern, seriesName } from '../sinks/history/series-name.js';
import { DEFAULT_MAX_POINTS } from '../sinks/history/reader.js';
import { basicAuth, writeUrl } from '../sinks/influx/write-target.js';
import {
  parseSeriesKey,
  presentTags,
  quoteIdentifier,
  quoteString,
  sameTags,
  timeRange,
  type QueryAnswer,
  type QuerySeries,
} from './influxql.js';
import {
  HistoryUnavailableError,
  type HistorySource,
  type LatestValue,
  type RangeOptions,
  type RangeSeries,
  type SeriesInfo,
  type SourceInfo,
  type SummaryBucket,
} from './source.js';

export interface InfluxV1ReadConfig {
  /** The sink's name, for messages. */
  readonly sink: string;
  readonly url: string;
  readonly database: string;
  readonly retentionPolicy?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly sourceTag: string;
  readonly timeoutMs: number;
}

/** How long a listing of the series is reused. */
const LISTING_TTL_MS = 5_000;

const FIELD_TYPES: Readonly<Record<string, FieldType>> = {
  float: 'float',
  integer: 'integer',
  unsigned: 'unsigned',
  boolean: 'boolean',
  string: 'string',
};

/** Series of one measurement and field: one query answers all of them (GROUP BY *). */
function byMeasurementField(series: readonly SeriesInfo[]): SeriesInfo[][] {
  const groups = new Map<string, SeriesInfo[]>();
  for (const one of series) {
    const key = JSON.stringify([one.measurement, one.field]);
    const group = groups.get(key);
    if (group) group.push(one);
    else groups.set(key, [one]);
  }
  return [...groups.values()];
}

/** Whether InfluxQL's mean, min, max and sum take the field. */
function averageable(series: SeriesInfo): boolean {
  return series.type !== 'string' && series.type !== 'boolean';
}

function groupOf(answer: readonly QuerySeries[], series: SeriesInfo): QuerySeries | undefined {
  return answer.find((group) => sameTags(presentTags(group.tags), series.tags));
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/** Booleans are drawn and compared as 0 and 1, as the embedded store keeps them. */
function pointValue(value: unknown): number | string {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return typeof value === 'number' || typeof value === 'string' ? value : String(value);
}

export class InfluxV1History implements HistorySource {
  readonly name: string;
  /** /query under the configured base URL (path prefix kept), credentials taken out. */
  private readonly queryUrl: string;
  private readonly headers: Readonly<Record<string, string>>;
  /** Where, for messages: the URL without credentials. */
  private readonly where: string;
  private listing: { readonly at: number; readonly series: Promise<SeriesInfo[]> } | undefined;

  constructor(private readonly config: InfluxV1ReadConfig) {
    this.name = `influx:${config.sink}`;
    // The sink's own rule: credentials in the URL or in username/password, sent as basic auth.
    const { url, display, username, password } = writeUrl(config.url, '/query', { db: config.database });
    this.queryUrl = url;
    this.where = `InfluxDB (${this.name}) at ${display.replace(/\/query\?.*$/, '')}`;
    const user = config.username ?? username;
    const secret = config.password ?? password ?? '';
    this.headers = user === undefined ? {} : { authorization: basicAuth(user, secret) };
  }

  /** Runs one or more `;`-separated statements; the series of each, in order. */
  private async query(q: string): Promise<QuerySeries[][]> {
    const url = new URL(this.queryUrl);
    url.searchParams.set('q', q);
    url.searchParams.set('epoch', 'ms');
    const where = this.where;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: this.headers,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      throw new HistoryUnavailableError(`${where} does not answer: ${errorMessage(cause ?? error)}`);
    }
    const text = await response.text();
    let answer: QueryAnswer;
    try {
      answer = JSON.parse(text) as QueryAnswer;
    } catch {
      throw new HistoryUnavailableError(`${where} answered ${response.status}, not JSON`);
    }
    const failure = answer.error ?? answer.results?.find((result) => result.error)?.error;
    if (!response.ok || failure !== undefined) {
      throw new HistoryUnavailableError(
        `${where} refused the query (${response.status}): ${failure ?? text}`,
      );
    }
    return (answer.results ?? []).map((result) => result.series ?? []);
  }

  /**
   * Every series, sorted by name, with ids in that order. Listed again at most every
   * LISTING_TTL_MS: GRAPH asks for the list, then for each series it draws.
   */
  private listAll(): Promise<SeriesInfo[]> {
    const now = Date.now();
    if (this.listing === undefined || now - this.listing.at > LISTING_TTL_MS) {
      const series = this.listSeries();
      this.listing = { at: now, series };
      // A failure is not kept: the next call asks again.
      series.catch(() => {
        if (this.listing?.series === series) this.listing = undefined;
      });
    }
    return this.listing.series;
  }

  private async listSeries(): Promise<SeriesInfo[]> {
    const rp = this.config.retentionPolicy;
    const [keys = [], fields = []] = await this.query(
      // Field keys are kept per retention policy: those of the policy the sink writes to.
      `SHOW SERIES; SHOW FIELD KEYS${rp === undefined ? '' : ` FROM ${quoteIdentifier(rp)}./.*/`}`,
    );
    const fieldsOf = new Map<string, { field: string; type: FieldType }[]>();
    for (const measurement of fields) {
      fieldsOf.set(
        measurement.name,
        (measurement.values ?? []).map(([field, type]) => ({
          field: String(field),
          type: FIELD_TYPES[String(type)] ?? 'float',
        })),
      );
    }
    const out: Omit<SeriesInfo, 'id'>[] = [];
    for (const row of keys.flatMap((one) => one.values ?? [])) {
      const { measurement, tags } = parseSeriesKey(String(row[0]));
      const source = tags[this.config.sourceTag] ?? '-';
      for (const { field, type } of fieldsOf.get(measurement) ?? []) {
        out.push({
          name: seriesName(source, measurement, field, tags),
          source,
          measurement,
          field,
          tags,
          type,
        });
      }
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return out.map((one, id) => ({ id, ...one }));
  }

  async series(pattern?: string): Promise<SeriesInfo[]> {
    const all = await this.listAll();
    if (pattern === undefined) return all.slice();
    const matches = compilePattern(pattern);
    return all.filter((one) => matches(one.name));
  }

  async sources(): Promise<SourceInfo[]> {
    const counts = new Map<string, number>();
    for (const one of await this.series()) counts.set(one.source, (counts.get(one.source) ?? 0) + 1);
    return [...counts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([source, series]) => ({ source, series }));
  }

  /** `"rp"."measurement"`: the sink's retention policy, when it names one, else the database default. */
  private measurement(name: string): string {
    const rp = this.config.retentionPolicy;
    return rp === undefined ? quoteIdentifier(name) : `${quoteIdentifier(rp)}.${quoteIdentifier(name)}`;
  }

  /** One statement per (measurement, field) of `series`, each grouped by every tag. */
  private async perField(
    series: readonly SeriesInfo[],
    statement: (from: string, field: string) => string,
  ): Promise<{ series: SeriesInfo; group: QuerySeries | undefined }[]> {
    const out: { series: SeriesInfo; group: QuerySeries | undefined }[] = [];
    for (const group of byMeasurementField(series)) {
      const first = group[0] as SeriesInfo;
      const [answer = []] = await this.query(
        statement(this.measurement(first.measurement), quoteIdentifier(first.field)),
      );
      for (const one of group) out.push({ series: one, group: groupOf(answer, one) });
    }
    return out;
  }

  async latest(pattern: string): Promise<LatestValue[]> {
    const found = await this.perField(
      await this.series(pattern),
      (from, field) => `SELECT last(${field}) FROM ${from} GROUP BY *`,
    );
    const out: LatestValue[] = [];
    for (const { series, group } of found) {
      const row = group?.values?.[0];
      if (row) out.push({ series, time: Number(row[0]), value: pointValue(row[1]) });
    }
    return out;
  }

  async range(pattern: string, options: RangeOptions): Promise<RangeSeries[]> {
    const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
    const span = timeRange(options.from, options.to);
    const all = await this.series(pattern);
    const counts = await this.perField(
      all,
      (from, field) => `SELECT count(${field}) FROM ${from} WHERE ${span} GROUP BY *`,
    );
    // Text cannot be averaged, and InfluxQL refuses mean/min/max of booleans: both are always raw,
    // cut at maxPoints.
    const fitsRaw = new Set(
      counts
        .filter(
          ({ series, group }) => !averageable(series) || numberOr(group?.values?.[0]?.[1], 0) <= maxPoints,
        )
        .map(({ series }) => series),
    );
    const raw = await this.perField(
      all.filter((one) => fitsRaw.has(one)),
      (from, field) =>
        `SELECT ${field} FROM ${from} WHERE ${span} GROUP BY * ORDER BY time LIMIT ${maxPoints}`,
    );
    // The same bucket widths as the embedded store: round times on an axis.
    const bucketUs = niceStep(
      Math.max(1, Math.ceil(((options.to - options.from) * 1000) / Math.max(1, maxPoints - 1))),
    );
    const bucketMs = Math.max(1, Math.round(bucketUs / 1000));
    const buckets = await this.perField(
      all.filter((one) => !fitsRaw.has(one)),
      (from, field) =>
        `SELECT mean(${field}), min(${field}), max(${field}), count(${field}) FROM ${from} WHERE ${span} ` +
        `GROUP BY time(${bucketMs}ms), * fill(none)`,
    );
    const out: RangeSeries[] = [];
    for (const { series, group } of raw) {
      const points = (group?.values ?? [])
        .filter((row) => row[1] !== null)
        .map((row) => ({ time: Number(row[0]), value: pointValue(row[1]) }));
      out.push({ series, source: 'raw', bucketMs: 0, points });
    }
    for (const { series, group } of buckets) {
      const points = (group?.values ?? []).map(([time, mean, min, max, count]) => ({
        time: Number(time),
        value: numberOr(mean, Number.NaN),
        min: numberOr(min, Number.NaN),
        max: numberOr(max, Number.NaN),
        count: numberOr(count, 0),
      }));
      out.push({ series, source: 'points', bucketMs, points });
    }
    return out.sort((a, b) => (a.series.name < b.series.name ? -1 : a.series.name > b.series.name ? 1 : 0));
  }

  async summaries(
    series: SeriesInfo,
    width: '1m' | '1h',
    from: number,
    to: number,
  ): Promise<SummaryBucket[]> {
    if (!averageable(series)) return [];
    const [found] = await this.perField(
      [series],
      (measurement, field) =>
        `SELECT min(${field}), max(${field}), sum(${field}), count(${field}) FROM ${measurement} ` +
        `WHERE ${timeRange(from, to)} AND ${quoteIdentifier(this.config.sourceTag)} = ` +
        `${quoteString(series.tags[this.config.sourceTag] ?? '')} GROUP BY time(${width}), * fill(none)`,
    );
    return (found?.group?.values ?? []).map(([time, min, max, sum, count]) => ({
      time: Number(time),
      min: numberOr(min, Number.NaN),
      max: numberOr(max, Number.NaN),
      sum: numberOr(sum, 0),
      count: numberOr(count, 0),
    }));
  }

  async check(): Promise<void> {
    // Answers only when the server is up, the database exists and the credentials may read it.
    await this.query('SHOW MEASUREMENTS LIMIT 1');
  }

  close(): void {
    // Each query is its own HTTP request: nothing stays open.
  }
}
