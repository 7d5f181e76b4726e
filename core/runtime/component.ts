import type { Bus } from '../bus/bus.js';
import type { DurableStages } from './durability.js';
import type { Logger } from './logger.js';
import type { StatsOptions, StatsPublisher } from './stats-publisher.js';
import type { Topics } from '../topics.js';

/** Everything a component gets from the host; the one argument of `run`. */
export interface ComponentContext<C> {
  /** Unique id, used in logs and stats (`ingest`, `snmp:pdu1`). */
  readonly id: string;
  /** This component's validated config section. */
  readonly config: C;
  /** Child logger bound to the component id. */
  readonly log: Logger;
  readonly bus: Bus;
  readonly topics: Topics;
  /**
   * Where a component that commits points to disk, or turns messages into metrics, registers for
   * durable acknowledgement (core/runtime/durability.ts). Absent when nothing journals (remote bus, tests).
   */
  readonly durability?: DurableStages;
  /** Aborted when the component must stop; `run` should then return promptly. */
  readonly signal: AbortSignal;
  /**
   * Says the component now takes its inputs (subscribed, listening, polling). `busbar start` reports
   * itself ready, and `startBusbar` returns, once every component has said so or failed: a message
   * published after that reaches every component. Calling it again (after a restart) is harmless.
   */
  ready(): void;
  /**
   * Resolves once every component busbar started with has said it is ready (or failed, or the wait
   * for them ended). Work restored from a previous run whose outcome another component listens for
   * (a pending notification's receipt) waits for it: started earlier, that component may not have
   * subscribed yet and the outcome, published once, would be lost to it.
   */
  readonly allStarted: Promise<void>;
  /**
   * Publishes what `snapshot` returns, as JSON retained on `<base>/stats/<id>`, every interval when it
   * changed (core/runtime/stats-publisher.ts). The periodic publish ends when the signal aborts or
   * `run` settles; a component that wants its final counters published calls `publish()` on stop.
   */
  publishStats(snapshot: () => unknown, options?: ComponentStatsOptions): StatsPublisher;
}

export interface ComponentStatsOptions extends StatsOptions {
  /** The topic's last level when it is not the component id (the Redis bridge's configured `name`). */
  readonly name?: string;
}

/**
 * A component runs until its signal aborts. If `run` throws or returns early, the supervisor logs it
 * with the component id and starts it again after a backoff; it never takes the bus down.
 * `run` must release what it acquired before it settles (subscriptions, sockets, timers).
 */
export interface Component<C> {
  readonly kind: string;
  run(context: ComponentContext<C>): Promise<void>;
}
