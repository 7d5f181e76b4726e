import { describe, expect, it } from 'vitest';
import type { Bus } from '../../core/bus/bus.js';
import type { Component, ComponentContext } from '../../core/runtime/component.js';
import { BusbarError } from '../../core/runtime/errors.js';
import { createSupervisor, type Readiness, type SupervisorOptions } from '../../core/runtime/supervisor.js';
import { createTopics } from '../../core/topics.js';
import { captureLog, LOG_LEVEL } from '../helpers/log-capture.js';
import { within } from '../helpers/mqtt-clients.js';

/** The supervisor never touches the bus itself; components get it as is. */
const bus: Bus = {
  publish: () => Promise.resolve(),
  subscribe: () => Promise.reject(new Error('not used')),
  close: () => Promise.resolve(),
};

function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error('condition not met in time'));
      setTimeout(check, 2);
    };
    check();
  });
}

/** Runs until its signal aborts, counting its runs. */
function healthy(kind = 'healthy'): Component<unknown> & { runs: number } {
  const component = {
    kind,
    runs: 0,
    async run({ signal }: ComponentContext<unknown>) {
      component.runs += 1;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    },
  };
  return component;
}

/** Fails its first `failures` runs with `error`, then runs healthily. */
function flaky(failures: number, error: unknown = new Error('boom')): Component<unknown> & { runs: number } {
  const steady = healthy('flaky');
  const component = {
    kind: 'flaky',
    runs: 0,
    async run(context: ComponentContext<unknown>) {
      component.runs += 1;
      if (component.runs <= failures) throw error;
      await steady.run(context);
    },
  };
  return component;
}

function setup(overrides: Partial<SupervisorOptions> = {}) {
  const log = captureLog('debug');
  const delays: number[] = [];
  const supervisor = createSupervisor({
    bus,
    topics: createTopics(),
    log: log.logger,
    random: () => 1,
    // Records the backoff instead of waiting it, so the tests run in milliseconds (one event-loop turn,
    // as a real timer would give, so a component failing forever cannot starve the test's own timers).
    sleep: async (ms) => {
      delays.push(ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
    ...overrides,
  });
  return { supervisor, log, delays };
}

describe('supervisor', () => {
  it('gives a component its context: id, config, child logger, bus, topics and a live signal', async () => {
    const { supervisor } = setup();
    let seen: ComponentContext<{ answer: number }> | undefined;
    supervisor.start(
      {
        kind: 'probe',
        async run(context) {
          seen = context;
          await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
        },
      },
      'probe:1',
      { answer: 42 },
    );
    await until(() => seen !== undefined);
    expect(seen?.id).toBe('probe:1');
    expect(seen?.config).toEqual({ answer: 42 });
    expect(seen?.bus).toBe(bus);
    expect(seen?.topics.base).toBe('busbar');
    expect(seen?.signal.aborted).toBe(false);
    await supervisor.stop();
    expect(seen?.signal.aborted).toBe(true);
  });

  it('restarts a failing component with its id in the log, and counts the restarts', async () => {
    const { supervisor, log } = setup();
    const component = flaky(3);
    supervisor.start(component, 'flaky:a', {});
    await until(() => component.runs === 4);
    const failures = log.find('component failed; restarting');
    expect(failures).toHaveLength(3);
    expect(failures.every((line) => line.component === 'flaky:a' && line.level === LOG_LEVEL.error)).toBe(
      true,
    );
    expect(failures[0]?.err).toMatchObject({ message: 'boom' });
    expect(supervisor.status()).toEqual([
      { id: 'flaky:a', kind: 'flaky', state: 'running', ready: false, restarts: 3, lastError: 'boom' },
    ]);
    await supervisor.stop();
  });

  it('restarts a run that returns before it was stopped', async () => {
    const { supervisor, log } = setup();
    let runs = 0;
    supervisor.start({ kind: 'quitter', run: async () => void (runs += 1) }, 'quitter', {});
    await until(() => runs >= 3);
    await supervisor.stop();
    expect(log.find('component failed; restarting')[0]?.err).toMatchObject({
      message: expect.stringContaining('returned before'),
    });
    expect(supervisor.status()[0]?.state).toBe('stopped');
  });

  it('doubles the delay up to the maximum, with jitter below the ceiling', async () => {
    const { supervisor, delays } = setup({ backoff: { initialMs: 100, maxMs: 1_000 } });
    const component = flaky(6);
    supervisor.start(component, 'flaky', {});
    await until(() => component.runs === 7);
    await supervisor.stop();
    // random() = 1: the ceiling itself.
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);

    const low = setup({ backoff: { initialMs: 100, maxMs: 1_000 }, random: () => 0 });
    const again = flaky(3);
    low.supervisor.start(again, 'flaky', {});
    await until(() => again.runs === 4);
    await low.supervisor.stop();
    // random() = 0: half the ceiling, so restarts of many components spread over [ceiling/2, ceiling].
    expect(low.delays).toEqual([50, 100, 200]);
  });

  it('starts the backoff again after a run that stayed healthy for healthyAfterMs', async () => {
    let clock = 0;
    const { supervisor, delays } = setup({
      backoff: { initialMs: 100, maxMs: 10_000 },
      healthyAfterMs: 60_000,
      now: () => clock,
    });
    let runs = 0;
    supervisor.start(
      {
        kind: 'long-then-short',
        async run({ signal }) {
          runs += 1;
          // Runs 1–3 fail at once; run 4 fails after two healthy minutes; run 5 fails at once again.
          if (runs === 4) clock += 120_000;
          if (runs <= 5) throw new Error(`failure ${runs}`);
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
        },
      },
      'c',
      {},
    );
    await until(() => runs === 6);
    expect(delays).toEqual([100, 200, 400, 100, 200]);
    await supervisor.stop();
  });

  it('waits the longest delay after an error that says retrying cannot help', async () => {
    const { supervisor, delays } = setup({ backoff: { initialMs: 100, maxMs: 5_000 } });
    const component = flaky(1, new BusbarError('BUSBAR_CONFIG_INVALID', 'bad', { retryable: false }));
    supervisor.start(component, 'c', {});
    await until(() => component.runs === 2);
    expect(delays).toEqual([5_000]);
    await supervisor.stop();
  });

  it('keeps the other components running while one fails over and over', async () => {
    const { supervisor } = setup();
    const steady = healthy();
    const broken = flaky(Number.POSITIVE_INFINITY);
    supervisor.start(steady, 'steady', {});
    supervisor.start(broken, 'broken', {});
    await until(() => broken.runs >= 20);
    expect(steady.runs).toBe(1);
    const states = Object.fromEntries(supervisor.status().map((s) => [s.id, s.state]));
    expect(states.steady).toBe('running');
    await supervisor.stop();
  });

  it('isolates a run that throws synchronously', async () => {
    const { supervisor } = setup();
    let runs = 0;
    const sync: Component<unknown> = {
      kind: 'sync',
      run() {
        runs += 1;
        throw new Error('not even a promise');
      },
    };
    supervisor.start(sync, 'sync', {});
    await until(() => runs >= 2);
    await supervisor.stop();
  });

  it('stop() aborts every signal and waits for each run to finish its cleanup', async () => {
    const { supervisor } = setup();
    const cleaned: string[] = [];
    const slowToStop = (name: string): Component<unknown> => ({
      kind: 'cleanup',
      async run({ signal }) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        await new Promise((resolve) => setTimeout(resolve, 30));
        cleaned.push(name);
      },
    });
    supervisor.start(slowToStop('a'), 'a', {});
    supervisor.start(slowToStop('b'), 'b', {});
    await supervisor.stop();
    expect(cleaned.sort()).toEqual(['a', 'b']);
    expect(supervisor.status().map((s) => s.state)).toEqual(['stopped', 'stopped']);
  });

  it('stop() gives up on a component that ignores its signal after stopTimeoutMs, and says which', async () => {
    const { supervisor, log } = setup({ stopTimeoutMs: 50 });
    const steady = healthy();
    supervisor.start({ kind: 'stubborn', run: () => new Promise<void>(() => undefined) }, 'stubborn', {});
    supervisor.start(steady, 'steady', {});
    // The stubborn component never returns: waiting for it would outlast `within`.
    await within(supervisor.stop(), 10_000, 'stop() beside a component that ignores its signal');
    const late = log.find('did not stop in time');
    expect(late).toHaveLength(1);
    expect(late[0]?.component).toBe('stubborn');
  });

  it('stop() interrupts a backoff wait at once (real timers)', async () => {
    const log = captureLog();
    const supervisor = createSupervisor({
      bus,
      topics: createTopics(),
      log: log.logger,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    const component = flaky(Number.POSITIVE_INFINITY);
    supervisor.start(component, 'waiting', {});
    await until(() => supervisor.status()[0]?.state === 'backoff');
    // Waiting out the 60 s backoff would outlast `within`'s 10 s.
    await within(supervisor.stop(), 10_000, 'stop() during a 60 s backoff');
    expect(component.runs).toBe(1);
  });

  it('logs, but does not restart, a component that fails while stopping', async () => {
    const { supervisor, log } = setup();
    let runs = 0;
    supervisor.start(
      {
        kind: 'bad-exit',
        async run({ signal }) {
          runs += 1;
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
          throw new Error('cleanup failed');
        },
      },
      'bad-exit',
      {},
    );
    await supervisor.stop();
    expect(runs).toBe(1);
    expect(log.find('failed while stopping')[0]?.component).toBe('bad-exit');
  });

  it('refuses duplicate ids and starts after stop', async () => {
    const { supervisor } = setup();
    supervisor.start(healthy(), 'one', {});
    expect(() => supervisor.start(healthy(), 'one', {})).toThrow(/already supervised/);
    await supervisor.stop();
    expect(() => supervisor.start(healthy(), 'two', {})).toThrow(BusbarError);
  });

  describe('readiness', () => {
    /** Says it is ready when `open` resolves, then runs until stopped. */
    function startsWhen(open: Promise<void>): Component<unknown> {
      return {
        kind: 'gated',
        async run(context) {
          await open;
          context.ready();
          context.ready(); // twice is harmless
          await healthy().run(context);
        },
      };
    }

    it('waits until every component is ready', async () => {
      const { supervisor } = setup();
      let openFirst!: () => void;
      let openSecond!: () => void;
      supervisor.start(startsWhen(new Promise((resolve) => (openFirst = resolve))), 'first', {});
      supervisor.start(startsWhen(new Promise((resolve) => (openSecond = resolve))), 'second', {});
      let settled: Readiness | undefined;
      const waiting = supervisor.whenReady(5_000).then((readiness) => (settled = readiness));
      openFirst();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(settled).toBeUndefined();
      expect(supervisor.status().map((entry) => entry.ready)).toEqual([true, false]);
      openSecond();
      await waiting;
      expect(settled).toEqual({ ready: ['first', 'second'], failed: [], waiting: [] });
      await supervisor.stop();
    });

    it('does not wait for a component whose first run failed, and names it', async () => {
      const { supervisor } = setup({ sleep: (_ms, signal) => until(() => signal.aborted, 60_000) });
      supervisor.start(startsWhen(Promise.resolve()), 'fine', {});
      supervisor.start(flaky(1), 'broken', {});
      const readiness = await supervisor.whenReady(5_000);
      expect(readiness).toEqual({ ready: ['fine'], failed: ['broken'], waiting: [] });
      await supervisor.stop();
    });

    it('resolves allStarted for every component, early or late, only once the host says so', async () => {
      const { supervisor } = setup();
      const order: string[] = [];
      const watches = (id: string): Component<unknown> => ({
        kind: 'watcher',
        async run(context) {
          context.ready();
          await context.allStarted;
          order.push(id);
          await healthy().run(context);
        },
      });
      supervisor.start(watches('early'), 'early', {});
      await supervisor.whenReady(5_000);
      // Ready, yet the restored work a component holds back must not start before the host says so.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(order).toEqual([]);
      supervisor.markStarted();
      await until(() => order.length === 1);
      supervisor.start(watches('late'), 'late', {});
      await until(() => order.length === 2);
      expect(order).toEqual(['early', 'late']);
      await supervisor.stop();
    });

    it('gives up after the timeout and says which components were still starting', async () => {
      const { supervisor } = setup({ stopTimeoutMs: 50 }); // `stuck` ignores its signal too
      supervisor.start(startsWhen(Promise.resolve()), 'fine', {});
      supervisor.start(startsWhen(new Promise<void>(() => undefined)), 'stuck', {});
      const started = Date.now();
      const readiness = await supervisor.whenReady(100);
      expect(Date.now() - started).toBeGreaterThanOrEqual(95);
      expect(readiness).toEqual({ ready: ['fine'], failed: [], waiting: ['stuck'] });
      await supervisor.stop();
    });
  });
});
