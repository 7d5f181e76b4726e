/**
 * One broker-level subscription and the bus subscriptions behind it. A plain route gives every message
 * to each member; a shared route (a `shareGroup`) gives each message to one member, round-robin.
 */
import type { BusMessage } from './bus.js';
import type { DeliveryQueue } from './bus-queue.js';

export class Route {
  readonly members: DeliveryQueue[] = [];
  private cursor = 0;

  constructor(readonly shared: boolean) {}

  add(member: DeliveryQueue): void {
    this.members.push(member);
  }

  /** Removes a member; true when the route has none left. */
  remove(member: DeliveryQueue): boolean {
    const index = this.members.indexOf(member);
    if (index >= 0) this.members.splice(index, 1);
    return this.members.length === 0;
  }

  /**
   * `accepted` is called once every recipient has the message in its queue. `only`, when given, limits
   * a plain route to those members (retained messages meant for new subscriptions).
   */
  deliver(message: BusMessage, accepted: () => void, only?: ReadonlySet<DeliveryQueue>): void {
    if (this.shared) {
      const member = this.pick();
      return member === undefined ? accepted() : member.offer(message, accepted);
    }
    const recipients = only === undefined ? this.members : this.members.filter((member) => only.has(member));
    deliverToAll(recipients, message, accepted);
  }

  /**
   * Round-robin, but skipping members whose queue is full while another has room: a slow member must
   * not hold the publisher back when its peers could take the message.
   */
  private pick(): DeliveryQueue | undefined {
    const count = this.members.length;
    for (let i = 0; i < count; i += 1) {
      const index = (this.cursor + i) % count;
      const member = this.members[index]!;
      if (member.hasRoom()) {
        this.cursor = (index + 1) % count;
        return member;
      }
    }
    const member = this.members[this.cursor % Math.max(count, 1)];
    this.cursor = (this.cursor + 1) % Math.max(count, 1);
    return member;
  }
}

/** Offers `message` to each queue; `accepted` runs once, when the last of them has taken it. */
export function deliverToAll(
  queues: readonly DeliveryQueue[],
  message: BusMessage,
  accepted: () => void,
): void {
  let pending = queues.length;
  if (pending === 0) return accepted();
  const one = (): void => {
    pending -= 1;
    if (pending === 0) accepted();
  };
  for (const queue of queues) queue.offer(message, one);
}
