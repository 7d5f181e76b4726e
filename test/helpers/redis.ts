import { freePort, waitForPort } from './ports.js';
import { requireBinary, startProcess, tempDir } from './process.js';

export interface RedisServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** A real redis-server on 127.0.0.1 and a free port, no disk persistence (busbar's tests restart busbar, not Redis). */
export async function startRedis(): Promise<RedisServer> {
  const binary = requireBinary('/usr/bin/redis-server', 'redis-server');
  const dir = await tempDir('redis');
  const port = await freePort();
  const proc = startProcess(
    binary,
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir.path],
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
