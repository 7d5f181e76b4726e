import { afterAll, beforeAll } from 'vitest';
import { remoteBusSchema } from '../../config/schema.js';
import type { Bus } from '../../core/bus.js';
import { connectRemoteBus } from '../../core/bus-remote.js';
import { captureLog } from '../helpers/log-capture.js';
import { startMosquitto, type MosquittoServer } from '../helpers/mosquitto.js';
import { describeBusContract } from './bus-contract.js';
import { externalClients } from './external-client.js';

let mosquitto: MosquittoServer;
beforeAll(async () => {
  mosquitto = await startMosquitto();
});
afterAll(async () => {
  await mosquitto.stop();
});

// Mosquitto 2 supports $share/<group>/... for MQTT 3.1.1 clients as well as MQTT 5 ones, so both
// protocol versions run the whole contract, shared subscriptions across connections included.
for (const protocolVersion of [5, 4] as const) {
  describeBusContract(`remote bus over MQTT ${protocolVersion === 5 ? '5' : '3.1.1'} to Mosquitto`, {
    capabilities: { shareAcrossBuses: true },
    async create() {
      const log = captureLog('warn').logger;
      const config = remoteBusSchema.parse({ url: mosquitto.url, protocolVersion });
      const buses: Bus[] = [];
      const newBus = async (): Promise<Bus> => {
        const bus = await connectRemoteBus(config, { log, connectTimeout: 5_000 });
        buses.push(bus);
        return bus;
      };
      const external = externalClients(mosquitto.url, protocolVersion);
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
  });
}
