/** Counters of an InfluxDB sink, published retained on `<base>/stats/<sink>`. */
import type { OutboxDepth } from '../outbox/outbox.js';

export class SinkStats {
  /** Lines taken from the bus and stored in the outbox. */
  accepted = 0;
  /** Lines the database acknowledged. */
  written = 0;
  /** Lines dropped because the outbox was full. */
  dropped = 0;
  /** Lines the database refused for good, moved to the dead letter. */
  deadlettered = 0;
  /** Dead-letter messages not published because of the rate limit (the lines are still counted above). */
  deadletterSuppressed = 0;
  requests = 0;
  /** Requests that failed in a way worth retrying. */
  retries = 0;
  lastWriteMs = 0;
  maxWriteMs = 0;
  private writeMsTotal = 0;
  private writeCount = 0;
  /** Since when the database has been failing (0: it is not). */
  failingSince = 0;
  lastError: string | undefined;

  recordWrite(ms: number): void {
    this.lastWriteMs = ms;
    this.writeMsTotal += ms;
    this.writeCount++;
    if (ms > this.maxWriteMs) this.maxWriteMs = ms;
  }

  toJSON(extra: { url: string; outbox: OutboxDepth; durable: boolean }): Record<string, unknown> {
    return {
      url: extra.url,
      state: this.failingSince === 0 ? 'ok' : 'retrying',
      accepted: this.accepted,
      written: this.written,
      dropped: this.dropped,
      deadlettered: this.deadlettered,
      deadletterSuppressed: this.deadletterSuppressed,
      requests: this.requests,
      retries: this.retries,
      outbox: {
        durable: extra.durable,
        batches: extra.outbox.batches,
        lines: extra.outbox.lines,
        bytes: extra.outbox.bytes,
        oldestAgeSeconds: Math.round(extra.outbox.oldestAgeMs / 100) / 10,
      },
      writeLatencyMs: {
        last: round(this.lastWriteMs),
        avg: this.writeCount === 0 ? 0 : round(this.writeMsTotal / this.writeCount),
        max: round(this.maxWriteMs),
      },
      failingSince: this.failingSince === 0 ? undefined : new Date(this.failingSince).toISOString(),
      lastError: this.lastError,
      at: new Date().toISOString(),
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
