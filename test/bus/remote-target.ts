import { remoteBusSchema } from '../../config/schema.js';
import type { Bus } from '../../core/bus/bus.js';
import { connectRemoteBus } from '../../core/bus/bus-remote.js';
import { captureLog } from '../helpers/log-capture.js';
import type { BusContractTarget } from './bus-contract.js';
import { externalClients } from './external-client.js';

/**
 * The remote bus to the broker at whichever URL `url()` returns (started by the suite), over MQTT
 * `protocolVersion`, with external clients of the same version. The broker shares `$share` groups
 * across connections.
 */
export function remoteBusTarget(url: () => string, protocolVersion: 4 | 5): BusContractTarget {
  return {
    capabilities: { shareAcrossBuses: true },
    async create() {
      const log = captureLog('warn').logger;
      const config = remoteBusSchema.parse({ url: url(), protocolVersion });
      const buses: Bus[] = [];
      const newBus = async (): Promise<Bus> => {
        const bus = await connectRemoteBus(config, { log, connectTimeout: 5_000 });
        buses.push(bus);
        return bus;
      };
      const external = externalClients(url(), protocolVersion);
      return {
        bus: await newBus(),
        createPeerBus: newBus,
        publishExternally: external.publish,
        subscribeExternally: external.subscribe,
        async close() {
          await external.closeAll();
          await Promise.all(buses.map((bus) => bus.close()));
        },
      };
    },
  };
}
