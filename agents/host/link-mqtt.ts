/**
 * The standalone agent's own MQTT connection (mqtt.js), with its last will `offline`.
 *
 * Why not the remote bus: the agent must know when the connection comes back (to restate `online`,
 * which the broker replaced by the will, and its inventory, which a broker restarted without
 * persistence forgot), and it must keep samples in its own bounded buffer. mqtt.js stores every QoS 1
 * publish made while disconnected in an unbounded in-memory store and replays it on reconnect, so
 * this link refuses to publish while disconnected: the agent's outbox keeps the samples instead, and
 * mqtt.js only ever holds the few messages in flight when the connection drops (the sender's window),
 * which it resends after reconnecting.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { RemoteBusConfig } from '../../config/schema.js';
import { backoffDelay, type BackoffPolicy } from '../../core/util/backoff.js';
import { clientOptions, connectionProblem } from '../../core/bus/bus-remote-connect.js';
import { BusbarError } from '../../core/runtime/errors.js';
import { redactUrl, type Logger } from '../../core/runtime/logger.js';
import type { AgentLink } from './link.js';
import { PeriodicLog } from '../../core/util/log-throttle.js';

/**
 * CONNACK codes that another attempt will not change (MQTT 3.1.1 §3.2.2.3, MQTT 5 §3.2.2.2): bad
 * protocol version, client id, credentials, authorization, ban or authentication method. Refused so
 * at the first connection, the agent stops with that reason instead of retrying forever.
 */
const REFUSED_FOR_GOOD = new Set([1, 2, 4, 5, 128 + 4, 128 + 5, 128 + 6, 128 + 7, 128 + 10, 128 + 12]);
const DEFAULT_RECONNECT: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };

export interface MqttLinkOptions {
  readonly config: RemoteBusConfig;
  readonly log: Logger;
  readonly clientId: string;
  /** Published by the broker if the connection dies without a DISCONNECT. */
  readonly will: { topic: string; payload: string };
  /** Delays between reconnection attempts. Default 1 s doubling to 30 s, with jitter. */
  readonly reconnect?: BackoffPolicy;
}

export interface MqttLink extends AgentLink {
  /** Rejects when the broker refuses the first connection for good (bad credentials, banned). */
  readonly refused: Promise<never>;
  /** Sends DISCONNECT when connected (the broker then discards the will) and ends the client. */
  close(): Promise<void>;
}

export async function createMqttLink(options: MqttLinkOptions): Promise<MqttLink> {
  const { config, log } = options;
  const url = redactUrl(config.url);
  const policy = options.reconnect ?? DEFAULT_RECONNECT;
  const mqttOptions = await clientOptions(config, {
    log,
    clientId: options.clientId,
    will: { topic: options.will.topic, payload: options.will.payload, qos: 1, retain: true },
    reconnect: policy,
  });
  // writeCache: false. By default mqtt-packet's first write builds a cache of 65,536 two-byte buffers
  // (every possible packet id), about 5 MB of heap kept for the life of the process: measured as the
  // largest block of data in the standalone agent's heap, a fifth of it.
  // The agent writes a few dozen packets per interval, for which allocating those two bytes is free.
  // The setting is process-wide (mqtt-packet's writeToStream.cacheNumbers); this link is only used by
  // `busbar agent`, whose process has no other MQTT client.
  const client: MqttClient = mqtt.connect(config.url, { ...mqttOptions, writeCache: false });
  const listeners: (() => void)[] = [];
  const throttle = new PeriodicLog(60_000);
  let everConnected = false;
  let attempt = 0;
  let online = false;
  let refuse: (error: BusbarError) => void = () => undefined;
  const refused = new Promise<never>((_resolve, reject) => (refuse = reject));
  // Nobody may be waiting on `refused` (a component); a refusal is then only logged.
  refused.catch(() => undefined);

  client.on('connect', () => {
    // Small packets answered by small packets: Nagle's algorithm would delay each PUBACK round trip.
    (client.stream as { setNoDelay?: (noDelay: boolean) => unknown }).setNoDelay?.(true);
    attempt = 0;
    client.options.reconnectPeriod = backoffDelay(0, policy);
    log.info(
      { url, clientId: options.clientId },
      everConnected ? 'reconnected to the broker' : 'connected to the broker',
    );
    everConnected = true;
    online = true;
    for (const listener of listeners) listener();
  });
  client.on('close', () => {
    if (online && !client.disconnecting) log.warn({ url }, 'connection to the broker lost; reconnecting');
    online = false;
  });
  client.on('reconnect', () => {
    attempt += 1;
    client.options.reconnectPeriod = backoffDelay(attempt, policy);
  });
  // mqtt.js reports connection problems as 'error'; without a listener Node would throw them.
  client.on('error', (error) => {
    const code = (error as Error & { code?: unknown }).code;
    const reason = connectionProblem(error);
    if (!everConnected && typeof code === 'number' && REFUSED_FOR_GOOD.has(code)) {
      refuse(new BusbarError('BUSBAR_BUS_CONNECT', `the broker ${url} refused the connection: ${reason}`));
      client.end(true);
      return;
    }
    throttle.run(reason, (suppressed) =>
      log.warn({ url, reason, attempt, suppressed }, 'broker connection error'),
    );
  });

  return {
    get connected() {
      return client.connected;
    },
    refused,
    onConnect(listener) {
      listeners.push(listener);
    },
    async publish(topic, payload, publishOptions) {
      if (!client.connected) {
        // Refused here, so that mqtt.js never queues it: the agent's outbox keeps it instead.
        throw new BusbarError('BUSBAR_BUS_CONNECT', `not connected to ${url}`, { retryable: true });
      }
      await client.publishAsync(topic, payload, publishOptions);
    },
    async close() {
      // A clean DISCONNECT (the broker then discards the will) needs nothing left in flight, else
      // mqtt.js would wait for acknowledgements that may never come; the sender has already waited.
      const idle = client.connected && Object.keys(client.outgoing).length === 0;
      await client.endAsync(!idle);
    },
  };
}
