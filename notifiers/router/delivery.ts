/**
 * Delivery to one target: a bounded queue, a rate limit, attempts with a timeout, and retries with
 * capped backoff and jitter. Like Alertmanager's retry stage, a notification is tried until the
 * receiver accepts it or it is older than `maxAge`: an outage of any length short of that loses
 * nothing. Where the route names failover targets, a notification moves on after `retries` failed
 * attempts here (the router decides where to); a permanent refusal moves it on at once. Every way out
 * of this queue is one `Outcome` handed to the router, so nothing leaves it uncounted.
 */
import { sleep } from '../../core/util/abortable.js';
import { backoffDelay } from '../../core/util/backoff.js';
import type { Logger } from '../../core/runtime/logger.js';
import { TokenBucket } from '../../core/util/rate-limit.js';
import type { DeliveryConfig } from '../config.js';
import { sendFailure } from '../services/send-error.js';
import type { Notification, Target } from '../services/service.js';

export interface TargetStats {
  delivered: number;
  /** Attempts that failed and were tried again. */
  retried: number;
  /** Notifications that failed `retries` times here and moved on to a failover target. */
  failed: number;
  /** Notifications the receiver refused for good (SMTP 5xx, Telegram 400/403, webhook 4xx). */
  refused: number;
  /** Notifications refused because the queue was full. */
  overflowed: number;
}

/**
 * How a notification left the queue: `delivered`; `failed` (retries used up here, another target
 * may take it); `refused` (permanently); `expired` (older than maxAge); `overflow` (queue full);
 * `stopped` (busbar stops: it stays in the delivery record for the next run).
 */
export type Outcome = 'delivered' | 'failed' | 'refused' | 'expired' | 'overflow' | 'stopped';

/** A notification in a target's queue, with what its delivery so far says about the next attempt. */
export interface Queued {
  readonly notification: Notification;
  /** When it was first queued (ms since the epoch, kept across restarts): it expires maxAge after. */
  readonly created: number;
  /** Failed attempts so far, at every target: the backoff keeps growing along the failover chain. */
  attempts: number;
  /** Whether another target may take it after `retries` failed attempts here. */
  readonly canMoveOn: boolean;
  /**
   * Whether a later target of its chain may take it without an attempt here, while this target is
   * down (never back towards the primary: two targets down would hand it to and fro).
   */
  readonly canSkip: boolean;
}

export class TargetQueue {
  readonly stats: TargetStats = { delivered: 0, retried: 0, failed: 0, refused: 0, overflowed: 0 };
  private readonly queue: Queued[] = [];
  private readonly bucket: TokenBucket;
  private wake: (() => void) | undefined;
  /**
   * Failed attempts in a row of the notification being retried now; past `retries` the target is
   * down for the notifications behind it too.
   */
  private failing = 0;
  private readonly stopping = new AbortController();
  private readonly worker: Promise<void>;

  constructor(
    readonly id: string,
    readonly target: Target,
    private readonly settings: DeliveryConfig,
    private readonly log: Logger,
    private readonly onOutcome: (item: Queued, outcome: Outcome, reason: string) => void,
  ) {
    this.bucket = new TokenBucket(settings.ratePerMinute / 60, settings.burst);
    this.worker = this.work();
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Queues a notification; when the queue is full (or stopping) its outcome is given at once. */
  enqueue(item: Queued): void {
    if (this.stopping.signal.aborted) return this.onOutcome(item, 'stopped', 'stopping');
    if (this.queue.length >= this.settings.queueSize) {
      this.stats.overflowed += 1;
      return this.onOutcome(item, 'overflow', `queue of ${this.settings.queueSize} full`);
    }
    this.queue.push(item);
    this.shedWhileDown();
    this.wake?.();
  }

  /** Stops after the attempt in flight; what is still queued is handed back as `stopped`. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.worker;
    for (const item of this.queue.splice(0)) this.onOutcome(item, 'stopped', 'stopping');
    await this.target.close?.();
  }

  private async work(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const item = this.queue[0];
      if (!item) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      // Rate limit: wait for a token rather than dropping; the queue bounds what waits.
      while (!this.bucket.take() && !signal.aborted) await sleep(this.msPerToken(), signal);
      if (signal.aborted) return;
      this.queue.shift();
      const [outcome, reason] = await this.deliver(item, signal);
      this.failing = 0; // the next notification is tried here: that is how a return is noticed
      this.onOutcome(item, outcome, reason);
    }
  }

  /**
   * While the notification at the head retries on a target that has failed `retries` times in a row,
   * those queued behind it that have a failover target go there at once rather than wait behind
   * one that has none (a route without failover sharing the target). When the head leaves, the next
   * notification is tried here again: the target's return is noticed by the next attempt.
   */
  private shedWhileDown(): void {
    if (this.failing <= this.settings.retries) return;
    for (const item of this.queue.filter((queued) => queued.canSkip)) {
      this.queue.splice(this.queue.indexOf(item), 1);
      this.stats.failed += 1;
      this.onOutcome(item, 'failed', `${this.id} is down`);
    }
  }

  private msPerToken(): number {
    return Math.ceil(60_000 / this.settings.ratePerMinute);
  }

  /** Attempts until delivered, refused, expired or (with somewhere to go) `retries` failures here. */
  private async deliver(item: Queued, stop: AbortSignal): Promise<[Outcome, string]> {
    const { retries, retryInitial, retryMax, timeout, maxAge } = this.settings;
    const { notification } = item;
    for (let here = 1; ; here += 1) {
      if (Date.now() - item.created >= maxAge) return ['expired', `not delivered within maxAge`];
      try {
        // Stopping does not cut a send in flight (bounded by its timeout): a request the target got
        // but whose answer was cut off would be recorded as undelivered and sent again next run.
        await this.target.send(notification, AbortSignal.timeout(timeout));
        this.failing = 0;
        this.stats.delivered += 1;
        this.log.debug({ target: this.id, id: notification.id }, 'notification delivered');
        return ['delivered', 'accepted'];
      } catch (error) {
        const failure = sendFailure(error);
        if (stop.aborted) return ['stopped', 'stopping'];
        if (failure.permanent) {
          this.stats.refused += 1;
          this.log.warn(
            { target: this.id, id: notification.id, err: failure.message },
            'notification refused',
          );
          return ['refused', failure.message];
        }
        item.attempts += 1;
        this.failing = here;
        this.shedWhileDown();
        if (item.canMoveOn && here > retries) {
          this.stats.failed += 1;
          this.log.warn(
            { target: this.id, id: notification.id, err: failure.message },
            'notification failed',
          );
          return ['failed', failure.message];
        }
        this.stats.retried += 1;
        // The receiver's own wait (a 429's retry_after) comes first: asking sooner only prolongs it.
        const wanted =
          failure.retryAfterMs ??
          backoffDelay(item.attempts - 1, { initialMs: retryInitial, maxMs: retryMax });
        const delay = Math.max(0, Math.min(wanted, item.created + maxAge - Date.now()));
        // Hours of an outage at the capped delay would be hundreds of lines per notification: the
        // 1st, 2nd, 4th, 8th... retry at info, the others at debug.
        const level = (item.attempts & (item.attempts - 1)) === 0 ? 'info' : 'debug';
        this.log[level](
          { target: this.id, id: notification.id, err: failure.message, attempt: item.attempts, delay },
          'notification retry',
        );
        await sleep(delay, stop);
        if (stop.aborted) return ['stopped', 'stopping'];
      }
    }
  }
}
