/**
 * A full outbox never drops data silently: every drop is counted and logged, and an alarm event is
 * published retained on `<base>/alarms/outbox-full/<sink>` (firing), then resolved once the outbox
 * has drained below half its limit.
 */
import type { Bus } from '../../core/bus/bus.js';
import { errorMessage } from '../../core/runtime/errors.js';
import type { Logger } from '../../core/runtime/logger.js';
import type { Topics } from '../../core/topics.js';
import type { Dropped, OutboxDepth } from '../outbox/outbox.js';

export const OUTBOX_FULL_RULE = 'outbox-full';
/** While firing, the alarm is republished (with the new count) at most this often. */
const REPUBLISH_MS = 10_000;

export interface OutboxAlarm {
  dropped(dropped: Dropped, depth: OutboxDepth): void;
  /** Resolves the alarm once the outbox is below half its limit. */
  check(depth: OutboxDepth): void;
}

export function createOutboxAlarm(options: {
  sink: string;
  url: string;
  maxBytes: number;
  bus: Bus;
  topics: Topics;
  log: Logger;
}): OutboxAlarm {
  const { sink, url, maxBytes, bus, topics, log } = options;
  let firing: { since: string; lines: number; published: number } | undefined;

  const publish = (state: 'firing' | 'resolved', lines: number, since: string): void => {
    const event = {
      rule: OUTBOX_FULL_RULE,
      series: sink,
      state,
      value: lines,
      threshold: maxBytes,
      since,
      reason:
        state === 'firing'
          ? `outbox of ${sink} is full (${maxBytes} bytes): ${lines} lines for ${url} dropped, oldest first`
          : `outbox of ${sink} drained below half its limit`,
      at: new Date().toISOString(),
    };
    bus
      .publish(topics.alarm(OUTBOX_FULL_RULE, sink), JSON.stringify(event), { retain: true, qos: 1 })
      .catch((error: unknown) =>
        log.error({ reason: errorMessage(error) }, 'could not publish the outbox-full alarm'),
      );
  };

  return {
    dropped(dropped, depth) {
      const now = Date.now();
      log.error(
        {
          url,
          droppedLines: dropped.lines,
          droppedBatches: dropped.batches,
          outboxBytes: depth.bytes,
          maxBytes,
        },
        `outbox full: dropped the oldest ${dropped.lines} lines for ${url}`,
      );
      if (firing === undefined) firing = { since: new Date(now).toISOString(), lines: 0, published: 0 };
      firing.lines += dropped.lines;
      if (now - firing.published >= REPUBLISH_MS) {
        firing.published = now;
        publish('firing', firing.lines, firing.since);
      }
    },
    check(depth) {
      if (firing === undefined || depth.bytes > maxBytes / 2) return;
      publish('resolved', firing.lines, firing.since);
      log.info({ url, droppedLines: firing.lines }, 'outbox drained; outbox-full alarm resolved');
      firing = undefined;
    },
  };
}
