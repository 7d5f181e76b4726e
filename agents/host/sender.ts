/**
 * Moves messages from the outbox to the broker, oldest first, a few at a time, and restates the
 * retained `online` status and the inventory after every (re)connection. A message leaves the
 * outbox for good only once the broker acknowledged it; one that fails goes back to the head and
 * the drain stops until the link reconnects or a new sample arrives.
 */
import type { Logger } from '../../core/runtime/logger.js';
import { errorMessage } from '../../core/runtime/errors.js';
import type { AgentLink } from './link.js';
import type { Outbox, OutboxMessage } from './outbox.js';
import { settleWithin } from './timeout.js';

/** Messages in flight at once: enough to hide a WAN round trip, few enough to stay bounded. */
const WINDOW = 16;

export interface SenderOptions {
  readonly link: AgentLink;
  readonly outbox: Outbox;
  readonly log: Logger;
  readonly statusTopic: string;
  readonly inventoryTopic: string;
}

export class Sender {
  /** Messages the broker acknowledged, since start. */
  published = 0;
  private inventory: string | undefined;
  private statusDue = true;
  private inventoryDue = false;
  private draining: Promise<void> | undefined;
  private outage: { since: number } | undefined;
  private stopped = false;

  constructor(private readonly options: SenderOptions) {
    options.link.onConnect(() => {
      // After a reconnection the broker may hold our will (`offline`), or nothing at all if it
      // restarted without persistence: state both again before the backlog.
      this.statusDue = true;
      this.inventoryDue = this.inventory !== undefined;
      this.kick();
    });
  }

  /** Records the current inventory; it is published (retained) only when it differs from the last. */
  setInventory(json: string): void {
    if (json === this.inventory) return;
    this.inventory = json;
    this.inventoryDue = true;
    this.kick();
  }

  /** Starts draining unless a drain is running (it will pick up what was just added). */
  kick(): void {
    if (this.stopped) return;
    // Noticed here too: a drain may be waiting on messages in flight when the connection dropped.
    if (!this.options.link.connected) this.lost(new Error('not connected to the broker'));
    if (this.draining !== undefined) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Waits for the running drain, then drains once more, for at most `ms`. */
  async flush(ms: number): Promise<void> {
    const drained = (async () => {
      await this.draining;
      this.kick();
      await this.draining;
    })();
    await settleWithin(drained, ms);
  }

  /** Stops draining and publishes `offline` (retained), as a clean stop must; false if it could not. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.stopped = true;
    const { link, statusTopic, log } = this.options;
    if (!link.connected) return false;
    const outcome = await settleWithin(
      link.publish(statusTopic, 'offline', { qos: 1, retain: true }),
      timeoutMs,
    );
    if (outcome.status === 'ok') return true;
    const reason =
      outcome.status === 'error' ? errorMessage(outcome.error) : `no answer within ${timeoutMs} ms`;
    log.warn({ reason }, 'could not publish the offline status');
    return false;
  }

  private async drain(): Promise<void> {
    const { link, outbox } = this.options;
    while (!this.stopped) {
      if (!link.connected) {
        this.lost(new Error('not connected to the broker'));
        return;
      }
      if (!(await this.publishState())) return;
      const batch = outbox.take(WINDOW);
      if (batch.length === 0) break;
      const results = await Promise.allSettled(batch.map((message) => this.send(message)));
      const failed = batch.filter((_message, index) => results[index]!.status === 'rejected');
      this.published += batch.length - failed.length;
      if (failed.length > 0) {
        outbox.putBack(failed);
        const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
        this.lost(rejected.reason);
        return;
      }
    }
    if (this.outage !== undefined && outbox.size === 0) {
      this.options.log.info(
        { offlineMs: Date.now() - this.outage.since, dropped: outbox.dropped },
        'broker reachable again; buffered samples delivered',
      );
      this.outage = undefined;
    }
  }

  /** `online` and the inventory, when due; false when the broker did not take them. */
  private async publishState(): Promise<boolean> {
    const { link, statusTopic, inventoryTopic } = this.options;
    try {
      if (this.statusDue) {
        await link.publish(statusTopic, 'online', { qos: 1, retain: true });
        this.statusDue = false;
      }
      if (this.inventoryDue && this.inventory !== undefined) {
        await link.publish(inventoryTopic, this.inventory, { qos: 1, retain: true });
        this.inventoryDue = false;
      }
      return true;
    } catch (error) {
      this.lost(error);
      return false;
    }
  }

  private send(message: OutboxMessage): Promise<void> {
    return this.options.link.publish(message.topic, message.payload, { qos: 1, retain: false });
  }

  private lost(error: unknown): void {
    // Nothing says what the broker kept during the outage: state everything again afterwards.
    this.statusDue = true;
    this.inventoryDue = this.inventory !== undefined;
    if (this.outage === undefined) {
      this.outage = { since: Date.now() };
      this.options.log.warn(
        { reason: errorMessage(error), buffered: this.options.outbox.size },
        'cannot publish; buffering samples until the broker is reachable',
      );
    }
  }
}
