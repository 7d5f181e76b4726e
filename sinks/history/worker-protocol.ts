/** Messages between the history component and its writer thread (history-worker.ts). */
import type { Retention } from './database.js';
import type { PointBatch } from './point-batch.js';
import type { PruneResult } from './prune.js';

export interface HistoryWorkerData {
  readonly path: string;
  readonly retention: Retention;
  readonly pruneIntervalMs: number;
  /** Points kept for a retry while the file cannot be written; beyond, the oldest batches go. */
  readonly maxPendingPoints: number;
  /** Set by startWorker when running from TypeScript sources. */
  readonly entry?: string;
}

export type ToWorker = { type: 'batch'; batch: PointBatch } | { type: 'close' };

export type FromWorker =
  /** The file is open; the series it holds, for the sender's SeriesRegistry. */
  | { type: 'ready'; series: [string, number][] }
  /** The file could not be opened or prepared; the worker has stopped. */
  | { type: 'fatal'; reason: string }
  /** A batch is in the file (`stored` leaves out repeats of existing points). */
  | { type: 'written'; points: number; stored: number; ms: number }
  /** A write failed; the batch is kept and tried again. */
  | { type: 'failed'; reason: string; pendingPoints: number }
  /** Batches dropped because the file stayed unwritable and `maxPendingPoints` was reached. */
  | { type: 'dropped'; points: number; batches: number }
  | { type: 'pruned'; result: PruneResult }
  | { type: 'prune-failed'; reason: string }
  /** After `close`: everything that could be written is, and the file is closed. */
  | { type: 'closed'; unwritten: number };
