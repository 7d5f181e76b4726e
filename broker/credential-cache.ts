/**
 * Remembers successful password checks for a short while, so a reconnect storm (a site's devices
 * coming back after a network cut) costs one scrypt per distinct credential instead of one per
 * connection. Keys are (username, SHA-256 of the password): the clear password is never kept.
 * Concurrent checks of the same credential share one scrypt; failures are never cached.
 */
import { createHash } from 'node:crypto';

export interface CredentialCacheOptions {
  /** How long a successful check is trusted, in milliseconds. */
  readonly ttlMs: number;
  /** Entries kept at most; the oldest go first. */
  readonly maxEntries: number;
  readonly now?: () => number;
}

export class CredentialCache {
  private readonly verified = new Map<string, number>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly now: () => number;

  constructor(private readonly options: CredentialCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** `check` runs only when no fresh success is cached and no identical check is in flight. */
  async verify(username: string, password: Buffer, check: () => Promise<boolean>): Promise<boolean> {
    const key = `${username}\u0000${createHash('sha256').update(password).digest('base64')}`;
    const expires = this.verified.get(key);
    if (expires !== undefined) {
      if (expires > this.now()) return true;
      this.verified.delete(key);
    }
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const result = check().then(
      (ok) => {
        this.pending.delete(key);
        if (ok) this.remember(key);
        return ok;
      },
      (error: unknown) => {
        this.pending.delete(key);
        throw error;
      },
    );
    this.pending.set(key, result);
    return result;
  }

  get size(): number {
    return this.verified.size;
  }

  private remember(key: string): void {
    if (this.verified.size >= this.options.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(key, this.now() + this.options.ttlMs);
  }
}
