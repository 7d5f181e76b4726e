/**
 * The router: matches each message against the routes, renders the title and message for each
 * target's format and queues it on the target. A notification a target could not deliver goes to
 * the route's failover targets in order; one that no target could take is counted in `lost` and
 * logged as an error, never dropped silently. A single alarm's state change that an active silence
 * matches is not sent (silenced-alarms.ts) unless the route says `sendSilenced`.
 */
import type { Bus } from '../../core/bus.js';
import type { Logger } from '../../core/logger.js';
import { createTopics, type Topics } from '../../core/topics.js';
import type { NotifiersConfig, RouteConfig } from '../config.js';
import { services, type ServiceName } from '../services/index.js';
import type { Notification, NotifierService, Target } from '../services/service.js';
import { TargetQueue, type FailureReason, type TargetStats } from './delivery.js';
import type { DeliveryRecord } from './record.js';
import { isAlarmMessage } from '../alarm-payload.js';
import { compileRouteFilter } from './filter.js';
import { SilencedAlarms } from './silenced-alarms.js';
import { compileMessageTemplate, type CompiledTemplate, type TemplateValues } from './template.js';

interface CompiledRoute {
  readonly config: RouteConfig;
  readonly matches: (topic: string, levels: readonly string[], payload: unknown) => boolean;
  readonly title: CompiledTemplate;
  readonly message: CompiledTemplate;
}

/** A notification before rendering, with where it still may go. */
interface Pending {
  readonly id: string;
  readonly route: CompiledRoute;
  readonly values: TemplateValues;
  /** Failover targets not tried yet, in order. */
  readonly failover: readonly string[];
}

/** What targets may use besides their config. */
export interface RouterEnvironment {
  readonly log: Logger;
  readonly bus: Bus;
  /** Default: the `busbar` base topic. */
  readonly topics?: Topics;
  /** The history store file (charts); undefined when the store is off. */
  readonly historyPath?: string | undefined;
  readonly record?: DeliveryRecord;
}

export interface RouterStats {
  readonly targets: Record<string, TargetStats & { queued: number }>;
  /** Notifications that went to a failover target. */
  readonly failedOver: number;
  /** Notifications no target (primary or failover) could take. */
  readonly lost: number;
  /** Alarm state changes not sent because an active silence matched them (counted per route). */
  readonly silenced: number;
  /** Silences the router knows of (published ones, ended or not). */
  readonly silences: number;
}

function parsePayload(payload: Buffer): unknown {
  const text = payload.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export class Router {
  private readonly routes: CompiledRoute[];
  private readonly queues = new Map<string, TargetQueue>();
  private readonly pending = new WeakMap<Notification, Pending>();
  private sequence = 0;
  private failedOver = 0;
  private lost = 0;
  private silenced = 0;
  /** The active silences (the notifiers component feeds them from `<base>/silences/+`). */
  readonly silences = new SilencedAlarms();

  private readonly log: Logger;
  /** When given, queued notifications survive a restart (see record.ts). */
  private readonly record: DeliveryRecord | undefined;

  constructor(config: NotifiersConfig, environment: RouterEnvironment) {
    const { log, bus } = environment;
    this.log = log;
    this.record = environment.record;
    const topics = environment.topics ?? createTopics();
    for (const name of Object.keys(services) as ServiceName[]) {
      const service = services[name] as NotifierService<unknown>;
      for (const [targetName, targetConfig] of Object.entries(config.services[name])) {
        const id = `${name}:${targetName}`;
        const target: Target = service.create({
          id,
          config: targetConfig,
          log: log.child({ target: id }),
          bus,
          topics,
          historyPath: environment.historyPath,
        });
        const queue = new TargetQueue(
          id,
          target,
          config.targetDelivery[id] ?? config.delivery,
          log,
          (notification, reason) => this.failed(id, notification, reason),
          (notification) => this.record?.done(notification.id, id, 'delivered'),
        );
        this.queues.set(id, queue);
      }
    }
    this.routes = config.routes.map((route) => ({
      config: route,
      matches: compileRouteFilter(route),
      title: compileMessageTemplate(route.title),
      message: compileMessageTemplate(route.message),
    }));
  }

  /**
   * Queues again what the delivery record holds as still queued from the previous run; returns how
   * many. A notification whose route no longer exists is counted as lost and logged.
   */
  resume(): number {
    const entries = this.record?.pending() ?? [];
    for (const entry of entries) {
      const route = this.routes.find((candidate) => candidate.config.name === entry.route);
      if (!route) {
        this.lost += 1;
        this.record?.done(entry.id, entry.target, 'failed');
        this.log.error({ id: entry.id, route: entry.route }, 'notification lost: its route is gone');
        continue;
      }
      const values: TemplateValues = {
        topic: entry.topic,
        levels: entry.topic.split('/'),
        payload: entry.payload,
      };
      this.send(entry.target, { id: entry.id, route, values, failover: entry.failover });
    }
    return entries.length;
  }

  /** The topic filters to subscribe to, one per route (duplicates removed). */
  get filters(): string[] {
    return [...new Set(this.routes.map((route) => route.config.topic))];
  }

  /** Routes one message; returns how many notifications were queued. */
  route(topic: string, payload: Buffer): number {
    const levels = topic.split('/');
    const parsed = parsePayload(payload);
    // An alarm state published again at start (the broker had lost it) is state, not news.
    if (isAlarmMessage(parsed) && parsed.restored === true) return 0;
    let muted: boolean | undefined; // asked once, and only when a route matches
    let queued = 0;
    for (const route of this.routes) {
      if (!route.matches(topic, levels, parsed)) continue;
      if (!route.config.sendSilenced && isAlarmMessage(parsed)) {
        muted ??= this.silences.mutes(parsed, Date.now());
        if (muted) {
          this.silenced += 1;
          this.log.debug({ route: route.config.name, topic }, 'silenced alarm not sent');
          continue;
        }
      }
      this.sequence += 1;
      const id = `${route.config.name}/${Date.now().toString(36)}-${this.sequence}`;
      const values: TemplateValues = { topic, levels, payload: parsed };
      for (const target of route.config.targets) {
        this.send(target, { id, route, values, failover: route.config.failover });
        queued += 1;
      }
    }
    return queued;
  }

  stats(): RouterStats {
    const targets: RouterStats['targets'] = {};
    for (const [id, queue] of this.queues) targets[id] = { ...queue.stats, queued: queue.queued };
    return {
      targets,
      failedOver: this.failedOver,
      lost: this.lost,
      silenced: this.silenced,
      silences: this.silences.size,
    };
  }

  async stop(): Promise<void> {
    // Every queue stops together. What is still queued stays in the delivery record for the next
    // run; without a record it is counted as lost and logged, never dropped silently.
    await Promise.all([...this.queues.values()].map((queue) => queue.stop()));
  }

  private send(targetId: string, pending: Pending): void {
    const queue = this.queues.get(targetId);
    if (!queue) {
      // The schema checks references; this guards a programming error, and still counts it.
      this.lost += 1;
      this.log.error({ target: targetId, id: pending.id }, 'notification for an unknown target');
      return;
    }
    const { route, values } = pending;
    const format = queue.target.format;
    const notification: Notification = {
      id: pending.id,
      route: route.config.name,
      topic: values.topic,
      title: route.title.render(values, format),
      message: route.message.render(values, format),
      plain: { title: route.title.render(values, 'plain'), message: route.message.render(values, 'plain') },
      priority: route.config.priority,
      payload: values.payload,
    };
    this.pending.set(notification, pending);
    this.record?.queued({
      id: pending.id,
      target: targetId,
      route: route.config.name,
      topic: values.topic,
      payload: values.payload,
      failover: pending.failover,
    });
    queue.enqueue(notification);
  }

  private failed(targetId: string, notification: Notification, reason: FailureReason): void {
    if (reason === 'stopped' && this.record) return; // kept as queued for the next run
    this.record?.done(notification.id, targetId, 'failed');
    const pending = this.pending.get(notification);
    const [next, ...rest] = pending?.failover ?? [];
    if (!pending || next === undefined) {
      this.lost += 1;
      this.log.error(
        { target: targetId, id: notification.id, route: notification.route, reason },
        'notification lost: no failover target left',
      );
      return;
    }
    this.failedOver += 1;
    this.log.warn(
      { target: targetId, id: notification.id, reason, failover: next },
      'notification failing over',
    );
    this.send(next, { ...pending, failover: rest });
  }
}
