import type { Duplex } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { coalesceWrites } from '../../broker/write-coalescing.js';
import { aedesClientOf, aedesWrite } from './aedes-write.js';
import { recordingStream } from './recording-stream.js';

/** Writes `count` PUBLISH packets the way Aedes delivers them: each from its own setImmediate. */
async function deliver(stream: Duplex, count: number): Promise<void> {
  await new Promise<void>((resolve) => {
    for (let i = 0; i < count; i++) {
      setImmediate(() => {
        mqttPacket.writeToStream(
          {
            cmd: 'publish',
            topic: `t/${i}`,
            payload: Buffer.from(String(i)),
            qos: 0,
            dup: false,
            retain: false,
          },
          stream,
        );
        if (i === count - 1) setImmediate(() => setImmediate(resolve));
      });
    }
  });
}

function decode(batches: Buffer[][]): string[] {
  const topics: string[] = [];
  const parser = mqttPacket.parser();
  parser.on('packet', (packet) => topics.push((packet as { topic: string }).topic));
  parser.parse(Buffer.concat(batches.flat()));
  return topics;
}

describe('write coalescing', () => {
  it('sends the deliveries of one loop turn in one write, in order', async () => {
    const { stream, batches } = recordingStream();
    coalesceWrites(stream);
    await deliver(stream, 200);
    expect(batches.length).toBeLessThanOrEqual(2);
    expect(decode(batches)).toEqual(Array.from({ length: 200 }, (_, i) => `t/${i}`));
  });

  it('without it, each delivery is its own write (what the wrapper exists to avoid)', async () => {
    const { stream, batches } = recordingStream();
    await deliver(stream, 200);
    expect(batches.length).toBe(200);
  });

  it('still flushes when the stream is ended while corked', async () => {
    const { stream, batches } = recordingStream();
    coalesceWrites(stream);
    mqttPacket.writeToStream({ cmd: 'pingresp' }, stream);
    const finished = new Promise((resolve) => stream.once('finish', resolve));
    stream.end();
    await finished;
    expect(batches.flat().length).toBeGreaterThan(0);
  });

  it("lets Aedes' one-write PUBLISH and PUBACK skip the tick per write, still one batch in order", async () => {
    const ticksPerWrite = (coalesced: boolean): { ticks: number; batches: Buffer[][] } => {
      const { stream, batches } = recordingStream();
      if (coalesced) coalesceWrites(stream);
      const { client } = aedesClientOf(stream);
      const nextTick = process.nextTick;
      let ticks = 0;
      process.nextTick = ((...args: Parameters<typeof nextTick>) => {
        ticks++;
        nextTick(...args);
      }) as typeof nextTick;
      try {
        for (let i = 0; i < 100; i++) {
          const publish = {
            cmd: 'publish',
            topic: `t/${i}`,
            payload: Buffer.from('x'),
            qos: 1,
            messageId: i + 1,
          };
          aedesWrite(client, publish, () => {});
          aedesWrite(client, { cmd: 'puback', messageId: i + 1 }, () => {});
        }
      } finally {
        process.nextTick = nextTick;
      }
      return { ticks, batches };
    };
    // A plain stream: Aedes uncorks on the next tick after each of its 200 writes, as mqtt-packet does.
    expect(ticksPerWrite(false).ticks).toBe(200);
    const coalesced = ticksPerWrite(true);
    expect(coalesced.ticks).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(coalesced.batches).toHaveLength(1);
    const packets: { cmd: string; messageId?: number }[] = [];
    const parser = mqttPacket.parser();
    parser.on('packet', (packet) => packets.push(packet as { cmd: string; messageId?: number }));
    parser.parse(Buffer.concat(coalesced.batches[0]!));
    expect(packets.map((packet) => `${packet.cmd} ${packet.messageId}`)).toEqual(
      Array.from({ length: 100 }, (_, i) => [`publish ${i + 1}`, `puback ${i + 1}`]).flat(),
    );
  });
});
