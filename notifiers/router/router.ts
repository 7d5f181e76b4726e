/**
 * The router: matches each message against the routes, renders the title and message for each
 * target's format and queues it on the target. A notification is delivered or visibly dead: it is
 * retried until a target accepted it, moving along the route's failover targets while the one
 * holding it is down, and dies only when older than `maxAge` or refused by every target (dead.ts).
 * A single alarm's state change that an active silence matches is not sent (silenced-alarms.ts)
 * unless the route says `sendSilenced`. Routes of the routing tree take the grouped notifications
 * that name them (tree-routes.ts); the flat routes on <base>/notify/# take the root's.
 */
import { NO_HISTORY, type HistoryReadTarget } from '../../history/config.js';
import type { Bus } from '../../core/bus/bus.js';
import type { Logger } from '../../core/runtime/logger.js';
import { createTopics, type Topics } from '../../core/topics.js';
import type { NotifiersConfig, RouteConfig } from '../config.js';
import { services, type ServiceName } from '../services/index.js';
import type { Notification, NotifierService, Target } from '../services/service.js';
import { DeadNotifications, aboutRoute } from './dead.js';
import { TargetQueue, type Outcome, type Queued, type TargetStats } from './delivery.js';
import type { DeliveryRecord } from './delivery-record.js';
import { errorMessage } from '../../core/runtime/errors.js';
import { topicMatches } from '../../core/topic-match.js';
import { isAlarmMessage, isAlarmNotification } from '../alarm-payload.js';
import { compileRouteFilter } from './filter.js';
import { SilencedAlarms } from './silenced-alarms.js';
import { treeRoutes } from './tree-routes.js';
import { isTreeRoute } from '../../alarms/dispatch/route-tree.js';
import { compileMessageTemplate, type CompiledTemplate, type TemplateValues } from './template.js';

interface CompiledRoute {
  readonly config: RouteConfig;
  readonly matches: (topic: string, levels: readonly string[], payload: unknown) => boolean;
  readonly title: CompiledTemplate;
  readonly message: CompiledTemplate;
}

/**
 * One notification on its way to one of its route's targets and, while that one is down, along the
 * route's failover targets: the chain. Each new notification starts at the head of its chain, so the
 * primary is used again as soon as it is back; one a failover target delivered is done.
 */
interface Delivery {
  readonly id: string;
  readonly route: CompiledRoute;
  readonly values: TemplateValues;
  /** The primary target, then the route's failover targets, in order. */
  readonly chain: readonly string[];
  /** Index in `chain` of the target holding it now. */
  position: number;
  readonly created: number;
  attempts: number;
  /** Targets not to try again: they refused it for good, their queue was full, or they are gone. */
  readonly skip: Set<string>;
}

/** What targets may use besides their config. */
export interface RouterEnvironment {
  readonly log: Logger;
  readonly bus: Bus;
  /** Default: the `busbar` base topic. */
  readonly topics?: Topics;
  /** Where charts read history from (`history.read`); default: nowhere (no charts). */
  readonly history?: HistoryReadTarget | undefined;
  readonly record?: DeliveryRecord;
}

export interface RouterStats {
  readonly targets: Record<string, TargetStats & { queued: number }>;
  /** Notifications moved on to a failover target. */
  readonly failedOver: number;
  /** Notifications no target delivered before they expired or that every target refused. */
  readonly dead: number;
  /** Alarm state changes not sent because an active silence matched them (counted per route). */
  readonly silenced: number;
  /** Silences the router knows of (published ones, ended or not). */
  readonly silences: number;
}

function ofTreeRoute(payload: unknown): boolean {
  return isAlarmNotification(payload) && typeof payload.route === 'string';
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
  private readonly deliveries = new WeakMap<Queued, Delivery>();
  private readonly deadNotifications: DeadNotifications;
  private sequence = 0;
  private failedOver = 0;
  private silenced = 0;
  /** The active silences (the notifiers component feeds them from `<base>/silences/+`). */
  readonly silences = new SilencedAlarms();

  private readonly log: Logger;
  private readonly bus: Bus;
  private readonly topics: Topics;
  /** When given, pending notifications survive a restart (see delivery-record.ts). */
  private readonly record: DeliveryRecord | undefined;
  /** notifiers.externalUrl, for the chart links of alarm messages. */
  private readonly externalUrl: string | undefined;

  constructor(config: NotifiersConfig, environment: RouterEnvironment) {
    const { log, bus } = environment;
    this.log = log;
    this.record = environment.record;
    this.externalUrl = config.externalUrl;
    const topics = environment.topics ?? createTopics();
    this.bus = bus;
    this.topics = topics;
    this.deadNotifications = new DeadNotifications(bus, topics, log);
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
          history: environment.history ?? NO_HISTORY,
        });
        const queue = new TargetQueue(
          id,
          target,
          config.targetDelivery[id] ?? config.delivery,
          log,
          (item, outcome, reason) => this.settle(id, item, outcome, reason),
        );
        this.queues.set(id, queue);
      }
    }
    const compile = (route: RouteConfig, matches: CompiledRoute['matches']): CompiledRoute => ({
      config: route,
      matches,
      title: compileMessageTemplate(route.title),
      message: compileMessageTemplate(route.message),
    });
    const flat = config.routes.filter((route) => !isTreeRoute(route));
    this.routes = [
      ...flat.map((route) => {
        const filter = compileRouteFilter(route);
        // A notification naming a route of the tree is that route's alone.
        return compile(
          route,
          (topic, levels, payload) => !ofTreeRoute(payload) && filter(topic, levels, payload),
        );
      }),
      ...treeRoutes(config.routes).map((route) =>
        compile(
          route,
          (topic, _levels, payload) =>
            isAlarmNotification(payload) &&
            payload.route === route.name &&
            topicMatches(topics.allNotifications, topic),
        ),
      ),
    ];
  }

  /**
   * Queues again, with their age, the notifications the delivery record holds as pending from the
   * previous run; returns how many. One whose route no longer exists is dead.
   */
  resume(): number {
    const entries = this.record?.pendingDeliveries() ?? [];
    for (const entry of entries) {
      const route = this.routes.find((candidate) => candidate.config.name === entry.route);
      if (!route) {
        this.record?.done(entry.id, entry.first, 'dead');
        this.deadNotifications.dead({
          ...entry,
          targets: entry.chain,
          reason: 'its route is no longer configured',
        });
        continue;
      }
      this.send({
        id: entry.id,
        route,
        values: this.templateValues(entry.topic, entry.payload),
        chain: entry.chain,
        position: Math.max(0, entry.chain.indexOf(entry.target)),
        created: entry.created,
        attempts: 0,
        skip: new Set(),
      });
    }
    return entries.length;
  }

  /** Takes the state of the notification_dead alarms (retained `<base>/alarms/notification_dead/+`). */
  knownDeadAlarm(route: string, payload: Buffer): void {
    const parsed = parsePayload(payload);
    this.deadNotifications.known(route, isAlarmMessage(parsed) && parsed.state === 'firing');
  }

  /** The topic filters to subscribe to, one per route (duplicates removed). */
  get filters(): string[] {
    return [...new Set(this.routes.map((route) => route.config.topic ?? this.topics.allNotifications))];
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
      // The alarm saying this route's notifications die would die on it too, raising itself again.
      if (aboutRoute(parsed, route.config.name)) continue;
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
      const values = this.templateValues(topic, parsed);
      for (const target of route.config.targets) {
        const chain = [target, ...route.config.failover.filter((failover) => failover !== target)];
        this.send({
          id,
          route,
          values,
          chain,
          position: 0,
          created: Date.now(),
          attempts: 0,
          skip: new Set(),
        });
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
      dead: this.deadNotifications.count,
      silenced: this.silenced,
      silences: this.silences.size,
    };
  }

  async stop(): Promise<void> {
    // Every queue stops together. What is still pending stays in the delivery record for the next
    // run; without a record it is dead, counted and logged, never dropped silently.
    await Promise.all([...this.queues.values()].map((queue) => queue.stop()));
  }

  private templateValues(topic: string, payload: unknown): TemplateValues {
    return { topic, levels: topic.split('/'), payload, externalUrl: this.externalUrl };
  }

  /** Hands a delivery to the target at its position in the chain. */
  private send(delivery: Delivery): void {
    const targetId = delivery.chain[delivery.position]!;
    const queue = this.queues.get(targetId);
    if (!queue) {
      // A target removed from the config since the record was written (the schema checks routes).
      delivery.skip.add(targetId);
      return this.moveOn(delivery, targetId, `target ${targetId} is no longer configured`);
    }
    const { route, values } = delivery;
    const format = queue.target.format;
    const notification: Notification = {
      id: delivery.id,
      route: route.config.name,
      topic: values.topic,
      title: route.title.render(values, format),
      message: route.message.render(values, format),
      plain: { title: route.title.render(values, 'plain'), message: route.message.render(values, 'plain') },
      priority: route.config.priority,
      payload: values.payload,
      externalUrl: values.externalUrl,
    };
    this.record?.pending({
      id: delivery.id,
      first: delivery.chain[0]!,
      target: targetId,
      route: route.config.name,
      topic: values.topic,
      payload: values.payload,
      chain: delivery.chain,
      created: delivery.created,
    });
    const item: Queued = {
      notification,
      created: delivery.created,
      attempts: delivery.attempts,
      canMoveOn: delivery.chain.some((id, at) => at !== delivery.position && !delivery.skip.has(id)),
      canSkip: delivery.chain.some((id, at) => at > delivery.position && !delivery.skip.has(id)),
    };
    this.deliveries.set(item, delivery);
    queue.enqueue(item);
  }

  /** Where a delivery goes when a target's queue hands it back: the one place a notification ends. */
  private settle(targetId: string, item: Queued, outcome: Outcome, reason: string): void {
    const delivery = this.deliveries.get(item);
    if (!delivery) return; // every queued item is registered in send(); nothing else reaches here
    delivery.attempts = item.attempts;
    switch (outcome) {
      case 'delivered':
        this.record?.done(delivery.id, delivery.chain[0]!, 'delivered');
        this.deadNotifications.delivered(delivery.route.config.name);
        return this.receipt(delivery, 'delivered', targetId);
      case 'stopped':
        if (!this.record) this.dead(delivery, 'busbar stopped with no delivery record');
        return; // pending in the record: the next run sends it
      case 'expired':
        return this.dead(delivery, reason);
      case 'refused':
      case 'overflow':
        delivery.skip.add(targetId);
        return this.moveOn(delivery, targetId, reason);
      case 'failed':
        return this.moveOn(delivery, targetId, reason);
    }
  }

  /**
   * The next target of the chain that may still take it, after the current one and round to the
   * primary again (all down: each gets its retries in turn, with the backoff still growing). With none
   * left the notification is dead.
   */
  private moveOn(delivery: Delivery, from: string, reason: string): void {
    const { chain } = delivery;
    for (let step = 1; step <= chain.length; step += 1) {
      const position = (delivery.position + step) % chain.length;
      const next = chain[position]!;
      if (delivery.skip.has(next)) continue;
      if (position !== 0) this.failedOver += 1;
      const message = position === 0 ? 'notification back to its primary' : 'notification failing over';
      this.log.warn({ target: from, id: delivery.id, reason, next }, message);
      delivery.position = position;
      return this.send(delivery);
    }
    this.dead(delivery, reason);
  }

  private dead(delivery: Delivery, reason: string): void {
    this.record?.done(delivery.id, delivery.chain[0]!, 'dead');
    this.deadNotifications.dead({
      id: delivery.id,
      route: delivery.route.config.name,
      topic: delivery.values.topic,
      payload: delivery.values.payload,
      targets: delivery.chain,
      reason,
      created: delivery.created,
    });
    this.receipt(delivery, 'dead', delivery.chain[delivery.position]!);
  }

  /**
   * Tells the alarms component how a grouped notification ended (`<base>/notified/<group>`): its
   * group counts as told only once a receiver accepted the message.
   */
  private receipt(delivery: Delivery, state: 'delivered' | 'dead', target: string): void {
    const { payload, topic } = delivery.values;
    if (!isAlarmNotification(payload) || typeof payload.id !== 'string') return;
    if (!topicMatches(this.topics.allNotifications, topic)) return;
    const body = JSON.stringify({
      id: payload.id,
      group: payload.group,
      state,
      route: delivery.route.config.name,
      target,
    });
    this.bus.publish(this.topics.notified(payload.group), body, { qos: 1 }).catch((error: unknown) => {
      this.log.warn({ id: payload.id, err: errorMessage(error) }, 'notification receipt not published');
    });
  }
}
