/**
 * redis-server for the bridge tests, restartable on the same port (test/helpers/redis.ts always
 * picks a new one): the bridge must find Redis again where it was after a restart.
 */
import { freePort } from '../../helpers/ports.js';
import { startRedis, type RedisServer } from '../../helpers/redis.js';

export interface RestartableRedis {
  readonly port: number;
  /** Stops the server (its data is lost: no persistence, as a crashed cache). */
  stop(): Promise<void>;
  /** Starts a fresh server on the same port. */
  start(): Promise<void>;
}

export async function startRestartableRedis(): Promise<RestartableRedis> {
  const port = await freePort();
  let running: RedisServer | undefined = await startRedis({ port });
  return {
    port,
    async start() {
      running = await startRedis({ port });
    },
    async stop() {
      await running?.stop();
      running = undefined;
    },
  };
}
