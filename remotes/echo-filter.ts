/**
 * Loop prevention for `both` rules. A message the bridge publishes on one side comes back to it on
 * that same side: locally, the bridge's own bus subscription receives what it just published; on the
 * remote, an MQTT 3.1.1 broker delivers our publications to our own matching subscriptions (MQTT 5
 * has the No Local option [MQTT-3.8.3-3], which we also set). So before publishing on a side the
 * bridge remembers (topic, payload digest) there, and the first matching arrival is taken as the echo
 * and not sent back across.
 *
 * Entries are counted (the same payload may cross twice in a row), expire after `ttlMs` (an echo that
 * never comes, e.g. a subscriber that was gone, must not hide a later genuine message for long) and
 * are bounded in number (oldest forgotten first).
 */
import { createHash } from 'node:crypto';

interface Entry {
  count: number;
  expires: number;
}

export class EchoFilter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Notes that a message is about to be published on this side by the bridge itself. */
  remember(topic: string, payload: Buffer): void {
    const key = echoKey(topic, payload);
    const expires = this.now() + this.ttlMs;
    const entry = this.entries.get(key);
    if (entry) {
      entry.count += 1;
      entry.expires = expires;
      return;
    }
    this.entries.set(key, { count: 1, expires });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** True (and forgets it once) when this arrival is the echo of a message the bridge published. */
  isEcho(topic: string, payload: Buffer): boolean {
    if (this.entries.size === 0) return false;
    const key = echoKey(topic, payload);
    const entry = this.entries.get(key);
    if (!entry) return false;
    if (entry.count <= 1 || entry.expires < this.now()) this.entries.delete(key);
    else entry.count -= 1;
    return entry.expires >= this.now();
  }

  get size(): number {
    return this.entries.size;
  }
}

function echoKey(topic: string, payload: Buffer): string {
  return `${topic}\u0000${createHash('sha1').update(payload).digest('base64')}`;
}
