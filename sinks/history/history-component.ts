/**
 * The history sink: every metric on the bus into the embedded SQLite store, raw and rolled up, with
 * retention enforced on a schedule. On by default, so a fresh `npm start` keeps data. This thread
 * decodes and numbers points; a writer thread (history-worker.ts) does all the SQLite work.
 */
import { statSync } from 'node:fs';
import type { BusMessage, BusSubscription } from '../../core/bus/bus.js';
import type { Component } from '../../core/runtime/component.js';
import { errorMessage } from '../../core/runtime/errors.js';
import { receivedAt } from '../../core/bus/receive-time.js';
import type { HistoryConfig } from '../config.js';
import { decodeForSink, type SinkMessage } from '../decode.js';
import { repeat } from '../lifecycle.js';
import { HistoryThread } from './history-thread.js';
import { PointBatchBuilder } from './point-batch.js';
import { HistoryStats } from './stats.js';
import { aborted } from '../../core/util/abortable.js';

/** Batches handed to the writer and not yet written before the bus is slowed down. */
const MAX_IN_FLIGHT = 4;
/** Points the writer keeps for a retry while the file cannot be written (then the oldest go). */
const MAX_PENDING_BATCHES = 20;

export const historyComponent: Component<HistoryConfig> = {
  kind: 'history',
  async run(context) {
    const { id, config, log, bus, topics, signal, ready: isReady, durability } = context;
    const stats = new HistoryStats();
    let failure: ((error: Error) => void) | undefined;
    const crashed = new Promise<never>((_resolve, reject) => (failure = reject));
    // Subscribed before the writer thread is up (it takes a moment to open the file): messages wait in
    // the subscription's queue meanwhile instead of being missed.
    let ready: { thread: HistoryThread; builder: PointBatchBuilder } | undefined;
    const opening = HistoryThread.start(
      {
        path: config.path,
        retention: {
          rawUs: config.rawRetention * 1000,
          minuteUs: config.minuteRetention * 1000,
          hourUs: config.hourRetention * 1000,
        },
        pruneIntervalMs: config.pruneInterval,
        maxPendingPoints: MAX_PENDING_BATCHES * config.batchSize,
      },
      {
        written(points, stored, ms) {
          stats.pointsWritten += stored;
          stats.recordWrite(ms);
          if (stats.failingSince !== 0) {
            log.info({ file: config.path }, 'history store writable again');
            stats.failingSince = 0;
          }
        },
        failed(reason, pendingPoints) {
          stats.failedTransactions++;
          if (stats.failingSince === 0) {
            stats.failingSince = Date.now();
            log.error(
              { file: config.path, reason, pendingPoints },
              'history write failed; retrying every second',
            );
          }
        },
        dropped(points) {
          stats.pointsDropped += points;
          log.error(
            { file: config.path, dropped: points },
            'history store unwritable for too long; dropped the oldest points',
          );
        },
        pruned(result) {
          stats.prunedPoints += result.points;
          stats.prunedRollups += result.minuteRows + result.hourRows;
          stats.lastPruneMs = result.ms;
          log.debug({ ...result, series: result.series.length }, 'history pruned');
        },
        pruneFailed: (reason) => log.warn({ file: config.path, reason }, 'history prune failed'),
        crashed: (error) => failure?.(error),
      },
    ).then((thread) => (ready = { thread, builder: new PointBatchBuilder(thread.registry) }));
    // Both are awaited below; these only keep an early failure from being reported as unhandled.
    crashed.catch(() => undefined);
    opening.catch(() => undefined);
    let subscription: BusSubscription | undefined;
    const timers: { stop(): Promise<void> }[] = [];

    const flush = (): void => {
      const batch = ready?.builder.take();
      if (batch !== undefined) ready!.thread.write(batch);
    };

    // Not async: once the writer is up, a point that only joins the batch returns nothing, and the
    // bus goes on to the next message without a promise.
    const onMessage = (message: BusMessage): Promise<void> | undefined => {
      const decoded = decodeForSink(topics, message.topic, message.payload, receivedAt(message));
      if (decoded.metrics.length === 0) return undefined;
      if (ready === undefined) return opening.then((opened) => add(opened, decoded));
      return add(ready, decoded);
    };
    const add = (
      { thread, builder }: { thread: HistoryThread; builder: PointBatchBuilder },
      decoded: SinkMessage,
    ): Promise<void> | undefined => {
      stats.pointsReceived += builder.add(decoded.source, decoded.metrics);
      if (builder.pending < config.batchSize) return undefined;
      flush();
      // The writer is behind: hold this subscription (and so, through the bus, the publishers).
      return thread.whenInFlightAtMost(MAX_IN_FLIGHT);
    };

    const published = context.publishStats(
      () =>
        stats.toJSON({
          pending: ready?.builder.pending ?? 0,
          inFlightBatches: ready?.thread.inFlight ?? 0,
          series: ready?.thread.registry.size ?? 0,
          fileBytes: fileBytes(config.path),
        }),
      { everyMs: config.statsInterval },
    );

    const warn = (what: string) => (error: unknown) => log.warn({ reason: errorMessage(error) }, what);
    const leaveDurability = durability?.register('store', {
      name: id,
      async flush() {
        await subscription?.settled();
        const { thread } = ready ?? (await opening);
        flush();
        if (!(await thread.whenWritten()))
          throw new Error(`the history store dropped points (${config.path})`);
      },
    });
    try {
      subscription = await bus.subscribe(topics.allMetrics, onMessage, { qos: 1 });
      const { thread } = await opening;
      timers.push(repeat(config.flushInterval, flush, warn('history flush failed')));
      const retention = {
        raw: config.rawRetention,
        minute: config.minuteRetention,
        hour: config.hourRetention,
      };
      isReady();
      log.info({ file: config.path, retention, series: thread.registry.size }, 'history store ready');
      await Promise.race([crashed, aborted(signal)]);
    } finally {
      leaveDurability?.();
      await subscription?.unsubscribe();
      await Promise.all(timers.map((timer) => timer.stop()));
      flush();
      const unwritten = await (ready ?? (await opening.catch(() => undefined)))?.thread.close();
      if (unwritten !== undefined && unwritten > 0)
        log.error({ file: config.path, unwritten }, 'history store closed with points it could not write');
      await published.publish();
    }
  },
};

/** Size of the file and its write-ahead log (absent between checkpoints). */
function fileBytes(file: string): number {
  const main = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  return main + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);
}
