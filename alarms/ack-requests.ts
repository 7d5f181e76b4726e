/**
 * The alarms component's side of acknowledgement (ack.ts): requests on <base>/control/acks are taken
 * for firing alarms only, published retained on <base>/acks/<rule>/<series> and handed to the
 * notification stage (no repeats); an alarm leaving `firing` loses its acknowledgement. They are kept
 * in the state file and published again at start (a broker without persistence lost them), and the
 * retained ones are read back too. Refusals are logged and counted.
 */
import type { Logger } from '../core/runtime/logger.js';
import type { Topics } from '../core/topics.js';
import { ackKey, ackRequestSchema, parseAck, type Ack } from './ack.js';
import type { AlarmMessage } from './alarm.js';
import type { NotificationStage } from './dispatch/stage.js';
import type { AlarmPublisher } from './publisher.js';

export class AckRequests {
  refused = 0;
  /** Bumped when the acknowledgements change, so the state file is saved. */
  changes = 0;
  private readonly acks = new Map<string, Ack>();

  constructor(
    private readonly isFiring: (rule: string, series: string) => boolean,
    private readonly stage: NotificationStage,
    private readonly publisher: AlarmPublisher,
    private readonly topics: Topics,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.acks.size;
  }

  request(payload: Buffer, now: number): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.refuse(undefined, 'not JSON');
    }
    const request = ackRequestSchema.safeParse(parsed);
    if (!request.success) {
      const problem = request.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      return this.refuse(undefined, problem.join('; '));
    }
    const { rule, series } = request.data;
    if (!this.isFiring(rule, series)) return this.refuse(`${rule}/${series}`, 'the alarm is not firing');
    const ack: Ack = { ...request.data, at: new Date(now).toISOString() };
    this.log.info({ alarm: ackKey(ack), by: ack.by, comment: ack.comment }, 'alarm acknowledged');
    this.keep(ack);
    this.publisher.add({ topic: this.topics.ack(rule, series), payload: JSON.stringify(ack), retain: true });
  }

  /** Those of the state file: kept and published again while their alarm still fires. */
  restoreSaved(saved: readonly Ack[]): void {
    for (const ack of saved) {
      if (!this.isFiring(ack.rule, ack.series)) continue;
      this.keep(ack);
      this.publisher.add({
        topic: this.topics.ack(ack.rule, ack.series),
        payload: JSON.stringify(ack),
        retain: true,
      });
    }
  }

  /** What the state file keeps. */
  saved(): Ack[] {
    return [...this.acks.values()];
  }

  /** A retained acknowledgement from before a restart: kept while its alarm still fires. */
  restore(topic: string, payload: Buffer): void {
    const ack = parseAck(payload);
    if (!ack || this.acks.has(ackKey(ack))) return;
    if (this.isFiring(ack.rule, ack.series)) this.keep(ack);
    else this.publisher.add({ topic, payload: '', retain: true });
  }

  /** An alarm's state changed: one no longer firing loses its acknowledgement. */
  changed(message: AlarmMessage): void {
    const key = ackKey(message);
    if (message.state === 'firing' || !this.acks.has(key)) return;
    this.acks.delete(key);
    this.changes += 1;
    this.stage.acknowledge(key, undefined);
    this.log.info({ alarm: key, state: message.state }, 'acknowledgement cleared');
    this.publisher.add({ topic: this.topics.ack(message.rule, message.series), payload: '', retain: true });
  }

  private keep(ack: Ack): void {
    this.acks.set(ackKey(ack), ack);
    this.changes += 1;
    this.stage.acknowledge(ackKey(ack), ack);
  }

  private refuse(alarm: string | undefined, reason: string): void {
    this.refused += 1;
    this.log.warn({ alarm, reason }, 'acknowledgement refused');
  }
}
