/**
 * `broker.users` and `broker.acl` as they are now. A SIGHUP reload swaps them in the broker
 * (reload.ts) and then here, so what else logs users in (the web server) follows the same users.
 */
import type { Credentials } from './reload.js';

export class LiveCredentials {
  private readonly listeners = new Set<(next: Credentials) => void>();

  constructor(private value: Credentials) {}

  get current(): Credentials {
    return this.value;
  }

  set(next: Credentials): void {
    this.value = next;
    for (const listener of this.listeners) listener(next);
  }

  /** Calls `listener` after each change; returns what stops it. */
  onChange(listener: (next: Credentials) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
