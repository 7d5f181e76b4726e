import type { Logger } from '../runtime/logger.js';
import { TokenBucket } from './rate-limit.js';

/**
 * Bounds a log line that clients can trigger at will (refused logins, denied publishes), so a
 * misbehaving device cannot flood the logs. Lines beyond the rate are counted, and the count rides
 * on the next line that gets through.
 */
export class LogThrottle {
  private readonly bucket: TokenBucket;
  private dropped = 0;

  constructor(perSecond: number, burst: number) {
    this.bucket = new TokenBucket(perSecond, burst);
  }

  /** undefined: drop this line. A number: log it, mentioning that many lines dropped before it. */
  admit(): number | undefined {
    if (!this.bucket.take()) {
      this.dropped++;
      return undefined;
    }
    const dropped = this.dropped;
    this.dropped = 0;
    return dropped;
  }

  /** `log.warn(fields, message)` if admitted, with the count of lines dropped before it. */
  warn(log: Logger, fields: object, message: string, droppedKey = 'linesNotLogged'): void {
    const dropped = this.admit();
    if (dropped === undefined) return;
    log.warn({ ...fields, ...(dropped > 0 ? { [droppedKey]: dropped } : {}) }, message);
  }
}

/**
 * At most one log line per key and period: a wrong OID polled every 10 s, a probe that times out at
 * every tick, or a bad Redis key read every minute must not write the same line forever. The next
 * line says how many were held back.
 */
export class PeriodicLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly periodMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls `write(suppressed)` unless `key` was written within the period; otherwise counts it. */
  run(key: string, write: (suppressed: number) => void): void {
    const entry = this.last.get(key);
    const now = this.now();
    if (entry !== undefined && now - entry.at < this.periodMs) {
      entry.suppressed += 1;
      return;
    }
    // Keys are usually bounded by the config, but some (keys of deleted Redis entries) come and go:
    // forget the oldest when the map grows large.
    if (this.last.size >= 10_000) this.last.delete(this.last.keys().next().value as string);
    this.last.set(key, { at: now, suppressed: 0 });
    write(entry?.suppressed ?? 0);
  }
}
