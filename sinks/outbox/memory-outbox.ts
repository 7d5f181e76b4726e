/** The outbox of a sink with `durable: false`: the same contract in memory, lost on restart. */
import {
  NOTHING_DROPPED,
  type BodyEncoding,
  type Dropped,
  type Outbox,
  type OutboxBatch,
  type OutboxDepth,
} from './outbox.js';

export class MemoryOutbox implements Outbox {
  private batches: OutboxBatch[] = [];
  private nextId = 1;
  private lines = 0;
  private bytes = 0;
  private held: number | undefined;

  constructor(private readonly maxBytes: number) {}

  append(body: Buffer, lines: number, encoding: BodyEncoding): Dropped {
    const bytes = body.length;
    this.batches.push({ id: this.nextId++, body, encoding, lines, bytes, created: Date.now() });
    this.lines += lines;
    this.bytes += bytes;
    if (this.bytes <= this.maxBytes) return NOTHING_DROPPED;
    let batches = 0;
    let dropped = 0;
    // The newest batch is kept even when alone above the limit: it is the data just accepted.
    for (let i = 0; this.bytes > this.maxBytes && i < this.batches.length - 1;) {
      const oldest = this.batches[i] as OutboxBatch;
      if (oldest.id === this.held) {
        i++;
        continue;
      }
      this.batches.splice(i, 1);
      this.lines -= oldest.lines;
      this.bytes -= oldest.bytes;
      batches++;
      dropped += oldest.lines;
    }
    return { batches, lines: dropped };
  }

  take(): OutboxBatch | undefined {
    const first = this.batches[0];
    this.held = first?.id;
    return first;
  }

  remove(id: number): void {
    const index = this.batches.findIndex((batch) => batch.id === id);
    if (index >= 0) {
      const [batch] = this.batches.splice(index, 1);
      this.lines -= batch!.lines;
      this.bytes -= batch!.bytes;
    }
    if (this.held === id) this.held = undefined;
  }

  release(): void {
    this.held = undefined;
  }

  depth(): OutboxDepth {
    const first = this.batches[0];
    return {
      batches: this.batches.length,
      lines: this.lines,
      bytes: this.bytes,
      oldestAgeMs: first ? Date.now() - first.created : 0,
    };
  }

  close(): void {
    this.batches = [];
  }
}
