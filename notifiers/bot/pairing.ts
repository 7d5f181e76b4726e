/**
 * Pairing codes: busbar prints one at start; `/start CODE` from a chat adds that chat. A code works
 * once, expires, and is replaced after too many wrong guesses, so it cannot be guessed by trying.
 * The comparison takes the same time whatever the guess.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';

/** No 0/O, 1/I/L: the code is read off a log and typed on a phone. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const LENGTH = 8;
export const MAX_WRONG_GUESSES = 10;

export interface PairingCode {
  readonly code: string;
  readonly expiresAt: number;
}

export type PairingResult = 'paired' | 'wrong' | 'expired';

export class PairingCodes {
  private current: PairingCode | undefined;
  private wrong = 0;

  constructor(
    private readonly ttlMs: number,
    /** Told about every new code (logged: that is how a person gets it). */
    private readonly onCode: (code: PairingCode, reason: 'start' | 'used' | 'expired' | 'guessed') => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Makes the first code. */
  start(): PairingCode {
    return this.renew('start');
  }

  /** Checks a code; a right one is used up (a new code is printed for the next chat). */
  use(candidate: string): PairingResult {
    const code = this.current;
    if (!code) return 'expired';
    if (this.now() >= code.expiresAt) {
      this.renew('expired');
      return 'expired';
    }
    const given = Buffer.from(candidate.trim().toUpperCase());
    const expected = Buffer.from(code.code);
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      this.renew('used');
      return 'paired';
    }
    this.wrong += 1;
    if (this.wrong >= MAX_WRONG_GUESSES) this.renew('guessed');
    return 'wrong';
  }

  /** The code in force (tests read it as a person reads the log). */
  get code(): PairingCode | undefined {
    return this.current;
  }

  /** Replaces an expired code (called by a timer, so a fresh code is always in the log). */
  expireIfDue(): void {
    if (this.current && this.now() >= this.current.expiresAt) this.renew('expired');
  }

  private renew(reason: 'start' | 'used' | 'expired' | 'guessed'): PairingCode {
    let code = '';
    for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    this.current = { code, expiresAt: this.now() + this.ttlMs };
    this.wrong = 0;
    this.onCode(this.current, reason);
    return this.current;
  }
}
