import mqtt, { type MqttClient } from 'mqtt';
import type { Bus, BusMessage, BusSubscription, SubscribeOptions } from '../../core/bus/bus.js';

/** Resolves once `condition()` holds; rejects after `timeoutMs` saying what it waited for. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Messages received by one subscriber, bus or external. */
export interface Collected {
  readonly messages: BusMessage[];
  /** Resolves with the messages once there are at least `count`. */
  waitFor(count: number, timeoutMs?: number): Promise<BusMessage[]>;
  payloads(): string[];
}

function collected(messages: BusMessage[], label: string): Collected {
  return {
    messages,
    async waitFor(count, timeoutMs) {
      await waitUntil(
        () => messages.length >= count,
        `${count} messages on ${label} (got ${messages.length})`,
        timeoutMs,
      );
      return messages;
    },
    payloads: () => messages.map((message) => message.payload.toString()),
  };
}

/** A bus subscription that records what its handler gets. */
export async function collect(
  bus: Bus,
  filter: string,
  options?: SubscribeOptions,
): Promise<Collected & { subscription: BusSubscription }> {
  const messages: BusMessage[] = [];
  const subscription = await bus.subscribe(filter, (message) => void messages.push(message), options);
  return { ...collected(messages, filter), subscription };
}

export interface ExternalSubscription extends Collected {
  close(): Promise<void>;
}

/** Plain mqtt.js clients over TCP: what devices and other tools see of the broker. */
export function externalClients(url: string, protocolVersion: 4 | 5 = 4) {
  const clients = new Set<MqttClient>();
  let publisher: Promise<MqttClient> | undefined;

  async function connect(): Promise<MqttClient> {
    const client = await mqtt.connectAsync(url, { protocolVersion, reconnectPeriod: 0 });
    clients.add(client);
    return client;
  }

  return {
    async publish(
      topic: string,
      payload: string | Buffer,
      options: { qos?: 0 | 1; retain?: boolean } = {},
    ): Promise<void> {
      publisher ??= connect();
      const client = await publisher;
      await client.publishAsync(topic, payload, { qos: options.qos ?? 0, retain: options.retain ?? false });
    },

    async subscribe(filter: string, options: { qos?: 0 | 1 } = {}): Promise<ExternalSubscription> {
      const client = await connect();
      const messages: BusMessage[] = [];
      client.on('message', (topic, payload, packet) =>
        messages.push({ topic, payload, retain: packet.retain, qos: packet.qos }),
      );
      await client.subscribeAsync(filter, { qos: options.qos ?? 1 });
      return {
        ...collected(messages, `external ${filter}`),
        async close() {
          clients.delete(client);
          await client.endAsync();
        },
      };
    },

    async closeAll(): Promise<void> {
      await Promise.all([...clients].map((client) => client.endAsync()));
      clients.clear();
    },
  };
}
