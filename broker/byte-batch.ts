/**
 * One buffer per connection per event-loop turn for the small packets busbar writes most: PUBACKs
 * and PUBLISHes without properties (Aedes' one-write packets, patches/aedes+*.patch lib/write.js).
 *
 * Each of those packets was a Buffer of its own and a `write()` of its own: a pooled Buffer object,
 * a buffered request in the socket's Writable state and a chunk in its `writev`, per packet. Here
 * Aedes encodes it straight into this connection's buffer instead, and the bytes of the whole turn
 * reach the stream as one chunk when write-coalescing.ts flushes the turn.
 *
 * Bytes are never written twice over: each flush hands the socket the part of the buffer written
 * since the last one (a view, no copy), and later packets go after it. A full buffer is handed over
 * and replaced by a new one, so a chunk the socket still holds is never touched again.
 *
 * Order on the wire stays the order of the writes: any other write to the stream (mqtt-packet's,
 * for every other packet) first hands over what is batched (see write-coalescing.ts).
 */
import type { Duplex } from 'node:stream';

/** The first buffer of a connection; enough for 64 PUBACKs or a dozen small PUBLISHes. */
const MIN_CAPACITY = 1024;
/** The largest buffer a busy subscriber gets; a turn with more bytes hands it over full and goes on. */
const MAX_CAPACITY = 65_536;

export class ByteBatch {
  /** Where the caller of `reserve` writes its bytes. */
  buffer: Buffer = Buffer.alloc(0);
  /** First byte not handed to the stream yet. */
  private start = 0;
  /** End of the bytes written. */
  private end = 0;
  /** Write callbacks waiting for the turn's flush, each followed by its argument. */
  private completions: unknown[] = [];

  /**
   * @param write the stream's own write, which the stream's `write` (wrapped) no longer is
   * @param beginTurn corks the stream and schedules the flush of this turn, once per turn
   */
  constructor(
    private readonly stream: Duplex,
    private readonly write: (chunk: Buffer) => boolean,
    private readonly beginTurn: () => void,
  ) {}

  /**
   * Makes room for `size` bytes and returns their offset in `buffer`, which the caller fills at once;
   * -1 when the stream no longer takes writes (ended, destroyed), where the caller writes as before so
   * that the stream's own error handling applies.
   */
  reserve(size: number): number {
    if (!this.stream.writable) return -1;
    if (this.end + size > this.buffer.length) this.replace(size);
    const at = this.end;
    this.end += size;
    this.beginTurn();
    return at;
  }

  /**
   * What `write()` would have returned for the bytes batched so far: false once they and the
   * stream's buffered bytes reach its high-water mark. The stream then says so itself when the turn
   * is flushed, and emits 'drain' once they have left, so a caller that waits for 'drain' gets it.
   */
  belowHighWaterMark(): boolean {
    return this.stream.writableLength + (this.end - this.start) < this.stream.writableHighWaterMark;
  }

  /** Hands the bytes batched so far to the stream, ahead of whatever is written to it next. */
  handOver(): void {
    if (this.end === this.start) return;
    const chunk = this.buffer.subarray(this.start, this.end);
    this.start = this.end;
    this.write(chunk);
  }

  /**
   * Calls `done(null, argument)` once this turn's bytes have been handed to the stream (`complete`,
   * from the turn's flush): the callback of a write that went into the batch, which Aedes would
   * otherwise call from an immediate of its own per write.
   */
  whenHandedOver(done: (error: null, argument: unknown) => void, argument: unknown): void {
    this.completions.push(done, argument);
  }

  /** Runs the callbacks of `whenHandedOver`, in order; one that throws does not keep the others from running. */
  complete(): void {
    if (this.completions.length === 0) return;
    const completions = this.completions;
    this.completions = [];
    let failure: { error: unknown } | undefined;
    for (let i = 0; i < completions.length; i += 2) {
      try {
        (completions[i] as (error: null, argument: unknown) => void)(null, completions[i + 1]);
      } catch (error) {
        failure ??= { error };
      }
    }
    // As an immediate that throws would: the process hears of it, after the others ran.
    if (failure !== undefined) throw failure.error;
  }

  /** A new buffer once this one is full: sized for this turn's bytes, so an idle connection keeps a small one. */
  private replace(size: number): void {
    const turnBytes = this.end - this.start;
    this.handOver();
    let capacity = Math.max(MIN_CAPACITY, this.buffer.length);
    // Grow only when one turn filled a buffer; a connection that writes little keeps the small one.
    if (turnBytes * 2 > capacity) capacity = Math.min(MAX_CAPACITY, capacity * 2);
    this.buffer = Buffer.allocUnsafeSlow(Math.max(capacity, size));
    this.start = 0;
    this.end = 0;
  }
}
