import type { Config } from '../config/schema.js';
import { startBroker, type EmbeddedBroker } from '../broker/broker.js';
import type { Bus } from '../core/bus.js';
import { createLocalBus } from '../core/bus-local.js';
import { connectRemoteBus } from '../core/bus-remote.js';
import type { Logger } from '../core/logger.js';
import { createSupervisor } from '../core/supervisor.js';
import { createTopics, type Topics } from '../core/topics.js';
import { registrations } from './components.js';

export interface RunningBusbar {
  readonly broker: EmbeddedBroker | undefined;
  readonly bus: Bus;
  readonly topics: Topics;
  /** Stops components (their queues drain), then the bus, then the broker's listeners. */
  stop(): Promise<void>;
}

/** Starts busbar: the embedded broker (or a connection to a remote one), then every component. */
export async function startBusbar(config: Config, log: Logger): Promise<RunningBusbar> {
  const topics = createTopics(config.baseTopic);
  let broker: EmbeddedBroker | undefined;
  let bus: Bus;
  if (config.broker.enabled) {
    broker = await startBroker({ config: config.broker, log, baseTopic: config.baseTopic });
    bus = createLocalBus(broker.aedes, { log: log.child({ component: 'bus' }) });
  } else {
    bus = await connectRemoteBus(config.bus.remote!, { log: log.child({ component: 'bus' }) });
  }

  const supervisor = createSupervisor({ bus, topics, log });
  for (const registration of registrations) {
    const section = registration.section(config);
    if (section !== undefined) supervisor.start(await registration.load(), registration.id, section as never);
  }

  return {
    broker,
    bus,
    topics,
    async stop() {
      await supervisor.stop();
      await bus.close();
      await broker?.close();
    },
  };
}
