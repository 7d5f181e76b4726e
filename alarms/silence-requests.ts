/**
 * Requests to add or remove a silence (<base>/control/silences, from `busbar silence`, the bot and
 * the web): each is applied to the silence store, logged, and its outcome published retained on
 * <base>/silences/<id> (the silence, or an empty payload when it is gone). Refusals are counted.
 */
import type { Logger } from '../core/runtime/logger.js';
import type { Topics } from '../core/topics.js';
import type { SilenceStore } from './dispatch/silences.js';
import type { AlarmPublisher } from './publisher.js';

export class SilenceRequests {
  refused = 0;
  /** Bumped when the silences change, so the state file is saved. */
  changes = 0;

  constructor(
    private readonly silences: SilenceStore,
    private readonly publisher: AlarmPublisher,
    private readonly topics: Topics,
    private readonly log: Logger,
  ) {}

  /** The silences restored from the state file and the config, and those that ended while down. */
  publishRestored(): void {
    for (const silence of this.silences.list()) this.publish(silence.id, JSON.stringify(silence));
    for (const id of this.silences.endedWhileDown) this.publish(id, '');
  }

  request(payload: Buffer, now: number): void {
    const outcome = this.silences.request(payload, now);
    if (outcome.kind === 'refused') {
      this.refused += 1;
      this.log.warn({ id: outcome.id, reason: outcome.reason }, 'silence request refused');
      return;
    }
    this.changes += 1;
    if (outcome.kind === 'added') {
      const { id, matchers, endsAt, createdBy } = outcome.silence;
      this.log.info({ id, matchers, endsAt, createdBy }, 'silence added');
      this.publish(id, JSON.stringify(outcome.silence));
    } else {
      this.log.info({ id: outcome.id }, 'silence removed');
      this.publish(outcome.id, '');
    }
  }

  /** Silences whose end has come. */
  expire(now: number): void {
    for (const id of this.silences.expire(now)) {
      this.log.info({ id }, 'silence ended');
      this.changes += 1;
      this.publish(id, '');
    }
  }

  private publish(id: string, payload: string): void {
    this.publisher.add({ topic: this.topics.silence(id), payload, retain: true });
  }
}
