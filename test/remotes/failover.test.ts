/**
 * Addresses are tried in turn: a dead first address does not keep the bridge from the live second
 * one. The credentials sent on the way never reach the log.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Clients, messageOn, record, subscribe } from '../helpers/mqtt-clients.js';
import { freePort } from '../helpers/ports.js';
import { startMosquitto, type MosquittoServer } from '../helpers/mosquitto.js';
import { startBridged, type Bridged } from './fixture.js';

const PASSWORD = 'pa55-never-logged';
let mosquitto: MosquittoServer;
let bridged: Bridged;
const clients = new Clients();

beforeAll(async () => {
  mosquitto = await startMosquitto();
  const dead = `mqtt://127.0.0.1:${await freePort()}`;
  bridged = await startBridged(
    {
      addresses: [dead, mosquitto.url],
      username: 'site-a',
      password: PASSWORD,
      reconnectDelay: '100ms',
      statusInterval: '100ms',
      rules: [{ pattern: 'busbar/metrics/#', qos: 1 }],
    },
    { mosquitto },
  );
});

afterAll(async () => {
  await clients.closeAll();
  await bridged.stop();
  await mosquitto.stop();
});

it('fails over to the next address and reports the one it is connected to', async () => {
  const [connected] = bridged.busbar.log.find('bridge connected');
  expect(connected).toMatchObject({ bridge: 'central', address: mosquitto.url });
  expect(bridged.busbar.log.find('bridge connection problem').length).toBeGreaterThan(0);

  const remote = await clients.connect(mosquitto.url);
  const seen = record(remote);
  await subscribe(remote, 'busbar/#', 1);
  const local = await clients.connect(bridged.busbar.url);
  await local.publishAsync('busbar/metrics/web1/cpu', 'cpu usage=3', { qos: 1 });
  expect((await messageOn(seen, 'busbar/metrics/web1/cpu')).payload).toBe('cpu usage=3');
});

it('never logs the password', () => {
  expect(bridged.busbar.log.text()).not.toContain(PASSWORD);
});
