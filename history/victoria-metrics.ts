/**
 * VictoriaMetrics as a HistorySource, through its Prometheus query API: /api/v1/series lists the
 * series, /api/v1/query reads raw samples (a range selector `m[w]`) and latest values,
 * /api/v1/query_range reads buckets (`avg_over_time` and friends, one step per bucket).
 * https://docs.victoriametrics.com/victoriametrics/url-examples/
 *
 * VictoriaMetrics stores an InfluxDB line `m,tag=v field=1` as the metric `m_field{tag="v"}` (the
 * separator is its `-influxMeasurementFieldSeparator`), so measurement and field are read back by
 * splitting the name at the first separator: busbar's own measurements hold none. What /write?db=
 * brought carries the label `db`: the reader keeps to the sink's database and leaves that label out
 * of the tags, as it does the source tag (the source is in the name, as in the embedded store).
 * VictoriaMetrics keeps numbers only: every series reads as `float` (booleans as 1 and 0).
 */
import { DEFAULT_MAX_POINTS, type RangePoint } from '../sinks/history/reader.js';
import { seriesName } from '../sinks/history/series-name.js';
import { writeUrl } from '../sinks/influx/write-target.js';
import { fetchJson, readerAuthorization } from './http-json.js';
import {
  bucketWidthMs,
  groupSeries,
  rawAllowed,
  SeriesListing,
  sortByName,
  type UnnumberedSeries,
} from './listing.js';
import {
  labelsMatch,
  sampleTime,
  selector,
  type PrometheusAnswer,
  type PrometheusSeries,
} from './prometheus.js';
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

export interface VictoriaMetricsReadConfig {
  /** The sink's name, for messages. */
  readonly sink: string;
  readonly url: string;
  /** The `db` label the sink's /write?db= adds (InfluxDB 1.x sink); none for /api/v2/write. */
  readonly database?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly sourceTag: string;
  readonly measurementSeparator: string;
  readonly timeoutMs: number;
}

/**
 * How far back the latest value of a series is looked for. The embedded store answers from its
 * rollups for as long as it keeps them; VictoriaMetrics keeps one month by default.
 */
const LATEST_LOOKBACK = '31d';

/** A series' labels as VictoriaMetrics keeps them: tags, source tag and `db`. */
type Labels = Readonly<Record<string, string>>;

export class VictoriaMetricsHistory implements HistorySource {
  readonly name: string;
  private readonly base: string;
  private readonly headers: Readonly<Record<string, string>>;
  /** Where, for messages: the URL without credentials. */
  private readonly where: string;
  private readonly listing = new SeriesListing(() => this.listSeries());

  constructor(private readonly config: VictoriaMetricsReadConfig) {
    this.name = `victoriametrics:${config.sink}`;
    const { url, display, username, password } = writeUrl(config.url, '', {});
    this.base = url.replace(/\/+$/, '');
    this.where = `VictoriaMetrics (${this.name}) at ${display}`;
    this.headers = readerAuthorization(config, { username, password });
  }

  private async call(path: string, form: Record<string, string>): Promise<unknown> {
    const { ok, status, text, answer } = await fetchJson<PrometheusAnswer>(
      `${this.base}${path}`,
      {
        method: 'POST',
        headers: this.headers,
        body: new URLSearchParams(form),
        timeoutMs: this.config.timeoutMs,
      },
      this.where,
    );
    if (!ok || answer.status !== 'success') {
      throw new HistoryUnavailableError(
        `${this.where} refused the query (${status}): ${answer.error ?? text}`,
      );
    }
    return answer.data;
  }

  /** Series of an instant query at `time` (ms). */
  private async instant(query: string, time: number): Promise<PrometheusSeries[]> {
    const data = (await this.call('/api/v1/query', { query, time: String(time / 1000) })) as {
      result: PrometheusSeries[];
    };
    return data.result;
  }

  /** Series of a range query, evaluated every `stepMs` from `start` to `end` (ms). */
  private async stepped(
    query: string,
    start: number,
    end: number,
    stepMs: number,
  ): Promise<PrometheusSeries[]> {
    const data = (await this.call('/api/v1/query_range', {
      query,
      start: String(start / 1000),
      end: String(end / 1000),
      step: `${stepMs}ms`,
    })) as { result: PrometheusSeries[] };
    return data.result;
  }

  /** Every label of `series` as stored: its tags, its source tag, the sink's `db`. */
  private labelsOf(series: SeriesInfo): Labels {
    const labels: Record<string, string> = { ...series.tags };
    if (series.source !== '-') labels[this.config.sourceTag] = series.source;
    if (this.config.database !== undefined) labels.db = this.config.database;
    return labels;
  }

  /** The metric name each listed series came from (by series name). */
  private readonly metricNames = new Map<string, string>();

  private metricName(series: SeriesInfo): string {
    return (
      this.metricNames.get(series.name) ??
      `${series.measurement}${this.config.measurementSeparator}${series.field}`
    );
  }

  /** The selector of every series of one metric name that this sink wrote. */
  private selectorOf(name: string): string {
    const db = this.config.database;
    return selector({ __name__: name, ...(db === undefined ? {} : { db }) });
  }

  private async listSeries(): Promise<UnnumberedSeries[]> {
    const db = this.config.database;
    const match = db === undefined ? '{__name__=~".+"}' : selector({ db });
    // Without a start VictoriaMetrics lists only the series of the current UTC day, and it takes
    // `start=0` for no start: one second after the epoch asks for every day it keeps.
    const found = (await this.call('/api/v1/series', { 'match[]': match, start: '1' })) as Labels[];
    const separator = this.config.measurementSeparator;
    return found.map((labels) => {
      const { __name__: metric = '', [this.config.sourceTag]: source = '-', ...rest } = labels;
      const tags: Record<string, string> = { ...rest };
      // `db` is the sink's database, not a tag of the series (only when read by database).
      if (db !== undefined) delete tags.db;
      const at = metric.indexOf(separator);
      // A name without the separator (written by another client): the whole name, field `value`.
      const measurement = at > 0 ? metric.slice(0, at) : metric;
      const field = at > 0 ? metric.slice(at + separator.length) : 'value';
      const name = seriesName(source, measurement, field, tags);
      this.metricNames.set(name, metric);
      return {
        name,
        source,
        measurement,
        field,
        tags,
        type: 'float' as const,
      };
    });
  }

  async series(pattern?: string): Promise<SeriesInfo[]> {
    return this.listing.select(pattern);
  }

  async sources(): Promise<SourceInfo[]> {
    return this.listing.sources();
  }

  /**
   * One query per metric name (a function of `selector` there), its answers matched to `series`
   * by labels.
   */
  private async perName(
    series: readonly SeriesInfo[],
    query: (selector: string) => Promise<PrometheusSeries[]>,
  ): Promise<{ series: SeriesInfo; found: PrometheusSeries | undefined }[]> {
    const out: { series: SeriesInfo; found: PrometheusSeries | undefined }[] = [];
    for (const group of groupSeries(series, (one) => this.metricName(one))) {
      const answer = await query(this.selectorOf(this.metricName(group[0] as SeriesInfo)));
      for (const one of group) {
        const labels = this.labelsOf(one);
        out.push({ series: one, found: answer.find((found) => labelsMatch(found.metric, labels)) });
      }
    }
    return out;
  }

  async latest(pattern: string): Promise<LatestValue[]> {
    const now = Date.now();
    const values = await this.perName(await this.series(pattern), (sel) =>
      this.instant(`last_over_time(${sel}[${LATEST_LOOKBACK}])`, now),
    );
    const times = await this.perName(
      values.filter(({ found }) => found).map(({ series }) => series),
      (sel) => this.instant(`tlast_over_time(${sel}[${LATEST_LOOKBACK}])`, now),
    );
    const out: LatestValue[] = [];
    for (const { series, found } of values) {
      const time = times.find((one) => one.series === series)?.found?.value?.[1];
      const value = found?.value?.[1];
      if (time !== undefined && value !== undefined)
        out.push({ series, time: sampleTime(time), value: Number(value) });
    }
    return sortByName(out);
  }

  async range(pattern: string, options: RangeOptions): Promise<RangeSeries[]> {
    const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
    const { from, to } = options;
    // `m[w]` at `to` holds the samples of (to - w, to]: w one millisecond longer includes `from`.
    const window = `${Math.max(1, Math.floor(to) - Math.ceil(from) + 1)}ms`;
    const all = await this.series(pattern);
    const bucketMs = bucketWidthMs(from, to, maxPoints);
    const counts = rawAllowed(bucketMs)
      ? await this.perName(all, (sel) => this.instant(`count_over_time(${sel}[${window}])`, to))
      : [];
    const fitsRaw = new Set(
      counts.filter(({ found }) => Number(found?.value?.[1] ?? 0) <= maxPoints).map(({ series }) => series),
    );
    const out: RangeSeries[] = [];
    const raw = await this.perName(
      all.filter((one) => fitsRaw.has(one)),
      (sel) => this.instant(`${sel}[${window}]`, to),
    );
    for (const { series, found } of raw) {
      const points = (found?.values ?? [])
        .slice(0, maxPoints)
        .map(([time, value]) => ({ time: sampleTime(time), value: Number(value) }));
      out.push({ series, source: 'raw', bucketMs: 0, points });
    }
    const bucketed = all.filter((one) => !fitsRaw.has(one));
    for (const { series, points } of await this.buckets(bucketed, bucketMs, from, to)) {
      out.push({
        series,
        source: 'points',
        bucketMs,
        points: points.map(({ time, sum, count, min, max }) => ({
          time,
          value: sum / count,
          min,
          max,
          count,
        })),
      });
    }
    return sortByName(out);
  }

  /**
   * Buckets of `widthMs` starting at multiples of it, as the embedded store and InfluxQL's
   * GROUP BY time() make them. A rollup over `[w] offset 1ms` evaluated at `t` covers [t - w, t),
   * the bucket starting at t - w. Empty buckets are left out. The first and last bucket hold their
   * whole width: points just outside `from`..`to` in them are counted.
   */
  private async buckets(
    series: readonly SeriesInfo[],
    widthMs: number,
    from: number,
    to: number,
  ): Promise<{ series: SeriesInfo; points: (Required<Omit<RangePoint, 'value'>> & { sum: number })[] }[]> {
    if (series.length === 0) return [];
    const start = Math.floor(from / widthMs) * widthMs + widthMs;
    const end = Math.floor(to / widthMs) * widthMs + widthMs;
    const rollup = (fn: string) => (sel: string) =>
      this.stepped(`${fn}(${sel}[${widthMs}ms] offset 1ms)`, start, end, widthMs);
    const [sums, counts, mins, maxes] = await Promise.all(
      ['sum_over_time', 'count_over_time', 'min_over_time', 'max_over_time'].map((fn) =>
        this.perName(series, rollup(fn)),
      ),
    );
    return (counts ?? []).map(({ series: one, found }) => {
      const byTime = (answer: typeof counts) => {
        const values = answer?.find((entry) => entry.series === one)?.found?.values ?? [];
        return new Map(values.map(([time, value]) => [sampleTime(time), Number(value)]));
      };
      const [sum, min, max] = [byTime(sums), byTime(mins), byTime(maxes)];
      const points = (found?.values ?? []).map(([time, count]) => {
        const end = sampleTime(time);
        return {
          time: end - widthMs,
          count: Number(count),
          sum: sum.get(end) ?? Number.NaN,
          min: min.get(end) ?? Number.NaN,
          max: max.get(end) ?? Number.NaN,
        };
      });
      return { series: one, points };
    });
  }

  async summaries(
    series: SeriesInfo,
    width: '1m' | '1h',
    from: number,
    to: number,
  ): Promise<SummaryBucket[]> {
    const widthMs = width === '1m' ? 60_000 : 3_600_000;
    const [found] = await this.buckets([series], widthMs, from, to);
    return (found?.points ?? []).map(({ time, min, max, sum, count }) => ({ time, min, max, sum, count }));
  }

  async check(): Promise<void> {
    // Answers only when the server is up and the credentials may query it.
    await this.instant('1', Date.now());
  }

  close(): void {
    // Each query is its own HTTP request: nothing stays open.
  }
}
