import { Duplex } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { coalesceWrites } from '../../broker/write-coalescing.js';

/** A stream that records each batch it is asked to write, as a socket's writev would receive them. */
function recordingStream(): { stream: Duplex; batches: Buffer[][] } {
  const batches: Buffer[][] = [];
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      batches.push([chunk]);
      done();
    },
    writev(chunks, done) {
      batches.push(chunks.map((c) => c.chunk as Buffer));
      done();
    },
  });
  return { stream, batches };
}

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
});
