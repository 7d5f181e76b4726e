/**
 * What the alarms component publishes (alarm states, cleared topics, silences, notifications), one
 * FIFO drained by one publisher at a time. Points, statuses, silence requests, receipts and ticks
 * arrive concurrently; publishing in the order things happened keeps each alarm's states in order on
 * the bus (a `resolved` overtaking its `firing` would leave the wrong state retained) and puts a
 * notification after the states it is about.
 */
import type { Bus } from '../core/bus/bus.js';

interface Publication {
  readonly topic: string;
  /** Empty with `retain`: clears the retained topic [MQTT-3.3.1-10]. */
  readonly payload: string;
  readonly retain: boolean;
}

export class AlarmPublisher {
  private readonly queue: Publication[] = [];
  private draining = Promise.resolve();
  /** Drains started and not finished. */
  private drains = 0;

  /** `beforeDrain` runs at the start of each drain: what falls due then goes out in the same drain. */
  constructor(
    private readonly bus: Bus,
    private readonly beforeDrain: () => void = () => undefined,
  ) {}

  /** Queues one publication (QoS 1); `flush` sends it. */
  add(publication: Publication): void {
    this.queue.push(publication);
  }

  /**
   * Publishes everything queued, after any drain already running; rejects with a publish failure.
   * Returns nothing when there was nothing to publish and no drain was running: every metric is
   * flushed, and most change no alarm, so the common case costs no promise.
   */
  flush(): Promise<void> | undefined {
    const idle = this.drains === 0;
    if (idle) {
      this.beforeDrain();
      if (this.queue.length === 0) return undefined;
    }
    this.drains += 1;
    // Called once per drain: here when idle (nothing can come between), else when the drain starts.
    const next = this.draining.then(() => this.drain(!idle));
    // The caller sees the failure; the next drain still runs.
    this.draining = next.then(this.drained, this.drained);
    return next;
  }

  private readonly drained = (): void => {
    this.drains -= 1;
  };

  private async drain(runBeforeDrain: boolean): Promise<void> {
    if (runBeforeDrain) this.beforeDrain();
    while (this.queue.length > 0) {
      const { topic, payload, retain } = this.queue[0]!;
      await this.bus.publish(topic, payload, { qos: 1, retain });
      // Taken off only once published: after a failure the next drain tries it again.
      this.queue.shift();
    }
  }
}
