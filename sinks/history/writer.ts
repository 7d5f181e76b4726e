/**
 * Writes point batches into the history store: one transaction per batch, prepared statements, and
 * the rollups updated in the same transaction. A point that repeats an existing (series, time) is
 * ignored, so a redelivered message is neither stored twice nor counted twice in a rollup.
 * busbar runs it in a worker thread (history-worker.ts); tests may run it directly.
 */
import type Database from 'better-sqlite3';
import { HOUR_US, MINUTE_US, nowUs, type HistoryDatabase } from './database.js';
import type { PointBatch, SeriesDefinition } from './point-batch.js';
import { RollupAccumulator } from './rollup.js';

export class HistoryWriter {
  /** Every series this writer knows, kept after the pruner deletes a row so that it can come back. */
  private readonly definitions = new Map<number, SeriesDefinition>();
  /** Ids with a row in `series` now. */
  private readonly present = new Set<number>();
  /** Rows created by the transaction in progress (gone again if it rolls back). */
  private created: number[] = [];
  private readonly insertPoint: Database.Statement;
  private readonly insertSeries: Database.Statement;
  private readonly minute: RollupAccumulator;
  private readonly hour: RollupAccumulator;
  private readonly commit: (batch: PointBatch) => number;

  constructor(db: HistoryDatabase) {
    this.insertPoint = db.prepare('INSERT OR IGNORE INTO points (series_id, ts, value) VALUES (?, ?, ?)');
    this.insertSeries = db.prepare(
      `INSERT OR IGNORE INTO series (id, name, source, measurement, field, tags, type, created)
       VALUES (@id, @name, @source, @measurement, @field, @tags, @type, @created)`,
    );
    this.minute = new RollupAccumulator(db, 'rollup_1m', MINUTE_US);
    this.hour = new RollupAccumulator(db, 'rollup_1h', HOUR_US);
    this.commit = db.transaction((batch: PointBatch) => this.writeBatch(batch));
    const rows = db.prepare('SELECT id, name, source, measurement, field, tags, type FROM series').all();
    for (const row of rows as SeriesDefinition[]) {
      this.definitions.set(row.id, row);
      this.present.add(row.id);
    }
  }

  /** `[name, id]` of every series, for the SeriesRegistry of whoever builds batches. */
  knownSeries(): [string, number][] {
    return [...this.definitions.values()].map((definition) => [definition.name, definition.id]);
  }

  /**
   * Writes the batch in one transaction and returns the number of points stored (repeats of an
   * existing point are not). On failure nothing is written and the error is thrown.
   */
  write(batch: PointBatch): number {
    try {
      return this.commit(batch);
    } catch (error) {
      this.minute.discard();
      this.hour.discard();
      for (const id of this.created) this.present.delete(id);
      throw error;
    } finally {
      this.created = [];
    }
  }

  /** Series rows the pruner deleted: their next point creates the row again, with the same id. */
  forget(ids: Iterable<number>): void {
    for (const id of ids) this.present.delete(id);
  }

  private writeBatch(batch: PointBatch): number {
    for (const definition of batch.newSeries) this.definitions.set(definition.id, definition);
    const { count, series, times, values, strings } = batch;
    let stored = 0;
    let nextString = 0;
    for (let i = 0; i < count; i++) {
      const id = series[i] as number;
      if (!this.present.has(id)) this.createSeries(id);
      const ts = times[i] as number;
      let value: number | string = values[i] as number;
      // NaN marks a string value (a float field is never NaN); strings are listed in index order.
      if (value !== value) value = (strings[nextString++] as [number, string])[1];
      if (this.insertPoint.run(id, ts, value).changes === 0) continue;
      stored++;
      if (typeof value === 'number') {
        this.minute.add(id, ts, value);
        this.hour.add(id, ts, value);
      }
    }
    this.minute.write();
    this.hour.write();
    return stored;
  }

  private createSeries(id: number): void {
    const definition = this.definitions.get(id);
    if (definition === undefined) throw new Error(`history: point of series ${id}, which was never defined`);
    this.insertSeries.run({ ...definition, created: nowUs() });
    this.present.add(id);
    this.created.push(id);
  }
}
