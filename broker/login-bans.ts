/**
 * Short bans of addresses that keep guessing MQTT passwords. The login throttle
 * (core/util/login-throttle.ts) already holds each wrong answer longer; an address that still sends
 * `after` *distinct* wrong credentials is then refused outright for `durationMs`, right passwords
 * included, without a password check. Only distinct ones count: a device repeating its one stale
 * password every second is slowed, not banned with its whole site's NAT. Bans are per address,
 * never per username, so a stranger cannot lock a user out from elsewhere.
 */
import { createHash } from 'node:crypto';

export interface LoginBansOptions {
  /** Distinct wrong credentials before a ban; 0 never bans. */
  readonly after: number;
  readonly durationMs: number;
  /** Failures are forgotten this long after an address's last one. */
  readonly forgetAfterMs?: number;
  /** Addresses remembered at most (the oldest are forgotten first). */
  readonly maxAddresses?: number;
  readonly now?: () => number;
}

interface Record {
  readonly guesses: Set<string>;
  last: number;
  bannedUntil: number;
}

export class LoginBans {
  private readonly records = new Map<string, Record>();
  private readonly forgetAfterMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;

  constructor(private readonly options: LoginBansOptions) {
    this.forgetAfterMs = options.forgetAfterMs ?? 15 * 60_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds left of `address`'s ban, or 0. */
  remainingMs(address: string): number {
    const record = this.records.get(address);
    if (record === undefined) return 0;
    const left = record.bannedUntil - this.now();
    if (left > 0) return left;
    if (record.bannedUntil > 0) this.records.delete(address); // served: a fresh start
    return 0;
  }

  /** Records a wrong `password` for `username` from `address`; true when that bans the address. */
  failed(address: string, username: string, password: Buffer | undefined): boolean {
    if (this.options.after <= 0) return false;
    const now = this.now();
    let record = this.records.get(address);
    if (record !== undefined && now - record.last >= this.forgetAfterMs) record = undefined;
    record ??= { guesses: new Set(), last: now, bannedUntil: 0 };
    // Re-inserted, so the Map's first key is the address that failed longest ago.
    this.records.delete(address);
    this.records.set(address, record);
    while (this.records.size > this.maxAddresses) this.records.delete(this.records.keys().next().value!);
    record.last = now;
    record.guesses.add(
      createHash('sha256')
        .update(username)
        .update('\u0000')
        .update(password ?? '')
        .digest('base64'),
    );
    if (record.guesses.size < this.options.after) return false;
    record.guesses.clear();
    record.bannedUntil = now + this.options.durationMs;
    return true;
  }
}
