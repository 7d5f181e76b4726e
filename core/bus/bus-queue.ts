/**
 * The bounded queue behind every bus subscription, shared by the local and the remote bus: one worker
 * calls the handler one message at a time, in order, so slow I/O never runs inside the broker's
 * delivery path (Aedes' mqemitter or mqtt.js' packet pump).
 */
import type { BusMessage, BusSubscription, MessageHandler } from './bus.js';
import { PeriodicLog } from '../util/log-throttle.js';
import type { Logger } from '../runtime/logger.js';

export interface DeliveryQueueOptions {
  readonly filter: string;
  readonly capacity: number;
  /** The subscription's QoS: a message published at a higher QoS is delivered at this one. */
  readonly maxQos?: 0 | 1;
  readonly handler: MessageHandler;
  readonly log: Logger;
  /**
   * When full, a QoS 0 message replaces the oldest queued QoS 0 message (remote bus: holding the
   * connection for best-effort data would stall every subscription on it). Otherwise the message waits,
   * and so does whoever gave it to us (Aedes' publisher, or the PUBACK of a QoS 1 message).
   */
  readonly dropQos0WhenFull: boolean;
  /** Minimum time between two warnings about failures or drops of this subscription. */
  readonly warnIntervalMs?: number;
}

interface Waiter {
  readonly message: BusMessage;
  readonly accepted: () => void;
}

/** How long `stop` waits for the handler in progress. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Recognising a publish made by a handler (see beginPublish) without AsyncLocalStorage: on Node 20 one
 * AsyncLocalStorage turns on a hook for every promise of the process, about 8–11 µs per message on the
 * ingest path (docs/performance.md). A handler's publish is recognised exactly when it starts in the
 * handler's synchronous part (`runningHandler`); one started later, after an await, can no longer be
 * told apart, so it counts as a publish of every handler still awaiting (`awaitingHandlers`). That errs
 * towards taking more than the capacity for as long as such a publish lasts, never towards a deadlock.
 */
let runningHandler: DeliveryQueue | undefined;
const settledPromise = Promise.resolve();
const awaitingHandlers = new Set<DeliveryQueue>();

export class DeliveryQueue {
  readonly filter: string;
  private droppedCount = 0;
  private failedCount = 0;
  private readonly options: DeliveryQueueOptions;
  private readonly items = new Fifo<BusMessage>();
  private readonly waiting: Waiter[] = [];
  private qos0Queued = 0;
  private publishing = 0;
  private stopped = false;
  /** Set when a draining stop ran out of time: the worker leaves the rest. */
  private abandoned = false;
  private active = false;
  /** The message whose handler's promise the worker waits for. */
  private handling: BusMessage | undefined;
  private idleWaiters: (() => void)[] = [];
  /** Messages taken since the start, and those handled (or dropped, or discarded): see `settled`. */
  private takenCount = 0;
  private settledCount = 0;
  private settleWaiters: { target: number; resolve: () => void }[] = [];
  private readonly failures: PeriodicLog;
  private readonly drops: PeriodicLog;

  constructor(options: DeliveryQueueOptions) {
    this.options = options;
    this.filter = options.filter;
    this.failures = new PeriodicLog(options.warnIntervalMs ?? 10_000);
    this.drops = new PeriodicLog(options.warnIntervalMs ?? 10_000);
  }

  /** Messages accepted and not yet given to the handler. */
  get queued(): number {
    return this.items.length;
  }

  /** QoS 0 messages dropped because the queue was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Handler calls that threw or rejected. */
  get failed(): number {
    return this.failedCount;
  }

  /** True when `offer` would accept a message at once. */
  hasRoom(): boolean {
    return (
      this.stopped ||
      this.publishing > 0 ||
      (this.waiting.length === 0 && this.items.length < this.options.capacity)
    );
  }

  /**
   * Takes a message; `accepted` is called once it is in the queue (at once when there is room, later
   * when the worker has made room). After `stop`, messages are discarded and accepted at once.
   */
  offer(received: BusMessage, accepted: () => void): void {
    if (this.stopped) return accepted();
    this.takenCount += 1;
    const maxQos: BusMessage['qos'] = this.options.maxQos ?? 2;
    const message = received.qos > maxQos ? { ...received, qos: maxQos } : received;
    if (this.hasRoom()) {
      this.push(message);
      return accepted();
    }
    if (message.qos === 0 && this.options.dropQos0WhenFull) {
      this.dropOldestQos0(message);
      return accepted();
    }
    this.waiting.push({ message, accepted });
  }

  /**
   * Resolves once every message taken before the call has been handled (or dropped, or discarded by
   * a stop): what a durable stage waits for before it commits (see core/runtime/durability.ts).
   */
  settled(): Promise<void> {
    if (this.settledCount >= this.takenCount) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push({ target: this.takenCount, resolve }));
  }

  /**
   * Drains, then stops: messages already taken (queued, or waiting for room) are still handed to the
   * handler, so a clean shutdown loses nothing that was accepted; later offers are discarded (the
   * subscription is gone). After `timeoutMs` (logged) whatever is left is discarded, so that one
   * stuck handler cannot keep a bus from closing.
   */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.admit(this.waiting.splice(0));
    }
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      this.whenIdle().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!settled && !this.abandoned) {
      this.abandoned = true;
      const discarded = this.items.length;
      this.items.clear();
      this.qos0Queued = 0;
      this.settle(this.takenCount - this.settledCount);
      this.options.log.warn(
        { filter: this.filter, timeoutMs, discarded },
        'subscription did not drain in time; discarded what was left',
      );
    }
  }

  /**
   * A handler of this queue awaits a publish. If this queue held its publishers now, that publish could
   * wait on them forever: directly when it matches this queue's own filter, or through Aedes' emitter
   * (100 concurrent deliveries by default, then everything else queues behind them) or mqtt.js' packet
   * pump (the PUBACK of the publish queues behind the held message). So until the publish settles the
   * queue takes everything, even beyond its capacity.
   */
  beginPublish(): void {
    this.publishing += 1;
    this.admit(this.waiting.splice(0));
  }

  endPublish(): void {
    this.publishing -= 1;
  }

  private push(message: BusMessage): void {
    this.items.push(message);
    if (message.qos === 0) this.qos0Queued += 1;
    if (!this.active) {
      this.active = true;
      // Never run the handler inside the caller's stack (Aedes' delivery or mqtt.js' packet handling).
      // Not queueMicrotask: on Node 20 it wraps every callback in an AsyncResource and a bound function.
      void settledPromise.then(this.drain);
    }
  }

  /**
   * The worker: hands queued messages to the handler one at a time, in order. A handler that returns
   * nothing is done, and the next message follows at once; one that returns a promise is waited for.
   * No async function and no closure per message: every metric passes through several queues, and
   * the promises and frames of an `await` per message were most of what the bus allocated.
   */
  private readonly drain = (): void => {
    for (;;) {
      const message = this.items.shift();
      if (message === undefined || this.abandoned) {
        this.active = false;
        if (this.abandoned) this.settle(this.takenCount - this.settledCount);
        this.wakeIdleWaiters();
        return;
      }
      if (message.qos === 0) this.qos0Queued -= 1;
      this.admitWaiting();
      let pending: Promise<void> | undefined;
      try {
        pending = runHandlerOf(this, this.options.handler, message);
      } catch (error) {
        this.handlerFailed(error, message);
      }
      if (pending !== undefined) {
        this.handling = message;
        awaitingHandlers.add(this);
        pending.then(this.handlerSettled, this.handlerRejected);
        return;
      }
      this.settle(1);
    }
  };

  private readonly handlerSettled = (): void => {
    awaitingHandlers.delete(this);
    this.handling = undefined;
    this.settle(1);
    this.drain();
  };

  private readonly handlerRejected = (error: unknown): void => {
    if (this.handling !== undefined) this.handlerFailed(error, this.handling);
    this.handlerSettled();
  };

  private handlerFailed(error: unknown, message: BusMessage): void {
    this.failedCount += 1;
    this.failures.run('failed', (suppressed) =>
      this.options.log.warn(
        { err: error, filter: this.filter, topic: message.topic, failed: this.failed, suppressed },
        'message handler failed; continuing with the next message',
      ),
    );
  }

  /** Resolves once the worker has nothing in hand (at once when it is not running). */
  private whenIdle(): Promise<void> {
    if (!this.active) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdleWaiters(): void {
    if (this.idleWaiters.length === 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** `count` more messages are done with: wake whoever waits for them in `settled`. */
  private settle(count: number): void {
    this.settledCount += count;
    if (this.settleWaiters.length === 0) return;
    this.settleWaiters = this.settleWaiters.filter((waiter) => {
      if (waiter.target > this.settledCount) return true;
      waiter.resolve();
      return false;
    });
  }

  private admitWaiting(): void {
    const room = this.options.capacity - this.items.length;
    if (room > 0 && this.waiting.length > 0) this.admit(this.waiting.splice(0, room));
  }

  /**
   * Queues every waiter before telling any of them: an `accepted` callback can synchronously deliver
   * the broker's next message (Aedes' emitter does), which must queue behind these, not between them.
   */
  private admit(waiters: Waiter[]): void {
    for (const waiter of waiters) this.push(waiter.message);
    for (const waiter of waiters) waiter.accepted();
  }

  private dropOldestQos0(message: BusMessage): void {
    this.droppedCount += 1;
    this.settle(1);
    if (this.qos0Queued > 0) {
      // Only QoS 0 may go: a queued QoS 1 message has been acknowledged and must reach the handler.
      this.items.removeFirst((queued) => queued.qos === 0);
      this.items.push(message);
    }
    this.drops.run('dropped', (suppressed) =>
      this.options.log.warn(
        { filter: this.filter, dropped: this.dropped, suppressed, capacity: this.options.capacity },
        'subscription queue full; dropped the oldest QoS 0 message',
      ),
    );
  }
}

/** Calls a queue's handler with the queue as `runningHandler`; a promise when it has not finished yet. */
function runHandlerOf(
  queue: DeliveryQueue,
  handler: MessageHandler,
  message: BusMessage,
): Promise<void> | undefined {
  const outer = runningHandler;
  runningHandler = queue;
  try {
    const result = handler(message);
    return result instanceof Promise ? result : undefined;
  } finally {
    runningHandler = outer;
  }
}

/**
 * Starts a publish of the handler we are inside of, if any (see DeliveryQueue.beginPublish): the
 * handler whose synchronous part is running, or else every handler awaiting (see `runningHandler`).
 * Both buses call it as a publish starts and pass what it returns to `endPublish` once it settled;
 * two plain calls rather than a wrapper, so that a publish costs no promise or closure more.
 */
export function beginPublish(): PublishingHandlers {
  if (runningHandler !== undefined) {
    runningHandler.beginPublish();
    return runningHandler;
  }
  if (awaitingHandlers.size === 0) return undefined;
  const queues = [...awaitingHandlers];
  for (const queue of queues) queue.beginPublish();
  return queues;
}

export function endPublish(handlers: PublishingHandlers): void {
  if (handlers === undefined) return;
  if (handlers instanceof DeliveryQueue) return handlers.endPublish();
  for (const queue of handlers) queue.endPublish();
}

/** `publish` as a publish of the handler we are inside of (beginPublish and endPublish around it). */
export async function trackPublish<T>(publish: () => Promise<T>): Promise<T> {
  const handlers = beginPublish();
  try {
    return await publish();
  } finally {
    endPublish(handlers);
  }
}

/** The queues a publish counts for (see beginPublish). */
export type PublishingHandlers = DeliveryQueue | DeliveryQueue[] | undefined;

/** An array queue with O(1) shift (Array#shift copies once arrays grow large). */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  removeFirst(predicate: (item: T) => boolean): void {
    for (let i = this.head; i < this.items.length; i += 1) {
      const item = this.items[i];
      if (item !== undefined && predicate(item)) {
        this.items.splice(i, 1);
        return;
      }
    }
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

/** The `BusSubscription` callers see: counters read from the queue, `unsubscribe` run once. */
export function subscriptionOf(
  filter: string,
  queue: DeliveryQueue,
  stop: () => Promise<void>,
): BusSubscription {
  let stopping: Promise<void> | undefined;
  return {
    filter,
    get queued() {
      return queue.queued;
    },
    get dropped() {
      return queue.dropped;
    },
    get failed() {
      return queue.failed;
    },
    settled() {
      return queue.settled();
    },
    unsubscribe() {
      stopping ??= stop();
      return stopping;
    },
  };
}
