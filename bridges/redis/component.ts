/**
 * The Redis bridge: each key selection read on its own interval (and on keyspace notifications),
 * its keys mapped to metrics and published on `<base>/metrics/<source>/<measurement>`. The
 * connection's state is `online`/`offline` on `<base>/status/<name>` (retained); counters on
 * `<base>/stats/<name>`. A Redis outage is counted and reported, and reading resumes by itself.
 */
import { setMaxListeners } from 'node:events';
import type { Component } from '../../core/runtime/component.js';
import { errorMessage } from '../../core/runtime/errors.js';
import { PeriodicLog } from '../../core/util/log-throttle.js';
import { aborted } from '../../core/util/abortable.js';
import { StatusPublisher, type SourceState } from '../common/status.js';
import type { RedisConfig } from './config.js';
import { createRedis } from './connection.js';
import { createRedisDeadletter } from './deadletter.js';
import { startNotifications, type Notifications } from './notifications.js';
import { SelectionPoller } from './selection-poller.js';

export const redisBridgeComponent: Component<RedisConfig> = {
  kind: 'redis-bridge',
  async run(context) {
    const { config, bus, topics, log } = context;
    const stop = new AbortController();
    setMaxListeners(2 * config.selections.length + 10, stop.signal);
    context.signal.addEventListener('abort', () => stop.abort(), { once: true });
    if (context.signal.aborted) stop.abort();

    const throttle = new PeriodicLog();
    const status = new StatusPublisher(bus, topics, config.name);
    const connection = { errors: 0, disconnects: 0, lastError: undefined as string | undefined };
    const deadletter = createRedisDeadletter({
      bus,
      topics,
      log,
      throttle,
      perSecond: config.deadletterPerSecond,
    });
    const redis = createRedis(config);
    let notifications: Notifications | undefined;
    // Disconnecting on stop closes the connection: that says nothing about Redis.
    let stopping = false;

    const setState = (state: SourceState, reason?: string): void => {
      if (stopping) return;
      status
        .set(state)
        .then((changed) => {
          if (!changed) return;
          if (state === 'offline')
            log.warn({ reason }, `Redis ${config.host}:${config.port} is offline: ${reason}`);
          else log.info(`Redis ${config.host}:${config.port} is online`);
        })
        .catch((error: unknown) =>
          log.error({ reason: errorMessage(error) }, 'could not publish the Redis status'),
        );
    };

    redis.on('ready', () => {
      setState('online');
      void notifications?.ensureEnabled();
    });
    redis.on('error', (error: Error) => {
      connection.errors++;
      connection.lastError = error.message;
      throttle.run(`redis error ${error.message}`, (suppressed) =>
        log.debug({ reason: error.message, suppressed }, 'Redis connection error'),
      );
      setState('offline', error.message);
    });
    redis.on('close', () => {
      if (status.state === 'online') connection.disconnects++;
      setState('offline', connection.lastError ?? 'connection closed');
    });

    const pollers = config.selections.map(
      (selection) =>
        new SelectionPoller({
          selection,
          config,
          redis,
          bus,
          topics,
          log,
          throttle,
          deadletter: deadletter.send,
          onReadResult: (ok, error) => {
            if (ok) return setState('online');
            connection.lastError = errorMessage(error);
            setState('offline', connection.lastError);
          },
        }),
    );

    const stats = context.publishStats(
      () => ({
        state: status.state ?? 'unknown',
        errors: connection.errors,
        disconnects: connection.disconnects,
        lastError: connection.lastError,
        notifications: notifications?.enabled ?? false,
        deadletterSuppressed: deadletter.suppressed(),
        deadletterSuppressedByReason: deadletter.suppressedByReason(),
        selections: Object.fromEntries(pollers.map((poller) => [poller.name, poller.stats.toJSON()])),
        at: new Date().toISOString(),
      }),
      { name: config.name, everyMs: config.statsInterval },
    );

    try {
      // A first connection that fails is retried by ioredis (retryStrategy); reads fail until then.
      await redis.connect().catch((error: unknown) => setState('offline', errorMessage(error)));
      if (config.selections.some((selection) => selection.notify)) {
        notifications = await startNotifications({
          config,
          redis,
          subscriber: redis.duplicate({ autoResubscribe: false }),
          pollers,
          log,
        });
        if (redis.status === 'ready') await notifications.ensureEnabled();
      }
      log.info({ selections: pollers.map((poller) => poller.name) }, 'Redis bridge reading');
      context.ready();
      await Promise.all([...pollers.map((poller) => poller.run(stop.signal)), aborted(stop.signal)]);
    } finally {
      stopping = true;
      notifications?.close();
      redis.disconnect();
      await stats.publish();
    }
  },
};
