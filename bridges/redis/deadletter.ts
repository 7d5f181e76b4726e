/**
 * A key whose value cannot become a metric: counted by the caller, logged (at most once per key and
 * reason every 10 minutes) and republished on `<base>/deadletter/redis-value` with the key's name,
 * at most `perSecond` per second, so a category of broken keys cannot flood the bus. What the rate
 * limit held back is still counted by reason (`deadletterSuppressedByReason`), as every refusal is
 * in its selection's `refused` counters.
 */
import type { Bus } from '../../core/bus/bus.js';
import { errorMessage } from '../../core/runtime/errors.js';
import type { Logger } from '../../core/runtime/logger.js';
import { TokenBucket } from '../../core/util/rate-limit.js';
import type { Topics } from '../../core/topics.js';
import type { PeriodicLog } from '../../core/util/log-throttle.js';
import type { RefusalCode } from './refusals.js';

/** Values longer than this are cut in the dead letter. */
const MAX_VALUE_CHARS = 4 * 1024;

export const DEADLETTER_REASON = 'redis-value';

export interface BadValue {
  readonly selection: string;
  readonly key: string;
  readonly code: RefusalCode;
  readonly reason: string;
  readonly value: unknown;
}

export function createRedisDeadletter(options: {
  bus: Bus;
  topics: Topics;
  log: Logger;
  throttle: PeriodicLog;
  perSecond: number;
}): {
  send(bad: BadValue): void;
  suppressed(): number;
  suppressedByReason(): Partial<Record<RefusalCode, number>>;
} {
  const budget = new TokenBucket(options.perSecond);
  let suppressed = 0;
  const byReason: Partial<Record<RefusalCode, number>> = {};
  return {
    send(bad) {
      options.throttle.run(`bad ${bad.key} ${bad.reason}`, (held) =>
        options.log.warn(
          { selection: bad.selection, key: bad.key, suppressed: held },
          `Redis key ${bad.key} (${bad.selection}) skipped: ${bad.reason}`,
        ),
      );
      if (!budget.take()) {
        suppressed++;
        byReason[bad.code] = (byReason[bad.code] ?? 0) + 1;
        return;
      }
      const text = typeof bad.value === 'string' ? bad.value : JSON.stringify(bad.value);
      const record = {
        key: bad.key,
        selection: bad.selection,
        code: bad.code,
        reason: bad.reason,
        value: text.slice(0, MAX_VALUE_CHARS),
        truncated: text.length > MAX_VALUE_CHARS,
        receivedAt: new Date().toISOString(),
      };
      options.bus
        .publish(options.topics.deadletter(DEADLETTER_REASON), JSON.stringify(record))
        .catch((error: unknown) => {
          options.log.error({ reason: errorMessage(error) }, 'could not publish a Redis dead letter');
        });
    },
    suppressed: () => suppressed,
    suppressedByReason: () => ({ ...byReason }),
  };
}
