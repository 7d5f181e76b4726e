/**
 * When the embedded broker received a journaled message. Aedes copies a PUBLISH into a packet of its
 * own and drops fields it does not know, but keeps the payload buffer itself: so the time travels
 * with the buffer, from the journal (broker/journal) to the in-process bus, which hands it to
 * handlers as `BusMessage.receivedNs`. Weakly held: nothing outlives its message.
 */
import type { BusMessage } from './bus.js';
import { nowNs } from './metric.js';

const receivedTimes = new WeakMap<Buffer, bigint>();

export function stampReceiveTime(payload: Buffer, ns: bigint): void {
  receivedTimes.set(payload, ns);
}

export function stampedReceiveTime(payload: Buffer): bigint | undefined {
  return receivedTimes.get(payload);
}

/** The time to give a point of this message that has no timestamp of its own. */
export function receivedAt(message: BusMessage): bigint {
  return message.receivedNs ?? nowNs();
}
