/**
 * `broker.persistence.type: redis`: sessions, retained messages and QoS 1 queues in Redis
 * (aedes-persistence-redis), and messages between brokers sharing it over Redis pub/sub
 * (mqemitter-redis).
 *
 * busbar opens the three Redis connections itself and hands them to both libraries, so it can
 *  - fail startup with a clear BUSBAR_PERSISTENCE error when Redis is down or refuses us, instead
 *    of the libraries retrying forever while setup() hangs;
 *  - log connection errors (rate-limited) instead of ioredis printing "Unhandled error event";
 *  - retry commands without limit once running (`maxRetriesPerRequest: null`): while Redis is away
 *    commands wait for it, rather than rejecting in places where the libraries ignore rejections
 *    (an unhandled rejection would end the process);
 *  - close them even when Redis is unreachable at shutdown.
 */
import { createRequire } from 'node:module';
import type { AedesOptions } from 'aedes';
import redisPersistence from 'aedes-persistence-redis';
import MQEmitterRedis from 'mqemitter-redis';
import { BusbarError, errorMessage } from '../core/runtime/errors.js';
import type { Logger } from '../core/runtime/logger.js';
import { LogThrottle } from '../core/util/log-throttle.js';

type RedisClient = NonNullable<MQEmitterRedis.MQEmitterOptions['subConn']>;
type RedisOptions = NonNullable<Parameters<typeof MQEmitterRedis>[0]>;

export interface RedisSettings {
  readonly host: string;
  readonly port: number;
  readonly password?: string | undefined;
  readonly db: number;
  readonly connectTimeout: number;
}

export interface RedisBackend {
  readonly aedesOptions: Required<Pick<AedesOptions, 'persistence' | 'mq'>>;
  /** True while every connection is ready. */
  reachable(): boolean;
  /**
   * Drops the connections at once. Commands waiting for an unreachable Redis then stay pending
   * forever (ioredis neither runs nor rejects them), which is what a shutdown wants: nothing left
   * holds the event loop, and no library sees a late rejection it would not handle.
   */
  disconnect(): void;
}

/**
 * The ioredis that aedes-persistence-redis itself depends on: the connection we pass it must be
 * the kind it was written for. (busbar does not depend on ioredis directly.)
 */
function loadRedisClass(): new (options: RedisOptions) => RedisClient {
  const requireHere = createRequire(import.meta.url);
  const requireFromPersistence = createRequire(requireHere.resolve('aedes-persistence-redis'));
  return (requireFromPersistence('ioredis') as { Redis: new (options: RedisOptions) => RedisClient }).Redis;
}

export async function openRedisBackend(settings: RedisSettings, log: Logger): Promise<RedisBackend> {
  const Redis = loadRedisClass();
  const where = `${settings.host}:${settings.port}${settings.db ? `/${settings.db}` : ''}`;
  const options: RedisOptions = {
    host: settings.host,
    port: settings.port,
    db: settings.db,
    connectTimeout: settings.connectTimeout,
    maxRetriesPerRequest: null,
    ...(settings.password ? { password: settings.password } : {}),
  };
  const throttle = new LogThrottle(0.2, 5);
  let running = false;

  const open = (role: string, extra: RedisOptions = {}): RedisClient => {
    const connection = new Redis({ ...options, ...extra, connectionName: `busbar-broker-${role}` });
    let failing = false;
    connection.on('error', (error: Error) => {
      if (!running) return; // startup reports the first error itself
      failing = true;
      const dropped = throttle.admit();
      if (dropped !== undefined) {
        log.warn(
          { redis: where, connection: role, reason: error.message, errorsNotLogged: dropped },
          'Redis error',
        );
      }
    });
    connection.on('ready', () => {
      if (!failing) return;
      failing = false;
      log.info({ redis: where, connection: role }, 'Redis connection restored');
    });
    return connection;
  };

  const db = open('persistence');
  const sub = open('subscriber');
  const pub = open('publisher', { enableAutoPipelining: true });
  const connections = [db, sub, pub];
  const disconnect = (): void => connections.forEach((connection) => connection.disconnect());

  const giveUp = new AbortController();
  try {
    await Promise.all(
      connections.map((connection) => ready(connection, settings.connectTimeout, giveUp.signal)),
    );
  } catch (error) {
    giveUp.abort(); // the other connections' waits end now, not at their timeout
    disconnect();
    throw new BusbarError(
      'BUSBAR_PERSISTENCE',
      `broker persistence: cannot use Redis at ${where}: ${errorMessage(error)}`,
      { cause: error, retryable: true },
    );
  }
  running = true;

  // matchEmptyLevels as Aedes sets it on its default emitter [MQTT-4.7.1-3].
  const mq = MQEmitterRedis({ subConn: sub, pubConn: pub, matchEmptyLevels: true });
  // mqemitter-redis re-emits connection and publish failures here; an 'error' event nobody listens
  // to would throw. The connections' own listeners above already log connection failures.
  (mq as unknown as { state: NodeJS.EventEmitter }).state.on('error', (error: Error) => {
    const dropped = throttle.admit();
    if (dropped !== undefined) {
      log.warn({ redis: where, reason: error.message, errorsNotLogged: dropped }, 'Redis pub/sub error');
    }
  });

  return {
    aedesOptions: { persistence: redisPersistence({ conn: db }), mq },
    reachable: () => connections.every((connection) => connection.status === 'ready'),
    disconnect,
  };
}

/** Resolves once the connection is ready; rejects at its first error, after `timeoutMs`, or on abort. */
function ready(connection: RedisClient, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      connection.off('ready', onReady);
      connection.off('error', onError);
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onReady = (): void => finish();
    const onError = (error: Error): void => finish(error);
    const onAbort = (): void => finish(new Error('startup abandoned'));
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    connection.once('ready', onReady);
    connection.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
