/**
 * The history store's writer thread. better-sqlite3 is synchronous: on the main thread every
 * transaction and every prune slice would hold the broker. Here they use the second core, and the
 * main thread only decodes and numbers points. Batches are written in the order they arrive; one that
 * fails stays first in line and is tried again every second, so nothing is reordered or silently lost.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../../core/runtime/errors.js';
import { repeat } from '../lifecycle.js';
import { openHistoryDatabase, writeRetention } from './database.js';
import type { PointBatch } from './point-batch.js';
import { Pruner } from './prune.js';
import type { FromWorker, HistoryWorkerData, ToWorker } from './worker-protocol.js';
import { HistoryWriter } from './writer.js';

const RETRY_MS = 1_000;
const port = parentPort;
if (port === null) throw new Error('history-worker.ts runs as a worker thread only');
const post = (message: FromWorker): void => port.postMessage(message);
const options = workerData as HistoryWorkerData;

function open(): { writer: HistoryWriter; pruner: Pruner; close(): void } | undefined {
  try {
    const db = openHistoryDatabase(options.path);
    writeRetention(db, options.retention);
    const writer = new HistoryWriter(db);
    const pruner = new Pruner(db, options.retention, (ids) => writer.forget(ids));
    return { writer, pruner, close: () => db.close() };
  } catch (error) {
    post({ type: 'fatal', reason: errorMessage(error) });
    return undefined;
  }
}

const store = open();
if (store === undefined) {
  port.close();
} else {
  const { writer, pruner } = store;
  const queue: PointBatch[] = [];
  let queuedPoints = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  const stopPruning = new AbortController();

  /** Writes queued batches in order; after a failure, waits RETRY_MS (if `retry`) and tries again. */
  const drain = (retry = true): void => {
    if (retryTimer !== undefined) return;
    while (queue.length > 0) {
      const batch = queue[0] as PointBatch;
      const started = performance.now();
      try {
        const stored = writer.write(batch);
        post({ type: 'written', points: batch.count, stored, ms: performance.now() - started });
      } catch (error) {
        post({ type: 'failed', reason: errorMessage(error), pendingPoints: queuedPoints });
        if (!retry) return;
        retryTimer = setTimeout(() => {
          retryTimer = undefined;
          drain();
        }, RETRY_MS);
        return;
      }
      queue.shift();
      queuedPoints -= batch.count;
    }
  };

  /** Keeps memory bounded while the file is unwritable: the oldest waiting batches go first. */
  const bound = (): void => {
    let points = 0;
    let batches = 0;
    while (queuedPoints > options.maxPendingPoints && queue.length > 1) {
      const oldest = queue.shift() as PointBatch;
      queuedPoints -= oldest.count;
      points += oldest.count;
      batches++;
    }
    if (batches > 0) post({ type: 'dropped', points, batches });
  };

  const pruning = repeat(
    options.pruneIntervalMs,
    async () => post({ type: 'pruned', result: await pruner.run(stopPruning.signal) }),
    (error) => post({ type: 'prune-failed', reason: errorMessage(error) }),
    { immediate: true },
  );

  port.on('message', (message: ToWorker) => {
    if (message.type === 'batch') {
      queue.push(message.batch);
      queuedPoints += message.batch.count;
      bound();
      drain();
      return;
    }
    stopPruning.abort();
    clearTimeout(retryTimer);
    retryTimer = undefined;
    void pruning.stop().then(() => {
      drain(false); // one last attempt for whatever waits
      store.close();
      post({ type: 'closed', unwritten: queuedPoints });
      port.close();
    });
  });

  post({ type: 'ready', series: writer.knownSeries() });
}
