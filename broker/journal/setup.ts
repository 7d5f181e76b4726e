/**
 * Decides whether this process journals, and runs the journal's checkpoints. The journal is worth
 * its disk writes only where a durable store runs in the same process as the embedded broker: the
 * history store, or an InfluxDB sink with `durable: true`. Without one, a PUBACK means the message
 * is in busbar's memory (see the delivery guarantees in docs/concepts.md).
 */
import { join } from 'node:path';
import type { Config } from '../../config/schema.js';
import type { Bus } from '../../core/bus/bus.js';
import type { DurableStages } from '../../core/runtime/durability.js';
import { errorMessage } from '../../core/runtime/errors.js';
import { compileRule } from '../../ingest/rule.js';
import type { Logger } from '../../core/runtime/logger.js';
import { topicMatches } from '../../core/topic-match.js';
import { createTopics } from '../../core/topics.js';
import { repeat } from '../../sinks/lifecycle.js';
import { IntakeJournal } from './journal.js';
import { replayJournal } from './replay.js';

/** How many durable stores this config runs beside the embedded broker. */
export function durableStoreCount(config: Config): number {
  const { history, influxdb, influxdb1 } = config.sinks;
  return [history.enabled, influxdb?.durable === true, influxdb1?.durable === true].filter(Boolean).length;
}

/** Tells `stages` which stages this config runs (see DurableStages.expect). */
export function expectStages(stages: DurableStages, config: Config): void {
  stages.expect('store', durableStoreCount(config));
  stages.expect('transform', config.ingest.rules.length > 0 ? 1 : 0);
}

/** Opens the journal when the config asks for it and it can help; undefined otherwise. */
export async function openIntakeJournal(config: Config, log: Logger): Promise<IntakeJournal | undefined> {
  const settings = config.broker.journal;
  if (!config.broker.enabled || !settings.enabled || durableStoreCount(config) === 0) return undefined;
  const metricsPrefix = createTopics(config.baseTopic).allMetrics.slice(0, -1); // `<base>/metrics/`
  const ruleFilters = config.ingest.rules.map((rule, index) => compileRule(rule, index).filter);
  const wants = (topic: string): boolean =>
    topic.startsWith(metricsPrefix) || ruleFilters.some((filter) => topicMatches(filter, topic));
  const journal = await IntakeJournal.open({
    path: settings.path,
    fsync: settings.fsync,
    wants,
    log: log.child({ component: 'journal' }),
  });
  log.info(
    { path: join(settings.path), fsync: settings.fsync, recoveredSegments: journal.recoveredFiles.length },
    'intake journal open: QoS 1/2 metric messages are on disk before they are acknowledged',
  );
  return journal;
}

/**
 * Replays what a crash left (the components must be ready), then checkpoints every `intervalMs`
 * until `stop`, which runs a last checkpoint.
 */
export function runCheckpoints(
  journal: IntakeJournal,
  stages: DurableStages,
  bus: Bus,
  intervalMs: number,
  log: Logger,
): { stop(): Promise<void> } {
  let checkpoints: { stop(): Promise<void> } | undefined;
  // A failed replay leaves its segments in place (they are not forgotten in this run); the new
  // messages are still checkpointed. A checkpoint never rejects: it logs and counts its failures.
  const started = replayJournal(journal, bus, log.child({ component: 'journal' }))
    .catch((error: unknown) =>
      log.error(
        { reason: errorMessage(error) },
        'journal replay failed; its segments are kept for the next start',
      ),
    )
    .then(() => {
      checkpoints = repeat(
        intervalMs,
        () => journal.checkpoint(stages),
        () => undefined,
      );
    });
  return {
    async stop() {
      await started;
      await checkpoints?.stop();
      await journal.checkpoint(stages);
    },
  };
}
