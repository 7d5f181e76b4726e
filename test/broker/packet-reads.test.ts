/**
 * busbar's patch of bl (patches/bl+*.patch), the buffer list mqtt-packet parses from: reads of the
 * header byte, lengths, ids and strings that lie in one buffer are made in place instead of through
 * a new Buffer per read. A read spanning two buffers, or out of range, takes the library's own path.
 * What is checked: every packet parses the same however the bytes are split, and an in-place read
 * makes no slice.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const mqtt = require('mqtt-packet') as {
  parser(options?: { protocolVersion: number }): {
    on(event: 'packet', listener: (packet: unknown) => void): void;
    on(event: 'error', listener: (error: Error) => void): void;
    parse(buffer: Buffer): number;
  };
  generate(packet: object, options?: { protocolVersion: number }): Buffer;
};
// The copy mqtt-packet loads (node_modules/mqtt-packet resolves its own bl).
const BufferList = createRequire(require.resolve('mqtt-packet'))('bl').BufferList as {
  new (buffers?: Buffer | Buffer[]): {
    readUInt8(offset: number): number;
    readUInt16BE(offset: number): number;
    readUInt32BE(offset: number): number;
    get(index: number): number | undefined;
    toString(encoding?: BufferEncoding, start?: number, end?: number): string;
  };
  prototype: { slice(start?: number, end?: number): Buffer };
};

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
];

/** Parses `chunks` one after another with a fresh parser; returns what it emitted. */
function parseChunks(chunks: Buffer[], options: { protocolVersion: number }): unknown[] {
  const parser = mqtt.parser(options);
  const parsed: unknown[] = [];
  parser.on('packet', (packet) => parsed.push(JSON.parse(JSON.stringify(packet))));
  parser.on('error', (error) => {
    throw error;
  });
  for (const chunk of chunks) parser.parse(chunk);
  return parsed;
}

describe('mqtt-packet over the patched bl', () => {
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
      // Two packets in one chunk, as a busy connection delivers them.
      expect(parseChunks([Buffer.concat([bytes, bytes])], options)).toEqual([whole[0], whole[0]]);
    }
  });

  it('reads in place within one buffer, and across buffers as before', () => {
    const slice = BufferList.prototype.slice;
    let slices = 0;
    BufferList.prototype.slice = function (this: unknown, start?: number, end?: number) {
      slices++;
      return slice.call(this, start, end);
    };
    try {
      const one = new BufferList(Buffer.from([0x30, 0x81, 0x02, 0x00, 0x03, 0x61, 0x2f, 0x62]));
      expect(one.readUInt8(1)).toBe(0x81);
      expect(one.readUInt16BE(3)).toBe(3);
      expect(one.readUInt32BE(1)).toBe(0x81020003);
      expect(one.get(5)).toBe(0x61);
      expect(one.toString('utf8', 5, 8)).toBe('a/b');
      expect(slices).toBe(0);

      const split = new BufferList([Buffer.from([0x01]), Buffer.from([0x02, 0xc3]), Buffer.from([0xa9])]);
      expect(split.readUInt16BE(0)).toBe(0x0102);
      expect(split.readUInt8(3)).toBe(0xa9);
      expect(split.get(2)).toBe(0xc3);
      expect(split.toString('utf8', 2, 4)).toBe('é'); // a character split between two buffers
      expect(() => split.readUInt16BE(3)).toThrow(RangeError);
      expect(() => one.readUInt8(8)).toThrow(RangeError);
      expect(one.get(8)).toBeUndefined();
      // A fractional offset takes bl's own path, which truncates it as Buffer#slice does.
      expect(one.readUInt8(1.5)).toBe(0x81);
      expect(one.readUInt16BE(3.5)).toBe(3);
    } finally {
      BufferList.prototype.slice = slice;
    }
  });
});
