/**
 * Turns full batches into outbox entries, in order: gzip runs in libuv's thread pool (another core,
 * not the event loop), then the compressed body is stored. Stored compressed, a batch takes about a
 * tenth of the outbox and is sent as it is, however often it is retried. A batch that cannot be
 * stored (disk full) waits in memory and is tried again, within a bound.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { errorMessage } from '../../core/runtime/errors.js';
import type { BodyEncoding, Dropped, Outbox } from '../outbox/outbox.js';

const gzip = promisify(gzipCallback);

export interface SealerOptions {
  readonly outbox: Outbox;
  readonly gzip: boolean;
  /** Lines waiting to be stored beyond this are dropped, oldest first (the outbox cannot take them). */
  readonly maxWaitingLines: number;
  /** A batch is in the outbox: it counts as accepted. */
  readonly stored: (lines: number, dropped: Dropped) => void;
  readonly storeFailed: (reason: string, waitingLines: number) => void;
  readonly lost: (lines: number) => void;
}

interface Encoded {
  readonly body: Buffer;
  readonly lines: number;
  readonly encoding: BodyEncoding;
}

export class Sealer {
  private chain: Promise<void> = Promise.resolve();
  private waitingLines = 0;
  private lostLines = 0;
  private readonly unstored: Encoded[] = [];

  constructor(private readonly options: SealerOptions) {}

  /** Lines handed over and not yet in the outbox. */
  get waiting(): number {
    return this.waitingLines;
  }

  /** Queues a batch (lines separated by `\n`) to be encoded and stored after those before it. */
  seal(text: string, lines: number): void {
    this.waitingLines += lines;
    this.chain = this.chain.then(() => this.encodeAndStore(text, lines));
  }

  /** Tries again to store batches an earlier attempt could not. */
  retry(): void {
    if (this.unstored.length > 0) this.chain = this.chain.then(() => this.storeWaiting());
  }

  /** Resolves once everything sealed so far was stored or failed to be. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Resolves once everything sealed so far is in the outbox; rejects if some of it could not be stored. */
  async stored(): Promise<void> {
    const lostBefore = this.lostLines;
    await this.chain;
    if (this.lostLines > lostBefore) throw new Error(`${this.lostLines - lostBefore} lines were dropped`);
    // Later batches are chained behind: anything still unstored here failed to be stored.
    if (this.unstored.length > 0)
      throw new Error(`${this.waitingLines} lines wait for the outbox, which cannot store them now`);
  }

  private async encodeAndStore(text: string, lines: number): Promise<void> {
    let encoded: Encoded;
    try {
      encoded = this.options.gzip
        ? { body: await gzip(text), lines, encoding: 'gzip' }
        : { body: Buffer.from(text), lines, encoding: 'identity' };
    } catch (error) {
      // zlib failing (out of memory) must not lose the batch: store it uncompressed.
      this.options.storeFailed(`gzip failed: ${errorMessage(error)}`, this.waitingLines);
      encoded = { body: Buffer.from(text), lines, encoding: 'identity' };
    }
    this.unstored.push(encoded);
    this.storeWaiting();
  }

  private storeWaiting(): void {
    while (this.unstored.length > 0) {
      const batch = this.unstored[0] as Encoded;
      let dropped: Dropped;
      try {
        dropped = this.options.outbox.append(batch.body, batch.lines, batch.encoding);
      } catch (error) {
        this.options.storeFailed(errorMessage(error), this.waitingLines);
        this.bound();
        return;
      }
      this.unstored.shift();
      this.waitingLines -= batch.lines;
      this.options.stored(batch.lines, dropped);
    }
  }

  private bound(): void {
    let lost = 0;
    while (this.waitingLines > this.options.maxWaitingLines && this.unstored.length > 1) {
      const oldest = this.unstored.shift() as Encoded;
      this.waitingLines -= oldest.lines;
      lost += oldest.lines;
    }
    if (lost > 0) {
      this.lostLines += lost;
      this.options.lost(lost);
    }
  }
}
