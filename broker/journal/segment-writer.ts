/**
 * Appends records to one segment file with group commit: records given while a write (and its
 * fdatasync) is under way are written together by the next one, so under load one flush to the
 * device covers many messages, and an idle broker flushes one at a time at once.
 *
 * Without fdatasync, the group's `write` is a synchronous system call on the event loop: it only
 * copies the group (a few KiB) into the page cache, a few µs, where a round trip through libuv's
 * thread pool costs a wake-up on each side and a loop turn — measured at more than the write
 * itself, once per group (docs/performance.md). With fdatasync the write stays in the thread pool
 * with the flush: there the pool round trip is paid for the flush anyway, and the 100-lines
 * workload measured slightly slower with the write on the loop. The event loop goes on reading
 * clients while the device flushes.
 */
import { writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

interface Waiting {
  readonly chunks: Buffer[];
  readonly callbacks: ((error: Error | undefined) => void)[];
}

export class SegmentWriter {
  private waiting: Waiting = { chunks: [], callbacks: [] };
  private writing = false;
  private closed = false;
  private drained: (() => void)[] = [];
  /** Bytes written (and flushed) so far. */
  bytes = 0;

  /** False once a write failed or `close` was called: appends are refused. */
  get usable(): boolean {
    return !this.closed;
  }

  private constructor(
    private readonly handle: FileHandle,
    private readonly fsync: boolean,
  ) {}

  static async create(file: string, fsync: boolean): Promise<SegmentWriter> {
    // 'wx': a segment is never reopened; a name that exists already is a mistake, not something to append to.
    return new SegmentWriter(await open(file, 'wx'), fsync);
  }

  /** Calls `done` once the record is on disk (or with the error that kept it from being). */
  append(record: Buffer, done: (error: Error | undefined) => void): void {
    if (this.closed) {
      done(new Error('the journal segment is closed'));
      return;
    }
    this.waiting.chunks.push(record);
    this.waiting.callbacks.push(done);
    if (!this.writing) {
      this.writing = true;
      // Let the rest of this socket read (Aedes handles a whole read at once) join the group.
      setImmediate(() => void this.writeGroups());
    }
  }

  /** Waits for pending writes, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.writing) await new Promise<void>((resolve) => this.drained.push(resolve));
    await this.handle.close();
  }

  private async writeGroups(): Promise<void> {
    const group = this.waiting;
    this.waiting = { chunks: [], callbacks: [] };
    let failure: Error | undefined;
    try {
      const data = group.chunks.length === 1 ? group.chunks[0]! : Buffer.concat(group.chunks);
      if (this.fsync) {
        await this.writeAllInPool(data);
        await this.handle.datasync();
      } else {
        this.writeAll(data);
      }
      this.bytes += data.length;
    } catch (error) {
      // Part of the group may be in the file: nothing more goes into it (the journal starts another).
      failure = error instanceof Error ? error : new Error(String(error));
      this.closed = true;
    }
    for (const callback of group.callbacks) callback(failure);
    if (this.waiting.chunks.length > 0) {
      // Not at once: the acknowledgements just sent bring the clients' next messages within a turn
      // of the event loop, and they should join the next group rather than wait behind a small one.
      setImmediate(() => void this.writeGroups());
      return;
    }
    this.writing = false;
    for (const resolve of this.drained.splice(0)) resolve();
  }

  /** A write may take only part of the buffer (rare on a file, but allowed): write the rest. */
  private writeAll(data: Buffer): void {
    let offset = 0;
    while (offset < data.length) {
      offset += writeSync(this.handle.fd, data, offset, data.length - offset);
    }
  }

  private async writeAllInPool(data: Buffer): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await this.handle.write(data, offset, data.length - offset);
      offset += bytesWritten;
    }
  }
}
