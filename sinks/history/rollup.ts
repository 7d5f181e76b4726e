/**
 * 1-minute and 1-hour rollups (min, max, sum, count, last) maintained as points are written, inside
 * the same transaction: a rollup never counts a point the raw table lacks, and no background job has
 * to scan raw points before they expire. Late points merge into the bucket they belong to.
 */
import type Database from 'better-sqlite3';
import type { HistoryDatabase } from './database.js';

interface Bucket {
  start: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
  lastTs: number;
}

export class RollupAccumulator {
  /** The open bucket of each series touched since the last `write`. */
  private readonly open = new Map<number, Bucket>();
  private readonly upsert: Database.Statement;

  constructor(
    db: HistoryDatabase,
    table: 'rollup_1m' | 'rollup_1h',
    private readonly widthUs: number,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO ${table} (series_id, ts, v_min, v_max, v_sum, n, v_last, last_ts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (series_id, ts) DO UPDATE SET
         v_min = min(v_min, excluded.v_min),
         v_max = max(v_max, excluded.v_max),
         v_sum = v_sum + excluded.v_sum,
         n = n + excluded.n,
         v_last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.v_last ELSE v_last END,
         last_ts = max(last_ts, excluded.last_ts)`,
    );
  }

  /** Adds one numeric point; must run inside the transaction that inserts it. */
  add(seriesId: number, ts: number, value: number): void {
    const start = ts - (((ts % this.widthUs) + this.widthUs) % this.widthUs);
    const bucket = this.open.get(seriesId);
    if (bucket === undefined) {
      this.open.set(seriesId, {
        start,
        min: value,
        max: value,
        sum: value,
        count: 1,
        last: value,
        lastTs: ts,
      });
      return;
    }
    if (bucket.start !== start) {
      // Another bucket of the same series (the minute turned, or a late point): write the open one.
      this.store(seriesId, bucket);
      bucket.start = start;
      bucket.min = value;
      bucket.max = value;
      bucket.sum = value;
      bucket.count = 1;
      bucket.last = value;
      bucket.lastTs = ts;
      return;
    }
    if (value < bucket.min) bucket.min = value;
    if (value > bucket.max) bucket.max = value;
    bucket.sum += value;
    bucket.count += 1;
    if (ts >= bucket.lastTs) {
      bucket.last = value;
      bucket.lastTs = ts;
    }
  }

  /** Merges every open bucket into the table; call at the end of the transaction. */
  write(): void {
    for (const [seriesId, bucket] of this.open) this.store(seriesId, bucket);
    this.open.clear();
  }

  /** Forgets what `add` gathered (the transaction was rolled back). */
  discard(): void {
    this.open.clear();
  }

  private store(seriesId: number, b: Bucket): void {
    this.upsert.run(seriesId, b.start, b.min, b.max, b.sum, b.count, b.last, b.lastTs);
  }
}
