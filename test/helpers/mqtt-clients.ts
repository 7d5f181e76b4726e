/**
 * Real mqtt.js clients for the broker tests: connect (or learn why not), subscribe, publish, and
 * wait for messages, without repeating the event plumbing in every test.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface ReceivedMessage {
  readonly topic: string;
  readonly payload: string;
  readonly qos: number;
  readonly retain: boolean;
}

/** How long the helpers wait for something that should happen (see waitFor). */
export const WAIT_MS = 10_000;

const BASE_OPTIONS: IClientOptions = { reconnectPeriod: 0, connectTimeout: 5_000, protocolVersion: 4 };

/** Opens clients and closes whatever is left of them in afterEach. */
export class Clients {
  private readonly open = new Set<MqttClient>();

  /**
   * A connected client; rejects with mqtt.js' error (its `code` is the CONNACK return code).
   * `beforeConnect` attaches listeners first: a resumed session's queue can arrive in the same read
   * as the CONNACK, before the caller's code after `await` runs.
   */
  async connect(
    url: string,
    options: IClientOptions = {},
    beforeConnect?: (client: MqttClient) => void,
  ): Promise<MqttClient> {
    const client = mqtt.connect(url, { ...BASE_OPTIONS, ...options });
    this.open.add(client);
    beforeConnect?.(client);
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => {
        client.off('connect', onConnect);
        client.off('error', onError);
        client.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onConnect = (): void => settle();
      const onError = (error: Error): void => settle(error);
      // Some failures (a TLS handshake refused by the server) only show as a closed connection.
      const onClose = (): void => settle(new Error('connection closed before CONNACK'));
      client.on('connect', onConnect);
      client.on('error', onError);
      client.on('close', onClose);
    });
    return client;
  }

  /** The CONNACK return code of a refused connection; fails the test if it was accepted. */
  async refusal(url: string, options: IClientOptions = {}): Promise<number> {
    try {
      await this.connect(url, options);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'number') return code;
      throw error;
    }
    throw new Error('the connection was accepted');
  }

  async closeAll(): Promise<void> {
    const clients = [...this.open];
    this.open.clear();
    await Promise.all(clients.map((client) => client.endAsync(true)));
  }
}

/**
 * Subscribes and returns the QoS the SUBACK granted for each filter, in order (128: refused).
 * Uses the callback form: mqtt.js reports a 128 as an error but still hands over the SUBACK.
 */
export function subscribeAll(
  client: MqttClient,
  filters: Record<string, { qos: 0 | 1 | 2 }>,
): Promise<number[]> {
  return new Promise((resolve, reject) => {
    client.subscribe(filters, (error, _granted, suback) => {
      if (suback)
        resolve(suback.granted.map((code) => code as number)); // MQTT 3.1.1: return codes
      else reject(error ?? new Error('no SUBACK'));
    });
  });
}

/** Subscribes to one filter and returns the granted QoS (128: refused). */
export async function subscribe(client: MqttClient, filter: string, qos: 0 | 1 | 2 = 0): Promise<number> {
  const [granted] = await subscribeAll(client, { [filter]: { qos } });
  if (granted === undefined) throw new Error(`no SUBACK entry for ${filter}`);
  return granted;
}

/** Records every message the client receives from now on. */
export function record(client: MqttClient): ReceivedMessage[] {
  const messages: ReceivedMessage[] = [];
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain });
  });
  return messages;
}

/**
 * Resolves once `predicate` holds, polling every 10 ms; rejects after `timeoutMs`. The default is
 * generous on purpose: on a machine busy with other work, what takes milliseconds can take seconds.
 */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}

/** The first recorded message on `topic`, waiting for it if needed. */
export async function messageOn(
  messages: ReceivedMessage[],
  topic: string,
  timeoutMs = WAIT_MS,
): Promise<ReceivedMessage> {
  await waitFor(
    () => messages.some((message) => message.topic === topic),
    `a message on ${topic}`,
    timeoutMs,
  );
  return messages.find((message) => message.topic === topic)!;
}

/** Resolves when the client's connection closes (the broker dropped it, or it ended). */
export function closed(client: MqttClient, timeoutMs = WAIT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected && client.disconnected) {
      resolve();
      return;
    }
    const timer = setTimeout(
      () => reject(new Error(`the connection was still open after ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * `promise`'s result, or a rejection naming `what` if it has not settled after `timeoutMs`. For tests
 * that something does not hang: set up the case so that hanging means a wait far longer than
 * `timeoutMs` (a 60 s backoff, a handler that never returns), and give `timeoutMs` seconds, not the
 * milliseconds it takes unloaded; a loaded machine is slower, never faster.
 */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Proves earlier messages did not arrive: publishes a marker from the same publisher and waits for
 * it. Aedes handles one connection's packets in order and delivers to a subscriber in order, so
 * anything the publisher sent before the marker would have arrived before it.
 */
export async function publishMarker(
  publisher: MqttClient,
  messages: ReceivedMessage[],
  markerTopic: string,
): Promise<void> {
  const marker = `marker-${Math.random()}`;
  await publisher.publishAsync(markerTopic, marker, { qos: 1 });
  await waitFor(() => messages.some((message) => message.payload === marker), `marker on ${markerTopic}`);
}
