/**
 * busbar's patch of aedes-packet (patches/aedes-packet+*.patch): the Packet Aedes makes for every
 * message and copies for every delivery sets the fields every packet has first, in one order, and
 * the optional ones (clientId, nl, properties, messageExpiry) after them, only when defined. What is
 * checked: the copy is what Aedes relies on (aedes-packet's own cases), and an optional field that
 * is undefined stays absent, so that a packet stored through a serializer writing undefined as nil
 * (aedes-persistence-redis uses msgpack-lite) does not come back with null fields: a null
 * `messageExpiry` would read as already expired.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const Packet = require('aedes-packet') as new (
  original: Record<string, unknown>,
  broker?: { id: string; counter: number },
) => Record<string, unknown>;
const msgpack = createRequire(require.resolve('aedes-persistence-redis'))('msgpack-lite') as {
  encode(value: unknown): Buffer;
  decode(bytes: Buffer): Record<string, unknown>;
};

describe('aedes-packet, patched', () => {
  it('copies a PUBLISH with its broker data, and gives QoS 0 no packet id', () => {
    const broker = { id: 'b1', counter: 41 };
    const payload = Buffer.from('12.5');
    const packet = new Packet(
      { cmd: 'publish', topic: 't/1', payload, qos: 0, retain: true, dup: false },
      broker,
    );
    expect({ ...packet }).toEqual({
      cmd: 'publish',
      brokerId: 'b1',
      brokerCounter: 42,
      topic: 't/1',
      payload,
      qos: 0,
      retain: true,
      dup: false,
    });
    expect(Object.hasOwn(packet, 'messageId')).toBe(false);
    // A copy of a copy keeps the broker's id and counter.
    const copy = new Packet(packet, broker);
    expect(copy.brokerCounter).toBe(42);
    expect(broker.counter).toBe(42);
  });

  it('resets the packet id of QoS 1 and of other commands, with defaults for what is missing', () => {
    const qos1 = new Packet({ cmd: 'publish', topic: 't', qos: 1, messageId: 7 });
    expect(Object.hasOwn(qos1, 'messageId')).toBe(true);
    expect(qos1.messageId).toBeUndefined();
    const pubrel = new Packet({ cmd: 'pubrel', messageId: 9 });
    expect(Object.hasOwn(pubrel, 'messageId')).toBe(true);
    const empty = new Packet({});
    expect(empty).toMatchObject({ cmd: 'publish', brokerCounter: 0, qos: 0, retain: false, dup: false });
    expect(empty.payload).toEqual(Buffer.alloc(0));
  });

  it('copies clientId, nl, properties and message expiry when they are set', () => {
    const properties = { userProperties: { site: 'lyon' } };
    const packet = new Packet({
      topic: 't',
      clientId: 'pdu-7',
      nl: false,
      properties,
      messageExpiry: 1_700_000_000_000,
    });
    expect(packet).toMatchObject({ clientId: 'pdu-7', nl: false, messageExpiry: 1_700_000_000_000 });
    expect(packet.properties).toBe(properties);
  });

  it('leaves an undefined optional field absent, so a stored copy has no null in its place', () => {
    const packet = new Packet({
      topic: 't',
      clientId: undefined,
      nl: undefined,
      properties: undefined,
      messageExpiry: undefined,
    });
    for (const field of ['clientId', 'nl', 'properties', 'messageExpiry'])
      expect(Object.hasOwn(packet, field)).toBe(false);
    const stored = msgpack.decode(msgpack.encode(packet));
    expect(stored.messageExpiry).toBeUndefined();
    expect(stored.properties).toBeUndefined();
  });
});
