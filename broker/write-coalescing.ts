/**
 * Coalesces a connection's writes into one system call per event-loop turn.
 *
 * Aedes sends every delivery from its own `setImmediate`, and mqtt-packet corks the socket for one
 * packet and uncorks it on the next tick, so a subscriber receiving N messages in one turn costs N
 * `writev` calls; profiling showed them at a third of the broker's CPU in a fan-in benchmark.
 * Here the first `cork()` of a turn corks the socket for real and schedules one uncork after the
 * current batch of immediates; further cork/uncork pairs within the turn are no-ops. Latency grows
 * by at most one loop turn; byte order is unchanged (it is still one stream).
 */
import type { Duplex } from 'node:stream';

/**
 * Set on a coalesced stream. Aedes' one-write PUBLISH and PUBACK (patches/aedes+*.patch, lib/write.js)
 * then cork it without scheduling an uncork per write: that uncork does nothing here, and the tick it
 * took made Node run its tick queue after every delivery's immediate.
 */
const COALESCED_WRITES = Symbol.for('busbar.coalescedWrites');

export function coalesceWrites(stream: Duplex): void {
  (stream as Duplex & { [COALESCED_WRITES]?: true })[COALESCED_WRITES] = true;
  const cork = stream.cork.bind(stream);
  const uncork = stream.uncork.bind(stream);
  let scheduled = false;
  const end = stream.end.bind(stream) as (...args: unknown[]) => Duplex;
  const flush = (): void => {
    scheduled = false;
    if (stream.writableCorked > 0) uncork();
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
  // Writable.end() uncorks through `this.uncork()`, which is now a no-op: flush first, or the last
  // packets (a CONNACK refusal, a DISCONNECT) would wait behind an end that never finishes.
  stream.end = ((...args: unknown[]) => {
    while (stream.writableCorked > 0) uncork();
    return end(...args);
  }) as Duplex['end'];
}
