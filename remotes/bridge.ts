/**
 * One bridge: the bus on one side, a remote broker on the other, topic rules between them.
 *
 * out:  a bus subscription per rule puts each message, with its remote topic, into the durable
 *       queue; the sender moves the queue to the remote while connected (store and forward).
 * in:   remote subscriptions per rule, each message published on the bus before the remote gets its
 *       PUBACK (inbound.ts).
 * both: both of the above, with loop prevention (echo-filter.ts).
 */
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Bus, BusMessage, BusSubscription } from '../core/bus/bus.js';
import type { Logger } from '../core/runtime/logger.js';
import { createStatsPublisher, type StatsPublisher } from '../core/runtime/stats-publisher.js';
import type { Topics } from '../core/topics.js';
import type { BridgeConfig } from './config.js';
import { EchoFilter } from './echo-filter.js';
import { bringIn, type InboundCounters } from './inbound.js';
import { BridgeQueue } from './queue.js';
import { createBridgeClient, currentAddress } from './remote-client.js';
import { Sender } from './sender.js';
import type { BridgeStatus } from './status.js';
import { bringsIn, compileRules, toRemote } from './topic-map.js';
import { aborted } from '../core/util/abortable.js';

/** How long stopping waits for QoS 1 messages in flight to be acknowledged; the rest stays queued. */
const END_GRACE_MS = 2_000;

export interface BridgeContext {
  readonly config: BridgeConfig;
  /** Directory of the queue file `<name>.db`. */
  readonly dataDir: string;
  readonly bus: Bus;
  readonly topics: Topics;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Called once the bridge takes local messages (its subscriptions made). */
  readonly started?: () => void;
}

/** Runs the bridge until `signal` aborts, then releases everything it opened. */
export async function runBridge(context: BridgeContext): Promise<void> {
  const { config, bus, log } = context;
  const rules = compileRules(config.rules);
  const queue = BridgeQueue.open(path.join(context.dataDir, `${config.name}.db`), config.queueLimit);
  const localEcho = new EchoFilter();
  // MQTT 5 subscriptions carry No Local, so only an MQTT 3.1.1 remote echoes our own messages.
  const remoteEcho = config.protocolVersion === 4 ? new EchoFilter() : undefined;
  const counters: InboundCounters = { received: 0, echoes: 0 };
  const subscriptions: BusSubscription[] = [];
  let client: MqttClient | undefined;
  let sender: Sender | undefined;
  let status: StatsPublisher | undefined;
  try {
    const remote = await createBridgeClient(config, log);
    client = remote;
    const running = new Sender(remote, queue, log, (message) => {
      if (remoteEcho && bringsIn(rules, message.topic)) remoteEcho.remember(message.topic, message.payload);
    });
    sender = running;
    status = publishStatus(context, remote, queue, running, counters);
    bringIn(remote, {
      rules,
      bus,
      protocolVersion: config.protocolVersion,
      localEcho,
      remoteEcho,
      counters,
      log,
    });

    for (const rule of rules.filter((r) => r.out)) {
      const forward = (message: BusMessage): void => {
        if (localEcho.isEcho(message.topic, message.payload)) {
          counters.echoes += 1;
          return;
        }
        const remoteTopic = toRemote(rule, message.topic);
        if (remoteTopic === undefined) return;
        queue.append({ topic: remoteTopic, payload: message.payload, qos: rule.qos, retain: message.retain });
        running.wake();
      };
      subscriptions.push(await bus.subscribe(rule.localFilter, forward, { qos: 1 }));
    }
    log.info(
      { addresses: config.addresses, rules: config.rules.length, queued: queue.size },
      'bridge started',
    );
    context.started?.();
    await aborted(context.signal);
  } finally {
    // Drain the bus subscriptions into the queue first, so nothing accepted is dropped on the way.
    await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
    await sender?.stop(END_GRACE_MS);
    // Forced: mqtt.js would otherwise wait, without a limit, for messages still in flight.
    await client?.endAsync(true);
    // The signal has ended the periodic publish; the last state is published once more.
    await status?.publish();
    queue.close();
  }
}

/** The retained state on <base>/status/bridge/<name>, published at once when the connection changes. */
function publishStatus(
  context: BridgeContext,
  remote: MqttClient,
  queue: BridgeQueue,
  sender: Sender,
  counters: InboundCounters,
): StatsPublisher {
  let connected = false;
  let since = new Date().toISOString();
  const snapshot = (): BridgeStatus => ({
    connected,
    address: currentAddress(remote),
    since,
    queued: queue.size,
    dropped: queue.dropped,
    sent: sender.sent,
    lost: sender.lost,
    ...counters,
  });
  const publisher = createStatsPublisher({
    bus: context.bus,
    topic: context.topics.bridgeStatus(context.config.name),
    snapshot,
    everyMs: context.config.statusInterval,
    qos: 1,
    log: context.log,
    signal: context.signal,
  });
  // mqtt.js emits `close` after every failed attempt too: only a real change moves `since`.
  const changed = (): void => {
    if (remote.connected === connected) return;
    connected = remote.connected;
    since = new Date().toISOString();
    void publisher.publish();
  };
  remote.on('connect', changed);
  remote.on('close', changed);
  void publisher.publish();
  return publisher;
}
