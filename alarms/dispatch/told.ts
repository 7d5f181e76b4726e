/**
 * When a group counts as told. Publishing a notification on <base>/notify/<group> tells no one yet:
 * the notifiers deliver it (retrying, failing over, for up to their maxAge) and answer with a receipt
 * on <base>/notified/<group>. Like Alertmanager's notification log, which records a notification
 * only after the receiver took it, an alarm's `told` changes here and only here, on a `delivered`
 * receipt. Until then the message is `sent`: what the group's next message is compared with, so a
 * message on its way is not sent again. A `dead` receipt leaves it out of that comparison, so the
 * alarms it was about are news again at the group's next interval; it is kept, though, because
 * another route taking the same message may still deliver it.
 */
/** What an alarm was last told as (a receiver accepted it); undefined: not yet. */
export type Told = 'firing' | 'resolved' | 'flapping' | undefined;

/** A message of a group on its way to a receiver: what it said of each alarm (alarm key → shown). */
export interface SentMessage {
  readonly id: string;
  readonly said: Record<string, Exclude<Told, undefined>>;
  /** A receipt said it died on some route (absent: still on its way). */
  dead?: true;
}

/** The receipt the notifiers publish on <base>/notified/<group>. */
export interface Receipt {
  readonly id: string;
  readonly group: string;
  readonly state: 'delivered' | 'dead';
}

/** The part of a group this file reads and changes. */
export interface ToldGroup {
  readonly entries: ReadonlyMap<string, { told: Told }>;
  /** Messages sent and not yet answered by a receipt, oldest first. */
  sent: SentMessage[];
}

/**
 * Messages awaiting a receipt kept per group. Without a notifiers route on <base>/notify/# no receipt
 * ever comes; the newest message is what counts then, so older ones are let go.
 */
const MAX_SENT = 8;

/** What the group last said of an alarm: its newest message on the way, else what it was told. */
export function lastSaid(group: ToldGroup, key: string, told: Told): Told {
  for (let at = group.sent.length - 1; at >= 0; at -= 1) {
    const message = group.sent[at]!;
    const said = message.dead ? undefined : message.said[key];
    if (said !== undefined) return said;
  }
  return told;
}

/** A message of the group was published: it is on its way, not yet told. */
export function markSent(group: ToldGroup, message: SentMessage): void {
  group.sent.push(message);
  if (group.sent.length > MAX_SENT) group.sent.splice(0, group.sent.length - MAX_SENT);
}

/**
 * The group let an alarm go (resolved and settled): its messages on the way no longer speak for it,
 * so should it fire again it is news, whatever they said.
 */
export function forgetAlarm(group: ToldGroup, key: string): void {
  for (const message of group.sent) delete message.said[key];
}

/**
 * Applies a receipt; returns false when the group has no such message (a receipt for another run's
 * message, or one let go). On `delivered` the alarms it was about are told as it said, and it and
 * the older messages, superseded by it, are let go.
 */
export function applyReceipt(group: ToldGroup, receipt: Receipt): boolean {
  const at = group.sent.findIndex((message) => message.id === receipt.id);
  if (at < 0) return false;
  const message = group.sent[at]!;
  if (receipt.state === 'dead') {
    message.dead = true;
    return true;
  }
  for (const [key, said] of Object.entries(message.said)) {
    const entry = group.entries.get(key);
    if (entry) entry.told = said;
  }
  group.sent.splice(0, at + 1);
  return true;
}

/** A receipt from its JSON; undefined for anything else (logged by the caller). */
export function parseReceipt(payload: Buffer): Receipt | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined; // not JSON: not a receipt
  }
  const { id, group, state } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof id !== 'string' || typeof group !== 'string') return undefined;
  if (state !== 'delivered' && state !== 'dead') return undefined;
  return { id, group, state };
}
