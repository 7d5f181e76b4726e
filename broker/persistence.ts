/**
 * `broker.persistence`: `memory` (Aedes' default, lost on restart) or `redis` (shared, survives
 * restarts). Both are reached through the persistence object Aedes holds once it is set up.
 */
import type { Aedes, AedesOptions } from 'aedes';
import type { PersistenceConfig } from './config.js';
import type { Logger } from '../core/runtime/logger.js';
import { openRedisBackend } from './redis-persistence.js';

export interface BrokerPersistence {
  readonly type: PersistenceConfig['type'];
  /** How long Aedes' setup of the store (loading sessions) may take, when it can hang at all. */
  readonly setupTimeoutMs: number | undefined;
  /** What to give Aedes; empty for memory (Aedes creates its own in-memory persistence). */
  readonly aedesOptions: Pick<AedesOptions, 'persistence' | 'mq'>;
  /** Persistent (clean: false) sessions known to the store, connected or not. */
  countSessions(aedes: Aedes): Promise<number>;
  /** False while the store cannot be reached: closing then cannot wait for it. */
  reachable(): boolean;
  /** Releases the store after Aedes has closed. */
  close(aedes: Aedes): Promise<void>;
  /** Drops connections at once, for a shutdown stuck on an unreachable store. */
  abort(): void;
}

interface AedesPersistence {
  countOffline(): Promise<{ subsCount: number; clientsCount: number }>;
  destroy(): Promise<void>;
}

function persistenceOf(aedes: Aedes): AedesPersistence {
  return (aedes as unknown as { persistence: AedesPersistence }).persistence;
}

export async function openPersistence(config: PersistenceConfig, log: Logger): Promise<BrokerPersistence> {
  const countSessions = async (aedes: Aedes): Promise<number> =>
    (await persistenceOf(aedes).countOffline()).clientsCount;
  if (config.type === 'memory') {
    return {
      type: 'memory',
      setupTimeoutMs: undefined,
      aedesOptions: {},
      countSessions,
      reachable: () => true,
      close: (aedes) => persistenceOf(aedes).destroy(),
      abort() {},
    };
  }
  const backend = await openRedisBackend(config.redis, log);
  return {
    type: 'redis',
    setupTimeoutMs: config.redis.connectTimeout,
    aedesOptions: backend.aedesOptions,
    countSessions,
    reachable: backend.reachable,
    async close(aedes) {
      try {
        await persistenceOf(aedes).destroy();
      } finally {
        backend.disconnect();
      }
    },
    abort: backend.disconnect,
  };
}
