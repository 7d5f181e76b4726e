import { freePort, waitForPort } from './ports.js';
import { requireBinary, startProcess, tempDir } from './process.js';
import type { RedisServer } from './redis.js';

/** Like startRedis, but every client must AUTH with `password` (`requirepass`). */
export async function startRedisWithPassword(password: string): Promise<RedisServer> {
  const binary = requireBinary('/usr/bin/redis-server', 'redis-server');
  const dir = await tempDir('redis-auth');
  const port = await freePort();
  const proc = startProcess(
    binary,
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir.path,
      '--requirepass',
      password,
    ],
    { cwd: dir.path },
  );
  try {
    await waitForPort(port);
  } catch (error) {
    await proc.stop();
    throw new Error(`redis-server did not start: ${proc.output()}`, { cause: error });
  }
  return {
    port,
    async stop() {
      await proc.stop();
      await dir.remove();
    },
  };
}
