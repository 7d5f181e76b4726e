/**
 * busbar's embedded MQTT broker: Aedes behind busbar's listeners, logins, ACL, packet size limit,
 * persistence and $SYS statistics. Each concern lives in its own file; this one wires them.
 */
import { Aedes, type AedesOptions, type Client } from 'aedes';
import type { Duplex } from 'node:stream';
import type { BrokerConfig } from './config.js';
import { BusbarError, errorMessage } from '../core/runtime/errors.js';
import type { Logger } from '../core/runtime/logger.js';
import { createTopics } from '../core/topics.js';
import { createAuthHooks } from './auth.js';
import { aclOf, createCredentialReload, type Credentials, type ReloadSummary } from './reload.js';
import {
  closeOnFailure,
  createAuthorizeHooks,
  deniedByAcl,
  dropDeniedPublishes,
  stopCheckingDeliveries,
} from './authorize.js';
import { countPerClient } from './client-counters.js';
import { startClientsPublisher } from './clients-publisher.js';
import { startKickRequests } from './kick-requests.js';
import { trackClients, type ClientRegistry } from './client-registry.js';
import { limitConnections } from './connection-limits.js';
import type { ConnectionRegistry } from './connections.js';
import { startListener, type ConnectionHandler, type RunningListener } from './listeners.js';
import { LogThrottle } from '../core/util/log-throttle.js';
import { createPacketLimiter } from './packet-limit.js';
import { createProtocolChecker } from './strict-protocol.js';
import { createOutgoingQueues } from './outgoing-queue.js';
import { clearOwnRetained } from './own-retained.js';
import { openPersistence, type BrokerPersistence } from './persistence.js';
import { createCounters, startSysStats, type SysStats } from './sys-stats.js';
import { brokerVersion } from './version.js';
import { journalPublishes, trackJournaledPublishes, type IncomingStore } from './journal/aedes-hooks.js';
import type { IntakeJournal } from './journal/journal.js';
import type { PublishGate } from './publish-gate.js';
import { coalesceWrites } from './write-coalescing.js';
import { mqtt5Options } from './mqtt5.js';

export interface EmbeddedBroker {
  readonly aedes: Aedes;
  /** The connected clients by id. */
  readonly clients: ClientRegistry;
  readonly listeners: ReadonlyArray<{ type: 'tcp' | 'tls' | 'ws'; host: string; port: number; url: string }>;
  /** Swaps in new users and ACL rules and re-checks connected clients (reload.ts); throws ReloadRefused. */
  reloadCredentials(next: Credentials): ReloadSummary;
  /** Stops the listeners, disconnects clients, closes Aedes and the persistence. */
  close(): Promise<void>;
}

export interface StartBrokerOptions {
  readonly config: BrokerConfig;
  readonly log: Logger;
  /** busbar's base topic: the broker's statistics are also published on `<base>/stats/broker`. */
  readonly baseTopic?: string;
  /** When given, QoS 1/2 messages on the topics it wants are on disk before they are acknowledged. */
  readonly journal?: IntakeJournal;
  /** When given, client publishes wait until it opens (see publish-gate.ts). */
  readonly publishGate?: PublishGate;
}

/** How long close() lets Aedes and the store finish cleanly before dropping their connections. */
const CLOSE_GRACE_MS = 3_000;

export async function startBroker(options: StartBrokerOptions): Promise<EmbeddedBroker> {
  const { config } = options;
  const log = options.log.child({ component: 'broker' });
  const connections: ConnectionRegistry = new WeakMap();
  const counters = createCounters();
  const baseTopic = options.baseTopic ?? createTopics().base;
  const acl = aclOf(config, baseTopic);
  const auth = createAuthHooks({ config, acl, connections, counters, log });

  const persistence = await openPersistence(config.persistence, log);
  const authorize = countPerClient(
    createAuthorizeHooks({ connections, aclEnabled: acl.hasRules, baseTopic, counters, log }),
  );
  const journal = options.journal;
  if (journal !== undefined) {
    // Aedes' store answers whether a QoS 2 resend is a duplicate; it exists once `aedes` does.
    const store = (): IncomingStore => (aedes as unknown as { persistence: IncomingStore }).persistence;
    authorize.authorizePublish = journalPublishes(authorize.authorizePublish!, journal, deniedByAcl, store);
  }
  if (options.publishGate !== undefined) {
    authorize.authorizePublish = options.publishGate.wrap(authorize.authorizePublish!);
  }
  authorize.authorizePublish = closeOnFailure(authorize.authorizePublish!);
  const aedesOptions: AedesOptions = {
    ...persistence.aedesOptions,
    ...(config.id === undefined ? {} : { id: config.id }),
    maxTopicLevels: config.maxTopicLevels,
    drainTimeout: config.drainTimeout,
    // MQTT 5 (broker/mqtt5.ts says what each one does).
    ...mqtt5Options(config),
    connectTimeout: config.connectTimeout,
    ...auth.hooks,
    ...authorize,
  };
  const aedes = new Aedes(aedesOptions);
  const clients = trackClients(aedes);
  // Before dropDeniedPublishes wraps it: denied packets are never journaled, nor tracked.
  if (journal !== undefined) trackJournaledPublishes(aedes);
  if (persistence.type === 'redis') {
    // Queued messages are stored under `packet:<broker id>:<counter>`, and Aedes starts its counter
    // at 0. With a fixed `broker.id`, a restarted broker would reuse the keys of messages still
    // queued for offline clients and overwrite them; starting from the clock keeps keys unique.
    (aedes as unknown as { counter: number }).counter = Date.now() * 1000;
  }
  dropDeniedPublishes(aedes);
  observe(aedes, connections, log);
  try {
    // Aedes loads the store's sessions here; Redis can vanish right after answering our readiness
    // check, and its commands then wait for it without limit.
    const listening = aedes.listen();
    if (!(await settlesWithin(listening, persistence.setupTimeoutMs))) {
      throw new BusbarError(
        'BUSBAR_PERSISTENCE',
        `broker persistence (${persistence.type}) did not load within ${persistence.setupTimeoutMs} ms`,
        { retryable: true },
      );
    }
    const cleared = await clearOwnRetained(aedes, baseTopic);
    if (cleared > 0) {
      log.info({ cleared }, "retained messages on busbar's own topics from before this start cleared");
    }
  } catch (error) {
    persistence.abort();
    await closeAedesAndStore(aedes, persistence, log);
    throw error;
  }

  /** A warning about one client, naming who and from where, at most as often as `throttle` admits. */
  const warnAbout = (throttle: LogThrottle, client: Client, fields: object, message: string): void => {
    const notLogged = throttle.admit();
    if (notLogged === undefined) return;
    const extra = notLogged > 0 ? { linesNotLogged: notLogged } : {};
    log.warn({ ...describeClient(connections, client), ...fields, ...extra }, message);
  };
  const tooLarge = new LogThrottle(1, 10);
  const limitPacketSize = createPacketLimiter(config.maxPacketSize, (client, declared) =>
    warnAbout(
      tooLarge,
      client,
      { declaredBytes: declared, limit: config.maxPacketSize },
      'packet larger than maxPacketSize: connection closed',
    ),
  );
  const malformed = new LogThrottle(1, 10);
  const checkProtocol = createProtocolChecker((client, rule) => {
    counters.malformed++;
    warnAbout(malformed, client, { rule }, 'malformed packet: connection closed');
  });
  const fullQueues = new LogThrottle(1, 10);
  const boundOutgoingQueue = createOutgoingQueues({
    maxMessages: config.maxQueuedMessages,
    maxBytes: config.maxQueuedBytes,
    queueAfterMs: config.queueAfter,
    counters,
    onFull: (client, outcome, queue, packet) =>
      warnAbout(
        fullQueues,
        client,
        {
          reason: 'outgoing queue full',
          qos: packet.qos,
          queuedMessages: queue.messages,
          queuedBytes: queue.bytes,
          maxQueuedMessages: config.maxQueuedMessages,
          maxQueuedBytes: config.maxQueuedBytes,
        },
        outcome === 'dropping'
          ? 'client does not keep up: QoS 0 messages beyond its outgoing queue are dropped for it (counted)'
          : 'client does not keep up: QoS 1/2 message beyond its outgoing queue, connection closed',
      ),
  });
  const onConnection: ConnectionHandler = (stream: Duplex, listener, remoteAddress, request) => {
    coalesceWrites(stream);
    const client = aedes.handle(stream, request);
    try {
      limitPacketSize(client);
      checkProtocol(client);
      boundOutgoingQueue(client);
    } catch (error) {
      log.error({ reason: errorMessage(error) }, 'connection refused');
      stream.destroy();
      return;
    }
    connections.set(client, {
      listener,
      remoteAddress,
      emptyIdWithoutCleanSession: false,
      clientIdGenerated: false,
      username: undefined,
      acl: undefined,
    });
  };

  const listeners: RunningListener[] = [];
  const listenerOptions = {
    onConnection,
    maxPacketSize: config.maxPacketSize,
    admit: limitConnections(config, counters, log),
    connectTimeoutMs: config.connectTimeout,
    log,
  };
  try {
    for (const listenerConfig of config.listeners) {
      listeners.push(await startListener(listenerConfig, listenerOptions));
    }
  } catch (error) {
    await Promise.all(listeners.map((listener) => listener.close()));
    await closeAedesAndStore(aedes, persistence, log);
    throw error;
  }

  const sysStats: SysStats = startSysStats({
    aedes,
    clients,
    counters,
    intervalMs: config.sysInterval,
    version: brokerVersion((aedes as unknown as { version: string }).version),
    statsTopic: createTopics(baseTopic).stats('broker'),
    countOfflineSessions: () => persistence.countSessions(aedes),
    log,
  });
  const clientsPublisher = startClientsPublisher({
    aedes,
    clients,
    connections,
    topic: createTopics(baseTopic).brokerClients,
    refreshIntervalMs: config.sysInterval,
    // Its PUBLISH packet (topic and header included) must fit what a client may receive.
    maxBytes: config.maxPacketSize - 1_024,
    log,
  });
  const kickRequests = await startKickRequests(aedes, clients, createTopics(baseTopic).kickRequests, log);

  log.info(
    {
      listeners: listeners.map((listener) => listener.boundUrl),
      persistence: persistence.type,
      users: config.users.length,
      aclRules: config.acl.length,
    },
    'MQTT broker started',
  );

  let closing: Promise<void> | undefined;
  return {
    aedes,
    clients,
    reloadCredentials: createCredentialReload({
      aedes,
      clients,
      auth,
      connections,
      baseTopic,
      initial: config,
      log,
    }),
    listeners: listeners.map(({ type, host, port, url }) => ({ type, host, port, url })),
    close() {
      closing ??= (async () => {
        sysStats.stop();
        clientsPublisher.stop();
        kickRequests.stop();
        for (const listener of listeners) listener.stopAccepting();
        await closeAedesAndStore(aedes, persistence, log);
        await Promise.all(listeners.map((listener) => listener.close()));
        log.info('MQTT broker stopped');
      })();
      return closing;
    },
  };
}

/** Who a client is and where it came from, for log lines. */
function describeClient(connections: ConnectionRegistry, client: Client): Record<string, unknown> {
  const info = connections.get(client);
  return {
    clientId: client.id,
    username: info?.username,
    remoteAddress: info?.remoteAddress,
    listener: info?.listener.label,
  };
}

/** Logs client lifecycles and keeps Aedes' 'error' events (store failures) from ending the process. */
function observe(aedes: Aedes, connections: ConnectionRegistry, log: Logger): void {
  const describe = (client: Client): Record<string, unknown> => describeClient(connections, client);
  aedes.on('clientReady', (client) => log.debug(describe(client), 'client connected'));
  aedes.on('clientDisconnect', (client) => log.debug(describe(client), 'client disconnected'));
  aedes.on('unsubscribe', (filters, client) => stopCheckingDeliveries(client, filters));
  aedes.on('clientError', (client, error) =>
    log.debug({ ...describe(client), reason: error.message }, 'client error'),
  );
  aedes.on('connectionError', (client, error) =>
    log.debug({ ...describe(client), reason: error.message }, 'connection error before CONNECT completed'),
  );
  // Aedes emits 'error' when its store fails outside a client's flow (offline queueing, wills); an
  // 'error' event without a listener would throw and end the process.
  (aedes as NodeJS.EventEmitter).on('error', (error: Error) =>
    log.error({ reason: error.message }, 'broker persistence error'),
  );
}

/**
 * Closes Aedes (which disconnects its clients) and then the store, within a bounded time. With the
 * store unreachable neither can finish (each client's close waits on the store), so its connections
 * are dropped at once and the listeners' close() destroys the client sockets.
 */
async function closeAedesAndStore(aedes: Aedes, persistence: BrokerPersistence, log: Logger): Promise<void> {
  const aedesClosed = new Promise<void>((resolve) => aedes.close(() => resolve()));
  if (!persistence.reachable()) {
    log.warn('broker persistence unreachable while closing: dropping its connections without waiting');
    persistence.abort();
    return;
  }
  if (!(await settlesWithin(aedesClosed, CLOSE_GRACE_MS))) {
    log.warn(`broker did not close within ${CLOSE_GRACE_MS} ms: dropping its store connections`);
    persistence.abort();
    return;
  }
  const storeClosed = persistence.close(aedes).catch((error: unknown) => {
    log.warn({ reason: errorMessage(error) }, 'error while closing broker persistence');
  });
  if (!(await settlesWithin(storeClosed, CLOSE_GRACE_MS))) persistence.abort();
}

/** True when `promise` fulfils within `ms` (no limit when undefined); its rejection is thrown. */
async function settlesWithin(promise: Promise<unknown>, ms: number | undefined): Promise<boolean> {
  if (ms === undefined) {
    await promise;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
