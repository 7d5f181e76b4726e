/**
 * Runs components (core/runtime/component.ts): each in isolation, restarted with backoff when its `run` throws
 * or returns before it was asked to stop, and stopped through its AbortSignal. A failing component is
 * logged with its id and never takes the others or the bus down.
 */
import { sleep as abortableSleep } from '../util/abortable.js';
import { backoffDelay, type BackoffPolicy } from '../util/backoff.js';
import type { Bus } from '../bus/bus.js';
import type { DurableStages } from './durability.js';
import type { Component, ComponentContext } from './component.js';
import { BusbarError, errorMessage } from './errors.js';
import type { Logger } from './logger.js';
import { createStatsPublisher } from './stats-publisher.js';
import type { Topics } from '../topics.js';

export interface SupervisorOptions {
  readonly bus: Bus;
  readonly topics: Topics;
  readonly log: Logger;
  /** Handed to every component (see ComponentContext.durability). */
  readonly durability?: DurableStages;
  /** Restart delays. Default 1 s doubling to 60 s, with jitter. */
  readonly backoff?: BackoffPolicy;
  /** A run that lasted this long was healthy: the next restart waits `backoff.initialMs` again. Default 60 s. */
  readonly healthyAfterMs?: number;
  /** How long `stop` waits for each component's `run` to settle. Default 10 s. */
  readonly stopTimeoutMs?: number;
  /** Clock, randomness and waiting, replaceable so tests need not wait real backoffs. */
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export type ComponentState = 'running' | 'backoff' | 'stopped';

export interface ComponentStatus {
  readonly id: string;
  readonly kind: string;
  readonly state: ComponentState;
  /** Times the component was started again after failing or returning early. */
  readonly restarts: number;
  readonly lastError: string | undefined;
  /** It has called `ready()` at least once. */
  readonly ready: boolean;
}

/** How the start went, as `whenReady` found it. */
export interface Readiness {
  /** Components that said they were ready. */
  readonly ready: string[];
  /** Components whose first run failed before they were ready (they are being restarted). */
  readonly failed: string[];
  /** Components that had neither said they were ready nor failed when the wait ended. */
  readonly waiting: string[];
}

export interface Supervisor {
  /** Starts `component` under `id` (unique); returns at once, the component runs in the background. */
  start<C>(component: Component<C>, id: string, config: C): void;
  /**
   * Resolves once every component started so far is ready or has failed, or after `timeoutMs`,
   * whichever comes first; never rejects, so a stuck component cannot hold busbar's start forever.
   */
  whenReady(timeoutMs: number): Promise<Readiness>;
  /**
   * Says the host has started every component it starts with and waited for them: resolves each
   * component's `allStarted` (components started later find it resolved).
   */
  markStarted(): void;
  status(): ComponentStatus[];
  /** Aborts every component's signal and waits for each `run` to settle, at most `stopTimeoutMs` each. */
  stop(): Promise<void>;
}

interface Supervised {
  readonly id: string;
  readonly kind: string;
  readonly controller: AbortController;
  state: ComponentState;
  restarts: number;
  lastError: string | undefined;
  ready: boolean;
  done: Promise<void>;
  /** Aborted when the current run settles or the component is stopped: ends its periodic stats. */
  run: AbortController;
}

const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000 };

export function createSupervisor(options: SupervisorOptions): Supervisor {
  const policy = options.backoff ?? DEFAULT_BACKOFF;
  const healthyAfterMs = options.healthyAfterMs ?? 60_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  const supervised = new Map<string, Supervised>();
  let stopping: Promise<void> | undefined;
  /** Waiters of `whenReady`, told whenever a component becomes ready or fails. */
  const readinessWaiters = new Set<() => void>();
  let markAllStarted!: () => void;
  const allStarted = new Promise<void>((resolve) => (markAllStarted = resolve));
  const readinessChanged = (): void => {
    for (const waiter of readinessWaiters) waiter();
  };

  async function supervise<C>(
    component: Component<C>,
    context: ComponentContext<C>,
    entry: Supervised,
  ): Promise<void> {
    const { signal, log } = context;
    let attempt = 0;
    while (!signal.aborted) {
      entry.state = 'running';
      entry.run = runController(signal);
      const started = now();
      let failure: unknown;
      try {
        await component.run(context);
        if (signal.aborted) break;
        failure = new Error('run() returned before the component was stopped');
      } catch (error) {
        if (signal.aborted) {
          log.warn({ err: error }, 'component failed while stopping');
          break;
        }
        failure = error;
      } finally {
        entry.run.abort();
      }
      if (now() - started >= healthyAfterMs) attempt = 0;
      // A retry cannot help a non-retryable error soon: wait the longest delay instead of flooding logs.
      const hopeless = failure instanceof BusbarError && !failure.retryable;
      const delayMs = hopeless ? policy.maxMs : backoffDelay(attempt, policy, random);
      attempt += 1;
      entry.restarts += 1;
      entry.lastError = errorMessage(failure);
      entry.state = 'backoff';
      readinessChanged();
      const code = failure instanceof BusbarError ? failure.code : undefined;
      log.error(
        { err: failure, code, restarts: entry.restarts, delayMs },
        'component failed; restarting after backoff',
      );
      await sleep(delayMs, signal);
    }
    entry.state = 'stopped';
    readinessChanged();
  }

  function start<C>(component: Component<C>, id: string, config: C): void {
    if (stopping !== undefined) {
      throw new BusbarError('BUSBAR_COMPONENT_FAILED', `cannot start ${id}: the supervisor is stopping`);
    }
    if (supervised.has(id)) throw new TypeError(`a component with id "${id}" is already supervised`);
    const controller = new AbortController();
    const log = options.log.child({ component: id });
    const entry: Supervised = {
      id,
      kind: component.kind,
      controller,
      state: 'running',
      restarts: 0,
      lastError: undefined,
      ready: false,
      done: Promise.resolve(),
      // Replaced by supervise before the first run.
      run: new AbortController(),
    };
    const context: ComponentContext<C> = Object.freeze({
      id,
      config,
      log,
      bus: options.bus,
      topics: options.topics,
      ...(options.durability === undefined ? {} : { durability: options.durability }),
      signal: controller.signal,
      allStarted,
      ready: () => {
        if (entry.ready) return;
        entry.ready = true;
        readinessChanged();
      },
      publishStats: (snapshot, { name = id, ...statsOptions } = {}) =>
        createStatsPublisher({
          ...statsOptions,
          bus: options.bus,
          topic: options.topics.stats(name),
          snapshot,
          log,
          signal: entry.run.signal,
        }),
    });
    supervised.set(id, entry);
    log.info({ kind: component.kind }, 'component starting');
    entry.done = supervise(component, context, entry);
  }

  async function settle(entry: Supervised): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>(
      (resolve) => (timer = setTimeout(() => resolve(true), stopTimeoutMs)),
    );
    const late = await Promise.race([entry.done.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) {
      options.log.error(
        { component: entry.id, timeoutMs: stopTimeoutMs },
        'component did not stop in time; moving on without it',
      );
    }
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      const entries = [...supervised.values()];
      for (const entry of entries) entry.controller.abort();
      await Promise.all(entries.map(settle));
    })();
    return stopping;
  }

  function readiness(): Readiness {
    const entries = [...supervised.values()];
    return {
      ready: entries.filter((entry) => entry.ready).map((entry) => entry.id),
      failed: entries.filter((entry) => !entry.ready && entry.restarts > 0).map((entry) => entry.id),
      waiting: entries
        .filter((entry) => !entry.ready && entry.restarts === 0 && entry.state === 'running')
        .map((entry) => entry.id),
    };
  }

  function whenReady(timeoutMs: number): Promise<Readiness> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        readinessWaiters.delete(check);
        resolve(readiness());
      };
      const check = (): void => {
        if (readiness().waiting.length === 0) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      readinessWaiters.add(check);
      check();
    });
  }

  function status(): ComponentStatus[] {
    return [...supervised.values()].map(({ id, kind, state, restarts, lastError, ready }) => ({
      id,
      kind,
      state,
      restarts,
      lastError,
      ready,
    }));
  }

  return { start, whenReady, markStarted: () => markAllStarted(), status, stop };
}

/** A controller for one run: aborted with the component's signal, or by the supervisor when the run settles. */
function runController(componentSignal: AbortSignal): AbortController {
  const run = new AbortController();
  const onAbort = (): void => run.abort();
  componentSignal.addEventListener('abort', onAbort, { once: true });
  run.signal.addEventListener('abort', () => componentSignal.removeEventListener('abort', onAbort), {
    once: true,
  });
  return run;
}
