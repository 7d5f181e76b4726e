/**
 * QoS 2 from a client: a resend (DUP 1) of a message the broker still holds is not published again
 * [MQTT-4.3.3-2], but a clean start discards what an earlier session left [MQTT-3.1.2-4]: a first
 * attempt (DUP 0) reusing the id of a message left unfinished then is a new message. (Paho's 3.1.1
 * `testBasic` lost its QoS 2 message after `test_flow_control2` had left ids unreleased.)
 */
import mqttPacket from 'mqtt-packet';
import { afterEach, expect, it } from 'vitest';
import { Clients, publishMarker, record, subscribe } from '../helpers/mqtt-clients.js';
import { Brokers } from './fixtures.js';
import { rawConnect } from './raw.js';

const brokers = new Brokers();
const clients = new Clients();
afterEach(async () => {
  await clients.closeAll();
  await brokers.closeAll();
});

/** A raw 3.1.1 client `clientId` (clean session) that sends QoS 2 publishes and never releases them. */
async function rawPublisher(port: number, clientId: string) {
  const connection = await rawConnect(port);
  const send = (packet: mqttPacket.Packet): boolean =>
    connection.socket.write(mqttPacket.generate(packet, { protocolVersion: 4 }));
  send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 60 });
  await connection.bytes(4); // the CONNACK
  return {
    publish: (payload: string, dup = false) =>
      send({ cmd: 'publish', topic: 'q2/x', payload, qos: 2, messageId: 7, dup, retain: false }),
    /** Resolves once the CONNACK and `count` PUBRECs (4 bytes each) have come: each was handled. */
    pubrecs: (count: number) => connection.bytes(4 + 4 * count),
    close: () => connection.destroy(),
  };
}

it('publishes a first attempt that reuses the id of a QoS 2 message an earlier session left', async () => {
  const { url, broker } = await brokers.start();
  const port = broker.listeners[0]!.port;
  const subscriber = await clients.connect(url);
  const seen = record(subscriber);
  await subscribe(subscriber, 'q2/#', 2);

  const first = await rawPublisher(port, 'q2-client');
  first.publish('one');
  // A resend in the same session is the same message.
  first.publish('one', true);
  await first.pubrecs(2);
  const sender = await clients.connect(url);
  await publishMarker(sender, seen, 'q2/marker-1');
  first.close();

  const second = await rawPublisher(port, 'q2-client');
  second.publish('two');
  await second.pubrecs(1);
  await publishMarker(sender, seen, 'q2/marker-2');
  second.close();
  expect(seen.filter((m) => m.topic === 'q2/x').map((m) => m.payload)).toEqual(['one', 'two']);
});
