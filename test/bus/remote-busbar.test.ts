import { afterAll, beforeAll } from 'vitest';
import { remoteBusSchema } from '../../config/schema.js';
import type { Bus } from '../../core/bus.js';
import { connectRemoteBus } from '../../core/bus-remote.js';
import { Brokers, type TestBroker } from '../broker/fixtures.js';
import { captureLog } from '../helpers/log-capture.js';
import { describeBusContract } from './bus-contract.js';
import { externalClients } from './external-client.js';

// busbar's own embedded broker (broker/), reached over TCP as another busbar process would.
const brokers = new Brokers();
let broker: TestBroker;
beforeAll(async () => {
  broker = await brokers.start();
});
afterAll(() => brokers.closeAll());

// Aedes 1.2 speaks MQTT 3.1.1 only and has no $share: the remote bus is told so
// (`sharedSubscriptions: false`) and splits a share group among its own subscriptions.
describeBusContract("remote bus over MQTT 3.1.1 to busbar's embedded broker over TCP", {
  capabilities: {
    shareAcrossBuses: { notApplicable: 'Aedes 1.2 has no $share; groups are split within one bus' },
  },
  async create() {
    const log = captureLog('warn').logger;
    const config = remoteBusSchema.parse({ url: broker.url, protocolVersion: 4 });
    const buses: Bus[] = [];
    const newBus = async (): Promise<Bus> => {
      const bus = await connectRemoteBus(config, { log, connectTimeout: 5_000, sharedSubscriptions: false });
      buses.push(bus);
      return bus;
    };
    const external = externalClients(broker.url, 4);
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
