/**
 * Watches, in order, the repeats the alarms component publishes (<base>/notify/#, reason `repeat`)
 * and the repeats it left out because every alarm was acknowledged (its `ackedRepeats` statistic),
 * so a test can show that acknowledgement stops repeats by waiting for conditions, not for time.
 */
import type { Bus } from '../../core/bus/bus.js';
import { waitFor } from './mqtt-clients.js';

type Event = { kind: 'repeat'; route: string | undefined } | { kind: 'left-out'; total: number };

export class RepeatWatch {
  private readonly events: Event[] = [];
  private leftOut = 0;

  static async start(bus: Bus): Promise<RepeatWatch> {
    const watch = new RepeatWatch();
    await bus.subscribe('busbar/notify/#', (message) => {
      const notification = JSON.parse(message.payload.toString()) as { reason?: string; route?: string };
      if (notification.reason === 'repeat') watch.events.push({ kind: 'repeat', route: notification.route });
    });
    await bus.subscribe('busbar/stats/alarms', (message) => {
      const total = (JSON.parse(message.payload.toString()) as { ackedRepeats?: number }).ackedRepeats ?? 0;
      if (total > watch.leftOut) watch.events.push({ kind: 'left-out', total });
      watch.leftOut = Math.max(watch.leftOut, total);
    });
    return watch;
  }

  /** Where the watch is now: pass it to `stoppedSince`. */
  mark(): number {
    return this.events.length;
  }

  repeats(since = 0): number {
    return this.events.slice(since).filter((event) => event.kind === 'repeat').length;
  }

  async waitForRepeat(since = 0): Promise<void> {
    await waitFor(() => this.repeats(since) > 0, 'a repeat', 20_000);
  }

  /**
   * Waits until the alarms component twice found a repeat due and left it out after `since`; returns
   * how many repeats were published in between (0 when acknowledgement stopped them).
   */
  async repeatsWhileAcknowledged(since: number): Promise<number> {
    const start = this.leftOut;
    await waitFor(() => this.leftOut >= start + 2, 'repeats left out', 20_000);
    const end = this.events.findLastIndex((event) => event.kind === 'left-out');
    return this.events.slice(since, end + 1).filter((event) => event.kind === 'repeat').length;
  }
}
