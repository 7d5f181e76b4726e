import type { Aedes } from 'aedes';
import type { Bus } from '../../core/bus/bus.js';
import { createLocalBus } from '../../core/bus/bus-local.js';
import { captureLog } from '../helpers/log-capture.js';
import type { BusContractTarget } from './bus-contract.js';
import { externalClients } from './external-client.js';

/** The local bus over whichever Aedes `broker()` returns (started by the suite), with TCP clients on `url`. */
export function localBusTarget(broker: () => { aedes: Aedes; url: string }): BusContractTarget {
  return {
    // Share groups live per Aedes instance, so every local bus of the process takes part.
    capabilities: { shareAcrossBuses: true },
    async create() {
      const { aedes, url } = broker();
      const log = captureLog('warn').logger;
      const buses: Bus[] = [];
      const newBus = (): Bus => {
        const bus = createLocalBus(aedes, { log });
        buses.push(bus);
        return bus;
      };
      const external = externalClients(url);
      return {
        bus: newBus(),
        createPeerBus: async () => newBus(),
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
