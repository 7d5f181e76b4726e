/**
 * Login sessions. Kept in memory and, with a `path`, in a small JSON file so a restart of busbar does
 * not log everyone out. The file never holds a usable credential: sessions are keyed by the SHA-256
 * of the cookie's random id, and a restored session is checked against the current config (the user
 * still exists, its password is unchanged, its role is the one the config gives now).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../core/util/atomic-file.js';
import { z } from 'zod';
import type { Principal } from './principal.js';

/** What the file keeps of a session. */
const savedSchema = z.object({
  version: z.literal(1),
  sessions: z.array(
    z.object({
      key: z.string(),
      /** `user:<name>`: only broker users log in with a session. */
      name: z.string(),
      /** Fingerprint of the user's password hash when the session began. */
      credential: z.string(),
      expires: z.number(),
    }),
  ),
});

interface Entry {
  readonly principal: Principal;
  readonly credential: string;
  readonly expires: number;
}

/** Gives the principal a user has now, and its credential fingerprint; undefined if it is gone. */
export type SessionResolver = (name: string) => { principal: Principal; credential: string } | undefined;

/** A short fingerprint of a stored password hash: a changed password ends the user's sessions. */
export function credentialFingerprint(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url').slice(0, 16);
}

function keyOf(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export class Sessions {
  private readonly entries = new Map<string, Entry>();
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    private readonly ttlMs: number,
    /** The JSON file sessions survive restarts in; undefined: memory only. */
    private readonly path?: string,
  ) {}

  /**
   * Reads the sessions saved by the previous run, keeping those that have not expired and whose user
   * `resolve` still knows with the same credential. Returns how many were kept and dropped.
   */
  async load(resolve: SessionResolver): Promise<{ kept: number; dropped: number }> {
    if (this.path === undefined) return { kept: 0, dropped: 0 };
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kept: 0, dropped: 0 };
      throw error;
    }
    const saved = savedSchema.parse(JSON.parse(text));
    const now = Date.now();
    let dropped = 0;
    for (const session of saved.sessions) {
      const current = session.expires > now ? resolve(session.name) : undefined;
      if (!current || current.credential !== session.credential) {
        dropped += 1;
        continue;
      }
      this.entries.set(session.key, {
        principal: current.principal,
        credential: session.credential,
        expires: session.expires,
      });
    }
    if (dropped > 0) this.changed();
    return { kept: this.entries.size, dropped };
  }

  /**
   * After the users changed (SIGHUP): ends each session whose user `resolve` no longer knows with the
   * same credential, and gives the others the principal their user has now. Returns how many ended.
   */
  revalidate(resolve: SessionResolver): number {
    let ended = 0;
    for (const [key, session] of this.entries) {
      const current = resolve(session.principal.name);
      if (!current || current.credential !== session.credential) {
        this.entries.delete(key);
        ended += 1;
      } else {
        this.entries.set(key, { ...session, principal: current.principal });
      }
    }
    if (ended > 0) this.changed();
    return ended;
  }

  create(principal: Principal, credential = ''): string {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    this.entries.set(keyOf(id), { principal, credential, expires: Date.now() + this.ttlMs });
    this.changed();
    return id;
  }

  get(id: string): Principal | undefined {
    const key = keyOf(id);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires < Date.now()) {
      this.entries.delete(key);
      this.changed();
      return undefined;
    }
    return entry.principal;
  }

  delete(id: string): void {
    if (this.entries.delete(keyOf(id))) this.changed();
  }

  /** Waits until the file holds the current sessions. */
  async flush(): Promise<void> {
    while (this.dirty) await this.save();
    await this.saving;
  }

  private changed(): void {
    if (this.path === undefined) return;
    this.dirty = true;
    void this.save().catch(() => undefined); // `flush` (on stop) reports what still fails
  }

  /** One write at a time, the whole file each time, renamed into place (never half a file). */
  private save(): Promise<void> {
    const path = this.path!;
    this.saving = this.saving
      .catch(() => undefined)
      .then(async () => {
        if (!this.dirty) return;
        this.dirty = false;
        try {
          await this.write(path);
        } catch (error) {
          this.dirty = true; // the next change or `flush` tries again
          throw error;
        }
      });
    return this.saving;
  }

  private async write(path: string): Promise<void> {
    const sessions = [...this.entries].map(([key, entry]) => ({
      key,
      name: entry.principal.name,
      credential: entry.credential,
      expires: entry.expires,
    }));
    await writeFileAtomically(path, `${JSON.stringify({ version: 1, sessions })}\n`, 0o600);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (entry.expires < now) {
        this.entries.delete(key);
        this.dirty = true;
      }
    }
  }
}
