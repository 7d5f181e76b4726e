/**
 * The byte batch of a coalesced socket (broker/byte-batch.ts): Aedes' one-write PUBLISH and PUBACK
 * (aedes/lib/write.js in patches/) are encoded into one buffer per connection per loop turn, which
 * reaches the stream as one chunk. What must hold: the bytes are mqtt-packet's, in the order of the
 * writes, also around packets written another way; bytes handed over are never written over while
 * the stream holds them; a writer told to wait for 'drain' gets one; an ended stream still fails as
 * a stream does.
 */
import { once } from 'node:events';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import type { ByteBatch } from '../../broker/byte-batch.js';
import { coalesceWrites } from '../../broker/write-coalescing.js';
import { aedesClientOf, aedesWrite } from './aedes-write.js';
import { recordingStream } from './recording-stream.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function batchOf(stream: Duplex): ByteBatch {
  return (stream as unknown as Record<symbol, ByteBatch>)[Symbol.for('busbar.coalescedWrites')]!;
}

function decode(chunks: Buffer[], protocolVersion = 4): string[] {
  const packets: string[] = [];
  const parser = mqttPacket.parser({ protocolVersion });
  parser.on('packet', (packet) => {
    const p = packet as { cmd: string; messageId?: number; topic?: string; payload?: Buffer };
    packets.push(
      p.cmd === 'publish'
        ? `publish ${p.topic} ${String(p.payload)} ${p.messageId}`
        : `${p.cmd} ${p.messageId}`,
    );
  });
  parser.on('error', (error) => packets.push(`error ${error.message}`));
  parser.parse(Buffer.concat(chunks));
  return packets;
}

const publish = (i: number, qos: 0 | 1 = 1): object => ({
  cmd: 'publish',
  topic: `sensors/${i}`,
  payload: Buffer.from(`reading ${i}`),
  qos,
  messageId: qos > 0 ? (i % 65_535) + 1 : undefined,
  retain: false,
  dup: false,
});

const expected = (i: number, qos: 0 | 1 = 1): string =>
  `publish sensors/${i} reading ${i} ${qos > 0 ? (i % 65_535) + 1 : undefined}`;

describe('byte batch of a coalesced stream', () => {
  const sockets: net.Socket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });

  it("hands a turn's PUBLISHes and PUBACKs to the stream in one write, with mqtt-packet's bytes, in order", async () => {
    for (const version of [4, 5]) {
      const { stream, chunks, batches, completeWrites } = recordingStream({ hold: true });
      coalesceWrites(stream, true);
      const { client } = aedesClientOf(stream, version as 4 | 5);
      const want: string[] = [];
      for (let i = 0; i < 100; i++) {
        aedesWrite(client, publish(i), () => {});
        aedesWrite(client, { cmd: 'puback', messageId: i + 1 }, () => {});
        want.push(expected(i), `puback ${i + 1}`);
      }
      await nextTurn();
      // About 3 KiB: the first buffers (1 and 2 KiB) filled and were handed over as they did, the
      // rest at the end of the turn; all in the one write of the turn.
      expect(batches).toHaveLength(1);
      expect(chunks.length).toBeLessThanOrEqual(3);
      // The same bytes as mqtt-packet's own encoding of each packet.
      const reference = Buffer.concat(
        Array.from({ length: 100 }, (_, i) => [
          mqttPacket.generate(publish(i) as mqttPacket.IPublishPacket, { protocolVersion: version }),
          mqttPacket.generate({ cmd: 'puback', messageId: i + 1 }, { protocolVersion: version }),
        ]).flat(),
      );
      expect(Buffer.concat(chunks).equals(reference)).toBe(true);
      expect(decode(chunks, version)).toEqual(want);
      await completeWrites();
    }
  });

  it('keeps the order when other packets are written to the stream between batched ones', async () => {
    const { stream, chunks } = recordingStream({ hold: true });
    coalesceWrites(stream, true);
    const { client } = aedesClientOf(stream);
    aedesWrite(client, publish(1), () => {});
    // A SUBACK goes through mqtt-packet's own writes, a packet with properties too.
    mqttPacket.writeToStream({ cmd: 'suback', messageId: 7, granted: [1] }, stream);
    aedesWrite(client, { cmd: 'puback', messageId: 2 }, () => {});
    stream.write(mqttPacket.generate({ cmd: 'pingresp' }));
    aedesWrite(client, publish(3, 0), () => {});
    await nextTurn();
    expect(decode(chunks)).toEqual([
      expected(1),
      'suback 7',
      'puback 2',
      'pingresp undefined',
      expected(3, 0),
    ]);
  });

  it('never writes over bytes the stream still holds, across turns and full buffers', async () => {
    const { stream, chunks, completeWrites } = recordingStream({ hold: true, highWaterMark: 1 << 30 });
    coalesceWrites(stream, true);
    const { client } = aedesClientOf(stream);
    const want: string[] = [];
    let i = 0;
    // 40 turns of growing size: buffers fill, are handed over and replaced while no write completes.
    for (let turn = 1; turn <= 40; turn++) {
      for (let k = 0; k < turn * 40; k++, i++) {
        aedesWrite(client, publish(i, (i % 2) as 0 | 1), () => {});
        want.push(expected(i, (i % 2) as 0 | 1));
      }
      await nextTurn();
    }
    // Nothing completed yet: the stream still holds every chunk, the later ones in its own buffer.
    await completeWrites();
    expect(chunks.length).toBeGreaterThan(40);
    expect(decode(chunks)).toEqual(want);
    // Capacity stays bounded however large a turn is.
    expect(batchOf(stream).buffer.length).toBeLessThanOrEqual(65_536);
  });

  it('takes a packet larger than its buffer, and keeps a small buffer for a connection that writes little', async () => {
    const { stream, chunks, completeWrites } = recordingStream({ hold: true, highWaterMark: 1 << 30 });
    coalesceWrites(stream, true);
    const { client } = aedesClientOf(stream);
    for (let turn = 0; turn < 50; turn++) {
      aedesWrite(client, { cmd: 'puback', messageId: turn + 1 }, () => {});
      await nextTurn();
    }
    expect(batchOf(stream).buffer.length).toBe(1024);
    const big = { ...publish(0), payload: Buffer.alloc(4000, 0x61) };
    aedesWrite(client, big, () => {});
    await nextTurn();
    await completeWrites();
    const packets = decode(chunks);
    expect(packets).toHaveLength(51);
    expect(packets[50]).toBe(`publish sensors/0 ${'a'.repeat(4000)} 1`);
  });

  it("tells the writer to wait once the high-water mark is reached, and the stream's 'drain' follows", async () => {
    const { stream, completeWrites } = recordingStream({ hold: true, highWaterMark: 1024 });
    coalesceWrites(stream, true);
    const state = aedesClientOf(stream);
    let done = 0;
    for (let i = 0; i < 100; i++) aedesWrite(state.client, publish(i), () => done++);
    // About 30 bytes each: the first writes fit under 1 KiB, the later ones must wait.
    expect(state.waits).toBeGreaterThan(0);
    expect(state.waits).toBeLessThan(100);
    await nextTurn();
    expect(stream.writableNeedDrain).toBe(true);
    expect(done).toBe(100 - state.waits);
    const drained = once(stream, 'drain');
    await completeWrites();
    await drained;
    await nextTurn();
    expect(done).toBe(100);
  });

  it("calls a turn's writes back after their bytes are handed over, in order, from one immediate", async () => {
    const { stream, chunks } = recordingStream({ hold: true });
    coalesceWrites(stream, true);
    const { client } = aedesClientOf(stream);
    const calledBack: string[] = [];
    const immediate = globalThis.setImmediate;
    let immediates = 0;
    globalThis.setImmediate = ((...args: Parameters<typeof immediate>) => {
      immediates++;
      return immediate(...args);
    }) as typeof immediate;
    try {
      for (let i = 0; i < 50; i++) {
        aedesWrite(client, publish(i), (error) =>
          calledBack.push(`publish ${i} ${error} ${chunks.length > 0}`),
        );
        aedesWrite(client, { cmd: 'puback', messageId: i + 1 }, () => calledBack.push(`puback ${i}`));
      }
    } finally {
      globalThis.setImmediate = immediate;
    }
    // The turn's flush; without the batch, Aedes takes an immediate per write.
    expect(immediates).toBe(1);
    expect(calledBack).toEqual([]);
    await nextTurn();
    // Each callback ran once, in write order, after the bytes reached the stream.
    expect(calledBack).toEqual(
      Array.from({ length: 50 }, (_, i) => [`publish ${i} null true`, `puback ${i}`]).flat(),
    );
  });

  it('runs every callback of the turn even when one throws, then throws its error', () => {
    const { stream } = recordingStream({ hold: true });
    coalesceWrites(stream, true);
    const batch = batchOf(stream);
    const ran: unknown[] = [];
    batch.whenHandedOver(() => {
      throw new Error('callback failed');
    }, 1);
    batch.whenHandedOver((_error, argument) => ran.push(argument), 2);
    expect(() => batch.complete()).toThrow('callback failed');
    expect(ran).toEqual([2]);
    batch.complete(); // nothing left to call
    expect(ran).toEqual([2]);
  });

  it('writes nothing into the batch once the stream is ended, which then fails as the stream does', async () => {
    const { stream } = recordingStream({ hold: true });
    coalesceWrites(stream, true);
    const { client } = aedesClientOf(stream);
    aedesWrite(client, publish(1), () => {});
    stream.end();
    expect(batchOf(stream).reserve(10)).toBe(-1);
    const errors: Error[] = [];
    stream.on('error', (error) => errors.push(error));
    aedesWrite(client, publish(2), () => {});
    await nextTurn();
    expect(errors.map((error) => (error as NodeJS.ErrnoException).code)).toEqual([
      'ERR_STREAM_WRITE_AFTER_END',
    ]);
  });

  it('is on for a TCP socket and off for other streams, which keep a chunk per packet', async () => {
    const server = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    await once(socket, 'connect');
    coalesceWrites(socket);
    expect(batchOf(socket)).not.toBeNull();
    server.close();

    const { stream, chunks } = recordingStream({ hold: true });
    coalesceWrites(stream);
    expect(batchOf(stream)).toBeNull();
    const { client } = aedesClientOf(stream);
    for (let i = 0; i < 3; i++) aedesWrite(client, publish(i), () => {});
    await nextTurn();
    expect(chunks).toHaveLength(3);
  });
});
