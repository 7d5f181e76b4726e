/**
 * The bus every component talks to. Two implementations: in-process over the embedded Aedes broker
 * (core/bus/bus-local.ts) and remote over an MQTT client (core/bus/bus-remote.ts). Components never see which.
 */

export type QoS = 0 | 1;

export interface BusMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /**
   * True only for a retained message sent because a subscription is new, as an MQTT subscriber sees it;
   * live messages have false. The remote bus also gets them again after a reconnect, and when another
   * subscription to the same filter is made on the bus (it cannot tell which SUBSCRIBE the broker is
   * answering): retained messages are state, which may arrive twice, never events.
   */
  readonly retain: boolean;
  readonly qos: QoS | 2;
  /**
   * When the embedded broker received it from an MQTT client, for messages busbar journaled (see
   * broker/journal): a message replayed from the journal after a crash keeps its first arrival time,
   * so a point without a timestamp of its own is stored at the same time both times. Undefined
   * otherwise: the time the message is read stands in (`receivedAt`).
   */
  readonly receivedNs?: bigint;
}

export interface PublishOptions {
  /** Default 0. */
  qos?: QoS;
  /** Default false. An empty payload with retain clears the topic's retained message. */
  retain?: boolean;
}

export interface SubscribeOptions {
  /** Highest QoS to receive at; a message arrives at the QoS it was published with, never higher. Default 1. */
  qos?: QoS;
  /**
   * Messages waiting for the handler at most (default DEFAULT_QUEUE_SIZE). When the queue is full, the
   * in-process bus holds Aedes' delivery (the publisher is slowed, nothing is lost); the remote bus
   * withholds the PUBACK of a QoS 1 message until there is room (which pauses reading from the broker)
   * and, for a QoS 0 message, drops the oldest queued QoS 0 message, counted in `dropped`.
   * While the subscription's own handler awaits a publish, the queue takes messages beyond this size
   * instead: holding them could make that publish wait on itself. A publish the handler starts after an
   * await of its own cannot be told from one made elsewhere in the process, so while any such publish
   * is pending, every subscription whose handler is busy takes messages beyond this size too.
   */
  queueSize?: number;
  /**
   * Shared subscription group: subscriptions with the same group and filter split the messages, each
   * message going to one of them. Remote bus: an MQTT `$share/<group>/<filter>` subscription, so every
   * process connected to the broker takes part. In-process bus: Aedes has no `$share`, so the split is
   * among the subscriptions of this process only. As with MQTT 5 shared subscriptions, a new shared
   * subscription receives no retained messages.
   */
  shareGroup?: string;
}

/**
 * Called one message at a time, in order; a throw or a rejected promise is logged and counted, never
 * fatal. A handler that publishes should await the publish inside the handler (see `queueSize`).
 */
export type MessageHandler = (message: BusMessage) => void | Promise<void>;

export interface BusSubscription {
  readonly filter: string;
  /** Messages waiting for the handler now. */
  readonly queued: number;
  /** Messages dropped because the queue was full (remote bus, QoS 0 only). */
  readonly dropped: number;
  /** Handler calls that threw or rejected. */
  readonly failed: number;
  /**
   * Resolves once every message this subscription took before the call has been handled: a durable
   * component awaits it before it commits, so that a commit covers everything acknowledged so far.
   */
  settled(): Promise<void>;
  /**
   * Stops delivery and drains: what was already accepted still reaches the handler. Waits 10 s at
   * most, then discards the rest (logged): a stuck handler must not keep busbar from stopping.
   */
  unsubscribe(): Promise<void>;
}

export interface Bus {
  /**
   * Resolves once the broker has the message. In-process: once Aedes has stored it (retained message,
   * QoS 1 offline queues) and every subscriber has taken it, which waits while a subscriber's queue is
   * full. Remote: once written (QoS 0) or acknowledged (QoS 1). Rejects with BUSBAR_BUS_CLOSED after
   * `close`.
   */
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<void>;
  /** Resolves once the broker has granted the subscription (in-process: and matching retained messages are queued). */
  subscribe(filter: string, handler: MessageHandler, options?: SubscribeOptions): Promise<BusSubscription>;
  /** Stops every subscription (as `unsubscribe` does), then releases the connection. */
  close(): Promise<void>;
}

export const DEFAULT_QUEUE_SIZE = 10_000;
