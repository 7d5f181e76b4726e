/**
 * Aedes' own packet writer (aedes/lib/write.js, patched in patches/): not exported by the package,
 * so loaded by its path, as the broker loads it. It writes `packet` to `client.conn` and calls `done`
 * once the stream took it.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type AedesWrite = (client: object, packet: object, done: (error: Error | null) => void) => void;

export const aedesWrite = (
  (await import(pathToFileURL(path.resolve('node_modules/aedes/lib/write.js')).href)) as {
    default: AedesWrite;
  }
).default;
