/**
 * Random and mutated MQTT packets of every type (CONNECT, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP,
 * SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT and the invalid types 0 and 15) against a real
 * broker over TCP, with a fixed seed: afterwards a normal client still connects, publishes and
 * receives. Bounded: 2,000 random and 2,000 mutated packets, a few per connection.
 */
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { Clients, messageOn, record, subscribe } from '../helpers/mqtt-clients.js';
import { Brokers } from './fixtures.js';
import { rawConnect } from './raw.js';
import * as raw from './raw-packets.js';

const SEED = 20_240_614;
const RANDOM = 2_000;
const MUTATED = 2_000;
const PER_CONNECTION = 20;

const brokers = new Brokers();
const clients = new Clients();
afterAll(async () => {
  await clients.closeAll();
  await brokers.closeAll();
});

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('a/b', '+/x', '#', '$SYS/x', 'busbar/alarms/x/y', ''),
  fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes)),
);
const id = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 65_535 }));
const qos = fc.integer({ min: 0, max: 2 });

/** One packet of each kind, well- or ill-formed. */
const anyPacket: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .record({
      clientId: text,
      clean: fc.boolean(),
      will: fc.option(fc.record({ topic: text, qos: fc.integer({ min: 0, max: 3 }), retain: fc.boolean() }), {
        nil: undefined,
      }),
      username: fc.option(text, { nil: undefined }),
      password: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
      protocolVersion: fc.constantFrom(3 as const, 4 as const),
    })
    .map((fields) => raw.connect(fields)),
  fc
    .tuple(text, qos, id, fc.string({ maxLength: 16 }))
    .map(([topic, q, messageId, payload]) => raw.publish(topic, { qos: q as 0 | 1 | 2, messageId, payload })),
  fc
    .tuple(fc.constantFrom('puback', 'pubrec', 'pubrel', 'pubcomp') as fc.Arbitrary<'puback'>, id)
    .map(([type, messageId]) => raw.ack(type, messageId)),
  fc
    .tuple(text, id, fc.integer({ min: 0, max: 3 }))
    .map(([filter, messageId, q]) => raw.subscribe(filter, messageId, q)),
  fc.tuple(text, id).map(([filter, messageId]) => raw.unsubscribe(filter, messageId)),
  fc.constant(raw.PINGREQ),
  fc.constant(raw.DISCONNECT),
  fc
    .tuple(fc.constantFrom(0x00, 0xf0), fc.uint8Array({ maxLength: 8 }))
    .map(([first, body]) => raw.packet(first, Buffer.from(body))),
);

/** A packet with a few bytes flipped, cut short or extended. */
const mutated: fc.Arbitrary<Buffer> = fc
  .tuple(
    anyPacket,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    fc.integer({ min: -4, max: 4 }),
  )
  .map(([packet, flips, resize]) => {
    const bytes = Buffer.from(packet);
    for (const [at, value] of flips) bytes[at % bytes.length] = value;
    if (resize < 0) return bytes.subarray(0, Math.max(1, bytes.length + resize));
    return Buffer.concat([bytes, Buffer.alloc(resize, 0x41)]);
  });

/** Sends `packets` in groups on fresh connections, each after a valid CONNECT or not. */
async function send(port: number, packets: Buffer[]): Promise<void> {
  for (let i = 0; i < packets.length; i += PER_CONNECTION) {
    const connection = await rawConnect(port);
    if (i % (2 * PER_CONNECTION) === 0) connection.socket.write(raw.connect({ clientId: `fuzz-${i}` }));
    for (const packet of packets.slice(i, i + PER_CONNECTION)) {
      if (connection.socket.destroyed) break;
      connection.socket.write(packet);
    }
    // Give the broker the bytes, then hang up if it has not: the next group starts from scratch.
    await new Promise((resolve) => setImmediate(resolve));
    connection.destroy();
  }
}

it(`stays up after ${RANDOM} random and ${MUTATED} mutated packets of every type (seed ${SEED})`, async () => {
  const { broker, url, log } = await brokers.start({ maxPacketSize: '64KiB' });
  const port = broker.listeners[0]!.port;
  await send(port, fc.sample(anyPacket, { seed: SEED, numRuns: RANDOM }));
  await send(port, fc.sample(mutated, { seed: SEED + 1, numRuns: MUTATED }));

  const client = await clients.connect(url, { clientId: 'after-fuzz' });
  const seen = record(client);
  await subscribe(client, 'after/#', 1);
  await client.publishAsync('after/fuzz', 'still here', { qos: 1 });
  expect((await messageOn(seen, 'after/fuzz')).payload).toBe('still here');
  expect(log.lines.filter((line) => line.level >= 50)).toEqual([]);
  // The packets reached the broker's checks, not only a socket closed early.
  expect(log.find('malformed packet').length).toBeGreaterThan(0);
}, 60_000);
