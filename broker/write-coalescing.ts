/**
 * Coalesces a connection's writes into one system call per event-loop turn.
 *
 * Aedes sends every delivery from its own `setImmediate`, and mqtt-packet corks the socket for one
 * packet and uncorks it on the next tick, so a subscriber receiving N messages in one turn costs N
 * `writev` calls; profiling showed them at a third of the broker's CPU in a fan-in benchmark.
 * Here the first `cork()` of a turn corks the socket for real and schedules one uncork after the
 * current batch of immediates; further cork/uncork pairs within the turn are no-ops. Latency grows
 * by at most one loop turn; byte order is unchanged (it is still one stream).
 *
 * On a socket (TCP, TLS) Aedes' one-write packets go further: they are encoded into the
 * connection's ByteBatch (byte-batch.ts), and the turn's bytes reach the socket as one chunk. Other
 * streams (WebSocket) keep a chunk per packet: each chunk there is a WebSocket message, and although
 * MQTT lets a message carry several packets [MQTT-6.0.0], a frame per packet is what clients of
 * other brokers see.
 */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ByteBatch } from './byte-batch.js';

/**
 * Set on a coalesced stream, read by Aedes' one-write PUBLISH and PUBACK (patches/aedes+*.patch,
 * lib/write.js): its ByteBatch, or null for a stream coalesced without one. Either way they cork it
 * without scheduling an uncork per write: that uncork does nothing here, and the tick it took made
 * Node run its tick queue after every delivery's immediate.
 */
const COALESCED_WRITES = Symbol.for('busbar.coalescedWrites');

type Coalesced = Duplex & { [COALESCED_WRITES]?: ByteBatch | null };

/** `batchBytes` defaults to true for a socket (TCP, TLS), false for any other stream. */
export function coalesceWrites(stream: Duplex, batchBytes = stream instanceof Socket): void {
  const cork = stream.cork.bind(stream);
  const uncork = stream.uncork.bind(stream);
  const write = stream.write.bind(stream) as (chunk: Buffer) => boolean;
  const end = stream.end.bind(stream) as (...args: unknown[]) => Duplex;
  let scheduled = false;
  const batch = batchBytes ? new ByteBatch(stream, write, () => stream.cork()) : null;
  (stream as Coalesced)[COALESCED_WRITES] = batch;
  const flush = (): void => {
    scheduled = false;
    batch?.handOver();
    if (stream.writableCorked > 0) uncork();
    batch?.complete();
  };
  stream.cork = () => {
    if (scheduled) return;
    scheduled = true;
    cork();
    setImmediate(flush);
  };
  stream.uncork = () => {
    // The scheduled flush uncorks; see above.
  };
  if (batch !== null) {
    // Anything written another way goes after the bytes batched before it.
    stream.write = ((...args: Parameters<Duplex['write']>) => {
      batch.handOver();
      return (write as Duplex['write'])(...args);
    }) as Duplex['write'];
  }
  // Writable.end() uncorks through `this.uncork()`, which is now a no-op: flush first, or the last
  // packets (a CONNACK refusal, a DISCONNECT) would wait behind an end that never finishes.
  stream.end = ((...args: unknown[]) => {
    batch?.handOver();
    while (stream.writableCorked > 0) uncork();
    return end(...args);
  }) as Duplex['end'];
}
