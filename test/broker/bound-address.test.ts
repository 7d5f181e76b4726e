/** The startup line names each listener as bound; the URL handed to clients stays connectable. */
import { afterEach, describe, expect, it } from 'vitest';
import { Clients } from '../helpers/mqtt-clients.js';
import { Brokers } from './fixtures.js';

const brokers = new Brokers();
const clients = new Clients();
afterEach(async () => {
  await clients.closeAll();
  await brokers.closeAll();
});

describe('listener addresses in the log', () => {
  it('logs a 0.0.0.0 listener as mqtt://0.0.0.0:PORT, and clients still connect', async () => {
    const { broker, log, url } = await brokers.start({
      listeners: [{ type: 'tcp', host: '0.0.0.0', port: 0, allowAnonymous: true }],
    });
    const port = broker.listeners[0]!.port;
    expect(log.find('MQTT broker started')[0]?.listeners).toEqual([`mqtt://0.0.0.0:${port}`]);
    expect(url).toBe(`mqtt://127.0.0.1:${port}`);
    expect((await clients.connect(url)).connected).toBe(true);
  });
});
