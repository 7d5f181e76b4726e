/**
 * Lines a database refused for good, republished on `<base>/deadletter/sink-rejected` with the
 * server's reason (the same record shape as ingest's dead letters, plus the sink's id), and logged.
 * Both are rate-limited: a batch of thousands of conflicting lines must not flood the bus or the logs.
 */
import type { Bus } from '../../core/bus/bus.js';
import { errorMessage } from '../../core/runtime/errors.js';
import type { Logger } from '../../core/runtime/logger.js';
import { LogThrottle } from '../../core/util/log-throttle.js';
import { TokenBucket } from '../../core/util/rate-limit.js';
import type { Topics } from '../../core/topics.js';
import type { SinkStats } from './sink-stats.js';

export const SINK_REJECTED = 'sink-rejected';
const PUBLISH_PER_SECOND = 100;
const PUBLISH_BURST = 1_000;

export function createSinkDeadletter(options: {
  sink: string;
  bus: Bus;
  topics: Topics;
  log: Logger;
  stats: SinkStats;
}): (line: string, reason: string) => void {
  const { sink, bus, topics, log, stats } = options;
  const publishBudget = new TokenBucket(PUBLISH_PER_SECOND, PUBLISH_BURST);
  const logThrottle = new LogThrottle(1, 5);
  return (line, reason) => {
    const suppressed = logThrottle.admit();
    if (suppressed !== undefined) {
      log.warn({ reason, line, suppressed }, `line refused by the database, dead-lettered: ${reason}`);
    }
    if (!publishBudget.take()) {
      stats.deadletterSuppressed++;
      return;
    }
    const record = {
      sink,
      reason: SINK_REJECTED,
      detail: reason,
      payload: line,
      encoding: 'utf8',
      truncated: false,
      receivedAt: new Date().toISOString(),
    };
    bus.publish(topics.deadletter(SINK_REJECTED), JSON.stringify(record)).catch((error: unknown) => {
      log.error({ reason: errorMessage(error) }, 'could not publish dead letter');
    });
  };
}
