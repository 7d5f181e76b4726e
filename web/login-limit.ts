/**
 * Failed password checks per remote address and per username: after `max` failures within
 * `windowMs`, every further check of that address or username is refused (429 with Retry-After)
 * until the oldest failure leaves the window, before any scrypt runs. Slows password guessing and
 * keeps a flood of wrong logins from spending the CPU on scrypt. Behind a reverse proxy every
 * request has the proxy's address, so there the username limit is the one that tells clients apart.
 */
export interface LoginLimitOptions {
  /** Failures allowed per key within the window. */
  readonly max?: number;
  readonly windowMs?: number;
  /** Keys remembered at most (a spray of usernames must not grow memory without bound). */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

export class LoginLimiter {
  /** Key → times of its failures within the window, oldest first. */
  private readonly failures = new Map<string, number[]>();
  private readonly max: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: LoginLimitOptions = {}) {
    this.max = options.max ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds until a check may run for all of `keys`; undefined when it may run now. */
  retryAfter(keys: readonly string[]): number | undefined {
    const now = this.now();
    let wait = 0;
    for (const key of keys) {
      const times = this.recent(key, now);
      if (times.length >= this.max)
        wait = Math.max(wait, times[times.length - this.max]! + this.windowMs - now);
    }
    return wait > 0 ? Math.ceil(wait / 1000) : undefined;
  }

  failed(keys: readonly string[]): void {
    const now = this.now();
    for (const key of keys) {
      const times = this.recent(key, now);
      times.push(now);
      // Re-inserted, so the Map's first key is the one that failed longest ago.
      this.failures.delete(key);
      this.failures.set(key, times.slice(-this.max));
    }
    while (this.failures.size > this.maxKeys) {
      const oldest = this.failures.keys().next();
      if (oldest.done) break;
      this.failures.delete(oldest.value);
    }
  }

  /** A correct password clears that username's failures (not the address's). */
  succeeded(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((time) => time > now - this.windowMs);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}
