/**
 * What the alarms component reads from the bus: every metric (rules and recording rules), source
 * statuses (offline rules), silence and acknowledgement requests (and the acknowledgements kept
 * retained from before a restart), and the notifiers' receipts (a group is told only on a
 * `delivered` one, notify/told.ts). Each handler changes state, then flushes the publisher, so what
 * the change produced goes out before the next message's.
 */
import type { Bus, BusSubscription } from '../core/bus/bus.js';
import { decodeCanonical } from '../ingest/canonical.js';
import type { Logger } from '../core/runtime/logger.js';
import { receivedAt } from '../core/bus/receive-time.js';
import type { Topics } from '../core/topics.js';
import type { AlarmEngine } from './engine.js';
import type { NotificationStage } from './dispatch/stage.js';
import { parseReceipt } from './dispatch/told.js';
import type { AlarmPublisher } from './publisher.js';
import type { Recorder } from './record.js';
import type { SilenceRequests } from './silence-requests.js';
import type { AckRequests } from './ack-requests.js';

export interface AlarmInputs {
  readonly bus: Bus;
  readonly topics: Topics;
  readonly log: Logger;
  readonly engine: AlarmEngine;
  readonly recorder: Recorder;
  readonly requests: SilenceRequests;
  readonly acks: AckRequests;
  readonly stage: NotificationStage;
  readonly publisher: AlarmPublisher;
}

export async function subscribeInputs(inputs: AlarmInputs): Promise<BusSubscription[]> {
  const { bus, topics, log, engine, recorder, requests, acks, stage, publisher } = inputs;
  return [
    // Not async: a point that changed no alarm leaves nothing to publish and costs no promise.
    await bus.subscribe(topics.allMetrics, (message) => {
      const now = Date.now();
      const decoded = decodeCanonical(topics, message.topic, message.payload, receivedAt(message));
      for (const metric of decoded.metrics) {
        engine.observe(decoded.source, metric, now);
        recorder.observe(message.topic, metric, now);
      }
      return publisher.flush();
    }),
    await bus.subscribe(topics.allStatuses, async (message) => {
      const source = topics.levelsAfter('status', message.topic);
      engine.status(source, message.payload.toString('utf8').trim(), Date.now());
      await publisher.flush();
    }),
    await bus.subscribe(topics.silenceRequests, async (message) => {
      requests.request(message.payload, Date.now());
      await publisher.flush();
    }),
    await bus.subscribe(topics.ackRequests, async (message) => {
      acks.request(message.payload, Date.now());
      await publisher.flush();
    }),
    // Retained: those of the previous run (a live one is this component's own, already kept).
    await bus.subscribe(topics.allAcks, async (message) => {
      if (!message.retain) return;
      acks.restore(message.topic, message.payload);
      await publisher.flush();
    }),
    await bus.subscribe(topics.allNotified, (message) => {
      const receipt = parseReceipt(message.payload);
      if (!receipt) return log.warn({ topic: message.topic }, 'notification receipt unreadable, ignored');
      if (!stage.receipt(receipt)) log.debug(receipt, 'receipt for a message no longer awaited');
    }),
  ];
}
