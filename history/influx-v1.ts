/**
 * InfluxDB 1.x as a HistorySource, through its InfluxQL query API (GET /query?db=&q=&epoch=ms);
 * also InfluxDB 2.x/3.x through their 1.x compatibility API (a DBRP-mapped database, a token).
 * InfluxDB keeps no MQTT topic, so a series' source is one of its tags (`sourceTag`: the one the
 * InfluxDB sink adds, sinks/influx/source-tag.ts); series without it are listed under source `-`.
 * That tag is left out of the series' tags: the embedded store has the source in the name only,
 * so both name a series alike. Series ids are positions in the listing, valid only within one
 * answer: match series by name across calls.
 */
import type { FieldType } from '../core/codecs/metric.js';
import { seriesName } from '../sinks/history/series-name.js';
import {
  bucketWidthMs,
  groupSeries,
  rawAllowed,
  SeriesListing,
  sortByName,
  type UnnumberedSeries,
} from './listing.js';
import { DEFAULT_MAX_POINTS } from '../sinks/history/reader.js';
import { writeUrl } from '../sinks/influx/write-target.js';
import { fetchJson, readerAuthorization } from './http-json.js';
import {
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
  /** InfluxDB 2.x/3.x: sent as `Authorization: Token`, instead of basic auth. */
  readonly token?: string | undefined;
  readonly sourceTag: string;
  readonly timeoutMs: number;
}

const FIELD_TYPES: Readonly<Record<string, FieldType>> = {
  float: 'float',
  integer: 'integer',
  unsigned: 'unsigned',
  boolean: 'boolean',
  string: 'string',
};

/** Whether InfluxQL's mean, min, max and sum take the field. */
function averageable(series: SeriesInfo): boolean {
  return series.type !== 'string' && series.type !== 'boolean';
}

/** The group of `series`: its tags, and its source in `sourceTag` (absent for source `-`). */
function groupOf(
  answer: readonly QuerySeries[],
  series: SeriesInfo,
  sourceTag: string,
): QuerySeries | undefined {
  const tags = series.source === '-' ? series.tags : { ...series.tags, [sourceTag]: series.source };
  return answer.find((group) => sameTags(presentTags(group.tags), tags));
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
  private readonly listing = new SeriesListing(() => this.listSeries());

  constructor(private readonly config: InfluxV1ReadConfig) {
    this.name = `influx:${config.sink}`;
    const { url, display, username, password } = writeUrl(config.url, '/query', { db: config.database });
    this.queryUrl = url;
    this.where = `InfluxDB (${this.name}) at ${display.replace(/\/query\?.*$/, '')}`;
    this.headers = readerAuthorization(config, { username, password });
  }

  /** Runs one or more `;`-separated statements; the series of each, in order. */
  private async query(q: string): Promise<QuerySeries[][]> {
    const url = new URL(this.queryUrl);
    url.searchParams.set('q', q);
    url.searchParams.set('epoch', 'ms');
    const where = this.where;
    const { ok, status, text, answer } = await fetchJson<QueryAnswer>(
      url,
      { headers: this.headers, timeoutMs: this.config.timeoutMs },
      where,
    );
    const failure = answer.error ?? answer.results?.find((result) => result.error)?.error;
    if (!ok || failure !== undefined) {
      throw new HistoryUnavailableError(`${where} refused the query (${status}): ${failure ?? text}`);
    }
    return (answer.results ?? []).map((result) => result.series ?? []);
  }

  /**
   * The series with the fields each has. InfluxDB keeps field keys per measurement, not per
   * series: SHOW SERIES times SHOW FIELD KEYS would list fields a series never had (series the
   * embedded store does not know). `last(*)` grouped by every tag answers, per series, a column
   * per field of its measurement, null where the series has no point of that field.
   */
  private async listSeries(): Promise<UnnumberedSeries[]> {
    const rp = this.config.retentionPolicy;
    // Field keys are kept per retention policy: those of the policy the sink writes to.
    const from = rp === undefined ? '/.*/' : `${quoteIdentifier(rp)}./.*/`;
    const [fields = [], lasts = []] = await this.query(
      `SHOW FIELD KEYS${rp === undefined ? '' : ` FROM ${from}`}; SELECT last(*) FROM ${from} GROUP BY *`,
    );
    const typeOf = new Map<string, FieldType>();
    for (const measurement of fields) {
      for (const [field, type] of measurement.values ?? [])
        typeOf.set(JSON.stringify([measurement.name, String(field)]), FIELD_TYPES[String(type)] ?? 'float');
    }
    const out: UnnumberedSeries[] = [];
    for (const group of lasts) {
      const measurement = group.name;
      const { [this.config.sourceTag]: source = '-', ...tags } = presentTags(group.tags);
      const row = group.values?.[0] ?? [];
      group.columns.forEach((column, i) => {
        // `last_<field>`; one field alone comes back as `last`.
        if (i === 0 || row[i] === null || row[i] === undefined) return;
        const field = column === 'last' ? this.onlyField(fields, measurement) : column.slice('last_'.length);
        if (field === undefined) return;
        const type = typeOf.get(JSON.stringify([measurement, field])) ?? 'float';
        out.push({
          name: seriesName(source, measurement, field, tags),
          source,
          measurement,
          field,
          tags,
          type,
        });
      });
    }
    return out;
  }

  /** The one field key of `measurement`, when it has exactly one. */
  private onlyField(fields: readonly QuerySeries[], measurement: string): string | undefined {
    const keys = fields.find((one) => one.name === measurement)?.values ?? [];
    return keys.length === 1 ? String(keys[0]?.[0]) : undefined;
  }

  async series(pattern?: string): Promise<SeriesInfo[]> {
    return this.listing.select(pattern);
  }

  async sources(): Promise<SourceInfo[]> {
    return this.listing.sources();
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
    for (const group of groupSeries(series, (one) => JSON.stringify([one.measurement, one.field]))) {
      const first = group[0] as SeriesInfo;
      const [answer = []] = await this.query(
        statement(this.measurement(first.measurement), quoteIdentifier(first.field)),
      );
      for (const one of group) out.push({ series: one, group: groupOf(answer, one, this.config.sourceTag) });
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
    return sortByName(out);
  }

  async range(pattern: string, options: RangeOptions): Promise<RangeSeries[]> {
    const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
    const span = timeRange(options.from, options.to);
    const all = await this.series(pattern);
    const counts = await this.perField(
      all,
      (from, field) => `SELECT count(${field}) FROM ${from} WHERE ${span} GROUP BY *`,
    );
    const bucketMs = bucketWidthMs(options.from, options.to, maxPoints);
    // Text cannot be averaged, and InfluxQL refuses mean/min/max of booleans: both are always raw,
    // cut at maxPoints.
    const fitsRaw = new Set(
      counts
        .filter(
          ({ series, group }) =>
            !averageable(series) ||
            (rawAllowed(bucketMs) && numberOr(group?.values?.[0]?.[1], 0) <= maxPoints),
        )
        .map(({ series }) => series),
    );
    const raw = await this.perField(
      all.filter((one) => fitsRaw.has(one)),
      (from, field) =>
        `SELECT ${field} FROM ${from} WHERE ${span} GROUP BY * ORDER BY time LIMIT ${maxPoints}`,
    );
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
    return sortByName(out);
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
        `${quoteString(series.source === '-' ? '' : series.source)} GROUP BY time(${width}), * fill(none)`,
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
