/**
 * The clients connected to the broker, as a retained JSON list on `<base>/broker/clients`, for the
 * web's broker page and any MQTT client. Connects, disconnects and (un)subscribes only mark the list
 * stale; the JSON is built on a timer, at most once per `minIntervalMs`, never on Aedes' packet path
 * (the broker is benchmarked against Mosquitto, see write-coalescing.ts).
 *
 * Each entry carries the client's message counts (client-counters.ts) and its outgoing queue (its
 * length, its peak and its QoS 0 drops, outgoing-queue.ts). They change with every
 * message, so while clients are connected a timer (every `refreshIntervalMs`, busbar passes
 * `sysInterval`: per-client counts are broker statistics like `$SYS`) marks the list stale when a
 * count or a non-zero rate changed since it was last built; the list is not rebuilt per message.
 * An MQTT client subscribed to the list is itself sent each list, so while one is connected the
 * list is republished every interval (the web reads it in-process, which counts nothing).
 *
 * At 10,000 clients the whole list would be megabytes, republished every interval and larger than
 * `maxPacketSize` (no MQTT client could receive it): so it holds the `maxListed` most active clients
 * (messages published and delivered), and never more bytes than `maxBytes`. The exact number of
 * clients is `clientsConnected` on `<base>/stats/broker`.
 *
 * No credentials: a client's username is listed, never its password.
 */
import type { Aedes, Client } from 'aedes';
import { errorMessage } from '../core/runtime/errors.js';
import type { Logger } from '../core/runtime/logger.js';
import { messageCounts } from './client-counters.js';
import type { ClientRegistry } from './client-registry.js';
import type { ConnectionRegistry } from './connections.js';
import { outgoingQueue } from './outgoing-queue.js';

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
  /** PUBLISH packets the broker received from it since it connected (its will included). */
  readonly published: number;
  /** Messages the broker sent to it since it connected (live, retained and queued). */
  readonly delivered: number;
  /**
   * Its `published` per second over the latest window: from the list that began it to the one that
   * ended it, at least half of `minIntervalMs` later (a list built sooner shows the previous rate).
   */
  readonly publishedPerSecond: number;
  /** Messages (and their bytes) waiting to be written to it now: its outgoing queue. */
  readonly queuedMessages: number;
  readonly queuedBytes: number;
  /** The most its queue held at once since it connected (bounded by maxQueuedMessages/Bytes). */
  readonly peakQueuedMessages: number;
  readonly peakQueuedBytes: number;
  /** QoS 0 messages dropped for it because its queue was full. */
  readonly dropped: number;
}

export interface ClientsPublisherOptions {
  readonly aedes: Aedes;
  /** The connected clients (client-registry.ts). */
  readonly clients: ClientRegistry;
  readonly connections: ConnectionRegistry;
  /** `<base>/broker/clients`. */
  readonly topic: string;
  readonly log: Logger;
  /** At most one publication per this many ms (connection storms cost one list a second). */
  readonly minIntervalMs?: number;
  /**
   * While clients are connected, republish every this many ms when their counts changed (at most
   * once per `minIntervalMs` still); 0 or absent: only on connects, disconnects and (un)subscribes.
   */
  readonly refreshIntervalMs?: number;
  readonly now?: () => number;
  /** Clients listed at most (default MAX_LISTED_CLIENTS), the most active first. */
  readonly maxListed?: number;
  /** The list's JSON never exceeds this (busbar passes `broker.maxPacketSize`). */
  readonly maxBytes?: number;
}

/** Enough for a site's devices on one page; at about 450 bytes each, some 450 KB of JSON. */
export const MAX_LISTED_CLIENTS = 1_000;

export interface ClientsPublisher {
  stop(): void;
}

const PROTOCOLS: Readonly<Record<number, string>> = { 3: 'MQTT 3.1', 4: 'MQTT 3.1.1', 5: 'MQTT 5' };

/** Aedes keeps a client's subscriptions in a field its types do not declare. */
interface ClientFields {
  readonly subscriptions: Readonly<Record<string, unknown>>;
}

/** What the publisher keeps per client between two lists. */
interface Tracked {
  readonly connectedAt: number;
  /** Start of the current rate window and `published` then. */
  windowAt: number;
  windowPublished: number;
  /** As in the latest list. */
  listedPublished: number;
  listedDelivered: number;
  /** Its outgoing queue (outgoing-queue.ts) as in the latest list. */
  listedQueuedBytes: number;
  listedPeakQueuedBytes: number;
  listedDropped: number;
  perSecond: number;
}

export function startClientsPublisher(options: ClientsPublisherOptions): ClientsPublisher {
  const { aedes, connections, log } = options;
  const now = options.now ?? Date.now;
  const minIntervalMs = options.minIntervalMs ?? 1_000;
  // Half: two lists minIntervalMs apart must not miss it by a timer's rounding.
  const minRateWindowMs = minIntervalMs / 2;
  const tracked = new WeakMap<Client, Tracked>();
  let lastPublished = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let inFlight = false;
  let again = false;
  let stopped = false;

  function track(client: Client, at: number): Tracked {
    let state = tracked.get(client);
    if (state === undefined) {
      state = {
        connectedAt: at,
        windowAt: at,
        windowPublished: 0,
        listedPublished: 0,
        listedDelivered: 0,
        listedQueuedBytes: 0,
        listedPeakQueuedBytes: 0,
        listedDropped: 0,
        perSecond: 0,
      };
      tracked.set(client, state);
    }
    return state;
  }

  function list(): BrokerClientInfo[] {
    const at = now();
    const out: BrokerClientInfo[] = [];
    for (const client of options.clients.values()) {
      if (!client.connected) continue;
      const fields = client as unknown as ClientFields;
      const info = connections.get(client);
      let subscriptions = 0;
      for (const _filter in fields.subscriptions) subscriptions++;
      const counts = messageCounts(client);
      const state = track(client, at);
      // A list built right after another (a connect) keeps the previous rate rather than measure
      // over a few milliseconds.
      const elapsed = at - state.windowAt;
      if (elapsed > 0 && elapsed >= minRateWindowMs) {
        state.perSecond = Math.round(((counts.published - state.windowPublished) * 100_000) / elapsed) / 100;
        state.windowAt = at;
        state.windowPublished = counts.published;
      }
      state.listedPublished = counts.published;
      state.listedDelivered = counts.delivered;
      const queue = outgoingQueue(client);
      state.listedQueuedBytes = queue.bytes;
      state.listedPeakQueuedBytes = queue.peakBytes;
      state.listedDropped = queue.dropped;
      out.push({
        clientId: client.id,
        username: info?.username ?? null,
        remoteAddress: info?.remoteAddress ?? '',
        listener: info?.listener.label ?? '',
        protocol: PROTOCOLS[client.version] ?? `MQTT (level ${client.version})`,
        cleanSession: client.clean,
        connectedSince: new Date(state.connectedAt).toISOString(),
        subscriptions,
        published: counts.published,
        delivered: counts.delivered,
        publishedPerSecond: state.perSecond,
        queuedMessages: queue.messages,
        queuedBytes: queue.bytes,
        peakQueuedMessages: queue.peakMessages,
        peakQueuedBytes: queue.peakBytes,
        dropped: queue.dropped,
      });
    }
    return out.sort((a, b) => a.clientId.localeCompare(b.clientId));
  }

  function publish(): Promise<void> {
    const payload = capped(list(), options.maxListed ?? MAX_LISTED_CLIENTS, options.maxBytes ?? Infinity);
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

  /** True when a connected client's counts, or a rate that would now drop, differ from the list. */
  function countsChanged(): boolean {
    for (const client of options.clients.values()) {
      if (!client.connected) continue;
      const state = tracked.get(client);
      if (state === undefined) return true;
      const counts = messageCounts(client);
      const queue = outgoingQueue(client);
      if (
        counts.published !== state.listedPublished ||
        counts.delivered !== state.listedDelivered ||
        queue.bytes !== state.listedQueuedBytes ||
        queue.peakBytes !== state.listedPeakQueuedBytes ||
        queue.dropped !== state.listedDropped ||
        state.perSecond !== 0
      ) {
        return true;
      }
    }
    return false;
  }

  function refresh(): void {
    if (stopped || aedes.closed || timer !== undefined || inFlight) return;
    if (countsChanged()) markStale();
  }

  const refreshIntervalMs = options.refreshIntervalMs ?? 0;
  const refresher = refreshIntervalMs > 0 ? setInterval(refresh, refreshIntervalMs) : undefined;
  refresher?.unref();

  const onReady = (client: Client): void => {
    track(client, now());
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
      if (refresher !== undefined) clearInterval(refresher);
      aedes.off('clientReady', onReady);
      aedes.off('clientDisconnect', markStale);
      aedes.off('subscribe', markStale);
      aedes.off('unsubscribe', markStale);
    },
  };
}

/**
 * The list as JSON, cut to the `maxListed` most active clients and then, while it is still larger
 * than `maxBytes`, to fewer; in client id order, as the full list is.
 */
function capped(all: BrokerClientInfo[], maxListed: number, maxBytes: number): Buffer {
  let listed = all;
  if (listed.length > maxListed) listed = mostActive(listed, maxListed);
  let payload = Buffer.from(JSON.stringify(listed));
  while (payload.length > maxBytes && listed.length > 0) {
    listed = mostActive(listed, Math.floor((listed.length * maxBytes) / payload.length) - 1);
    payload = Buffer.from(JSON.stringify(listed));
  }
  return payload;
}

function mostActive(clients: BrokerClientInfo[], count: number): BrokerClientInfo[] {
  const activity = (client: BrokerClientInfo): number => client.published + client.delivered;
  return [...clients]
    .sort((a, b) => activity(b) - activity(a) || a.clientId.localeCompare(b.clientId))
    .slice(0, Math.max(0, count))
    .sort((a, b) => a.clientId.localeCompare(b.clientId));
}
