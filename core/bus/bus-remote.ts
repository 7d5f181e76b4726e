/**
 * The remote bus: one mqtt.js connection to any broker (Mosquitto, EMQX, HiveMQ, another busbar).
 *
 * Routing: the broker sends a message with its real topic, not the subscription it matched. On MQTT 5
 * each broker subscription carries a subscription identifier and the broker names the ones a message
 * is for, so routing is exact even when filters overlap or a filter is also a `$share` one. On MQTT
 * 3.1.1 a message goes to every subscription whose filter matches its topic; that is exact too unless a
 * `$share` filter overlaps another filter of this bus (then we warn).
 *
 * Backpressure: we override mqtt.js' `handleMessage`, whose callback sends the PUBACK of a QoS 1
 * message. While the target queue is full the callback is held: nothing is acknowledged before it is
 * in a queue, and mqtt.js handles incoming packets one at a time, so the connection stops reading and
 * the broker keeps the rest. QoS 0 messages never hold it (see DeliveryQueue's dropQos0WhenFull).
 */
import type { IConnackPacket, IPublishPacket, ISubscriptionMap, MqttClient } from 'mqtt';
import type { RemoteBusConfig } from './remote-config.js';
import {
  DEFAULT_QUEUE_SIZE,
  type Bus,
  type BusMessage,
  type BusSubscription,
  type MessageHandler,
  type PublishOptions,
  type QoS,
  type SubscribeOptions,
} from './bus.js';
import { DeliveryQueue, subscriptionOf, trackPublish } from './bus-queue.js';
import { connectClient, type RemoteBusOptions } from './bus-remote-connect.js';
import { Route, deliverToAll, subscribeProblem } from './bus-route.js';
import { BusbarError, errorMessage } from '../runtime/errors.js';
import { redactUrl, type Logger } from '../runtime/logger.js';
import { filtersOverlap, topicMatches, topicProblem } from '../topic-match.js';

export type { RemoteBusOptions } from './bus-remote-connect.js';

/** How long `close` lets QoS 1 publishes in flight finish before it drops the connection. */
const CLOSE_GRACE_MS = 5_000;

/** One filter as the broker knows it; several bus subscriptions may stand behind it. */
interface BrokerFilter {
  readonly topic: string;
  /** MQTT 5 subscription identifier. */
  readonly id: number;
  qos: QoS;
  readonly entries: Set<RouteEntry>;
}

/** Bus subscriptions with the same filter and group (or no group) form one route. */
interface RouteEntry {
  readonly key: string;
  readonly filter: string;
  readonly route: Route;
  readonly broker: BrokerFilter;
  readonly brokerShared: boolean;
}

export async function connectRemoteBus(config: RemoteBusConfig, options: RemoteBusOptions): Promise<Bus> {
  const { client, connack } = await connectClient(config, options);
  options.log.info(
    { url: redactUrl(config.url), protocolVersion: config.protocolVersion },
    'remote bus connected',
  );
  return new RemoteBus(client, connack, config, options);
}

class RemoteBus implements Bus {
  private readonly log: Logger;
  private readonly url: string;
  private readonly useIds: boolean;
  private readonly brokerSharing: boolean;
  private readonly brokerFilters = new Map<string, BrokerFilter>();
  private readonly byId = new Map<number, BrokerFilter>();
  private readonly entries = new Map<string, RouteEntry>();
  private readonly subscriptions = new Map<BusSubscription, DeliveryQueue>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private nextId = 1;
  /** Counts connections, so a PUBACK held across a reconnect is not sent on the new one. */
  private generation = 0;
  private accepting = true;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly client: MqttClient,
    connack: IConnackPacket,
    config: RemoteBusConfig,
    options: RemoteBusOptions,
  ) {
    this.log = options.log;
    this.url = redactUrl(config.url);
    this.useIds =
      config.protocolVersion === 5 && connack.properties?.subscriptionIdentifiersAvailable !== false;
    this.brokerSharing =
      options.sharedSubscriptions ?? connack.properties?.sharedSubscriptionAvailable !== false;
    client.handleMessage = (packet, callback) => this.route(packet, () => callback());
    client.on('close', () => {
      this.generation += 1;
    });
  }

  async publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<void> {
    if (this.closed) throw closedError();
    const problem = topicProblem(topic);
    if (problem !== undefined) throw new TypeError(`cannot publish to "${topic}": ${problem}`);
    const qos = options.qos ?? 0;
    if (qos === 0 && !this.client.connected) {
      const message = `not connected to ${this.url}; the QoS 0 message to ${topic} was not sent`;
      throw new BusbarError('BUSBAR_BUS_CONNECT', message, { retryable: true });
    }
    const sending = trackPublish(() =>
      this.client.publishAsync(topic, payload, { qos, retain: options.retain ?? false }),
    );
    this.inFlight.add(sending);
    try {
      await sending;
    } catch (error) {
      if (this.closed) throw closedError();
      const message = `publish to ${topic} on ${this.url} failed: ${errorMessage(error)}`;
      throw new BusbarError('BUSBAR_BUS_CONNECT', message, { retryable: true, cause: error });
    } finally {
      this.inFlight.delete(sending);
    }
  }

  async subscribe(
    filter: string,
    handler: MessageHandler,
    options: SubscribeOptions = {},
  ): Promise<BusSubscription> {
    if (!this.accepting) throw closedError();
    const problem = subscribeProblem(filter, options.shareGroup);
    if (problem !== undefined) throw new TypeError(`cannot subscribe to "${filter}": ${problem}`);
    const qos = options.qos ?? 1;
    const queue = new DeliveryQueue({
      filter,
      capacity: options.queueSize ?? DEFAULT_QUEUE_SIZE,
      maxQos: qos,
      handler,
      log: this.log,
      dropQos0WhenFull: true,
    });
    const { entry, mustSubscribe } = this.join(filter, options.shareGroup, qos, queue);
    try {
      if (mustSubscribe) await this.sendSubscribe(entry.broker);
    } catch (error) {
      await this.leave(entry, queue);
      throw error;
    }
    const subscription: BusSubscription = subscriptionOf(filter, queue, () =>
      this.leave(entry, queue).finally(() => this.subscriptions.delete(subscription)),
    );
    this.subscriptions.set(subscription, queue);
    if (!this.accepting) {
      // close() began while we were subscribing and could not see this subscription.
      await queue.stop();
      throw closedError();
    }
    return subscription;
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.accepting = false;
    // No UNSUBSCRIBE: the session is clean, so disconnecting ends every subscription at the broker.
    await Promise.all([...this.subscriptions.values()].map((queue) => queue.stop()));
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS))),
    ]);
    clearTimeout(timer);
    // A DISCONNECT (so the broker discards our will) when connected and nothing is left in flight;
    // otherwise mqtt.js would wait for acknowledgements that may never come.
    await this.client.endAsync(!this.client.connected || !settled);
  }

  private join(
    filter: string,
    group: string | undefined,
    qos: QoS,
    queue: DeliveryQueue,
  ): { entry: RouteEntry; mustSubscribe: boolean } {
    const brokerShared = group !== undefined && this.brokerSharing;
    const key = group === undefined ? filter : `$share/${group}/${filter}`;
    const brokerTopic = brokerShared ? key : filter;
    let broker = this.brokerFilters.get(brokerTopic);
    const created = broker === undefined;
    if (broker === undefined) {
      broker = { topic: brokerTopic, id: this.nextId++, qos, entries: new Set() };
      this.brokerFilters.set(brokerTopic, broker);
      this.byId.set(broker.id, broker);
    }
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { key, filter, route: new Route(group !== undefined), broker, brokerShared };
      this.entries.set(key, entry);
      broker.entries.add(entry);
      this.warnIfAmbiguous(entry);
    }
    entry.route.add(queue);
    const raised = qos > broker.qos;
    broker.qos = raised ? qos : broker.qos;
    // A plain subscription always sends a SUBSCRIBE, even for a filter the broker has from a sibling:
    // the broker answers it with the retained messages the new subscription is owed.
    return { entry, mustSubscribe: created || raised || group === undefined };
  }

  private async leave(entry: RouteEntry, queue: DeliveryQueue): Promise<void> {
    if (entry.route.remove(queue) && this.entries.get(entry.key) === entry) {
      this.entries.delete(entry.key);
      const broker = entry.broker;
      broker.entries.delete(entry);
      if (broker.entries.size === 0 && this.brokerFilters.get(broker.topic) === broker) {
        this.brokerFilters.delete(broker.topic);
        this.byId.delete(broker.id);
        await this.sendUnsubscribe(broker.topic);
      }
    }
    await queue.stop();
  }

  private async sendSubscribe(broker: BrokerFilter): Promise<void> {
    // `resubscribe: true` makes mqtt.js send it even when it already has this filter (it would skip
    // it), so the broker sends the retained messages again for the new subscription.
    const v5 = this.useIds ? { nl: false, rap: false, rh: 0 } : {};
    const request = { [broker.topic]: { qos: broker.qos, ...v5 }, resubscribe: true } as ISubscriptionMap;
    const properties = this.useIds ? { properties: { subscriptionIdentifier: broker.id } } : undefined;
    try {
      await this.client.subscribeAsync(request, properties);
    } catch (error) {
      // Without a SUBACK the connection dropped: mqtt.js subscribes again once reconnected.
      if ((error as { packet?: unknown }).packet === undefined) {
        this.log.info(
          { filter: broker.topic, reason: errorMessage(error) },
          'subscription pending until reconnected',
        );
        return;
      }
      const message = `${this.url} refused the subscription to ${broker.topic}: ${errorMessage(error)}`;
      throw new BusbarError('BUSBAR_BUS_CONNECT', message, { retryable: false, cause: error });
    }
  }

  private async sendUnsubscribe(topic: string): Promise<void> {
    if (!this.accepting) return;
    if (!this.client.connected) {
      // mqtt.js forgets the filter now (no resubscription) and sends the UNSUBSCRIBE once reconnected.
      this.client.unsubscribe(
        topic,
        (error) => error && this.log.debug({ topic, reason: error.message }, 'unsubscribe'),
      );
      return;
    }
    try {
      await this.client.unsubscribeAsync(topic);
    } catch (error) {
      // The connection dropped: the clean session that ends with it forgets the subscription anyway.
      this.log.debug({ topic, reason: errorMessage(error) }, 'unsubscribe not acknowledged');
    }
  }

  private route(packet: IPublishPacket, callback: () => void): void {
    const generation = this.generation;
    // After a reconnect this message id means another message: its PUBACK must not be sent there.
    const accepted = (): void => (generation === this.generation ? callback() : undefined);
    const message: BusMessage = {
      topic: packet.topic,
      payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
      retain: packet.retain,
      qos: packet.qos,
    };
    // A retained message (the broker's answer to a SUBSCRIBE, or to all of them after a reconnect)
    // goes to every plain subscription of its filter: we cannot tell which SUBSCRIBE it answers, and
    // a second copy of a state is harmless where a missing one is not. Shared subscriptions get none
    // (MQTT 5 §4.8.2).
    const targets = this.entriesFor(packet).filter((entry) => !(message.retain && entry.route.shared));
    deliverToAll(
      targets.map((entry) => entry.route),
      message,
      accepted,
    );
  }

  private entriesFor(packet: IPublishPacket): RouteEntry[] {
    const ids = packet.properties?.subscriptionIdentifier;
    if (this.useIds && ids !== undefined) {
      return (Array.isArray(ids) ? ids : [ids]).flatMap((id) => [...(this.byId.get(id)?.entries ?? [])]);
    }
    return [...this.entries.values()].filter((entry) => topicMatches(entry.filter, packet.topic));
  }

  private warnIfAmbiguous(entry: RouteEntry): void {
    if (this.useIds) return;
    for (const other of this.entries.values()) {
      if (other === entry || !(entry.brokerShared || other.brokerShared)) continue;
      if (!filtersOverlap(entry.filter, other.filter)) continue;
      this.log.warn(
        { filters: [entry.key, other.key] },
        'on MQTT 3.1.1 a message matching both filters cannot be routed exactly (duplicates or a broken ' +
          'share); use protocolVersion 5',
      );
    }
  }
}

function closedError(): BusbarError {
  return new BusbarError('BUSBAR_BUS_CLOSED', 'the remote bus is closed');
}
