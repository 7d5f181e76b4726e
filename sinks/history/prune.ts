/**
 * Deletes points past their retention. better-sqlite3 runs on the event loop, so one large DELETE
 * would hold every write (and the broker) until it finished: instead each statement deletes at most
 * CHUNK rows of one series, and the loop yields to the event loop every few milliseconds, letting
 * the writer's transactions run between chunks.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { nowUs, type HistoryDatabase, type Retention } from './database.js';

const CHUNK = 2_000;
/** Work done before yielding to the event loop. */
const SLICE_MS = 5;

export interface PruneResult {
  readonly points: number;
  readonly minuteRows: number;
  readonly hourRows: number;
  /** Names of series that had nothing left in any table, and were deleted. */
  readonly series: string[];
  readonly ms: number;
}

export class Pruner {
  private readonly deleters: Record<'points' | 'rollup_1m' | 'rollup_1h', Database.Statement>;
  private readonly seriesIds: Database.Statement;
  private readonly orphans: Database.Statement;
  private readonly deleteSeries: Database.Statement;

  constructor(
    private readonly db: HistoryDatabase,
    private readonly retention: Retention,
    /** Told synchronously, in the same event-loop turn as the deletion (see HistoryWriter.forget). */
    private readonly onSeriesDeleted: (ids: number[]) => void = () => undefined,
  ) {
    const deleter = (table: string): Database.Statement =>
      // Deletes the oldest CHUNK rows of one series below the cutoff: the bound is the time of the
      // row after the chunk, or the cutoff when fewer rows remain.
      db.prepare(
        `DELETE FROM ${table} WHERE series_id = @id AND ts < min(@cutoff, coalesce(
           (SELECT ts FROM ${table} WHERE series_id = @id ORDER BY ts LIMIT 1 OFFSET ${CHUNK}), @cutoff))`,
      );
    this.deleters = {
      points: deleter('points'),
      rollup_1m: deleter('rollup_1m'),
      rollup_1h: deleter('rollup_1h'),
    };
    this.seriesIds = db.prepare('SELECT id FROM series ORDER BY id').pluck();
    this.orphans = db.prepare(
      `SELECT id, name FROM series s WHERE NOT EXISTS (SELECT 1 FROM points WHERE series_id = s.id)
           AND NOT EXISTS (SELECT 1 FROM rollup_1m WHERE series_id = s.id)
           AND NOT EXISTS (SELECT 1 FROM rollup_1h WHERE series_id = s.id)`,
    );
    this.deleteSeries = db.prepare('DELETE FROM series WHERE id = ?');
  }

  /** One pass over every series; stops early (with what it did so far) when `signal` aborts. */
  async run(signal?: AbortSignal): Promise<PruneResult> {
    const started = performance.now();
    const now = nowUs();
    const cutoffs = {
      points: now - this.retention.rawUs,
      rollup_1m: now - this.retention.minuteUs,
      rollup_1h: now - this.retention.hourUs,
    } as const;
    const deleted = { points: 0, rollup_1m: 0, rollup_1h: 0 };
    let sliceStart = performance.now();
    const ids = this.seriesIds.all() as number[];
    for (const id of ids) {
      for (const table of ['points', 'rollup_1m', 'rollup_1h'] as const) {
        for (;;) {
          const changes = this.deleters[table].run({ id, cutoff: cutoffs[table] }).changes;
          deleted[table] += changes;
          if (performance.now() - sliceStart >= SLICE_MS) {
            await yieldToLoop();
            if (signal?.aborted) return this.result(deleted, [], started);
            sliceStart = performance.now();
          }
          if (changes < CHUNK) break;
        }
      }
    }
    // A series is kept while any table has a point of it.
    const orphans = this.orphans.all() as { id: number; name: string }[];
    if (orphans.length > 0) {
      this.db.transaction(() => orphans.forEach(({ id }) => this.deleteSeries.run(id)))();
      this.onSeriesDeleted(orphans.map(({ id }) => id));
    }
    return this.result(
      deleted,
      orphans.map(({ name }) => name),
      started,
    );
  }

  private result(
    deleted: { points: number; rollup_1m: number; rollup_1h: number },
    series: string[],
    started: number,
  ): PruneResult {
    return {
      points: deleted.points,
      minuteRows: deleted.rollup_1m,
      hourRows: deleted.rollup_1h,
      series,
      ms: Math.round(performance.now() - started),
    };
  }
}
