/**
 * A busbar (embedded broker) bridged to a real Mosquitto (or another remote broker given), both on
 * free ports, the bridge queue in a temporary directory; and helpers to wait for the bridge to be
 * connected.
 */
import type { z } from 'zod';
import type { bridgeSchema } from '../../remotes/config.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { startMosquitto, type MosquittoServer } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';

export type BridgeInput = Omit<z.input<typeof bridgeSchema>, 'addresses' | 'name'> & {
  name?: string;
  addresses?: string[];
};

/** The broker the bridge connects to: a Mosquitto, or another busbar. */
export type RemoteBroker = Pick<MosquittoServer, 'url' | 'stop'>;

export interface Bridged {
  readonly busbar: TestBusbar;
  readonly mosquitto: RemoteBroker;
  readonly dataDir: string;
  /** Resolves once the bridge has logged its `n`-th connection. */
  connected(n?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts Mosquitto (unless given one) and a busbar bridged to it. `dataDir`: keep the queue there
 * (and leave it in place on stop), to start a busbar again on the same queue.
 */
export async function startBridged(
  bridge: BridgeInput,
  options: { mosquitto?: RemoteBroker; dataDir?: string; waitConnected?: boolean } = {},
): Promise<Bridged> {
  const remote = options.mosquitto ?? (await startMosquitto());
  const data = options.dataDir
    ? { path: options.dataDir, remove: async (): Promise<void> => undefined }
    : await tempDir('bridge');
  const busbar = await startTestBusbar({
    agent: { enabled: false },
    sinks: { history: { enabled: false } },
    remotes: {
      dataDir: data.path,
      bridges: [{ name: 'central', addresses: [remote.url], ...bridge }],
    },
  });
  const connected = (n = 1): Promise<void> =>
    waitFor(() => busbar.log.find('bridge connected').length >= n, `bridge connection #${n}`, 10_000);
  if (options.waitConnected !== false) await connected();
  return {
    busbar,
    mosquitto: remote,
    dataDir: data.path,
    connected,
    async stop() {
      await busbar.stop();
      if (!options.mosquitto) await remote.stop();
      await data.remove();
    },
  };
}
