/**
 * An InfluxDB sink as a component: metrics from the bus are batched (by size and by time), stored in
 * the outbox, and delivered by the Deliverer. The v1 and v2 sinks are this component with a
 * different write target (sinks/influx-v1, sinks/influx-v2).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { BusMessage, BusSubscription } from '../../core/bus/bus.js';
import type { Component, ComponentContext } from '../../core/runtime/component.js';
import { errorMessage } from '../../core/runtime/errors.js';
import { serializeLineProtocol } from '../../core/codecs/line-protocol.js';
import { receivedAt } from '../../core/bus/receive-time.js';
import type { DeliveryConfig } from '../config.js';
import { decodeForSink, type SinkMessage } from '../decode.js';
import { aborted } from '../../core/util/abortable.js';
import { repeat } from '../lifecycle.js';
import { MemoryOutbox } from '../outbox/memory-outbox.js';
import type { Outbox } from '../outbox/outbox.js';
import { SqliteOutbox } from '../outbox/sqlite-outbox.js';
import { Batcher } from './batcher.js';
import { Sealer } from './sealer.js';
import { tagMetrics, tagVerbatim } from './source-tag.js';
import { Deliverer } from './deliverer.js';
import { createOutboxAlarm } from './outbox-alarm.js';
import { createSinkDeadletter } from './sink-deadletter.js';
import { SinkStats } from './sink-stats.js';
import type { WriteTarget } from './write-target.js';

export interface SinkConfig extends DeliveryConfig {
  readonly outboxPath: string;
}

/** Lines kept in memory beyond this many batches are dropped (counted) while the outbox is unwritable. */
const MAX_WAITING_BATCHES = 20;
/** Batches being compressed and stored at most before the subscription waits. */
const MAX_SEALING_BATCHES = 4;
/** A non-durable sink being stopped tries this long to deliver what it holds in memory. */
const MEMORY_DRAIN_MS = 5_000;

export function influxSink<C extends SinkConfig>(
  kind: string,
  target: (config: C) => WriteTarget,
): Component<C> {
  return { kind, run: (context) => runSink(context, target(context.config)) };
}

async function runSink<C extends SinkConfig>(
  context: ComponentContext<C>,
  target: WriteTarget,
): Promise<void> {
  const { id, config, log, bus, topics, signal } = context;
  const outbox: Outbox = config.durable
    ? SqliteOutbox.open(config.outboxPath, config.outboxMaxSize)
    : new MemoryOutbox(config.outboxMaxSize);
  const stats = new SinkStats();
  const batcher = new Batcher();
  const alarm = createOutboxAlarm({
    sink: id,
    url: target.display,
    maxBytes: config.outboxMaxSize,
    bus,
    topics,
    log,
  });
  const deliverer = new Deliverer({
    outbox,
    target,
    stats,
    log,
    precision: config.precision,
    timeoutMs: config.timeout,
    retryDelayMs: config.retryDelay,
    maxRetryDelayMs: config.maxRetryDelay,
    deadletter: createSinkDeadletter({ sink: id, bus, topics, log, stats }),
  });
  const delivery = new AbortController();
  const timers: { stop(): Promise<void> }[] = [];
  let subscription: BusSubscription | undefined;
  let delivering: Promise<void> = Promise.resolve();

  const sealer = new Sealer({
    outbox,
    gzip: config.gzip,
    maxWaitingLines: MAX_WAITING_BATCHES * config.batchSize,
    stored(lines, dropped) {
      stats.accepted += lines;
      if (dropped.lines > 0) {
        stats.dropped += dropped.lines;
        alarm.dropped(dropped, outbox.depth());
      }
      deliverer.wake();
    },
    storeFailed(reason, waitingLines) {
      log.error(
        { file: config.outboxPath, reason, waitingLines },
        'cannot store a batch in the outbox; will retry',
      );
    },
    lost(lines) {
      stats.dropped += lines;
      log.error(
        { file: config.outboxPath, dropped: lines },
        'outbox unwritable for too long; dropped waiting lines',
      );
    },
  });

  /** Hands what the batcher holds to the sealer; once stored in the outbox it counts as accepted. */
  const seal = (): void => {
    const batch = batcher.take();
    if (batch !== undefined) sealer.seal(batch.body, batch.lines);
    else sealer.retry();
  };

  // Not async: a message that only joins the batch returns nothing, and the bus goes on without a promise.
  const onMessage = (message: BusMessage): Promise<void> | undefined => {
    const decoded = decodeForSink(topics, message.topic, message.payload, receivedAt(message));
    if (decoded.metrics.length === 0) return undefined;
    const text = linesOf(decoded, config);
    batcher.add(text, decoded.metrics.length);
    if (batcher.lines < config.batchSize) return undefined;
    seal();
    // Compression or the disk is behind: hold this subscription (and so the publishers) until it catches up.
    return sealer.waiting > MAX_SEALING_BATCHES * config.batchSize ? sealer.idle() : undefined;
  };

  const published = context.publishStats(
    () => {
      // The outbox's fill is checked for its alarm at each statistics interval, with the depth published.
      const depth = outbox.depth();
      alarm.check(depth);
      return stats.toJSON({ url: target.display, outbox: depth, durable: config.durable });
    },
    { everyMs: config.statsInterval },
  );

  const warn = (what: string) => (error: unknown) => log.warn({ reason: errorMessage(error) }, what);
  // Only the outbox on disk can hold an acknowledged point across a crash (core/runtime/durability.ts).
  const leaveDurability = config.durable
    ? context.durability?.register('store', {
        name: id,
        async flush() {
          await subscription?.settled();
          seal();
          await sealer.stored();
        },
      })
    : undefined;
  try {
    delivering = deliverer.run(delivery.signal);
    timers.push(repeat(config.flushInterval, seal, warn('batch flush failed')));
    subscription = await bus.subscribe(topics.allMetrics, onMessage, {
      qos: 1,
      shareGroup: config.shareGroup,
    });
    context.ready();
    const depth = outbox.depth();
    log.info({ url: target.display, durable: config.durable, outboxLines: depth.lines }, `${id} sink ready`);
    await aborted(signal);
  } finally {
    leaveDurability?.();
    await subscription?.unsubscribe();
    await Promise.all(timers.map((timer) => timer.stop()));
    seal();
    await sealer.idle();
    // Memory is all a non-durable sink has: give delivery a moment. A durable sink stops at once;
    // the batch in flight stays in the outbox and is sent again after the restart.
    if (!config.durable) await drainMemory(outbox, MEMORY_DRAIN_MS);
    delivery.abort();
    await delivering;
    await published.publish();
    const left = outbox.depth();
    if (left.lines > 0) {
      const where = config.durable ? `kept in ${config.outboxPath}` : 'lost (durable: false)';
      log.warn(
        { lines: left.lines, batches: left.batches },
        `${id} stopped with undelivered lines: ${where}`,
      );
    }
    outbox.close();
  }
}

/** The lines to write for one message, each tagged with its source (source-tag.ts). */
function linesOf(decoded: SinkMessage, config: DeliveryConfig): string {
  const { source, metrics, verbatim } = decoded;
  const tag = config.sourceTag;
  // Payloads that are already plain line protocol with nanosecond timestamps go out as they came.
  if (verbatim !== undefined && config.precision === 'ns') {
    const tagged = tag === false ? verbatim : tagVerbatim(verbatim, metrics, tag, source);
    if (tagged !== undefined) return tagged;
  }
  const tagged = tag === false ? metrics : tagMetrics(metrics, tag, source);
  return serializeLineProtocol(tagged, { precision: config.precision });
}

/** Waits until the in-memory outbox is empty, or `ms` has passed. */
async function drainMemory(outbox: Outbox, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (outbox.depth().batches > 0 && Date.now() < deadline) await delay(20);
}
