import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, waitForPort } from './ports.js';
import { requireBinary, startProcess, tempDir } from './process.js';

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
  const proc = startProcess(binary, ['-c', confPath]);
  try {
    await waitForPort(port);
  } catch (error) {
    await proc.stop();
    throw new Error(`mosquitto did not start: ${proc.output()}`, { cause: error });
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    pid: proc.child.pid!,
    async stop() {
      await proc.stop();
      await dir.remove();
    },
  };
}
