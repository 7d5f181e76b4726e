/**
 * What the web shows about busbar itself, read from the bus like any client would: the retained
 * `<base>/stats/#` documents (health, /metrics), `<base>/status/#` (sources online or offline) and
 * `<base>/alarms/#` (alarm states; busbar's web does not depend on the alarms component, only on its topics).
 * Retained messages are state; an empty retained payload clears the entry.
 */
import type { Bus, BusSubscription } from '../core/bus.js';
import type { Topics } from '../core/topics.js';

export interface SourceStatus {
  readonly status: string;
  /** Milliseconds since the epoch when the status arrived (for retained ones: when busbar saw it). */
  readonly since: number;
}

/** A JSON object payload, or undefined for anything else (not ours to judge: it is left out). */
function parseObject(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export class BusState {
  /** Component id (`ingest`, `history`, `broker`, ...) → its last statistics document. */
  readonly stats = new Map<string, Record<string, unknown>>();
  readonly sources = new Map<string, SourceStatus>();
  /** `<rule>/<series>` → the alarm's last retained JSON state (as the alarms component publishes it). */
  readonly alarms = new Map<string, Record<string, unknown>>();
  private readonly subscriptions: BusSubscription[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly topics: Topics,
  ) {}

  async start(): Promise<void> {
    const statsPrefix = `${this.topics.base}/stats/`;
    const statusPrefix = `${this.topics.base}/status/`;
    const alarmsPrefix = `${this.topics.base}/alarms/`;
    this.subscriptions.push(
      await this.bus.subscribe(`${alarmsPrefix}#`, (message) => {
        const key = message.topic.slice(alarmsPrefix.length);
        const parsed = message.payload.length === 0 ? undefined : parseObject(message.payload);
        if (parsed) this.alarms.set(key, parsed);
        else this.alarms.delete(key);
      }),
    );
    this.subscriptions.push(
      await this.bus.subscribe(`${statsPrefix}#`, (message) => {
        const id = message.topic.slice(statsPrefix.length);
        // A stats topic that is not a JSON object is left out of /metrics and /health.
        const parsed = message.payload.length === 0 ? undefined : parseObject(message.payload);
        if (parsed) this.stats.set(id, parsed);
        else this.stats.delete(id);
      }),
    );
    this.subscriptions.push(
      await this.bus.subscribe(`${statusPrefix}+`, (message) => {
        const source = message.topic.slice(statusPrefix.length);
        if (message.payload.length === 0) return void this.sources.delete(source);
        this.sources.set(source, { status: message.payload.toString('utf8').trim(), since: Date.now() });
      }),
    );
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.subscriptions.map((subscription) => subscription.unsubscribe()));
  }
}
