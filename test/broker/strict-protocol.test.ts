/**
 * What MQTT 3.1.1 calls malformed closes the connection [MQTT-4.8.0-1], as Mosquitto does: each
 * packet below is sent over a raw TCP socket, after a valid CONNECT when it is not one itself.
 * Well-formed packets on the same listener keep working, and the refusals are counted on
 * `busbar/stats/broker`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Clients, messageOn, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { Brokers, type TestBroker } from './fixtures.js';
import { rawConnect, type RawConnection } from './raw.js';
import * as raw from './raw-packets.js';

const brokers = new Brokers();
const clients = new Clients();
const watchers = new Clients();
afterEach(() => clients.closeAll());
afterAll(async () => {
  await watchers.closeAll();
  await brokers.closeAll();
});

const CONNACK_ACCEPTED = Buffer.from([0x20, 0x02, 0x00, 0x00]);

async function connected(port: number, clientId: string): Promise<RawConnection> {
  const connection = await rawConnect(port);
  connection.socket.write(raw.connect({ clientId }));
  expect((await connection.bytes(4)).subarray(0, 4)).toEqual(CONNACK_ACCEPTED);
  return connection;
}

const malformedConnects: Array<[string, Buffer]> = [
  ['a client id that is not UTF-8 [MQTT-1.5.3-1]', raw.connect({ clientId: raw.NOT_UTF8 })],
  ['a client id with an encoded surrogate [MQTT-1.5.3-1]', raw.connect({ clientId: raw.SURROGATE })],
  ['a client id with U+0000 [MQTT-1.5.3-2]', raw.connect({ clientId: raw.WITH_NUL })],
  ['a will topic that is not UTF-8', raw.connect({ clientId: 'w1', will: { topic: raw.NOT_UTF8 } })],
  ['a will topic with U+0000', raw.connect({ clientId: 'w2', will: { topic: raw.WITH_NUL } })],
  ['a will topic with + [MQTT-3.3.2-2]', raw.connect({ clientId: 'w3', will: { topic: 'a/+/b' } })],
  ['a will topic with # [MQTT-3.3.2-2]', raw.connect({ clientId: 'w4', will: { topic: 'a/#' } })],
  ['will QoS 3 [MQTT-3.1.2-14]', raw.connect({ clientId: 'w5', will: { topic: 'a/b', qos: 3 } })],
  [
    'a password flag without a username [MQTT-3.1.2-22]',
    raw.connect({ clientId: 'p1', passwordFlagOnly: true }),
  ],
  ['a username that is not UTF-8', raw.connect({ clientId: 'u1', username: raw.NOT_UTF8 })],
];

const malformedAfterConnect: Array<[string, Buffer]> = [
  ['a PUBLISH topic that is not UTF-8', raw.publish(raw.NOT_UTF8)],
  ['a PUBLISH topic with U+0000', raw.publish(raw.WITH_NUL)],
  ['a PUBLISH topic with +', raw.publish('a/+')],
  ['a PUBLISH topic with #', raw.publish('a/#')],
  ['a QoS 1 PUBLISH with packet id 0 [MQTT-2.3.1-1]', raw.publish('a/b', { qos: 1, messageId: 0 })],
  ['a QoS 2 PUBLISH with packet id 0 [MQTT-2.3.1-1]', raw.publish('a/b', { qos: 2, messageId: 0 })],
  ['a SUBSCRIBE filter that is not UTF-8', raw.subscribe(raw.NOT_UTF8)],
  ['a SUBSCRIBE filter with U+0000', raw.subscribe(raw.WITH_NUL)],
  ['a SUBSCRIBE with packet id 0 [MQTT-2.3.1-1]', raw.subscribe('a/b', 0)],
  ['an UNSUBSCRIBE filter that is not UTF-8', raw.unsubscribe(raw.NOT_UTF8)],
  ['an UNSUBSCRIBE filter with U+0000', raw.unsubscribe(raw.WITH_NUL)],
  ['an UNSUBSCRIBE with packet id 0 [MQTT-2.3.1-1]', raw.unsubscribe('a/b', 0)],
  ['a PUBREL with packet id 0', raw.ack('pubrel', 0)],
];

describe('malformed packets close the connection', () => {
  let broker: TestBroker;
  let port: number;
  const brokerStats: Array<{ malformedPackets?: number }> = [];
  const malformedCounted = (): number => brokerStats.at(-1)?.malformedPackets ?? 0;

  beforeAll(async () => {
    broker = await brokers.start({ sysInterval: '100ms' });
    port = broker.broker.listeners[0]!.port;
    const watcher = await watchers.connect(broker.url, { clientId: 'stats-watcher' });
    watcher.on('message', (_topic, payload) => brokerStats.push(JSON.parse(payload.toString()) as never));
    await subscribe(watcher, 'busbar/stats/broker');
    await waitFor(() => brokerStats.length > 0, 'the first broker statistics');
  });

  it.each(malformedConnects)('CONNECT with %s', async (_name, bytes) => {
    const connection = await rawConnect(port);
    connection.socket.write(bytes);
    await connection.closed();
    // Closed on the packet itself: no CONNACK, not even a refusal [MQTT-4.8.0-1].
    expect(connection.received()).toHaveLength(0);
  });

  it.each(malformedAfterConnect)('%s', async (name, bytes) => {
    const connection = await connected(port, `bad-${malformedAfterConnect.findIndex(([n]) => n === name)}`);
    connection.socket.write(bytes);
    await connection.closed();
  });

  it('keeps well-formed packets working on the same listener, and counts the refusals', async () => {
    const connection = await connected(port, 'good');
    connection.socket.write(raw.subscribe('ok/é\ufffd', 7, 1));
    await connection.bytes(4 + 5); // SUBACK
    connection.socket.write(raw.publish('ok/é\ufffd', { qos: 1, messageId: 9, payload: 'fine' }));
    await waitFor(() => connection.received().includes(Buffer.from('fine')), 'the message back');
    await waitFor(() => connection.received().includes(Buffer.from([0x40, 0x02, 0x00, 0x09])), 'the PUBACK');
    connection.socket.write(raw.PINGREQ);
    await waitFor(() => connection.received().includes(Buffer.from([0xd0, 0x00])), 'the PINGRESP');
    expect(connection.socket.destroyed).toBe(false);
    connection.destroy();

    const client = await clients.connect(broker.url, { clientId: 'normal' });
    const seen = record(client);
    await subscribe(client, 'normal/#');
    await client.publishAsync('normal/x', 'hello', { qos: 1 });
    expect((await messageOn(seen, 'normal/x')).payload).toBe('hello');

    const before = malformedCounted();
    const bad = await rawConnect(port);
    bad.socket.write(raw.connect({ clientId: raw.WITH_NUL }));
    await bad.closed();
    await waitFor(() => malformedCounted() > before, 'the refusal counted on busbar/stats/broker');
    expect(broker.log.find('malformed packet').length).toBeGreaterThan(0);
    expect(broker.log.find('malformed packet')[0]).toMatchObject({ remoteAddress: '127.0.0.1' });
  });
});
