/**
 * The bridge's state, retained on `<base>/status/bridge/<name>` so a dashboard or an alarm rule that
 * subscribes later still sees it: published at once when the connection comes or goes, and every
 * `statusInterval` when a counter changed (a busy bridge would otherwise publish per message).
 */
import type { Bus } from '../core/bus/bus.js';
import { errorMessage } from '../core/runtime/errors.js';
import type { Logger } from '../core/runtime/logger.js';

export interface BridgeStatus {
  readonly connected: boolean;
  /** The remote address connected to, or last tried. */
  readonly address: string;
  /** When `connected` last changed (ISO 8601). */
  readonly since: string;
  /** Messages waiting for the remote. */
  readonly queued: number;
  /** Messages dropped because the queue was full. */
  readonly dropped: number;
  /** Messages the remote has (QoS 1: acknowledged), since busbar started. */
  readonly sent: number;
  /** QoS 0 messages lost with a connection, and messages the remote refused. */
  readonly lost: number;
  /** Messages brought in from the remote. */
  readonly received: number;
  /** Messages not sent back because they had just come over this bridge (loop prevention). */
  readonly echoes: number;
}

export class StatusPublisher {
  private readonly timer: NodeJS.Timeout;
  private last = '';
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: Bus,
    private readonly topic: string,
    private readonly snapshot: () => BridgeStatus,
    intervalMs: number,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => this.publish(), intervalMs);
    this.timer.unref();
  }

  /** Publishes the current state if it differs from the last one published; in call order. */
  publish(): Promise<void> {
    const text = JSON.stringify(this.snapshot());
    if (text === this.last) return this.chain;
    this.last = text;
    this.chain = this.chain.then(async () => {
      try {
        await this.bus.publish(this.topic, text, { qos: 1, retain: true });
      } catch (error) {
        this.log.warn({ topic: this.topic, reason: errorMessage(error) }, 'bridge status not published');
      }
    });
    return this.chain;
  }

  /** Stops the timer after publishing the final state. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.publish();
  }
}
