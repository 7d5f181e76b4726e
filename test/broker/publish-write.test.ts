/**
 * A PUBLISH written to a subscriber (aedes/lib/write.js in patches/): one without properties and with
 * a small payload is written as one Buffer of the bytes mqtt-packet would encode, where mqtt-packet
 * makes five or six stream writes of it; a large payload, or properties, still go through
 * mqtt-packet. The bytes must be the same either way.
 */
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { aedesClientOf, aedesWrite as write } from './aedes-write.js';
import { recordingStream } from './recording-stream.js';

/** An Aedes client whose connection keeps every chunk and is never full (write() would wait for a drain). */
function clientOf(protocolVersion: 3 | 4 | 5) {
  const { stream, chunks } = recordingStream({ highWaterMark: 1 << 20 });
  return { client: aedesClientOf(stream, protocolVersion).client, chunks };
}

const written = (client: object, packet: object): Promise<void> =>
  new Promise((resolve, reject) => write(client, packet, (error) => (error ? reject(error) : resolve())));

interface PublishFields {
  topic: string;
  payload: Buffer | string | undefined;
  qos?: 0 | 1 | 2;
  messageId?: number;
  dup?: boolean;
  retain?: boolean;
  properties?: object;
}
const publish = (fields: PublishFields) => ({ cmd: 'publish', dup: false, retain: false, qos: 0, ...fields });
const small = [
  publish({ topic: 'busbar/metrics/h12/cpu', payload: Buffer.from('cpu value=1 1700000000000000000') }),
  publish({ topic: 't', payload: Buffer.alloc(0), qos: 1, messageId: 1 }),
  publish({ topic: 't', payload: undefined, qos: 2, messageId: 0xffff, dup: true, retain: true }),
  publish({ topic: 'capteurs/température', payload: 'chaîne ünicode', qos: 1, messageId: 0x1234 }),
  // A character outside the BMP (two UTF-16 units, four UTF-8 bytes), and DEL, the last ASCII one.
  publish({ topic: 'sensors/\u{1F321}/\u007f', payload: Buffer.from([0, 255]), qos: 1, messageId: 9 }),
  publish({ topic: 'a/b', payload: Buffer.alloc(125, 1) }), // remaining length 130: two length bytes
  publish({ topic: 'a/b', payload: Buffer.alloc(4000, 2), qos: 1, messageId: 77, retain: true }),
  publish({ topic: '', payload: Buffer.from('x') }),
];
const throughMqttPacket = [
  publish({ topic: 'big', payload: Buffer.alloc(20_000, 3), qos: 1, messageId: 5 }), // three length bytes
  publish({
    topic: 'p',
    payload: Buffer.from('x'),
    qos: 1,
    messageId: 6,
    properties: { contentType: 'a/b' },
  }),
];

describe.each([3, 4, 5] as const)('PUBLISH written to an MQTT %i subscriber', (protocolVersion) => {
  const options = { protocolVersion };

  it('is one chunk of the bytes mqtt-packet encodes when it has no properties and a small payload', async () => {
    for (const packet of small) {
      const { client, chunks } = clientOf(protocolVersion);
      await written(client, packet);
      expect(chunks).toHaveLength(1);
      expect(chunks[0]!.equals(mqttPacket.generate(packet as mqttPacket.Packet, options))).toBe(true);
    }
  });

  it('is still mqtt-packet with a large payload or with properties, with the same bytes', async () => {
    for (const packet of throughMqttPacket) {
      if (protocolVersion !== 5 && 'properties' in packet) continue;
      const { client, chunks } = clientOf(protocolVersion);
      await written(client, packet);
      expect(chunks.length).toBeGreaterThan(1);
      expect(Buffer.concat(chunks).equals(mqttPacket.generate(packet as mqttPacket.Packet, options))).toBe(
        true,
      );
    }
  });

  it('decodes to what was written', async () => {
    const { client, chunks } = clientOf(protocolVersion);
    for (const packet of small) await written(client, packet);
    const parser = mqttPacket.parser(options);
    const decoded: mqttPacket.IPublishPacket[] = [];
    parser.on('packet', (packet) => decoded.push(packet as mqttPacket.IPublishPacket));
    parser.parse(Buffer.concat(chunks));
    expect(decoded.map((packet) => [packet.topic, packet.qos, packet.messageId ?? null])).toEqual(
      small.map((packet) => [packet.topic, packet.qos, 'messageId' in packet ? packet.messageId : null]),
    );
    expect(decoded[3]!.payload.toString()).toBe('chaîne ünicode');
  });
});
