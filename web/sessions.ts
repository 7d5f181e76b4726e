/** Login sessions, in memory: a restart logs everyone out, which is acceptable for a site console. */
import { randomBytes } from 'node:crypto';
import type { Principal } from './auth.js';

export class Sessions {
  private readonly entries = new Map<string, { principal: Principal; expires: number }>();

  constructor(private readonly ttlMs: number) {}

  create(principal: Principal): string {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    this.entries.set(id, { principal, expires: Date.now() + this.ttlMs });
    return id;
  }

  get(id: string): Principal | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expires < Date.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.principal;
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.entries) if (entry.expires < now) this.entries.delete(id);
  }
}
