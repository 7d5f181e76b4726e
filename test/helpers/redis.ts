import { freePort } from './ports.js';
import { requireBinary, startServerProcess, tempDir } from './process.js';

export interface RedisServer {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * A real redis-server on 127.0.0.1 and a free port, no disk persistence (busbar's tests restart
 * busbar, not Redis). With `password`, every client must AUTH (`requirepass`); `port` restarts one
 * where it was.
 */
export async function startRedis(options: { password?: string; port?: number } = {}): Promise<RedisServer> {
  const binary = requireBinary('/usr/bin/redis-server', 'redis-server');
  const dir = await tempDir('redis');
  const port = options.port ?? (await freePort());
  const args = [
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
  ];
  if (options.password) args.push('--requirepass', options.password);
  const proc = await startServerProcess('redis-server', binary, args, { port, dir });
  return { port, stop: proc.stop };
}
