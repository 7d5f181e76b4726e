/**
 * One broker-level subscription and the bus subscriptions behind it. A plain route gives every message
 * to each member; a shared route (a `shareGroup`) gives each message to one member, round-robin.
 */
import type { BusMessage } from './bus.js';
import type { DeliveryQueue } from './bus-queue.js';
import { filterProblem } from '../topic-match.js';

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

  /** `accepted` is called once every recipient has the message in its queue. */
  offer(message: BusMessage, accepted: () => void): void {
    if (!this.shared) return deliverToAll(this.members, message, accepted);
    const member = this.pick();
    return member === undefined ? accepted() : member.offer(message, accepted);
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

/** Anything that takes a message and says when it has: a queue, or a route. */
interface Recipient {
  offer(message: BusMessage, accepted: () => void): void;
}

/** Offers `message` to each recipient; `accepted` runs once, when the last of them has taken it. */
export function deliverToAll(
  recipients: readonly Recipient[],
  message: BusMessage,
  accepted: () => void,
): void {
  let pending = recipients.length;
  if (pending === 0) return accepted();
  const one = (): void => {
    pending -= 1;
    if (pending === 0) accepted();
  };
  for (const recipient of recipients) recipient.offer(message, one);
}

/** Why a bus cannot subscribe to `filter` in `shareGroup`, or undefined when it can. */
export function subscribeProblem(filter: string, shareGroup: string | undefined): string | undefined {
  // Routing matches incoming topics against the filter, which a `$share/...` prefix would never match.
  if (filter.startsWith('$share/')) return 'use the shareGroup option rather than a $share/ prefix';
  if (shareGroup !== undefined && !/^[^/+#\u0000]+$/.test(shareGroup)) {
    return 'a share group is one non-empty topic level without wildcards';
  }
  return filterProblem(filter);
}
