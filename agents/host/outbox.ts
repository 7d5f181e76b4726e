/**
 * The agent's own bounded buffer of messages not yet acknowledged by the broker. While the broker is
 * unreachable samples pile up here, never in the MQTT client (see link-mqtt.ts); when it is full (in
 * messages, or in bytes: a host with many mounts or interfaces makes larger samples) the oldest go
 * first, counted in `dropped`. Each message carries its sample's timestamp inside its line
 * protocol, so what is sent late still lands at the time it was measured.
 */

export interface OutboxMessage {
  readonly topic: string;
  readonly payload: string;
  /** Milliseconds since the epoch of the sample, for logs and tests. */
  readonly sampledAt: number;
}

export class Outbox {
  private items: (OutboxMessage | undefined)[];
  private head = 0;
  private count = 0;
  private byteCount = 0;
  /** Messages discarded because the buffer was full, since start. */
  dropped = 0;

  constructor(
    readonly capacity: number,
    /** Bytes of topics and payloads held at most (UTF-16 units, which line protocol's ASCII equals). */
    readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`outbox capacity ${capacity}`);
    this.items = new Array<OutboxMessage | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.byteCount;
  }

  /** Appends at the tail, dropping the oldest messages while full. */
  push(message: OutboxMessage): void {
    if (this.count === this.capacity) this.dropOldest();
    this.items[(this.head + this.count) % this.capacity] = message;
    this.count += 1;
    this.byteCount += weight(message);
    // The newest message stays even if it alone exceeds the limit: dropping it would leave nothing.
    while (this.byteCount > this.maxBytes && this.count > 1) this.dropOldest();
  }

  /** Removes and returns up to `limit` messages from the head (oldest first). */
  take(limit: number): OutboxMessage[] {
    const taken: OutboxMessage[] = [];
    while (taken.length < limit && this.count > 0) {
      const message = this.items[this.head]!;
      taken.push(message);
      this.byteCount -= weight(message);
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count -= 1;
    }
    return taken;
  }

  /**
   * Puts messages that could not be sent back at the head, in their order. Newer messages may have
   * arrived meanwhile; if there is no room for all, the oldest of them all are the ones dropped.
   */
  putBack(messages: readonly OutboxMessage[]): void {
    for (let index = messages.length - 1; index >= 0; index -= 1) {
      const message = messages[index]!;
      if (this.count === this.capacity || this.byteCount + weight(message) > this.maxBytes) {
        // Everything still to put back is older than what is queued: drop it rather than newer data.
        this.dropped += index + 1;
        return;
      }
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.items[this.head] = message;
      this.count += 1;
      this.byteCount += weight(message);
    }
  }

  private dropOldest(): void {
    this.byteCount -= weight(this.items[this.head]!);
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count -= 1;
    this.dropped += 1;
  }
}

function weight(message: OutboxMessage): number {
  return message.topic.length + message.payload.length;
}
