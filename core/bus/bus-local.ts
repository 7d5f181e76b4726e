/**
 * The in-process bus: components publish and subscribe on the embedded Aedes broker directly, without
 * a socket. Messages published here reach MQTT clients of the broker, and theirs reach us.
 */
import type { Aedes, AedesPublishPacket, PublishPacket } from 'aedes';
import {
  DEFAULT_QUEUE_SIZE,
  type Bus,
  type BusMessage,
  type BusSubscription,
  type MessageHandler,
  type PublishOptions,
  type SubscribeOptions,
} from './bus.js';
import { beginPublish, DeliveryQueue, endPublish, subscriptionOf } from './bus-queue.js';
import { Route, subscribeProblem } from './bus-route.js';
import { BusbarError, errorMessage } from '../runtime/errors.js';
import type { Logger } from '../runtime/logger.js';
import { stampedReceiveTime } from './receive-time.js';
import { topicMatches, topicProblem } from '../topic-match.js';

type Deliver = (packet: AedesPublishPacket, callback: () => void) => void;

/** What we read of Aedes' persistence, which its types do not declare (aedes-persistence 11 and -redis 11). */
interface RetainedStore {
  createRetainedStream(
    pattern: string,
  ): AsyncIterable<{ topic: string; payload: Buffer | string; qos: number }>;
}

interface SharedGroup {
  readonly route: Route;
  readonly deliver: Deliver;
  readonly ready: Promise<void>;
}

/**
 * Shared groups, per broker: Aedes 1.2 has no `$share`, so the split is done here, among the local
 * subscriptions of this process (every local bus on the same Aedes takes part). MQTT clients of the
 * broker cannot join such a group.
 */
const sharedGroups = new WeakMap<Aedes, Map<string, SharedGroup>>();

export function createLocalBus(aedes: Aedes, options: { log: Logger }): Bus {
  const log = options.log;
  const subscriptions = new Set<BusSubscription>();
  // Subscribing stops when close begins; publishing only once handlers in progress have finished.
  let accepting = true;
  let closed = false;

  const subscribeOnBroker = (filter: string, deliver: Deliver): Promise<void> =>
    new Promise((resolve) => aedes.subscribe(filter, deliver, resolve));
  const unsubscribeOnBroker = (filter: string, deliver: Deliver): Promise<void> =>
    new Promise((resolve) => aedes.unsubscribe(filter, deliver, resolve));

  /**
   * Subscribes on the broker, then feeds the new subscription what an MQTT subscriber gets: the
   * retained messages it matches. Live messages flow meanwhile; a retained message read from the store
   * is skipped when a live one on its topic has already arrived, as that one is newer (the store is
   * read asynchronously, so an old value could otherwise land after the new one).
   */
  async function subscribePlain(filter: string, queue: DeliveryQueue): Promise<() => Promise<void>> {
    let liveTopics: Set<string> | undefined = new Set();
    const deliver = deliveryFor(filter, (packet, accepted) => {
      liveTopics?.add(packet.topic);
      queue.offer(liveMessage(packet), accepted);
    });
    await subscribeOnBroker(filter, deliver);
    const leave = (): Promise<void> => unsubscribeOnBroker(filter, deliver);
    const store = (aedes as unknown as { persistence: RetainedStore }).persistence;
    try {
      for await (const packet of store.createRetainedStream(filter)) {
        // The store's matcher knows nothing of the `$` rule [MQTT-4.7.2-1].
        if (!topicMatches(filter, packet.topic) || liveTopics.has(packet.topic)) continue;
        const message = {
          topic: packet.topic,
          payload: toBuffer(packet.payload),
          retain: true,
          qos: qosOf(packet.qos),
        };
        await new Promise<void>((resolve) => queue.offer(message, resolve));
      }
    } catch (error) {
      await leave();
      await queue.stop();
      const message = `reading retained messages for ${filter} failed: ${errorMessage(error)}`;
      throw new BusbarError('BUSBAR_PERSISTENCE', message, { retryable: true, cause: error });
    }
    liveTopics = undefined;
    return leave;
  }

  async function joinShared(
    group: string,
    filter: string,
    queue: DeliveryQueue,
  ): Promise<() => Promise<void>> {
    let groups = sharedGroups.get(aedes);
    if (groups === undefined) {
      groups = new Map();
      sharedGroups.set(aedes, groups);
    }
    const key = `${group}\u0000${filter}`; // U+0000 cannot occur in a topic filter [MQTT-4.7.3-2]
    let entry = groups.get(key);
    if (entry === undefined) {
      const route = new Route(true);
      const deliver = deliveryFor(filter, (packet, accepted) => route.offer(liveMessage(packet), accepted));
      entry = { route, deliver, ready: subscribeOnBroker(filter, deliver) };
      groups.set(key, entry);
    }
    const joined = entry;
    joined.route.add(queue);
    await joined.ready;
    return async () => {
      if (joined.route.remove(queue) && groups.get(key) === joined) {
        groups.delete(key);
        await unsubscribeOnBroker(filter, joined.deliver);
      }
    };
  }

  async function subscribe(
    filter: string,
    handler: MessageHandler,
    subscribeOptions: SubscribeOptions = {},
  ): Promise<BusSubscription> {
    if (!accepting) throw closedError();
    const problem = subscribeProblem(filter, subscribeOptions.shareGroup);
    if (problem !== undefined) throw new TypeError(`cannot subscribe to "${filter}": ${problem}`);
    const queue = new DeliveryQueue({
      filter,
      capacity: subscribeOptions.queueSize ?? DEFAULT_QUEUE_SIZE,
      maxQos: subscribeOptions.qos ?? 1,
      handler,
      log,
      dropQos0WhenFull: false,
    });
    let leave: () => Promise<void>;
    if (subscribeOptions.shareGroup !== undefined) {
      leave = await joinShared(subscribeOptions.shareGroup, filter, queue);
    } else {
      leave = await subscribePlain(filter, queue);
    }
    const subscription: BusSubscription = subscriptionOf(filter, queue, async () => {
      subscriptions.delete(subscription);
      await leave();
      await queue.stop();
    });
    subscriptions.add(subscription);
    if (!accepting) {
      // close() began while we were subscribing and could not see this subscription.
      await subscription.unsubscribe();
      throw closedError();
    }
    return subscription;
  }

  function publish(
    topic: string,
    payload: string | Buffer,
    publishOptions: PublishOptions = {},
  ): Promise<void> {
    if (closed || aedes.closed) return Promise.reject(closedError());
    const problem = topicProblem(topic);
    if (problem !== undefined)
      return Promise.reject(new TypeError(`cannot publish to "${topic}": ${problem}`));
    const packet: PublishPacket = {
      cmd: 'publish',
      topic,
      payload: toBuffer(payload),
      qos: publishOptions.qos ?? 0,
      retain: publishOptions.retain ?? false,
      dup: false,
    };
    return new Promise<void>((resolve, reject) => {
      const handlers = beginPublish();
      try {
        aedes.publish(packet, (error) => {
          endPublish(handlers);
          if (error) reject(publishError(topic, error));
          else resolve();
        });
      } catch (error) {
        endPublish(handlers); // the executor turns the throw into a rejection
        throw error;
      }
    });
  }

  async function close(): Promise<void> {
    accepting = false;
    await Promise.all([...subscriptions].map((subscription) => subscription.unsubscribe()));
    closed = true;
  }

  return { publish, subscribe, close };
}

/**
 * Wraps a delivery function for Aedes. A filter starting with a wildcard must not receive `$SYS/...`
 * [MQTT-4.7.2-1]: Aedes applies that rule for its MQTT clients only, not to `aedes.subscribe`.
 */
function deliveryFor(filter: string, deliver: Deliver): Deliver {
  const first = filter.charCodeAt(0);
  if (first !== 35 && first !== 43) return deliver; // '#', '+'
  return (packet, accepted) => (packet.topic.startsWith('$') ? accepted() : deliver(packet, accepted));
}

/** A live message: retain is false as an MQTT 3.1.1 subscriber sees it (Aedes clears it for its clients too). */
function liveMessage(packet: AedesPublishPacket): BusMessage {
  const payload = toBuffer(packet.payload);
  // One shape for every message, stamped or not (undefined when the journal did not see it).
  return {
    topic: packet.topic,
    payload,
    retain: false,
    qos: qosOf(packet.qos),
    receivedNs: stampedReceiveTime(payload),
  };
}

function toBuffer(payload: string | Buffer): Buffer {
  return typeof payload === 'string' ? Buffer.from(payload) : payload;
}

function qosOf(qos: number): 0 | 1 | 2 {
  return qos >= 2 ? 2 : qos === 1 ? 1 : 0;
}

function closedError(): BusbarError {
  return new BusbarError('BUSBAR_BUS_CLOSED', 'the in-process bus is closed');
}

function publishError(topic: string, error: Error): BusbarError {
  // mqemitter refuses messages once the broker is closed; anything else comes from persistence.
  if (/closed/.test(error.message))
    return new BusbarError('BUSBAR_BUS_CLOSED', 'the broker is closed', { cause: error });
  return new BusbarError('BUSBAR_PERSISTENCE', `publish to ${topic} failed: ${errorMessage(error)}`, {
    retryable: true,
    cause: error,
  });
}
