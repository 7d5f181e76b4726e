/**
 * What the web shows about busbar itself, read from the bus like any client would: the retained
 * `<base>/stats/#` documents (health, /metrics), `<base>/status/#` (sources online or offline),
 * `<base>/alarms/#` (alarm states), `<base>/silences/+` (active silences), `<base>/acks/#` (who
 * acknowledged which firing alarm), `<base>/broker/clients`
 * and `<base>/inventory/+` (each source's machine facts, for its page)
 * (busbar's web does not depend on the alarms component or the broker, only on their topics).
 * Retained messages are state; an empty retained payload clears the entry. `changes` tells live
 * pages (events.ts) which part changed.
 */
import { EventEmitter } from 'node:events';
import { silenceTopicUpdate } from '../alarms/silence-client.js';
import type { Silence } from '../alarms/silence.js';
import { ackKey, parseAck, type Ack } from '../alarms/ack.js';
import type { Bus, BusSubscription } from '../core/bus/bus.js';
import type { Topics } from '../core/topics.js';
import { withSilences } from './silenced.js';
import { BrokerRates } from './broker-rates.js';
import { ClientRates } from './client-rates.js';

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

/** The parts of the state a live page can follow. */
export type StatePart = 'alarms' | 'silences' | 'stats' | 'clients' | 'rates';

/** A JSON array of objects (the broker's client list), or undefined. */
function parseList(payload: Buffer): Record<string, unknown>[] | undefined {
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    return Array.isArray(parsed) ? parsed.filter((entry) => entry && typeof entry === 'object') : undefined;
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
  /** Silence id → the active silence, as the alarms component publishes it. */
  readonly silences = new Map<string, Silence>();
  /** Topic → the acknowledgement of a firing alarm; shown with the alarms (a change of `alarms`). */
  readonly acks = new Map<string, Ack>();
  /** The broker's messages per second, timed by this server (broker-rates.ts). */
  readonly brokerRates = new BrokerRates();
  /** The broker's client list with each client's receive rate (client-rates.ts). */
  private readonly clientRates = new ClientRates();
  /** Source → its inventory (agents/host/inventory.ts), the retained JSON object. */
  readonly inventories = new Map<string, Record<string, unknown>>();
  /** Emits a StatePart each time that part changes. */
  readonly changes = new EventEmitter();
  private readonly subscriptions: BusSubscription[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly topics: Topics,
  ) {
    // One listener per open live page: no leak to warn about.
    this.changes.setMaxListeners(0);
  }

  async start(): Promise<void> {
    this.subscriptions.push(
      await this.bus.subscribe(this.topics.allAlarms, (message) => {
        const key = this.topics.levelsAfter('alarms', message.topic);
        const parsed = message.payload.length === 0 ? undefined : parseObject(message.payload);
        if (parsed) this.alarms.set(key, parsed);
        else this.alarms.delete(key);
        this.changed('alarms');
      }),
    );
    this.subscriptions.push(
      await this.bus.subscribe(this.topics.allSilences, (message) => {
        const { id, silence } = silenceTopicUpdate(message);
        if (silence) this.silences.set(id, silence);
        else this.silences.delete(id);
        this.changed('silences');
      }),
    );
    this.subscriptions.push(
      await this.bus.subscribe(this.topics.allAcks, (message) => {
        const ack = parseAck(message.payload);
        if (ack) this.acks.set(message.topic, ack);
        else this.acks.delete(message.topic);
        this.changed('alarms');
      }),
    );
    this.subscriptions.push(
      await this.bus.subscribe(this.topics.brokerClients, (message) => {
        this.clientRates.update((message.payload.length > 0 && parseList(message.payload)) || [], Date.now());
        this.changed('clients');
      }),
    );
    this.subscriptions.push(
      await this.bus.subscribe(this.topics.allStats, (message) => {
        const id = this.topics.levelsAfter('stats', message.topic);
        // A stats topic that is not a JSON object is left out of /metrics and /health.
        const parsed = message.payload.length === 0 ? undefined : parseObject(message.payload);
        if (parsed) this.stats.set(id, parsed);
        else this.stats.delete(id);
        this.changed('stats');
        if (id === 'broker' && parsed) this.brokerStatsArrived(parsed, Date.now());
      }),
    );
    this.subscriptions.push(
      await this.bus.subscribe(this.topics.allStatuses, (message) => {
        const source = this.topics.levelsAfter('status', message.topic);
        if (message.payload.length === 0) return void this.sources.delete(source);
        this.sources.set(source, { status: message.payload.toString('utf8').trim(), since: Date.now() });
      }),
    );
    this.subscriptions.push(
      await this.bus.subscribe(this.topics.allInventories, (message) => {
        const source = this.topics.levelsAfter('inventory', message.topic);
        const parsed = message.payload.length === 0 ? undefined : parseObject(message.payload);
        if (parsed) this.inventories.set(source, parsed);
        else this.inventories.delete(source);
      }),
    );
  }

  /** The broker's connected clients (broker/clients-publisher.ts), with their receive rates. */
  get brokerClients(): Record<string, unknown>[] {
    return this.clientRates.clients;
  }

  private brokerStatsArrived(stats: Record<string, unknown>, atMs: number): void {
    if (this.brokerRates.add(stats, atMs)) this.changed('rates');
    if (this.clientRates.statsArrived(atMs)) this.changed('clients');
  }

  /**
   * Resolves once `holds()` is true, checking after each change of `part`; false after `timeoutMs`.
   * Lets a write answer only once this state (what the next GET reads) shows it.
   */
  async until(part: StatePart, holds: () => boolean, timeoutMs: number): Promise<boolean> {
    if (holds()) return true;
    return new Promise((resolve) => {
      const check = (): void => {
        if (!holds()) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (result: boolean): void => {
        clearTimeout(timer);
        this.changes.off(part, check);
        resolve(result);
      };
      this.changes.on(part, check);
    });
  }

  /** The acknowledgement of the alarm `<rule>/<series>`, if someone acknowledged it. */
  ackOf(rule: string, series: string): Ack | undefined {
    return this.acks.get(this.topics.ack(rule, series));
  }

  /** Every alarm as the alarms page and the API show it: with its silences and acknowledgement. */
  alarmsView(now = Date.now()): Record<string, unknown>[] {
    const acks = new Map([...this.acks.values()].map((ack) => [ackKey(ack), ack]));
    return withSilences(this.alarms.values(), this.silences.values(), now).map((alarm) => ({
      ...alarm,
      ack: acks.get(`${String(alarm.rule)}/${String(alarm.series)}`) ?? null,
    }));
  }

  private changed(part: StatePart): void {
    this.changes.emit(part);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.subscriptions.map((subscription) => subscription.unsubscribe()));
  }
}
