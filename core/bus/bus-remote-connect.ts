/**
 * The connection side of the remote bus: mqtt.js options from config, the first connection (bounded
 * by a timeout, refused credentials fail at once), and reconnecting forever with backoff afterwards.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import type { RemoteBusConfig } from './remote-config.js';
import { backoffDelay, type BackoffPolicy } from '../util/backoff.js';
import type { QoS } from './bus.js';
import { readTlsFiles } from '../util/tls-files.js';
import { BusbarError, errorMessage } from '../runtime/errors.js';
import { redactUrl, type Logger } from '../runtime/logger.js';

export interface RemoteBusOptions {
  log: Logger;
  /** Overrides `config.clientId`; default a random `busbar-…` id. */
  clientId?: string;
  /** Last will, published by the broker if this connection dies (an agent's `offline` status). */
  will?: { topic: string; payload: string | Buffer; qos?: QoS; retain?: boolean };
  /** How long `connectRemoteBus` waits for the first connection, in ms. Default 10 s. */
  connectTimeout?: number;
  /** Delays between reconnection attempts. Default 1 s doubling to 30 s, with jitter. */
  reconnect?: BackoffPolicy;
  /**
   * Whether the broker supports `$share/<group>/...`. false (a broker without it): a shareGroup is
   * split among this bus's own subscriptions only. Default: what the broker says in its MQTT 5
   * CONNACK, else true.
   */
  sharedSubscriptions?: boolean;
}

export const DEFAULT_CONNECT_TIMEOUT = 10_000;
const DEFAULT_RECONNECT: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };

/**
 * CONNACK codes that another attempt will not change (MQTT 3.1.1 §3.2.2.3, MQTT 5 §3.2.2.2): bad
 * protocol version, client id, credentials, authorization, ban or authentication method.
 */
const REFUSED_FOR_GOOD = new Set([1, 2, 4, 5, 128 + 4, 128 + 5, 128 + 6, 128 + 7, 128 + 10, 128 + 12]);

export async function clientOptions(
  config: RemoteBusConfig,
  options: RemoteBusOptions,
): Promise<IClientOptions> {
  const connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
  const { ca, cert, key } = await readTlsFiles('remote bus', config);
  const will = options.will;
  return {
    clientId: options.clientId ?? config.clientId ?? `busbar-${randomBytes(6).toString('hex')}`,
    protocolVersion: config.protocolVersion,
    username: config.username,
    password: config.password,
    ca,
    cert,
    key,
    rejectUnauthorized: config.rejectUnauthorized,
    // A clean session: subscriptions are ours to restore (mqtt.js `resubscribe`), and no broker keeps
    // queues for a client id that a restart with a random id would abandon.
    clean: true,
    resubscribe: true,
    connectTimeout,
    reconnectPeriod: backoffDelay(0, options.reconnect ?? DEFAULT_RECONNECT),
    // Keep trying when the broker refuses us after startup (it may be restarting or reconfigured).
    reconnectOnConnackError: true,
    // QoS 0 while offline fails at once rather than piling up in memory; QoS 1 waits for the connection.
    queueQoSZero: false,
    will: will && {
      topic: will.topic,
      payload: typeof will.payload === 'string' ? Buffer.from(will.payload) : will.payload,
      qos: will.qos ?? 1,
      retain: will.retain ?? false,
    },
  };
}

/**
 * Connects, and resolves with the CONNACK once the broker has accepted us. Rejects with
 * BUSBAR_BUS_CONNECT after `connectTimeout`, or at once when the broker refuses us for good; the client
 * is then ended so nothing is left running.
 */
export async function connectClient(
  config: RemoteBusConfig,
  options: RemoteBusOptions,
): Promise<{ client: MqttClient; connack: IConnackPacket }> {
  const url = redactUrl(config.url);
  const client = mqtt.connect(config.url, await clientOptions(config, options));
  client.on('connect', () => disableNagle(client));
  const timeoutMs = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
  try {
    const connack = await firstConnack(client, url, timeoutMs);
    keepReconnecting(client, url, options);
    return { client, connack };
  } catch (error) {
    await client.endAsync(true);
    throw error;
  }
}

function firstConnack(client: MqttClient, url: string, timeoutMs: number): Promise<IConnackPacket> {
  return new Promise((resolve, reject) => {
    let lastError: Error | undefined;
    const settle = (outcome: () => void): void => {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      outcome();
    };
    const timer = setTimeout(() => {
      const reason = lastError ? connectionProblem(lastError) : 'no answer';
      const message = `no connection to the remote bus ${url} after ${timeoutMs} ms: ${reason}`;
      settle(() =>
        reject(new BusbarError('BUSBAR_BUS_CONNECT', message, { retryable: true, cause: lastError })),
      );
    }, timeoutMs);
    const onConnect = (connack: IConnackPacket): void => settle(() => resolve(connack));
    const onError = (error: Error): void => {
      lastError = error;
      const code = (error as Error & { code?: unknown }).code;
      if (typeof code === 'number' && REFUSED_FOR_GOOD.has(code)) {
        const message = `the remote bus ${url} refused the connection: ${connectionProblem(error)}`;
        settle(() =>
          reject(new BusbarError('BUSBAR_BUS_CONNECT', message, { retryable: false, cause: error })),
        );
      }
    };
    client.on('connect', onConnect);
    client.on('error', onError);
  });
}

/**
 * MQTT is small packets answered by small packets (PUBACKs). With Nagle's algorithm on (mqtt.js does
 * not turn it off) a PUBACK waits for the ACK of the previous segment, which the peer delays: on
 * Linux a sequence of QoS 1 round trips then takes ~40 ms each instead of well under 1 ms.
 */
function disableNagle(client: MqttClient): void {
  const stream = client.stream as { setNoDelay?: (noDelay: boolean) => unknown };
  stream.setNoDelay?.(true);
}

/**
 * After startup: log outages once, and stretch mqtt.js' fixed `reconnectPeriod` into a backoff (it is
 * read again before every attempt), reset once connected.
 */
function keepReconnecting(client: MqttClient, url: string, options: RemoteBusOptions): void {
  const policy = options.reconnect ?? DEFAULT_RECONNECT;
  const log = options.log;
  let attempt = 0;
  let online = true;
  client.on('connect', () => {
    attempt = 0;
    client.options.reconnectPeriod = backoffDelay(0, policy);
    if (!online) log.info({ url }, 'remote bus reconnected');
    online = true;
  });
  client.on('close', () => {
    if (online && !client.disconnecting) log.warn({ url }, 'remote bus connection lost; reconnecting');
    online = false;
  });
  client.on('reconnect', () => {
    attempt += 1;
    client.options.reconnectPeriod = backoffDelay(attempt, policy);
  });
  // mqtt.js emits connection problems as 'error'; without a listener Node would throw them.
  client.on('error', (error) =>
    log.warn({ url, reason: connectionProblem(error), attempt }, 'remote bus error'),
  );
}

/**
 * What went wrong, in words. Connecting to `localhost` tries ::1 and 127.0.0.1 and fails with an
 * AggregateError whose own message is empty.
 */
export function connectionProblem(error: Error): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map((inner: unknown) => errorMessage(inner)).join('; ');
  }
  const code = (error as Error & { code?: unknown }).code;
  return error.message || (typeof code === 'string' ? code : 'unknown error');
}
