/**
 * The stats publisher every component gets from its context (core/runtime/stats-publisher.ts): the
 * snapshot as JSON, retained on `<base>/stats/<id>`, only when it changed, a failing publish warned
 * once per run of failures, and no periodic publish once the component is stopped or its run ended.
 */
import { describe, expect, it } from 'vitest';
import type { Bus, PublishOptions } from '../../core/bus/bus.js';
import type { Component, ComponentContext } from '../../core/runtime/component.js';
import { createStatsPublisher } from '../../core/runtime/stats-publisher.js';
import { createSupervisor } from '../../core/runtime/supervisor.js';
import { createTopics } from '../../core/topics.js';
import { captureLog, LOG_LEVEL } from '../helpers/log-capture.js';
import { waitFor } from '../helpers/mqtt-clients.js';

interface Published {
  readonly topic: string;
  readonly payload: string;
  readonly options: PublishOptions | undefined;
}

/** A bus that records what is published, and refuses while `failing` is set. */
function recordingBus() {
  const published: Published[] = [];
  const state = { failing: undefined as Error | undefined };
  const bus: Bus = {
    publish: (topic, payload, options) => {
      if (state.failing) return Promise.reject(state.failing);
      published.push({ topic, payload: payload.toString(), options });
      return Promise.resolve();
    },
    subscribe: () => Promise.reject(new Error('not used')),
    close: () => Promise.resolve(),
  };
  return { bus, published, state };
}

/** A snapshot that counts how often it was taken: a tick of the periodic publish, observed. */
function counted<T>(value: () => T) {
  const snapshot = Object.assign(
    () => {
      snapshot.calls += 1;
      return value();
    },
    { calls: 0 },
  );
  return snapshot;
}

/** Runs one component under a supervisor with a recording bus, until `stop`. */
function supervise(component: Component<unknown>, id = 'probe') {
  const { bus, published, state } = recordingBus();
  const log = captureLog('debug');
  const supervisor = createSupervisor({
    bus,
    topics: createTopics(),
    log: log.logger,
    random: () => 1,
    sleep: async () => {
      await new Promise((resolve) => setImmediate(resolve));
    },
  });
  supervisor.start(component, id, {});
  return { supervisor, published, state, log };
}

/** Publishes stats from the context every `everyMs` until stopped. */
function statsComponent(
  snapshot: () => unknown,
  options: Parameters<ComponentContext<unknown>['publishStats']>[1],
): Component<unknown> {
  return {
    kind: 'probe',
    async run(context) {
      context.publishStats(snapshot, options);
      await new Promise<void>((resolve) =>
        context.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    },
  };
}

describe('stats publisher', () => {
  it('publishes the snapshot as JSON, retained, on <base>/stats/<id> at the QoS asked for', async () => {
    const counters = { toJSON: () => ({ accepted: 3, rejected: { topic: 1 } }) };
    const { supervisor, published } = supervise(
      statsComponent(() => counters, { everyMs: 5, qos: 1 }),
      'ingest',
    );
    await waitFor(() => published.length > 0, 'a stats publish');
    await supervisor.stop();
    expect(published[0]).toEqual({
      topic: 'busbar/stats/ingest',
      payload: JSON.stringify({ accepted: 3, rejected: { topic: 1 } }),
      options: { qos: 1, retain: true },
    });
  });

  it('publishes on the name given instead of the id (the Redis bridge its configured name)', async () => {
    const { supervisor, published } = supervise(
      statsComponent(() => ({ n: 1 }), { everyMs: 5, name: 'cache' }),
      'redis',
    );
    await waitFor(() => published.length > 0, 'a stats publish');
    await supervisor.stop();
    expect(published[0]!.topic).toBe('busbar/stats/cache');
    expect(published[0]!.options).toEqual({ qos: 0, retain: true });
  });

  it('skips a snapshot equal to the last one published, and publishes the next that differs', async () => {
    let value = 1;
    const snapshot = counted(() => ({ value }));
    const { supervisor, published } = supervise(statsComponent(snapshot, { everyMs: 5 }));
    await waitFor(() => snapshot.calls >= 5, 'five snapshots');
    expect(published.map((p) => p.payload)).toEqual(['{"value":1}']);
    value = 2;
    await waitFor(() => published.length === 2, 'the changed snapshot');
    const calls = snapshot.calls;
    await waitFor(() => snapshot.calls >= calls + 5, 'five more snapshots');
    await supervisor.stop();
    expect(published.map((p) => p.payload)).toEqual(['{"value":1}', '{"value":2}']);
  });

  it('warns once while publishing fails, tries again with the same snapshot, and says when it works again', async () => {
    const snapshot = counted(() => ({ value: 1 }));
    const { supervisor, published, state, log } = supervise(statsComponent(snapshot, { everyMs: 5 }));
    state.failing = new Error('the broker is gone');
    await waitFor(() => snapshot.calls >= 5, 'five failed attempts');
    const warnings = log.find('statistics not published');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: LOG_LEVEL.warn,
      topic: 'busbar/stats/probe',
      reason: 'the broker is gone',
      component: 'probe',
    });
    expect(log.find('statistics still not published').length).toBeGreaterThan(0);
    // Unchanged, yet published: the failed one never reached the broker.
    state.failing = undefined;
    await waitFor(() => published.length === 1, 'the publish once the bus takes it again');
    await waitFor(() => log.find('statistics published again').length === 1, 'the recovery logged');
    await supervisor.stop();
    expect(published[0]!.payload).toBe('{"value":1}');
    expect(log.find('statistics not published')).toHaveLength(1);
  });

  it('counts a snapshot that throws as a failed publish: logged, and the component keeps running', async () => {
    let broken = true;
    const snapshot = counted(() => {
      if (broken) throw new Error('EACCES: history.db');
      return { value: 1 };
    });
    const { supervisor, published, log } = supervise(statsComponent(snapshot, { everyMs: 5 }));
    await waitFor(() => snapshot.calls >= 3, 'three snapshots that threw');
    expect(log.find('statistics not published')).toMatchObject([{ reason: 'EACCES: history.db' }]);
    expect(log.find('component failed')).toEqual([]);
    broken = false;
    await waitFor(() => published.length === 1, 'the publish once the snapshot works');
    await supervisor.stop();
  });

  it('ends the periodic publish when the signal aborts; publish() still sends the last snapshot', async () => {
    const { bus, published } = recordingBus();
    const log = captureLog('debug');
    const stopped = new AbortController();
    let value = 0;
    const stoppedSnapshot = counted(() => ({ value }));
    const publisher = createStatsPublisher({
      bus,
      topic: 'busbar/stats/stopped',
      snapshot: stoppedSnapshot,
      everyMs: 5,
      log: log.logger,
      signal: stopped.signal,
    });
    await waitFor(() => stoppedSnapshot.calls >= 2, 'two periodic snapshots');
    stopped.abort();
    const callsAtStop = stoppedSnapshot.calls;
    // A publisher left running on the same interval shows time passing without waiting a fixed time.
    const running = new AbortController();
    const clock = counted(() => ({}));
    createStatsPublisher({
      bus,
      topic: 'busbar/stats/clock',
      snapshot: clock,
      everyMs: 5,
      log: log.logger,
      signal: running.signal,
    });
    await waitFor(() => clock.calls >= 5, 'five ticks of the running publisher');
    running.abort();
    expect(stoppedSnapshot.calls).toBe(callsAtStop);
    value = 1;
    await publisher.publish();
    expect(published.filter((p) => p.topic === 'busbar/stats/stopped').at(-1)!.payload).toBe('{"value":1}');
  });

  it('ends the periodic publish of a run that failed: a restarted component does not publish twice', async () => {
    const first = counted(() => ({ run: 1 }));
    const second = counted(() => ({ run: 2 }));
    let runs = 0;
    const { supervisor } = supervise({
      kind: 'probe',
      async run(context) {
        runs += 1;
        if (runs === 1) {
          context.publishStats(first, { everyMs: 5 });
          await waitFor(() => first.calls >= 2, 'two snapshots of the first run');
          throw new Error('boom');
        }
        context.publishStats(second, { everyMs: 5 });
        await new Promise<void>((resolve) =>
          context.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      },
    });
    await waitFor(() => second.calls >= 1, 'the second run publishing');
    const firstCalls = first.calls;
    await waitFor(() => second.calls >= 6, 'five more ticks of the second run');
    await supervisor.stop();
    expect(first.calls).toBe(firstCalls);
  });

  it('publishNow publishes an unchanged snapshot and rejects when the bus does', async () => {
    const { bus, published, state } = recordingBus();
    const publisher = createStatsPublisher({
      bus,
      topic: 'busbar/stats/web',
      snapshot: () => ({ state: 'ok' }),
      everyMs: false,
      log: captureLog().logger,
      signal: new AbortController().signal,
    });
    await publisher.publish();
    await publisher.publishNow();
    expect(published).toHaveLength(2);
    state.failing = new Error('no answer');
    await expect(publisher.publishNow()).rejects.toThrow('no answer');
  });
});
