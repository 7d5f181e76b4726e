import { TokenBucket } from '../core/rate-limit.js';

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
}
