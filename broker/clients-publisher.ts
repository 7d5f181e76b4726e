/**
 * The clients connected to the broker, as a retained JSON list on `<base>/broker/clients`, for the
 * web's broker page and any MQTT client. Connects, disconnects and (un)subscribes only mark the list
 * stale; the JSON is built on a timer, at most once per `minIntervalMs`, never on Aedes' packet path
 * (the broker is benchmarked against Mosquitto, see write-coalescing.ts).
 *
 * No credentials: a client's username is listed, never its password.
 */
import type { Aedes, Client } from 'aedes';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ConnectionRegistry } from './connections.js';

/** One entry of the list. */
export interface BrokerClientInfo {
  readonly clientId: string;
  /** null for anonymous clients. */
  readonly username: string | null;
  readonly remoteAddress: string;
  /** The listener it came in on, e.g. `tcp 127.0.0.1:1883`. */
  readonly listener: string;
  /** `MQTT 3.1`, `MQTT 3.1.1` or `MQTT 5`. */
  readonly protocol: string;
  readonly cleanSession: boolean;
  /** ISO 8601: when the broker accepted its CONNECT. */
  readonly connectedSince: string;
  readonly subscriptions: number;
}

export interface ClientsPublisherOptions {
  readonly aedes: Aedes;
  readonly connections: ConnectionRegistry;
  /** `<base>/broker/clients`. */
  readonly topic: string;
  readonly log: Logger;
  /** At most one publication per this many ms (connection storms cost one list a second). */
  readonly minIntervalMs?: number;
  readonly now?: () => number;
}

export interface ClientsPublisher {
  stop(): void;
}

const PROTOCOLS: Readonly<Record<number, string>> = { 3: 'MQTT 3.1', 4: 'MQTT 3.1.1', 5: 'MQTT 5' };

interface ClientFields {
  readonly connected: boolean;
  readonly subscriptions: Readonly<Record<string, unknown>>;
}

export function startClientsPublisher(options: ClientsPublisherOptions): ClientsPublisher {
  const { aedes, connections, log } = options;
  const now = options.now ?? Date.now;
  const minIntervalMs = options.minIntervalMs ?? 1_000;
  const connectedAt = new WeakMap<Client, number>();
  let lastPublished = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let inFlight = false;
  let again = false;
  let stopped = false;

  function list(): BrokerClientInfo[] {
    const clients = (aedes as unknown as { clients: Record<string, Client> }).clients;
    const out: BrokerClientInfo[] = [];
    for (const id in clients) {
      const client = clients[id]!;
      const fields = client as unknown as ClientFields;
      if (!fields.connected) continue;
      const info = connections.get(client);
      let subscriptions = 0;
      for (const _filter in fields.subscriptions) subscriptions++;
      out.push({
        clientId: client.id,
        username: info?.username ?? null,
        remoteAddress: info?.remoteAddress ?? '',
        listener: info?.listener.label ?? '',
        protocol: PROTOCOLS[client.version] ?? `MQTT (level ${client.version})`,
        cleanSession: client.clean,
        connectedSince: new Date(connectedAt.get(client) ?? now()).toISOString(),
        subscriptions,
      });
    }
    return out.sort((a, b) => a.clientId.localeCompare(b.clientId));
  }

  function publish(): Promise<void> {
    const payload = Buffer.from(JSON.stringify(list()));
    return new Promise((resolve, reject) => {
      // aedes.publish skips authorizePublish: the broker may write under busbar's own topics.
      aedes.publish(
        { cmd: 'publish', topic: options.topic, payload, qos: 0, retain: true, dup: false },
        (error) => (error ? reject(error) : resolve()),
      );
    });
  }

  function flush(): void {
    timer = undefined;
    if (stopped || aedes.closed) return;
    // One publication at a time, so two retained lists cannot reach the store out of order.
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    lastPublished = now();
    publish()
      .catch((error: unknown) => {
        if (!stopped) log.warn({ reason: errorMessage(error) }, 'could not publish the broker client list');
      })
      .finally(() => {
        inFlight = false;
        if (again) {
          again = false;
          markStale();
        }
      });
  }

  function markStale(): void {
    if (stopped || timer !== undefined) return;
    timer = setTimeout(flush, Math.max(0, lastPublished + minIntervalMs - now()));
    timer.unref();
  }

  const onReady = (client: Client): void => {
    connectedAt.set(client, now());
    markStale();
  };
  aedes.on('clientReady', onReady);
  aedes.on('clientDisconnect', markStale);
  aedes.on('subscribe', markStale);
  aedes.on('unsubscribe', markStale);
  // At start too: a list retained by an earlier run (persistent store) is stale by now.
  markStale();

  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      aedes.off('clientReady', onReady);
      aedes.off('clientDisconnect', markStale);
      aedes.off('subscribe', markStale);
      aedes.off('unsubscribe', markStale);
    },
  };
}
