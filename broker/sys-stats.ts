/**
 * Broker statistics under Mosquitto's `$SYS/broker/...` names, retained, every `sysInterval`, plus
 * the same numbers as one JSON document on `<base>/stats/broker`. Aedes publishes these internally
 * (`aedes.publish` skips authorizePublish, which refuses `$SYS/` from clients).
 *
 * Counting costs an integer increment in hooks Aedes calls anyway (see authorize.ts); everything
 * else is computed when the statistics are published.
 */
import type { Aedes } from 'aedes';
import type { ClientRegistry } from './client-registry.js';
import { errorMessage } from '../core/runtime/errors.js';
import type { Logger } from '../core/runtime/logger.js';
import { outgoingQueue, type OverflowCounters } from './outgoing-queue.js';

/** What the broker's edges refused (connection-limits.ts, auth.ts); `connections` is open now. */
export interface EdgeCounters {
  /** Sockets open now on the MQTT listeners, CONNECT sent or not. */
  connections: number;
  /** Sockets closed as they arrived: over maxConnections or maxConnectionsPerAddress. */
  connectionsRefused: number;
  /** CONNECTs with a wrong password or an unknown username. */
  loginFailures: number;
  /** Of those, the ones whose CONNACK was held back (login-throttle.ts). */
  loginsDelayed: number;
  /** Addresses banned after loginBanAfter distinct wrong passwords. */
  addressesBanned: number;
  /** CONNECTs refused unchecked: from a banned address, or with too many of its logins waiting. */
  loginsRefused: number;
  /** CONNECTs refused with CONNACK 2: a client id the user may not take (clientIdPattern). */
  clientIdsRejected: number;
}

export interface MessageCounters extends OverflowCounters, EdgeCounters {
  /** PUBLISH packets received from clients (wills included). */
  received: number;
  /** PUBLISH packets handed to clients (live, retained and queued deliveries). */
  sent: number;
  /** Connections closed on a malformed packet (strict-protocol.ts). */
  malformed: number;
  /** PUBLISH packets acknowledged and dropped: refused by broker.acl or on busbar's own topics. */
  publishDenied: number;
  /** Messages not delivered to a subscriber because the ACL denies it their topic (acl.ts). */
  deliveryDenied: number;
}

export function createCounters(): MessageCounters {
  return {
    received: 0,
    sent: 0,
    dropped: 0,
    queueDisconnects: 0,
    connections: 0,
    connectionsRefused: 0,
    loginFailures: 0,
    loginsDelayed: 0,
    addressesBanned: 0,
    loginsRefused: 0,
    clientIdsRejected: 0,
    malformed: 0,
    publishDenied: 0,
    deliveryDenied: 0,
  };
}

export interface SysStatsOptions {
  readonly aedes: Aedes;
  /** The connected clients (client-registry.ts). */
  readonly clients: ClientRegistry;
  readonly counters: MessageCounters;
  readonly intervalMs: number;
  readonly version: string;
  /** JSON copy of the statistics, e.g. `busbar/stats/broker`. */
  readonly statsTopic: string;
  readonly countOfflineSessions: () => Promise<number>;
  readonly log: Logger;
  readonly now?: () => number;
}

export interface SysStats {
  /** Publishes the current statistics now (also done at start and every interval). */
  publishNow(): Promise<void>;
  stop(): void;
}

/** Time constant of the `load/.../1min` moving average, as in Mosquitto. */
const ONE_MINUTE_MS = 60_000;

/** Also the JSON document on `<base>/stats/broker`. */
export interface BrokerStats extends EdgeCounters {
  version: string;
  uptime: number;
  clientsConnected: number;
  clientsTotal: number;
  messagesReceived: number;
  messagesSent: number;
  subscriptionsCount: number;
  loadMessagesReceived1min: number;
  /** QoS 0 messages dropped for clients whose outgoing queue was full (outgoing-queue.ts). */
  messagesDropped: number;
  /** Clients disconnected because a QoS 1/2 message found their outgoing queue full. */
  queueDisconnects: number;
  /** Connections closed because a packet was malformed (strict-protocol.ts). */
  malformedPackets: number;
  /** PUBLISH packets refused by broker.acl or because the topic is busbar's own (acknowledged, dropped). */
  publishesDenied: number;
  /** Messages not delivered to a subscriber whose subscription the ACL allows only in part. */
  deliveriesDenied: number;
  /** Messages and bytes waiting in the connected clients' outgoing queues now. */
  queuedMessages: number;
  queuedBytes: number;
}

/** Aedes keeps a client's subscriptions in a field its types do not declare. */
interface WithSubscriptions {
  readonly subscriptions: Readonly<Record<string, unknown>>;
}

export function startSysStats(options: SysStatsOptions): SysStats {
  const { aedes, counters, log } = options;
  const now = options.now ?? Date.now;
  const startedAt = now();
  let lastAt = startedAt;
  let lastReceived = counters.received;
  let receivedLoad1min = 0;
  let stopped = false;

  function publish(topic: string, payload: string): Promise<void> {
    return new Promise((resolve, reject) => {
      aedes.publish(
        { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: true, dup: false },
        (error) => (error ? reject(error) : resolve()),
      );
    });
  }

  async function collect(): Promise<BrokerStats> {
    const at = now();
    // Exponentially weighted messages per minute, updated at each publication (Mosquitto's formula).
    const elapsed = Math.max(1, at - lastAt);
    const perMinute = ((counters.received - lastReceived) * ONE_MINUTE_MS) / elapsed;
    receivedLoad1min = perMinute + Math.exp(-elapsed / ONE_MINUTE_MS) * (receivedLoad1min - perMinute);
    lastAt = at;
    lastReceived = counters.received;

    let subscriptions = 0;
    let connectedPersistent = 0;
    let queuedMessages = 0;
    let queuedBytes = 0;
    for (const client of options.clients.values()) {
      if (!client.clean) connectedPersistent++;
      for (const _filter in (client as unknown as WithSubscriptions).subscriptions) subscriptions++;
      const queue = outgoingQueue(client);
      queuedMessages += queue.messages;
      queuedBytes += queue.bytes;
    }
    const persistentSessions = await options.countOfflineSessions();
    const connected = aedes.connectedClients;
    return {
      version: options.version,
      uptime: Math.floor((at - startedAt) / 1000),
      clientsConnected: connected,
      clientsTotal: connected + Math.max(0, persistentSessions - connectedPersistent),
      messagesReceived: counters.received,
      messagesSent: counters.sent,
      subscriptionsCount: subscriptions,
      loadMessagesReceived1min: Math.round(receivedLoad1min * 100) / 100,
      messagesDropped: counters.dropped,
      queueDisconnects: counters.queueDisconnects,
      malformedPackets: counters.malformed,
      publishesDenied: counters.publishDenied,
      deliveriesDenied: counters.deliveryDenied,
      queuedMessages,
      queuedBytes,
      connections: counters.connections,
      connectionsRefused: counters.connectionsRefused,
      loginFailures: counters.loginFailures,
      loginsDelayed: counters.loginsDelayed,
      addressesBanned: counters.addressesBanned,
      loginsRefused: counters.loginsRefused,
      clientIdsRejected: counters.clientIdsRejected,
    };
  }

  async function publishNow(): Promise<void> {
    const stats = await collect();
    if (stopped || aedes.closed) return;
    await Promise.all([
      publish('$SYS/broker/version', stats.version),
      publish('$SYS/broker/uptime', `${stats.uptime} seconds`),
      publish('$SYS/broker/clients/connected', String(stats.clientsConnected)),
      publish('$SYS/broker/clients/total', String(stats.clientsTotal)),
      publish('$SYS/broker/messages/received', String(stats.messagesReceived)),
      publish('$SYS/broker/messages/sent', String(stats.messagesSent)),
      publish('$SYS/broker/subscriptions/count', String(stats.subscriptionsCount)),
      publish('$SYS/broker/load/messages/received/1min', stats.loadMessagesReceived1min.toFixed(2)),
      publish('$SYS/broker/publish/messages/dropped', String(stats.messagesDropped)),
      publish(options.statsTopic, JSON.stringify(stats)),
    ]);
  }

  // One publication at a time: with Redis away a publication waits for it, and must not pile up.
  let inFlight = false;
  function tick(): void {
    if (inFlight) return;
    inFlight = true;
    publishNow()
      .catch((error: unknown) => {
        if (!stopped) log.warn({ reason: errorMessage(error) }, 'could not publish $SYS statistics');
      })
      .finally(() => {
        inFlight = false;
      });
  }

  let timer: NodeJS.Timeout | undefined;
  if (options.intervalMs > 0) {
    tick();
    timer = setInterval(tick, options.intervalMs);
    timer.unref();
  }

  return {
    publishNow,
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
    },
  };
}
