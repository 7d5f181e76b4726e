import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  Clients,
  closed,
  messageOn,
  publishMarker,
  record,
  subscribe,
  waitFor,
} from '../helpers/mqtt-clients.js';
import { Brokers } from './fixtures.js';
import { connectPacket, publishHeader, rawConnect, subscribePacket } from './raw.js';

const brokers = new Brokers();
const clients = new Clients();
afterEach(async () => {
  await clients.closeAll();
  await brokers.closeAll();
});
afterAll(async () => {
  await brokers.closeAll();
});

describe('maxPacketSize', () => {
  it('closes the connection of a client sending a larger packet; smaller ones pass', async () => {
    const { url, log } = await brokers.start({ maxPacketSize: 1024 });
    const subscriber = await clients.connect(url);
    const seen = record(subscriber);
    await subscribe(subscriber, 'big/#');
    const publisher = await clients.connect(url, { clientId: 'too-big' });

    await publisher.publishAsync('big/ok', 'x'.repeat(900));
    expect((await messageOn(seen, 'big/ok')).payload).toHaveLength(900);

    const dropped = closed(publisher);
    publisher.publish('big/too', 'x'.repeat(2000));
    await dropped;
    const other = await clients.connect(url);
    await publishMarker(other, seen, 'big/marker');
    expect(seen.map((m) => m.topic)).not.toContain('big/too');
    expect(subscriber.connected).toBe(true);
    expect(log.find('packet larger than maxPacketSize')[0]).toMatchObject({
      clientId: 'too-big',
      limit: 1024,
    });
  });

  it('closes the connection as soon as the length header is read, before the body arrives', async () => {
    const { broker } = await brokers.start({ maxPacketSize: '1MiB' });
    const raw = await rawConnect(broker.listeners[0]!.port);
    raw.socket.write(connectPacket({ clientId: 'liar', clean: true }));
    await raw.bytes(4); // CONNACK
    raw.socket.write(publishHeader(200 * 1024 * 1024)); // declares 200 MiB, sends none of it
    // Waiting for the body would hold the connection open for ever, past closed()'s 10 s.
    await raw.closed();
    expect(raw.socket.destroyed).toBe(true);
  });
});

describe('maxTopicLevels', () => {
  it('is passed to Aedes: deeper topics close the connection', async () => {
    const { url } = await brokers.start({ maxTopicLevels: 3 });
    const subscriber = await clients.connect(url);
    const seen = record(subscriber);
    await subscribe(subscriber, 'a/#');
    const publisher = await clients.connect(url);
    await publisher.publishAsync('a/b/c', 'three levels');
    await messageOn(seen, 'a/b/c');
    const dropped = closed(publisher);
    publisher.publish('a/b/c/d', 'four levels');
    await dropped;
  });
});

describe('connectTimeout', () => {
  it('is passed to Aedes: a connection that sends no CONNECT is closed after it', async () => {
    const { broker } = await brokers.start({ connectTimeout: 300 });
    const raw = await rawConnect(broker.listeners[0]!.port);
    // Not passed, Aedes' default of 30 s would outlast closed()'s 10 s; closed early fails the lower bound.
    const elapsed = await raw.closed();
    expect(elapsed).toBeGreaterThanOrEqual(250);
  });
});

describe('drainTimeout', () => {
  it('is passed to Aedes: a subscriber that stops reading is disconnected after it', async () => {
    const { broker, url } = await brokers.start({ drainTimeout: 300 });
    const disconnected: string[] = [];
    broker.aedes.on('clientDisconnect', (client) => disconnected.push(client.id));

    const raw = await rawConnect(broker.listeners[0]!.port);
    raw.socket.write(connectPacket({ clientId: 'sleepy', clean: true }));
    await raw.bytes(4);
    raw.socket.write(subscribePacket('flood/#'));
    await raw.bytes(4 + 5); // SUBACK
    raw.socket.pause(); // stop reading: kernel buffers fill, then Aedes' writes wait for 'drain'

    const publisher = await clients.connect(url);
    const payload = Buffer.alloc(64 * 1024, 1);
    for (let i = 0; i < 400 && !disconnected.includes('sleepy'); i++) {
      await publisher.publishAsync('flood/data', payload, { qos: 1 });
    }
    await waitFor(() => disconnected.includes('sleepy'), 'the slow subscriber to be disconnected');
    expect(publisher.connected).toBe(true);
    raw.destroy();
  });
});
