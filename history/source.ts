/**
 * The one way busbar reads history: the web's charts and API, the bot's GRAPH and STATUS, alarm
 * mails' charts and alarm seeding all go through a HistorySource, whether the points live in the
 * embedded SQLite store (sinks/history) or in InfluxDB (a site whose components run on several
 * machines). Every method may fail with HistoryUnavailableError: the caller says so and carries on.
 * Times are milliseconds since the epoch.
 */
import type {
  LatestValue,
  RangeOptions,
  RangeSeries,
  SeriesInfo,
  SourceInfo,
} from '../sinks/history/reader.js';

export type { LatestValue, RangeOptions, RangeSeries, SeriesInfo, SourceInfo };

/** One bucket of a series' summary: what alarm seeding learns from. */
export interface SummaryBucket {
  /** The bucket's start. */
  readonly time: number;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly count: number;
}

export interface HistorySource {
  /** `embedded` or `influx:<sink>`, for messages. */
  readonly name: string;
  /** Every series, or those matching the glob `pattern` (sinks/history/series-name.ts), by name. */
  series(pattern?: string): Promise<SeriesInfo[]>;
  sources(): Promise<SourceInfo[]>;
  /** The newest value of every matching series. */
  latest(pattern: string): Promise<LatestValue[]>;
  /** Points of every matching series: raw when at most `maxPoints`, else buckets (mean, min, max, count). */
  range(pattern: string, options: RangeOptions): Promise<RangeSeries[]>;
  /** Buckets of one series, `width` 1 minute or 1 hour, oldest first; empty buckets left out. */
  summaries(series: SeriesInfo, width: '1m' | '1h', from: number, to: number): Promise<SummaryBucket[]>;
  /** Resolves when history can be read now (cheaply: for /health); throws HistoryUnavailableError. */
  check(): Promise<void>;
  close(): void;
}

/**
 * The history cannot be read now: the store is off or not created yet, or InfluxDB does not answer.
 * A retry later may help; the message names the source and the reason (never credentials).
 */
export class HistoryUnavailableError extends Error {
  override readonly name = 'HistoryUnavailableError';
  readonly code = 'HISTORY_UNAVAILABLE';
}
