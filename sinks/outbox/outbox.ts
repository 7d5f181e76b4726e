/**
 * The outbox between a sink's batcher and its database: batches of line protocol wait here, oldest
 * first, until the database has them. Two kinds: on disk (SQLite, survives restarts: `durable: true`)
 * and in memory. Both are bounded in bytes; beyond the bound the oldest batches are dropped and the
 * drop is reported to the caller, who counts, logs and alarms it.
 */

/** How a batch's body is stored: gzip (the default: ten times more fits, and it is sent as is) or plain. */
export type BodyEncoding = 'gzip' | 'identity';

export interface OutboxBatch {
  readonly id: number;
  /** Line protocol, lines separated by `\n`, encoded as `encoding` says. */
  readonly body: Buffer;
  readonly encoding: BodyEncoding;
  readonly lines: number;
  /** Stored size (of the encoded body). */
  readonly bytes: number;
  /** When it was stored, milliseconds since the epoch. */
  readonly created: number;
}

export interface OutboxDepth {
  readonly batches: number;
  readonly lines: number;
  readonly bytes: number;
  /** Age of the oldest batch in milliseconds (0 when empty). */
  readonly oldestAgeMs: number;
}

/** What `append` had to drop to stay within the size limit. */
export interface Dropped {
  readonly batches: number;
  readonly lines: number;
}

export interface Outbox {
  /** Stores a batch; once this returns, the batch survives what the outbox kind survives. */
  append(body: Buffer, lines: number, encoding: BodyEncoding): Dropped;
  /**
   * The oldest batch, held for delivery until `remove` or `release`: a full outbox never drops the
   * batch being delivered (it is dropping the oldest of the others instead).
   */
  take(): OutboxBatch | undefined;
  /** The held batch was delivered (or dead-lettered): forget it. */
  remove(id: number): void;
  /** Delivery of the held batch stopped without success: it stays first in line. */
  release(): void;
  depth(): OutboxDepth;
  close(): void;
}

export const NOTHING_DROPPED: Dropped = Object.freeze({ batches: 0, lines: 0 });
