/**
 * A connection for tests of the broker's writes: it keeps every chunk written to it as it was given
 * to the stream, and each batch (one system call on a socket) as it was handed over. With `hold`,
 * it completes its writes only when told to (`completeWrites`), as a socket holds a chunk until the
 * kernel took it; otherwise at once.
 */
import { Duplex } from 'node:stream';

export interface RecordingStream {
  stream: Duplex;
  chunks: Buffer[];
  batches: Buffer[][];
  /** Completes every held write, including those the stream buffered meanwhile. */
  completeWrites(): Promise<void>;
}

export function recordingStream(options: { hold?: boolean; highWaterMark?: number } = {}): RecordingStream {
  const chunks: Buffer[] = [];
  const batches: Buffer[][] = [];
  let pending: (() => void)[] = [];
  const finish = (done: () => void): void => {
    if (options.hold === true) pending.push(done);
    else done();
  };
  const stream = new Duplex({
    ...(options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark }),
    read() {},
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      batches.push([chunk]);
      finish(done);
    },
    writev(written, done) {
      const batch = written.map(({ chunk }) => chunk as Buffer);
      chunks.push(...batch);
      batches.push(batch);
      finish(done);
    },
  });
  const completeWrites = async (): Promise<void> => {
    while (pending.length > 0) {
      const now = pending;
      pending = [];
      for (const done of now) done();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { stream, chunks, batches, completeWrites };
}
