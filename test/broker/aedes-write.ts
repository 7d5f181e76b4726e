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

/**
 * The least of a connected Aedes client that the writer reads, on `conn`; `waits` counts the writes
 * told to wait for 'drain' (one 'drain' listener however many wait, as Aedes' client has).
 */
export function aedesClientOf(
  conn: NodeJS.WritableStream,
  protocolVersion: 3 | 4 | 5 = 4,
): { client: object; waits: number } {
  const waiting: (() => void)[] = [];
  const state = {
    client: {
      connected: true,
      connecting: false,
      conn,
      _wireVersion: protocolVersion,
      _maxOutgoingPacketSize: 0,
      _outgoingAliasMax: 0,
      waitForDrain(done: () => void) {
        state.waits++;
        if (waiting.push(done) === 1)
          conn.once('drain', () => {
            for (const callback of waiting.splice(0)) callback();
          });
      },
    },
    waits: 0,
  };
  return state;
}
