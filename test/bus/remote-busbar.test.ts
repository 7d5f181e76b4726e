import { afterAll, beforeAll } from 'vitest';
import { Brokers, type TestBroker } from '../broker/fixtures.js';
import { describeBusContract } from './bus-contract.js';
import { remoteBusTarget } from './remote-target.js';

// busbar's own embedded broker (broker/), reached over TCP as another busbar process would.
const brokers = new Brokers();
let broker: TestBroker;
beforeAll(async () => {
  broker = await brokers.start();
});
afterAll(() => brokers.closeAll());

// busbar's broker has $share/<group>/... for MQTT 5 and 3.1.1 clients alike (as Mosquitto 2), so
// both protocol versions run the whole contract, shared subscriptions across connections included.
// On MQTT 5 it also relies on every matching subscription identifier coming with a message.
for (const protocolVersion of [5, 4] as const) {
  describeBusContract(
    `remote bus over MQTT ${protocolVersion === 5 ? '5' : '3.1.1'} to busbar's embedded broker over TCP`,
    remoteBusTarget(() => broker.url, protocolVersion),
  );
}
