/**
 * Delivers the outbox to the database, oldest batch first, one request at a time so order is kept.
 * A request that fails in a way worth retrying is sent again after an exponential backoff with
 * jitter, or after the server's Retry-After; the batch stays in the outbox meanwhile, so nothing is
 * lost, however long the database is down. A batch the database refuses for good is bisected until
 * the offending lines are isolated: those go to the dead letter with the server's reason, the rest
 * is written.
 */
import { gunzipSync } from 'node:zlib';
import { backoffDelay } from '../../core/util/backoff.js';
import type { Logger } from '../../core/runtime/logger.js';
import type { Precision } from '../../core/codecs/metric.js';
import { sleep } from '../../core/util/abortable.js';
import type { BodyEncoding, Outbox, OutboxBatch } from '../outbox/outbox.js';
import { postLines, type WriteOutcome } from './http-write.js';
import type { SinkStats } from './sink-stats.js';
import { droppedAll, splitPoints } from './split-points.js';
import type { WriteTarget } from './write-target.js';

export interface DelivererOptions {
  readonly outbox: Outbox;
  readonly target: WriteTarget;
  readonly stats: SinkStats;
  readonly log: Logger;
  readonly precision: Precision;
  readonly timeoutMs: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /** Called once per line refused for good. */
  readonly deadletter: (line: string, reason: string) => void;
  readonly random?: () => number;
}

/** While the database keeps failing, one log line per this interval at most. */
const FAILURE_LOG_INTERVAL_MS = 30_000;

type Final = Exclude<WriteOutcome, { kind: 'retry' }>;

export class Deliverer {
  private wakeUp: (() => void) | undefined;
  private failures = 0;
  private lastFailureLog = 0;

  constructor(private readonly options: DelivererOptions) {}

  /** New batches are in the outbox: stop idling. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Runs until `signal` aborts; the batch in flight then stays in the outbox. */
  async run(signal: AbortSignal): Promise<void> {
    const { outbox } = this.options;
    while (!signal.aborted) {
      const batch = outbox.take();
      if (batch === undefined) {
        await this.idle(signal);
        continue;
      }
      if (await this.deliver(batch, signal)) outbox.remove(batch.id);
      else outbox.release();
    }
  }

  /** True once every line of the batch is written or dead-lettered; false when stopped first. */
  private async deliver(batch: OutboxBatch, signal: AbortSignal): Promise<boolean> {
    const outcome = await this.send(batch.body, batch.encoding, signal);
    if (outcome === undefined) return false;
    if (outcome.kind === 'ok') {
      this.options.stats.written += batch.lines;
      return true;
    }
    const text = (batch.encoding === 'gzip' ? gunzipSync(batch.body) : batch.body).toString('utf8');
    const { points, unparsable } = splitPoints(text, this.options.precision);
    for (const line of unparsable) this.refuse([line], 'the line no longer parses (outbox damaged?)');
    return this.bisect(points, outcome, signal);
  }

  /**
   * `points` were refused as a whole with `outcome`: send each half on its own until the refused
   * points stand alone. A 1.x partial write has stored the good points already; sending them again
   * writes the same values at the same times, which InfluxDB treats as one point.
   */
  private async bisect(points: string[], outcome: Final, signal: AbortSignal): Promise<boolean> {
    if (outcome.kind === 'ok') {
      this.options.stats.written += points.length;
      return true;
    }
    if (points.length <= 1 || (outcome.kind === 'rejected' && droppedAll(outcome.reason, points.length))) {
      this.refuse(points, outcome.reason);
      return true;
    }
    const middle = Math.ceil(points.length / 2);
    for (const half of [points.slice(0, middle), points.slice(middle)]) {
      // Halves go uncompressed: bisecting is rare, and small bodies gain little from gzip.
      const result = await this.send(Buffer.from(half.join('\n')), 'identity', signal);
      if (result === undefined || !(await this.bisect(half, result, signal))) return false;
    }
    return true;
  }

  /** Sends until the outcome is final (written, refused, too large); undefined when stopped first. */
  private async send(body: Buffer, encoding: BodyEncoding, signal: AbortSignal): Promise<Final | undefined> {
    const { target, stats, log } = this.options;
    for (let attempt = 0; !signal.aborted; attempt++) {
      stats.requests++;
      const outcome = await postLines(target, body, {
        encoding,
        timeoutMs: this.options.timeoutMs,
        signal,
      });
      if (outcome.kind !== 'retry') {
        if (this.failures > 0) {
          const downMs = Date.now() - stats.failingSince;
          log.info(
            { url: target.display, failures: this.failures, downMs },
            'database reachable again; delivering',
          );
        }
        this.failures = 0;
        stats.failingSince = 0;
        if (outcome.kind === 'ok') stats.recordWrite(outcome.ms);
        return outcome;
      }
      if (signal.aborted) return undefined;
      const delayMs =
        outcome.retryAfterMs ??
        backoffDelay(
          attempt,
          { initialMs: this.options.retryDelayMs, maxMs: this.options.maxRetryDelayMs },
          this.options.random,
        );
      this.recordFailure(outcome.reason, delayMs);
      await sleep(delayMs, signal);
    }
    return undefined;
  }

  private recordFailure(reason: string, delayMs: number): void {
    const { stats, log, outbox, target } = this.options;
    stats.retries++;
    stats.lastError = reason;
    if (this.failures === 0) stats.failingSince = Date.now();
    this.failures++;
    const now = Date.now();
    if (this.failures === 1 || now - this.lastFailureLog >= FAILURE_LOG_INTERVAL_MS) {
      this.lastFailureLog = now;
      const depth = outbox.depth();
      log.error(
        {
          url: target.display,
          reason,
          failures: this.failures,
          retryInMs: delayMs,
          outboxLines: depth.lines,
        },
        `cannot write to ${target.display}; data kept in the outbox, retrying`,
      );
    }
  }

  private refuse(lines: string[], reason: string): void {
    this.options.stats.deadlettered += lines.length;
    for (const line of lines) this.options.deadletter(line, reason);
  }

  private idle(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.wakeUp = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.wakeUp = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
