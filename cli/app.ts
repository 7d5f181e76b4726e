import type { Config } from '../config/schema.js';
import { checkDescriptors } from '../core/runtime/descriptors.js';
import { startBroker, type EmbeddedBroker } from '../broker/broker.js';
import { LiveCredentials } from '../broker/live-credentials.js';
import { createPublishGate } from '../broker/publish-gate.js';
import type { Bus } from '../core/bus/bus.js';
import { createLocalBus } from '../core/bus/bus-local.js';
import { connectRemoteBus } from '../core/bus/bus-remote.js';
import type { Logger } from '../core/runtime/logger.js';
import { DurableStages } from '../core/runtime/durability.js';
import { createSupervisor, type Readiness } from '../core/runtime/supervisor.js';
import { expectStages, openIntakeJournal, runCheckpoints } from '../broker/journal/setup.js';
import { createTopics, type Topics } from '../core/topics.js';
import { registrations } from './components.js';

/**
 * How long `startBusbar` waits for its components to say they are ready. The broker already serves
 * by then; this bounds only how long a component stuck in its start keeps busbar from saying so.
 */
const READY_TIMEOUT_MS = 30_000;

export interface RunningBusbar {
  readonly broker: EmbeddedBroker | undefined;
  /** broker.users and broker.acl as reloaded (SIGHUP): the web server's logins follow them. */
  readonly credentials: LiveCredentials;
  readonly bus: Bus;
  readonly topics: Topics;
  /** Which components were ready when `startBusbar` returned, which had failed, which still starting. */
  readonly readiness: Readiness;
  /** Stops components (their queues drain), then the bus, then the broker's listeners. */
  stop(): Promise<void>;
}

/**
 * Starts busbar: the embedded broker (or a connection to a remote one), then every component, and
 * returns once they all take their inputs (or failed, or `readyTimeoutMs` passed): a message
 * published after that reaches every component.
 */
export async function startBusbar(
  config: Config,
  log: Logger,
  readyTimeoutMs = READY_TIMEOUT_MS,
): Promise<RunningBusbar> {
  const topics = createTopics(config.baseTopic);
  checkDescriptors(
    {
      ...(config.broker.enabled ? { 'broker.maxConnections': config.broker.maxConnections } : {}),
      ...(config.web.enabled ? { 'web.maxConnections': config.web.maxConnections } : {}),
    },
    log,
  );
  let broker: EmbeddedBroker | undefined;
  let bus: Bus;
  const journal = await openIntakeJournal(config, log);
  // Devices may connect at once; their messages wait until the components below have subscribed.
  const publishGate = createPublishGate();
  if (config.broker.enabled) {
    broker = await startBroker({
      config: config.broker,
      log,
      baseTopic: config.baseTopic,
      journal,
      publishGate,
    });
    bus = createLocalBus(broker.aedes, { log: log.child({ component: 'bus' }) });
  } else {
    bus = await connectRemoteBus(config.bus.remote!, { log: log.child({ component: 'bus' }) });
  }

  const durability = new DurableStages();
  expectStages(durability, config);
  const supervisor = createSupervisor({ bus, topics, log, durability });
  const credentials = new LiveCredentials({ users: config.broker.users, acl: config.broker.acl });
  for (const registration of registrations) {
    const section = registration.section(config, credentials);
    if (section !== undefined) supervisor.start(await registration.load(), registration.id, section as never);
  }
  const readiness = await supervisor.whenReady(readyTimeoutMs);
  supervisor.markStarted();
  publishGate.open();
  if (readiness.failed.length > 0) {
    log.error({ failed: readiness.failed }, 'components failed to start; they are retried after a backoff');
  }
  if (readiness.waiting.length > 0) {
    log.warn(
      { waiting: readiness.waiting, waitedMs: readyTimeoutMs },
      'components still starting; busbar runs without waiting for them',
    );
  }

  // After the components are ready: the journal's replay needs its stores subscribed.
  const checkpoints =
    journal && runCheckpoints(journal, durability, bus, config.broker.journal.checkpointInterval, log);

  return {
    broker,
    credentials,
    bus,
    topics,
    readiness,
    async stop() {
      // A last checkpoint while the stores still run; what arrives after it is replayed next time.
      await checkpoints?.stop();
      await supervisor.stop();
      await bus.close();
      await broker?.close();
      await journal?.close();
    },
  };
}
