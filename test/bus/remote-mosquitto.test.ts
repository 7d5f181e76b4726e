import { afterAll, beforeAll } from 'vitest';
import { startMosquitto, type MosquittoServer } from '../helpers/mosquitto.js';
import { describeBusContract } from './bus-contract.js';
import { remoteBusTarget } from './remote-target.js';

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
  describeBusContract(
    `remote bus over MQTT ${protocolVersion === 5 ? '5' : '3.1.1'} to Mosquitto`,
    remoteBusTarget(() => mosquitto.url, protocolVersion),
  );
}
