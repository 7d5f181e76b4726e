/**
 * Delivery to one target: a bounded queue, a rate limit, attempts with a timeout, retries with
 * backoff. A notification that still fails (or finds the queue full) is handed to `onFailed`, which
 * sends it to the route's failover targets; nothing leaves this queue without being counted.
 */
import { sleep } from '../../core/abortable.js';
import { backoffDelay } from '../../core/backoff.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { TokenBucket } from '../../core/rate-limit.js';
import type { DeliveryConfig } from '../config.js';
import type { Notification, Target } from '../services/service.js';

export interface TargetStats {
  delivered: number;
  /** Attempts that failed and were tried again. */
  retried: number;
  /** Notifications given up on after every retry (handed to failover). */
  failed: number;
  /** Notifications refused because the queue was full (handed to failover). */
  overflowed: number;
}

export type FailureReason = 'failed' | 'overflow' | 'stopped';

export class TargetQueue {
  readonly stats: TargetStats = { delivered: 0, retried: 0, failed: 0, overflowed: 0 };
  private readonly queue: Notification[] = [];
  private readonly bucket: TokenBucket;
  private wake: (() => void) | undefined;
  private readonly stopping = new AbortController();
  private readonly worker: Promise<void>;

  constructor(
    readonly id: string,
    readonly target: Target,
    private readonly settings: DeliveryConfig,
    private readonly log: Logger,
    private readonly onFailed: (notification: Notification, reason: FailureReason) => void,
    private readonly onDelivered: (notification: Notification) => void = () => undefined,
  ) {
    this.bucket = new TokenBucket(settings.ratePerMinute / 60, settings.burst);
    this.worker = this.work();
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Queues a notification; when the queue is full it goes to `onFailed` at once. */
  enqueue(notification: Notification): void {
    if (this.stopping.signal.aborted) return this.onFailed(notification, 'stopped');
    if (this.queue.length >= this.settings.queueSize) {
      this.stats.overflowed += 1;
      return this.onFailed(notification, 'overflow');
    }
    this.queue.push(notification);
    this.wake?.();
  }

  /** Stops after the attempt in flight; what is still queued goes to `onFailed` as `stopped`. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.worker;
    for (const notification of this.queue.splice(0)) this.onFailed(notification, 'stopped');
    await this.target.close?.();
  }

  private async work(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const notification = this.queue[0];
      if (!notification) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      // Rate limit: wait for a token rather than dropping; the queue bounds what waits.
      while (!this.bucket.take() && !signal.aborted) await sleep(this.msPerToken(), signal);
      if (signal.aborted) return;
      this.queue.shift();
      await this.deliver(notification, signal);
    }
  }

  private msPerToken(): number {
    return Math.ceil(60_000 / this.settings.ratePerMinute);
  }

  private async deliver(notification: Notification, stop: AbortSignal): Promise<void> {
    const { retries, retryInitial, retryMax, timeout } = this.settings;
    for (let attempt = 0; ; attempt += 1) {
      try {
        // Stopping does not cut a send in flight (bounded by its timeout): a request the target got
        // but whose answer was cut off would be recorded as undelivered and sent again next run.
        await this.target.send(notification, AbortSignal.timeout(timeout));
        this.stats.delivered += 1;
        this.onDelivered(notification);
        this.log.debug({ target: this.id, id: notification.id }, 'notification delivered');
        return;
      } catch (error) {
        const message = errorMessage(error);
        // Stopping aborted the attempt: not the target's failure; the router decides what to keep.
        if (stop.aborted) return this.onFailed(notification, 'stopped');
        if (attempt >= retries) {
          this.stats.failed += 1;
          this.log.warn({ target: this.id, id: notification.id, err: message }, 'notification failed');
          this.onFailed(notification, 'failed');
          return;
        }
        this.stats.retried += 1;
        const delay = backoffDelay(attempt, { initialMs: retryInitial, maxMs: retryMax });
        this.log.info({ target: this.id, id: notification.id, err: message, delay }, 'notification retry');
        await sleep(delay, stop);
      }
    }
  }
}
