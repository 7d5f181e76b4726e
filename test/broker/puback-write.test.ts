/**
 * The PUBACK of an accepted QoS 1 PUBLISH, the broker's most frequent write: the bytes mqtt-packet
 * would encode (MQTT 5: reason code 0 and an empty property length), given to the socket as one
 * write rather than as three (five for MQTT 5) separate stream writes, each a buffered request and
 * a chunk of the socket's writev (aedes/lib/write.js in patches/); and still corked, so that the
 * PUBACKs released together (a journal group) leave in one system call through busbar's
 * write coalescing.
 */
import { Aedes } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { coalesceWrites } from '../../broker/write-coalescing.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { recordingStream } from './recording-stream.js';

const brokers: Aedes[] = [];
afterEach(async () => {
  for (const aedes of brokers.splice(0)) await new Promise<void>((resolve) => aedes.close(() => resolve()));
});

const connectPacket = (protocolVersion: 4 | 5): Buffer =>
  mqttPacket.generate(
    { cmd: 'connect', protocolId: 'MQTT', protocolVersion, clientId: 'acker', clean: true, keepalive: 60 },
    { protocolVersion },
  );

const publishPacket = (messageId: number, protocolVersion: 4 | 5): Buffer =>
  mqttPacket.generate(
    { cmd: 'publish', topic: 't/1', payload: Buffer.from('x'), qos: 1, messageId, dup: false, retain: false },
    { protocolVersion },
  );

describe.each([4, 5] as const)('PUBACK written by the broker, MQTT version %i', (protocolVersion) => {
  it('is one write of the bytes mqtt-packet encodes, for each QoS 1 PUBLISH', async () => {
    const aedes = await Aedes.createBroker();
    brokers.push(aedes);
    const { stream, chunks } = recordingStream();
    aedes.handle(stream);
    const options = { protocolVersion };
    stream.push(connectPacket(protocolVersion));
    const ids = [1, 0x1234, 0xffff];
    for (const messageId of ids) stream.push(publishPacket(messageId, protocolVersion));

    const expected = ids.map((messageId) => mqttPacket.generate({ cmd: 'puback', messageId }, options));
    await waitFor(
      () => expected.every((bytes) => chunks.some((chunk) => chunk.equals(bytes))),
      'a PUBACK for each PUBLISH',
    );
    // Everything written decodes to the CONNACK and the three PUBACKs, in order.
    const parser = mqttPacket.parser(options);
    const received: mqttPacket.Packet[] = [];
    parser.on('packet', (packet) => received.push(packet));
    parser.parse(Buffer.concat(chunks));
    expect(received.map((packet) => packet.cmd)).toEqual(['connack', 'puback', 'puback', 'puback']);
    expect(received.slice(1).map((packet) => (packet as { messageId?: number }).messageId)).toEqual(ids);
  });

  it("leaves, for PUBLISHes acknowledged together, in one batch through busbar's write coalescing", async () => {
    // Authorisations held and released together, as the intake journal releases a group.
    const held: (() => void)[] = [];
    const aedes = await Aedes.createBroker({
      authorizePublish: (_client, _packet, callback) => held.push(() => callback(null)),
    });
    brokers.push(aedes);
    const { stream, batches } = recordingStream();
    coalesceWrites(stream);
    aedes.handle(stream);
    stream.push(connectPacket(protocolVersion));
    const ids = [7, 8, 9];
    stream.push(Buffer.concat(ids.map((messageId) => publishPacket(messageId, protocolVersion))));
    await waitFor(() => held.length === ids.length, 'the three PUBLISHes to be authorised');
    const before = batches.length;
    for (const release of held.splice(0)) release();

    const options = { protocolVersion };
    const expected = ids.map((messageId) => mqttPacket.generate({ cmd: 'puback', messageId }, options));
    await waitFor(() => batches.length > before, 'the PUBACKs');
    expect(batches.slice(before)[0]).toEqual(expected);
  });
});
