/**
 * The host agent: runs each enabled collector on its own aligned schedule, buffers every sample in
 * the outbox and lets the sender deliver it; states `online` at start and `offline` on a clean stop,
 * and keeps the inventory current. The same code runs inside `busbar start` (a component on the
 * in-process bus) and standalone (`busbar agent`, its own MQTT connection).
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from '../../core/runtime/logger.js';
import type { Topics } from '../../core/topics.js';
import { busbarVersion } from '../../core/runtime/version.js';
import { errorMessage } from '../../core/runtime/errors.js';
import type { AgentConfig } from './config-schema.js';
import { plannedCollectors, type PlannedCollector } from './collectors/index.js';
import { readHostFacts } from './host-facts.js';
import { buildInventory, inventoryJson, readInventory } from './inventory.js';
import type { AgentLink } from './link.js';
import { Outbox } from './outbox.js';
import type { HostFacts } from './readings.js';
import { CollectorRunner } from './runner.js';
import { everyTick } from './schedule.js';
import { Sender } from './sender.js';
import { agentStatsCollector } from './stats.js';
import { SingleFlight, settleWithin } from './timeout.js';
import { aborted } from '../../core/util/abortable.js';

/** On a clean stop: time to deliver what is buffered, then to publish `offline`. */
const STOP_FLUSH_MS = 3_000;
const STOP_STATUS_MS = 2_000;
/** A sample still running when the stop comes is given this long before it is abandoned. */
const STOP_SAMPLES_MS = 1_000;

export interface HostAgentOptions {
  readonly config: AgentConfig;
  /** Source name in topics and the `host` tag. */
  readonly source: string;
  readonly topics: Topics;
  readonly link: AgentLink;
  readonly log: Logger;
  /** Replace the host probes (tests replay recorded readings, or a probe that never returns). */
  readonly collectors?: PlannedCollector[];
  readonly inventory?: () => Promise<object>;
  readonly facts?: HostFacts;
  /** Called once the collectors are scheduled (busbar start's readiness). */
  readonly started?: () => void;
}

/** Messages the outbox holds: `buffer` worth of samples of every collector, one message per measurement. */
export function outboxCapacity(bufferMs: number, planned: readonly PlannedCollector[]): number {
  return planned.reduce(
    (sum, { collector, intervalMs }) =>
      sum + Math.max(1, Math.ceil(bufferMs / intervalMs)) * Math.max(1, collector.measurements.length),
    0,
  );
}

/** Runs until `signal` aborts, then delivers what it can, publishes `offline` and returns. */
export async function runHostAgent(options: HostAgentOptions, stopSignal: AbortSignal): Promise<void> {
  const { config, source, topics, link, log } = options;
  // One listener on the caller's signal; every schedule listens to this one, which may have many.
  const controller = new AbortController();
  const signal = controller.signal;
  setMaxListeners(Number.POSITIVE_INFINITY, signal);
  if (stopSignal.aborted) controller.abort();
  else stopSignal.addEventListener('abort', () => controller.abort(), { once: true });
  const facts = options.facts ?? (await readHostFacts(log));
  const planned = [...(options.collectors ?? plannedCollectors(config, facts))];
  const runners = planned.map(
    ({ collector, intervalMs, timeoutMs }) =>
      new CollectorRunner({ collector, intervalMs, timeoutMs, source, topics, log }),
  );
  const statsPlan: PlannedCollector = {
    collector: agentStatsCollector(() => ({
      buffered: outbox.size,
      bufferCapacity: outbox.capacity,
      bufferDropped: outbox.dropped,
      published: sender.published,
      collectors: runners.map((runner) => ({ name: runner.name, counters: runner.counters })),
    })),
    intervalMs: config.interval,
    timeoutMs: config.timeout,
  };
  runners.push(new CollectorRunner({ ...statsPlan, source, topics, log }));
  const outbox = new Outbox(outboxCapacity(config.buffer, [...planned, statsPlan]), config.bufferSize);
  const sender = new Sender({
    link,
    outbox,
    log,
    statusTopic: topics.status(source),
    inventoryTopic: topics.inventory(source),
  });
  log.info(
    {
      source,
      collectors: runners.map((runner) => `${runner.name}@${runner.options.intervalMs}ms`),
      bufferCapacity: outbox.capacity,
    },
    'host agent starting',
  );
  sender.kick(); // `online` first, before any sample
  options.started?.();

  // Rates need a previous reading: the first one only primes the collectors' state.
  await Promise.all(runners.map((runner) => runner.sample(Date.now())));

  const loops = runners.map((runner) =>
    everyTick(runner.options.intervalMs, signal, async (tickMs) => {
      for (const message of await runner.sample(tickMs)) outbox.push(message);
      sender.kick();
    }),
  );
  const inventory =
    options.inventory ?? (async () => buildInventory(await readInventory(), source, busbarVersion()));
  loops.push(keepInventory(inventory, config, sender, log, signal));

  await aborted(signal);
  await settleWithin(Promise.all(loops), STOP_SAMPLES_MS);
  await sender.flush(STOP_FLUSH_MS);
  const offline = await sender.stop(STOP_STATUS_MS);
  log.info({ offline, undelivered: outbox.size, dropped: outbox.dropped }, 'host agent stopped');
}

/** Reads the inventory now and every `inventoryInterval`; the sender republishes it when it changed. */
async function keepInventory(
  read: () => Promise<object>,
  config: AgentConfig,
  sender: Sender,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  const reads = new SingleFlight<object>();
  const once = async (): Promise<void> => {
    // A reading that never returned is not started again (see timeout.ts); it counts as a timeout.
    const reading = reads.start('inventory', read);
    const outcome =
      reading === undefined ? { status: 'timeout' as const } : await settleWithin(reading, config.timeout);
    if (outcome.status === 'ok') sender.setInventory(inventoryJson(outcome.value));
    else
      log.warn(
        {
          reason:
            outcome.status === 'error'
              ? errorMessage(outcome.error)
              : `no answer within ${config.timeout} ms`,
        },
        'could not read the inventory; keeping the last one',
      );
  };
  await once();
  await everyTick(config.inventoryInterval, signal, once);
}
