/**
 * The main-thread side of the history writer thread: starts it, hands it batches (their buffers
 * transferred, not copied), counts what is in flight so the sender can slow down, and turns the
 * thread's reports into calls of `HistoryEvents`.
 */
import type { Worker } from 'node:worker_threads';
import { BusbarError } from '../../core/runtime/errors.js';
import { startWorker } from '../workers/worker-url.js';
import { transferables, SeriesRegistry, type PointBatch } from './point-batch.js';
import type { PruneResult } from './prune.js';
import type { FromWorker, HistoryWorkerData, ToWorker } from './worker-protocol.js';

export interface HistoryEvents {
  written(points: number, stored: number, ms: number): void;
  failed(reason: string, pendingPoints: number): void;
  dropped(points: number): void;
  pruned(result: PruneResult): void;
  pruneFailed(reason: string): void;
  /** The thread ended without being closed (a crash): the component must fail and be restarted. */
  crashed(error: Error): void;
}

export class HistoryThread {
  private inFlightBatches = 0;
  private waiters: { max: number; resolve: () => void }[] = [];
  /** Batches handed over since the start, and those the thread wrote or dropped (in that order). */
  private sentBatches = 0;
  private settledBatches = 0;
  private droppedBatches = 0;
  private settleWaiters: { target: number; resolve: () => void }[] = [];
  private closing: ((unwritten: number) => void) | undefined;
  private exited = false;

  private constructor(
    private readonly worker: Worker,
    readonly registry: SeriesRegistry,
  ) {}

  /** Starts the thread and waits until the file is open; a file that cannot be opened is an error naming it. */
  static start(options: HistoryWorkerData, events: HistoryEvents): Promise<HistoryThread> {
    const worker = startWorker(import.meta.url, 'history-worker', { ...options });
    return new Promise((resolve, reject) => {
      let thread: HistoryThread | undefined;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          thread = new HistoryThread(worker, new SeriesRegistry(message.series));
          resolve(thread);
        } else if (message.type === 'fatal') {
          reject(new BusbarError('BUSBAR_PERSISTENCE', message.reason, { retryable: false }));
        } else if (thread !== undefined) {
          thread.handle(message, events);
        }
      });
      worker.on('error', (error) => {
        if (thread === undefined) reject(error);
        else events.crashed(error);
      });
      worker.on('exit', (code) => {
        if (thread !== undefined) thread.exited = true;
        if (thread === undefined)
          reject(new Error(`history writer thread exited (code ${code}) before it was ready`));
        else if (thread.closing === undefined)
          events.crashed(new Error(`history writer thread exited (code ${code})`));
        else thread.closing(-1);
      });
    });
  }

  /** Batches handed over and not yet written. */
  get inFlight(): number {
    return this.inFlightBatches;
  }

  write(batch: PointBatch): void {
    this.inFlightBatches++;
    this.sentBatches++;
    const message: ToWorker = { type: 'batch', batch };
    this.worker.postMessage(message, transferables(batch));
  }

  /** Resolves once at most `max` batches are in flight. */
  whenInFlightAtMost(max: number): Promise<void> {
    if (this.inFlightBatches <= max) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ max, resolve }));
  }

  /**
   * Resolves once every batch handed over so far was written, with false if any batch was dropped
   * meanwhile (the file was unwritable for too long). The thread writes batches in order, so this
   * holds under a steady load too, where some batch is always in flight.
   */
  whenWritten(): Promise<boolean> {
    const dropped = this.droppedBatches;
    const done = (): boolean => this.droppedBatches === dropped;
    if (this.settledBatches >= this.sentBatches) return Promise.resolve(done());
    return new Promise((resolve) =>
      this.settleWaiters.push({ target: this.sentBatches, resolve: () => resolve(done()) }),
    );
  }

  /** Lets the thread write what it holds and close the file; returns the points it could not write. */
  close(): Promise<number> {
    if (this.exited) return Promise.resolve(-1);
    return new Promise((resolve) => {
      let settled = false;
      this.closing = (unwritten) => {
        if (settled) return;
        settled = true;
        resolve(unwritten);
      };
      const message: ToWorker = { type: 'close' };
      this.worker.postMessage(message);
    });
  }

  /** `batches` left the thread's hands (written or dropped): wake whoever waits for room. */
  private settle(batches: number): void {
    this.inFlightBatches -= batches;
    this.settledBatches += batches;
    if (this.settleWaiters.length > 0) {
      this.settleWaiters = this.settleWaiters.filter((waiter) => {
        if (waiter.target > this.settledBatches) return true;
        waiter.resolve();
        return false;
      });
    }
    this.waiters = this.waiters.filter((waiter) => {
      if (this.inFlightBatches > waiter.max) return true;
      waiter.resolve();
      return false;
    });
  }

  private handle(message: FromWorker, events: HistoryEvents): void {
    switch (message.type) {
      case 'written':
        this.settle(1);
        events.written(message.points, message.stored, message.ms);
        return;
      case 'failed':
        return events.failed(message.reason, message.pendingPoints);
      case 'dropped':
        this.droppedBatches += message.batches;
        this.settle(message.batches);
        return events.dropped(message.points);
      case 'pruned':
        return events.pruned(message.result);
      case 'prune-failed':
        return events.pruneFailed(message.reason);
      case 'closed':
        return this.closing?.(message.unwritten);
      default:
        return;
    }
  }
}
