/**
 * When the embedded broker received a journaled message. Aedes copies a PUBLISH into a packet of its
 * own and drops fields it does not know, but keeps the payload buffer itself: so the time travels
 * with the buffer, as a property of it, from the journal (broker/journal) to the in-process bus,
 * which hands it to handlers as `BusMessage.receivedNs`. A property rather than a WeakMap: at tens of
 * thousands of messages a second, weak entries cost the garbage collector more than the message.
 */
import type { BusMessage } from './bus.js';
import { nowNs } from '../codecs/metric.js';

const RECEIVED = Symbol('busbar.receivedNs');
type Stamped = Buffer & { [RECEIVED]?: bigint };

export function stampReceiveTime(payload: Buffer, ns: bigint): void {
  (payload as Stamped)[RECEIVED] = ns;
}

export function stampedReceiveTime(payload: Buffer): bigint | undefined {
  return (payload as Stamped)[RECEIVED];
}

/** The time to give a point of this message that has no timestamp of its own. */
export function receivedAt(message: BusMessage): bigint {
  return message.receivedNs ?? nowNs();
}
