/**
 * A component's statistics, retained on one topic so a dashboard, `/metrics` or an alarm rule that
 * subscribes later still sees them. Every component publishes them the same way: a snapshot taken
 * every interval and published only when it differs from the last one published (a busy component
 * would otherwise say the same thing again and again), in call order, never overlapping.
 */
import type { Bus } from '../bus/bus.js';
import { errorMessage } from './errors.js';
import type { Logger } from './logger.js';

/** How often statistics are published when a component does not say. */
export const STATS_INTERVAL_MS = 10_000;

export interface StatsOptions {
  /**
   * How often the snapshot is taken and published if it changed. Default 10 s. `false`: only when
   * the component calls `publish()` (the alarms component does, at the end of each evaluation, so its
   * statistics follow the notifications that evaluation published).
   */
  readonly everyMs?: number | false;
  /** QoS of the publish; default 0. */
  readonly qos?: 0 | 1;
}

export interface StatsPublisherOptions extends StatsOptions {
  readonly bus: Bus;
  readonly topic: string;
  /** The statistics now; published as JSON (so an object's `toJSON` decides its shape). */
  readonly snapshot: () => unknown;
  readonly log: Logger;
  /** The periodic publish ends when this aborts; `publish()` still works (a last publish on stop). */
  readonly signal: AbortSignal;
}

export interface StatsPublisher {
  /**
   * Publishes the snapshot if it changed since the last one published; resolves once it is
   * published, or has failed. Never throws or rejects: a failure (of the bus, or of the snapshot) is
   * logged, warned once per run of failures, and the next call tries again.
   */
  publish(): Promise<void>;
  /**
   * Publishes the snapshot whether or not it changed, and rejects when the bus does: for a caller
   * that needs to know (the web's `/health` uses it as its broker check).
   */
  publishNow(): Promise<void>;
}

export function createStatsPublisher(options: StatsPublisherOptions): StatsPublisher {
  const { bus, topic, snapshot, log, signal } = options;
  const publishOptions = { qos: options.qos ?? 0, retain: true } as const;
  const everyMs = options.everyMs ?? STATS_INTERVAL_MS;
  /** The text last published or on its way; undefined after a failure, so the next call tries again. */
  let last: string | undefined;
  let chain: Promise<void> = Promise.resolve();
  let failures = 0;

  const send = async (text: string): Promise<void> => {
    try {
      await bus.publish(topic, text, publishOptions);
    } catch (error) {
      if (last === text) last = undefined;
      throw error;
    }
  };

  const failed = (error: unknown): void => {
    failures += 1;
    // The reason only: never the payload or the bus's connection options.
    if (failures === 1) log.warn({ topic, reason: errorMessage(error) }, 'statistics not published');
    else log.debug({ topic, reason: errorMessage(error), failures }, 'statistics still not published');
  };

  /** The snapshot as JSON; a snapshot that throws (a file it measures is unreadable) fails this publish only. */
  const take = (): string => JSON.stringify(snapshot());

  const publish = (): Promise<void> => {
    let text: string;
    try {
      text = take();
    } catch (error) {
      failed(error);
      return chain;
    }
    if (text === last) return chain;
    last = text;
    chain = chain.then(async () => {
      try {
        await send(text);
        if (failures > 0) log.info({ topic, failures }, 'statistics published again');
        failures = 0;
      } catch (error) {
        failed(error);
      }
    });
    return chain;
  };

  const publishNow = (): Promise<void> => {
    let text: string;
    try {
      text = take();
    } catch (error) {
      return Promise.reject(error as Error);
    }
    last = text;
    const attempt = chain.then(() => send(text));
    chain = attempt.catch(() => undefined);
    return attempt;
  };

  if (everyMs !== false && !signal.aborted) {
    // The next interval starts once a publish has settled: a slow bus delays them, never piles them up.
    let timer: NodeJS.Timeout | undefined;
    const schedule = (): void => {
      timer = setTimeout(() => {
        void publish().then(() => {
          if (!signal.aborted) schedule();
        });
      }, everyMs);
      timer.unref();
    };
    signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    schedule();
  }

  return { publish, publishNow };
}
