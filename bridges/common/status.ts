/**
 * `online` / `offline` of a source on `<base>/status/<source>`, retained, published on change only:
 * the retained message is the state, so repeating it every poll would only wake subscribers.
 */
import type { Bus } from '../../core/bus/bus.js';
import type { Topics } from '../../core/topics.js';

export type SourceState = 'online' | 'offline';

export class StatusPublisher {
  private current: SourceState | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly topics: Topics,
    private readonly source: string,
  ) {}

  get state(): SourceState | undefined {
    return this.current;
  }

  /** Publishes `state` if it differs from the last one published; true when it did. */
  async set(state: SourceState): Promise<boolean> {
    if (this.current === state) return false;
    this.current = state;
    await this.bus.publish(this.topics.status(this.source), state, { qos: 1, retain: true });
    return true;
  }
}
