/**
 * The query API of the history store, used by `busbar query`, `busbar export`, the bot and the web.
 * It opens its own read-only connection: SQLite in WAL mode lets it read while busbar writes, in the
 * same process or another. Times in this API are milliseconds since the epoch (fractional below 1 ms).
 */
import type { FieldType } from '../../core/codecs/metric.js';
import { nowUs, openHistoryDatabase, readRetention, type HistoryDatabase } from './database.js';
import { planRange, type HistoryTable } from './resolution.js';
import { compilePattern } from './series-name.js';

export interface SeriesInfo {
  readonly id: number;
  /** `source/measurement/field{tag=value,...}` */
  readonly name: string;
  readonly source: string;
  readonly measurement: string;
  readonly field: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly type: FieldType;
}

export interface SourceInfo {
  readonly source: string;
  readonly series: number;
}

export interface LatestValue {
  readonly series: SeriesInfo;
  readonly time: number;
  readonly value: number | string;
}

export interface RangePoint {
  /** The point's time, or its bucket's start. */
  readonly time: number;
  /** The value, or the bucket's average. */
  readonly value: number | string;
  readonly min?: number;
  readonly max?: number;
  readonly count?: number;
}

export interface RangeSeries {
  readonly series: SeriesInfo;
  /** `raw`, or the table the buckets come from. */
  readonly source: 'raw' | HistoryTable;
  /** Bucket width in milliseconds; 0 for raw points. */
  readonly bucketMs: number;
  readonly points: RangePoint[];
}

export interface RangeOptions {
  /** Milliseconds since the epoch, inclusive. */
  readonly from: number;
  readonly to: number;
  /** Points per series at most (default 1,000). */
  readonly maxPoints?: number;
}

export interface RawRow {
  readonly ts: number;
  readonly value: number | string;
}

export interface RollupRow {
  readonly ts: number;
  readonly v_min: number;
  readonly v_max: number;
  readonly v_sum: number;
  readonly n: number;
  readonly v_last: number;
}

interface SeriesRow extends Omit<SeriesInfo, 'tags'> {
  readonly tags: string;
}

export const DEFAULT_MAX_POINTS = 1_000;

function prepareStatements(db: HistoryDatabase) {
  const latestFrom = (table: HistoryTable): string =>
    table === 'points'
      ? 'SELECT ts, value FROM points WHERE series_id = ? ORDER BY ts DESC LIMIT 1'
      : `SELECT last_ts AS ts, v_last AS value FROM ${table} WHERE series_id = ? ORDER BY ts DESC LIMIT 1`;
  const rollupBuckets = (table: string): string =>
    `SELECT ts - ts % @bucket AS t, sum(v_sum) / sum(n) AS value, min(v_min) AS min,
            max(v_max) AS max, sum(n) AS count
     FROM ${table} WHERE series_id = @id AND ts >= @from AND ts <= @to GROUP BY 1 ORDER BY 1`;
  return {
    series: db.prepare('SELECT id, name, source, measurement, field, tags, type FROM series ORDER BY name'),
    sources: db.prepare('SELECT source, count(*) AS series FROM series GROUP BY source ORDER BY source'),
    latestRaw: db.prepare(latestFrom('points')),
    latest1m: db.prepare(latestFrom('rollup_1m')),
    latest1h: db.prepare(latestFrom('rollup_1h')),
    countRaw: db
      .prepare(
        `SELECT count(*) FROM (SELECT 1 FROM points
         WHERE series_id = @id AND ts >= @from AND ts <= @to LIMIT @limit)`,
      )
      .pluck(),
    raw: db.prepare(
      `SELECT ts, value FROM points WHERE series_id = @id AND ts >= @from AND ts <= @to
       ORDER BY ts LIMIT @limit`,
    ),
    rawBuckets: db.prepare(
      `SELECT ts - ts % @bucket AS t, avg(value) AS value, min(value) AS min, max(value) AS max,
              count(*) AS count
       FROM points WHERE series_id = @id AND ts >= @from AND ts <= @to GROUP BY 1 ORDER BY 1`,
    ),
    rollup_1m: db.prepare(rollupBuckets('rollup_1m')),
    rollup_1h: db.prepare(rollupBuckets('rollup_1h')),
    rows_1m: db.prepare(
      'SELECT ts, v_min, v_max, v_sum, n, v_last FROM rollup_1m WHERE series_id = ? AND ts >= ? AND ts <= ? ORDER BY ts',
    ),
    rows_1h: db.prepare(
      'SELECT ts, v_min, v_max, v_sum, n, v_last FROM rollup_1h WHERE series_id = ? AND ts >= ? AND ts <= ? ORDER BY ts',
    ),
  };
}

export class HistoryReader {
  private readonly db: HistoryDatabase;
  private readonly statements: ReturnType<typeof prepareStatements>;

  constructor(db: HistoryDatabase) {
    this.db = db;
    this.statements = prepareStatements(db);
  }

  /** Opens the file read-only; it must exist (busbar creates it when the history sink starts). */
  static open(file: string): HistoryReader {
    return new HistoryReader(openHistoryDatabase(file, { readonly: true }));
  }

  close(): void {
    this.db.close();
  }

  /** Every series, or those matching `pattern` (see compilePattern), sorted by name. */
  series(pattern?: string): SeriesInfo[] {
    const rows = this.statements.series.all() as SeriesRow[];
    const matches = pattern === undefined ? undefined : compilePattern(pattern);
    const out: SeriesInfo[] = [];
    for (const row of rows) {
      if (matches && !matches(row.name)) continue;
      out.push({ ...row, tags: JSON.parse(row.tags) as Record<string, string> });
    }
    return out;
  }

  sources(): SourceInfo[] {
    return this.statements.sources.all() as SourceInfo[];
  }

  /** The newest value of every matching series (raw, else the newest rollup's last value). */
  latest(pattern: string): LatestValue[] {
    const out: LatestValue[] = [];
    for (const series of this.series(pattern)) {
      const row = (this.statements.latestRaw.get(series.id) ??
        this.statements.latest1m.get(series.id) ??
        this.statements.latest1h.get(series.id)) as RawRow | undefined;
      if (row) out.push({ series, time: row.ts / 1000, value: row.value });
    }
    return out;
  }

  /**
   * Points of every matching series between `from` and `to`: raw points when there are at most
   * `maxPoints`, otherwise buckets (average, min, max, count) from the finest table that still
   * covers `from`, wide enough for at most `maxPoints` of them.
   */
  range(pattern: string, options: RangeOptions): RangeSeries[] {
    const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
    const fromUs = Math.floor(options.from * 1000);
    const toUs = Math.floor(options.to * 1000);
    const plan = planRange(fromUs, toUs, maxPoints, readRetention(this.db), nowUs());
    const out: RangeSeries[] = [];
    for (const series of this.series(pattern)) {
      const params = { id: series.id, from: fromUs, to: toUs, limit: maxPoints + 1 };
      const fitsRaw =
        plan.table === 'points' && (this.statements.countRaw.get(params) as number) <= maxPoints;
      // Text cannot be averaged: string series are always raw, cut at maxPoints.
      if (fitsRaw || series.type === 'string') {
        const rows = this.statements.raw.all({ ...params, limit: maxPoints }) as RawRow[];
        const points = rows.map((row) => ({ time: row.ts / 1000, value: row.value }));
        out.push({ series, source: 'raw', bucketMs: 0, points });
        continue;
      }
      const statement = plan.table === 'points' ? this.statements.rawBuckets : this.statements[plan.table];
      // A rollup row is keyed by its bucket's start, which may be before `from`.
      const width = plan.table === 'rollup_1h' ? 3_600_000_000 : plan.table === 'rollup_1m' ? 60_000_000 : 1;
      const rows = statement.all({
        id: series.id,
        from: fromUs - (((fromUs % width) + width) % width),
        to: toUs,
        bucket: plan.bucketUs,
      }) as (RangePoint & { t: number })[];
      const points = rows.map(({ t, value, min, max, count }) => ({
        time: t / 1000,
        value,
        min,
        max,
        count,
      }));
      out.push({ series, source: plan.table, bucketMs: plan.bucketUs / 1000, points });
    }
    return out;
  }

  /** Raw points of one series, oldest first, without loading them all (for exports). */
  *rawPoints(seriesId: number, from: number, to: number): IterableIterator<RawRow> {
    const params = { id: seriesId, from: Math.floor(from * 1000), to: Math.floor(to * 1000), limit: -1 };
    yield* this.statements.raw.iterate(params) as IterableIterator<RawRow>;
  }

  /** Rollup rows of one series, oldest first. */
  *rollupRows(seriesId: number, table: '1m' | '1h', from: number, to: number): IterableIterator<RollupRow> {
    const statement = table === '1m' ? this.statements.rows_1m : this.statements.rows_1h;
    yield* statement.iterate(
      seriesId,
      Math.floor(from * 1000),
      Math.floor(to * 1000),
    ) as IterableIterator<RollupRow>;
  }
}
