/**
 * The bus every component talks to. Two implementations: in-process over the embedded Aedes broker
 * (core/bus-local.ts) and remote over an MQTT client (core/bus-remote.ts). Components never see which.
 */

export type QoS = 0 | 1;

export interface BusMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: boolean;
  readonly qos: QoS | 2;
}

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
}

export interface SubscribeOptions {
  qos?: QoS;
  /**
   * Messages waiting for the handler at most. The in-process bus stops acknowledging the broker when
   * the queue is full (the publisher is slowed, nothing is lost); the remote bus counts and drops
   * the oldest QoS 0 messages beyond it.
   */
  queueSize?: number;
  /** MQTT shared subscription group: several subscribers with the same group split the messages. */
  shareGroup?: string;
}

/** Called one message at a time, in order; a rejected promise is logged and counted, never fatal. */
export type MessageHandler = (message: BusMessage) => void | Promise<void>;

export interface BusSubscription {
  readonly filter: string;
  /** Messages dropped because the queue was full (remote bus, QoS 0 only). */
  readonly dropped: number;
  /** Handler calls that threw or rejected. */
  readonly failed: number;
  unsubscribe(): Promise<void>;
}

export interface Bus {
  /** Resolves once the broker has the message (QoS 1: once it is acknowledged). */
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<void>;
  subscribe(filter: string, handler: MessageHandler, options?: SubscribeOptions): Promise<BusSubscription>;
  /** Stops every subscription, waits for handlers in progress, then releases the connection. */
  close(): Promise<void>;
}

export const DEFAULT_QUEUE_SIZE = 10_000;
