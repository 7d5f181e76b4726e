/**
 * Slows password guessing without locking anyone out. Wrong passwords are counted per (address,
 * username), per address and per username; the answer to a wrong one is held for a delay that
 * doubles with those counts, and one address's password checks run one at a time, so asking in
 * parallel does not beat the delay, and one address cannot keep both cores on scrypt. A right
 * password is answered at once, whatever was counted before. Strangers elsewhere failing on a
 * username only hold *their* wrong answers long; for that username's own logins they add at most
 * USER's short delay, and only to wrong answers. Counts are forgotten `forgetAfterMs` after a
 * key's last failure. Used by the web login (web/login-throttle.ts) and by MQTT CONNECT (broker/auth.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BusbarError } from '../runtime/errors.js';

interface KeyPolicy {
  /** Failures answered without delay (a typo or two). */
  readonly free: number;
  /** The longest delay, in base delays (30 s and 5 s with the default 1 s). */
  readonly maxDelays: number;
}

/** One client guessing one user's password: the fastest to slow down. */
const PAIR: KeyPolicy = { free: 3, maxDelays: 30 };
/** One address trying many usernames (or a few users behind one NAT). */
const ADDRESS: KeyPolicy = { free: 10, maxDelays: 30 };
/** Many addresses on one username: short, as these failures may be a stranger's. */
const USER: KeyPolicy = { free: 10, maxDelays: 5 };

export interface LoginThrottleOptions {
  /** The first delayed failure waits this long; each further one twice the previous. */
  readonly baseDelayMs?: number;
  readonly forgetAfterMs?: number;
  /** Keys remembered at most (a spray of usernames must not grow memory without bound). */
  readonly maxKeys?: number;
  /** Checks waiting for one address's turn at most; more are refused with `busy()`. */
  readonly maxWaitingPerAddress?: number;
  /** The error thrown for a check beyond `maxWaitingPerAddress` (the web answers it 429). */
  readonly busy?: () => Error;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

export interface LoginFailure {
  readonly address: string;
  readonly username: string;
  /** Failures of this (address, username) within `forgetAfterMs`, this one included. */
  readonly failures: number;
  /** How long the wrong answer was held. */
  readonly delayMs: number;
}

interface Count {
  failures: number;
  last: number;
}

interface Turn {
  tail: Promise<unknown>;
  waiting: number;
}

/** What one check came to: the answer, and how long a wrong one was held. */
export interface LoginAttempt {
  readonly ok: boolean;
  readonly delayMs: number;
}

export class LoginThrottle {
  private readonly counts = new Map<string, Count>();
  private readonly turns = new Map<string, Turn>();
  private readonly baseDelayMs: number;
  private readonly forgetAfterMs: number;
  private readonly maxKeys: number;
  private readonly maxWaiting: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<unknown>;
  private readonly busy: () => Error;

  constructor(
    options: LoginThrottleOptions = {},
    /** Told of each wrong password, once its answer has been held (to count and log it). */
    private readonly onFailure: (failure: LoginFailure) => void = () => undefined,
  ) {
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.forgetAfterMs = options.forgetAfterMs ?? 15 * 60_000;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.maxWaiting = options.maxWaitingPerAddress ?? 16;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleep;
    this.busy =
      options.busy ??
      (() =>
        new BusbarError('BUSBAR_LOGINS_BUSY', 'too many logins in progress from this address', {
          retryable: true,
        }));
  }

  /**
   * Runs the password check `check` in `address`'s turn. A false result is held for the delay the
   * counts call for, then counted; true clears the (address, username) count.
   */
  async check(address: string, username: string, check: () => Promise<boolean>): Promise<boolean> {
    return (await this.attempt(address, username, check)).ok;
  }

  /** `check`, telling also how long a wrong answer was held. */
  async attempt(address: string, username: string, check: () => Promise<boolean>): Promise<LoginAttempt> {
    const turn = this.turns.get(address) ?? { tail: Promise.resolve(), waiting: 0 };
    if (turn.waiting >= this.maxWaiting) throw this.busy();
    turn.waiting++;
    this.turns.set(address, turn);
    const run = turn.tail.then(() => this.checkNow(address, username, check));
    turn.tail = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      if (--turn.waiting === 0) this.turns.delete(address);
    }
  }

  /** How long a wrong password for `username` from `address` would be held now. */
  delayMs(address: string, username: string): number {
    return Math.max(
      this.delayOf(this.recent(`pair:${address}\u0000${username}`), PAIR),
      this.delayOf(this.recent(`address:${address}`), ADDRESS),
      this.delayOf(this.recent(`user:${username}`), USER),
    );
  }

  private async checkNow(
    address: string,
    username: string,
    check: () => Promise<boolean>,
  ): Promise<LoginAttempt> {
    const pairKey = `pair:${address}\u0000${username}`;
    if (await check()) {
      this.counts.delete(pairKey);
      return { ok: true, delayMs: 0 };
    }
    for (const key of [pairKey, `address:${address}`, `user:${username}`]) this.failed(key);
    const delayMs = this.delayMs(address, username);
    if (delayMs > 0) await this.sleep(delayMs);
    this.onFailure({ address, username, failures: this.recent(pairKey), delayMs });
    return { ok: false, delayMs };
  }

  private delayOf(failures: number, policy: KeyPolicy): number {
    if (failures <= policy.free) return 0;
    const doublings = Math.min(failures - policy.free - 1, 30);
    return Math.min(this.baseDelayMs * 2 ** doublings, this.baseDelayMs * policy.maxDelays);
  }

  /** Failures of `key` not yet forgotten. */
  private recent(key: string): number {
    const count = this.counts.get(key);
    if (count === undefined) return 0;
    if (this.now() - count.last < this.forgetAfterMs) return count.failures;
    this.counts.delete(key);
    return 0;
  }

  private failed(key: string): void {
    const failures = this.recent(key) + 1;
    // Re-inserted, so the Map's first key is the one that failed longest ago.
    this.counts.delete(key);
    this.counts.set(key, { failures, last: this.now() });
    while (this.counts.size > this.maxKeys) {
      const oldest = this.counts.keys().next();
      if (oldest.done) break;
      this.counts.delete(oldest.value);
    }
  }
}
