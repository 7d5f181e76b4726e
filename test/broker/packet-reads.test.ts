/**
 * busbar's patch of mqtt-packet (patches/mqtt-packet+*.patch, byte-queue.js): the parser keeps the
 * bytes it received in a ByteQueue instead of bl's BufferList. Consuming a packet skips its bytes
 * instead of slicing a new Buffer, and reads and strings that lie in one buffer are made in place.
 * What is checked: every packet parses the same however the bytes are split; the queue answers as
 * bl does (the parser's old buffer list, still installed with mqtt-packet) for every operation the
 * parser uses, errors included; consuming and reading in place make no Buffer.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const mqttPacketRequire = createRequire(require.resolve('mqtt-packet'));
const mqtt = require('mqtt-packet') as {
  parser(options?: { protocolVersion: number }): {
    on(event: 'packet', listener: (packet: unknown) => void): void;
    on(event: 'error', listener: (error: Error) => void): void;
    parse(buffer: Buffer): number;
  };
  generate(packet: object, options?: { protocolVersion: number }): Buffer;
};

interface ByteList {
  length: number;
  append(buffer: Buffer): unknown;
  consume(bytes: number): unknown;
  readUInt8(offset: number): number;
  readUInt16BE(offset: number): number;
  readUInt32BE(offset: number): number;
  slice(start?: number, end?: number): Buffer;
  toString(encoding?: BufferEncoding, start?: number, end?: number): string;
}
const ByteQueue = mqttPacketRequire('./byte-queue') as new () => ByteList;
const BufferList = mqttPacketRequire('bl').BufferList as new () => ByteList;

const v5 = { protocolVersion: 5 };
const packets: [object, { protocolVersion: number }][] = [
  [{ cmd: 'publish', topic: 'bench/h12', payload: Buffer.from('{"value":12.5}'), qos: 1, messageId: 7 }, v5],
  [
    {
      cmd: 'publish',
      topic: 'capteurs/température/étage-2',
      payload: Buffer.alloc(20_000, 0x61), // remaining length in three bytes
      qos: 1,
      messageId: 0xfffe,
      properties: { userProperties: { site: 'lyon' }, messageExpiryInterval: 60, contentType: 'text/plain' },
    },
    v5,
  ],
  [{ cmd: 'publish', topic: 'a', payload: Buffer.alloc(0), qos: 0 }, { protocolVersion: 4 }],
  [{ cmd: 'puback', messageId: 0x1234 }, { protocolVersion: 4 }],
  [{ cmd: 'puback', messageId: 9, reasonCode: 0x87 }, v5],
  [
    {
      cmd: 'subscribe',
      messageId: 3,
      subscriptions: [{ topic: 'busbar/metrics/#', qos: 1, nl: true, rap: false, rh: 0 }],
      properties: { subscriptionIdentifier: 300 },
    },
    v5,
  ],
  [
    {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'pdu-7',
      clean: true,
      keepalive: 30,
      username: 'u',
      password: Buffer.from('p'),
      will: { topic: 'w/t', payload: Buffer.from('gone'), qos: 1, retain: false },
    },
    { protocolVersion: 4 },
  ],
];

/** Parses `chunks` one after another with a fresh parser; returns what it emitted. */
function parseChunks(chunks: Buffer[], options: { protocolVersion: number }): unknown[] {
  const parser = mqtt.parser(options);
  const parsed: unknown[] = [];
  parser.on('packet', (packet) => parsed.push(JSON.parse(JSON.stringify(packet))));
  parser.on('error', (error) => parsed.push(`error: ${error.message}`));
  for (const chunk of chunks) parser.parse(chunk);
  return parsed;
}

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

/** The same call on both lists: equal results, or the same kind of error. */
function same(queue: ByteList, list: ByteList, call: (l: ByteList) => unknown): void {
  const outcome = (l: ByteList): unknown => {
    try {
      const result = call(l);
      return Buffer.isBuffer(result) ? `buffer ${result.toString('hex')}` : result;
    } catch (error) {
      return `throws ${(error as Error).name}`;
    }
  };
  expect(outcome(queue)).toEqual(outcome(list));
  expect(queue.length).toBe(list.length);
}

describe("mqtt-packet's byte queue", () => {
  it('parses every packet the same whole, byte by byte, and split at each position', () => {
    for (const [packet, options] of packets) {
      const bytes = mqtt.generate(packet, options);
      const whole = parseChunks([bytes], options);
      expect(whole).toHaveLength(1);
      expect(whole[0]).toMatchObject({ cmd: (packet as { cmd: string }).cmd });
      const small = bytes.length < 200;
      expect(
        parseChunks(
          [...bytes].map((byte) => Buffer.from([byte])),
          options,
        ),
      ).toEqual(whole);
      const cuts = small ? [...bytes.keys()] : [1, 2, 3, 4, 5, 17, 40, 41, 42, bytes.length - 1];
      for (const cut of cuts)
        expect(parseChunks([bytes.subarray(0, cut), bytes.subarray(cut)], options)).toEqual(whole);
      // Several packets in one chunk, as a busy connection delivers them, and cut anywhere.
      const three = Buffer.concat([bytes, bytes, bytes]);
      expect(parseChunks([three], options)).toEqual([whole[0], whole[0], whole[0]]);
      expect(
        parseChunks([three.subarray(0, bytes.length + 1), three.subarray(bytes.length + 1)], options),
      ).toEqual([whole[0], whole[0], whole[0]]);
    }
  });

  it("answers as bl's BufferList does for every operation the parser makes, errors included", () => {
    const next = random(20_261_207);
    const seen = { inRange: 0, consumedPart: 0 };
    for (let run = 0; run < 300; run++) {
      const queue = new ByteQueue();
      const list = new BufferList();
      for (let step = 0; step < 40; step++) {
        const length = queue.length;
        const at = next(length + 6) - 2; // a little out of range at both ends
        if (at >= 0 && at + 4 <= length) seen.inRange++;
        if ((queue as unknown as { _head: number })._head > 0) seen.consumedPart++;
        const to = at + next(12) - 2;
        switch (next(8)) {
          case 0:
          case 1: {
            const bytes = Buffer.from(Array.from({ length: next(9) }, () => next(256)));
            queue.append(bytes);
            list.append(bytes);
            expect(queue.length).toBe(list.length);
            break;
          }
          case 2: {
            const bytes = next(length + 3) - 1 + (next(4) === 0 ? 0.5 : 0);
            same(queue, list, (l) => {
              l.consume(bytes);
              return l.length;
            });
            break;
          }
          case 3:
            same(queue, list, (l) => l.readUInt8(at));
            break;
          case 4:
            same(queue, list, (l) => l.readUInt16BE(at));
            break;
          case 5:
            same(queue, list, (l) => l.readUInt32BE(at));
            break;
          case 6:
            same(queue, list, (l) => l.slice(at, to));
            break;
          default:
            same(queue, list, (l) => l.toString('utf8', at, to));
        }
      }
    }
    // The sequence reached what matters: reads in range, after a first buffer was partly consumed.
    expect(seen.inRange).toBeGreaterThan(1_000);
    expect(seen.consumedPart).toBeGreaterThan(1_000);
  });

  it('consumes and reads within one buffer without making a Buffer', () => {
    const queue = new ByteQueue();
    queue.append(Buffer.from([0x30, 0x81, 0x02, 0x00, 0x03, 0x61, 0x2f, 0x62, 0xc3, 0xa9]));
    const subarray = Buffer.prototype.subarray;
    const slice = Buffer.prototype.slice;
    let made = 0;
    Buffer.prototype.subarray = function (this: Buffer, start?: number, end?: number) {
      made++;
      return subarray.call(this, start, end);
    };
    Buffer.prototype.slice = Buffer.prototype.subarray;
    try {
      queue.consume(1); // the header byte, as the parser consumes it
      expect(queue.readUInt8(0)).toBe(0x81);
      expect(queue.readUInt16BE(2)).toBe(3);
      expect(queue.readUInt32BE(0)).toBe(0x81020003);
      queue.consume(2);
      expect(queue.toString('utf8', 2, 5)).toBe('a/b');
      expect(queue.toString('utf8', 5, 7)).toBe('é');
      expect(made).toBe(0);
    } finally {
      Buffer.prototype.subarray = subarray;
      Buffer.prototype.slice = slice;
    }
    // A character split between two buffers is still decoded whole.
    const split = new ByteQueue();
    split.append(Buffer.from([0x61, 0xc3]));
    split.append(Buffer.from([0xa9]));
    expect(split.toString('utf8', 0, 3)).toBe('aé');
  });
});
