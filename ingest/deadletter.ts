import type { Bus } from '../core/bus/bus.js';
import { errorMessage } from '../core/runtime/errors.js';
import type { Logger } from '../core/runtime/logger.js';
import { LogThrottle } from '../core/util/log-throttle.js';
import { TokenBucket } from '../core/util/rate-limit.js';
import type { Topics } from '../core/topics.js';
import type { Rejection } from './decoded.js';
import type { IngestStats } from './stats.js';

/** Dead-letter payloads larger than this are cut; the record says so. */
const MAX_DEADLETTER_PAYLOAD = 16 * 1024;

/**
 * Records a refused payload: counts it, logs it (bounded), and republishes it with its reason on
 * `<base>/deadletter/<reason>` (bounded) so an operator can see exactly what a device sent.
 */
export function createDeadletter(options: {
  bus: Bus;
  topics: Topics;
  log: Logger;
  stats: IngestStats;
  perSecond: number;
}): (topic: string, payload: Buffer, rejection: Rejection) => void {
  const { bus, topics, log, stats } = options;
  const publishBudget = new TokenBucket(options.perSecond);
  const logThrottle = new LogThrottle(options.perSecond, Math.max(1, options.perSecond));

  return (topic, payload, rejection) => {
    stats.countRejection(rejection.reason);
    const suppressed = logThrottle.admit();
    if (suppressed !== undefined) {
      log.warn(
        { topic, reason: rejection.reason, detail: rejection.detail, suppressed },
        `payload refused on ${topic}: ${rejection.detail}`,
      );
    }
    if (!publishBudget.take()) {
      stats.deadletterSuppressed++;
      return;
    }
    const cut = payload.length > MAX_DEADLETTER_PAYLOAD;
    const body = cut ? payload.subarray(0, MAX_DEADLETTER_PAYLOAD) : payload;
    const text = body.toString('utf8');
    const isText = !text.includes('\uFFFD');
    const record = {
      topic,
      reason: rejection.reason,
      detail: rejection.detail,
      payload: isText ? text : body.toString('base64'),
      encoding: isText ? 'utf8' : 'base64',
      truncated: cut,
      receivedAt: new Date().toISOString(),
    };
    stats.deadlettered++;
    bus.publish(topics.deadletter(rejection.reason), JSON.stringify(record)).catch((error: unknown) => {
      log.error({ reason: errorMessage(error) }, 'could not publish dead letter');
    });
  };
}
