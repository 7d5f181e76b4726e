import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from './ports.js';
import { requireBinary, startServerProcess, tempDir } from './process.js';

export interface MosquittoServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** A real Mosquitto on 127.0.0.1 and a free port, anonymous allowed, no persistence. */
export async function startMosquitto(
  options: { port?: number; extraConfig?: string } = {},
): Promise<MosquittoServer> {
  const binary = requireBinary('/usr/sbin/mosquitto', 'mosquitto');
  const dir = await tempDir('mosquitto');
  const port = options.port ?? (await freePort());
  const confPath = path.join(dir.path, 'mosquitto.conf');
  await writeFile(
    confPath,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'max_queued_messages 0',
      options.extraConfig ?? '',
    ].join('\n'),
  );
  const proc = await startServerProcess('mosquitto', binary, ['-c', confPath], { port, dir });
  return { port, url: `mqtt://127.0.0.1:${port}`, pid: proc.pid, stop: proc.stop };
}
