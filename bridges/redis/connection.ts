/**
 * The bridge's Redis connection (ioredis). Commands never wait in ioredis' offline queue: while
 * Redis is away a read fails at once and is counted, instead of piling up and replaying a burst of
 * stale reads on reconnect. Reconnects back off exponentially with jitter (core/util/backoff.ts).
 * The password goes to ioredis only; nothing here logs the options.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { backoffDelay } from '../../core/util/backoff.js';
import type { RedisConfig } from './config.js';

export function connectionOptions(config: RedisConfig): RedisOptions {
  const policy = { initialMs: config.retryDelay, maxMs: config.maxRetryDelay };
  return {
    host: config.host,
    port: config.port,
    username: config.username,
    password: config.password,
    db: config.db,
    connectTimeout: config.connectTimeout,
    commandTimeout: config.commandTimeout,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
    // ioredis counts attempts from 1; a number means "try again after this many ms", forever.
    retryStrategy: (times) => backoffDelay(times - 1, policy),
  };
}

export function createRedis(config: RedisConfig): Redis {
  return new Redis(connectionOptions(config));
}
