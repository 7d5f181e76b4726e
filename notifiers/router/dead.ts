/**
 * A notification no target would take before it expired (or that every target refused) is dead, and
 * visibly so: republished on `<base>/deadletter/notification` with where it was meant to go and why
 * it did not get there, logged once as an error, counted, and raised as an alarm of its own,
 * `notification_dead`, one per route, retained on `<base>/alarms/notification_dead/<route>` like any
 * alarm, so that another route (a second channel) can tell someone. It resolves once the route
 * delivers again. Two guards keep it from feeding itself: a route never carries the alarm about its
 * own dead notifications (the router asks `aboutRoute`), and a dead notification that was itself
 * about a dead one raises nothing more.
 */
import { NOTIFICATION_DEAD_RULE, type AlarmMessage } from '../../alarms/alarm.js';
import type { Bus } from '../../core/bus/bus.js';
import { errorMessage } from '../../core/runtime/errors.js';
import type { Logger } from '../../core/runtime/logger.js';
import type { Topics } from '../../core/topics.js';
import { isAlarmMessage } from '../alarm-payload.js';

/** The `<base>/deadletter/<reason>` level of dead notifications. */
export const DEAD_NOTIFICATION_REASON = 'notification';

export interface DeadNotification {
  readonly id: string;
  readonly route: string;
  readonly topic: string;
  readonly payload: unknown;
  /** The targets it was meant for, primary first. */
  readonly targets: readonly string[];
  /** Why the last target gave it up: expiry, a refusal, a full queue. */
  readonly reason: string;
  /** When it was first queued (ms). */
  readonly created: number;
}

/** True when `payload` is the dead-notification alarm of `route` (which that route must not carry). */
export function aboutRoute(payload: unknown, route: string): boolean {
  return isAlarmMessage(payload) && payload.rule === NOTIFICATION_DEAD_RULE && payload.labels.route === route;
}

export class DeadNotifications {
  /** Routes whose notification_dead alarm fires, and how many died since it fired. */
  private readonly firing = new Map<string, number>();
  count = 0;

  constructor(
    private readonly bus: Bus,
    private readonly topics: Topics,
    private readonly log: Logger,
  ) {}

  /** The alarm's retained state read at start, so a route's delivery after a restart resolves it. */
  known(route: string, firing: boolean): void {
    if (firing) this.firing.set(route, this.firing.get(route) ?? 0);
    else this.firing.delete(route);
  }

  dead(dead: DeadNotification, now = Date.now()): void {
    this.count += 1;
    const { id, route, topic, targets, reason } = dead;
    const age = now - dead.created;
    this.log.error({ id, route, topic, targets, reason, ageMs: age }, 'notification dead: not delivered');
    const letter = { id, route, topic, targets, reason, created: new Date(dead.created).toISOString() };
    this.publish(
      this.topics.deadletter(DEAD_NOTIFICATION_REASON),
      { ...letter, payload: dead.payload },
      false,
    );
    // About a dead notification already: the alarm it would raise is the one that could not go out.
    if (isAlarmMessage(dead.payload) && dead.payload.rule === NOTIFICATION_DEAD_RULE) return;
    const count = (this.firing.get(route) ?? 0) + 1;
    const wasFiring = this.firing.has(route);
    this.firing.set(route, count);
    if (wasFiring) return; // one alarm per route, news only when it changes
    const summary = `notification ${id} on route ${route} not delivered to ${targets.join(', ')}: ${reason}`;
    this.publish(
      this.topics.alarm(NOTIFICATION_DEAD_RULE, route),
      this.alarm(route, 'firing', summary, now),
      true,
    );
  }

  /** The route delivered: its notification_dead alarm, if firing, resolves. */
  delivered(route: string, now = Date.now()): void {
    const count = this.firing.get(route);
    if (count === undefined) return;
    this.firing.delete(route);
    const summary = `route ${route} delivers again (${count} notification${count === 1 ? '' : 's'} dead before)`;
    this.publish(
      this.topics.alarm(NOTIFICATION_DEAD_RULE, route),
      this.alarm(route, 'resolved', summary, now),
      true,
    );
  }

  private alarm(route: string, state: 'firing' | 'resolved', summary: string, now: number): AlarmMessage {
    const at = new Date(now).toISOString();
    return {
      rule: NOTIFICATION_DEAD_RULE,
      series: route,
      state,
      severity: 'critical',
      value: this.firing.get(route) ?? null,
      threshold: null,
      baseline: null,
      since: at,
      firedAt: state === 'firing' ? at : null,
      labels: { route, source: 'busbar' },
      summary,
    };
  }

  private publish(topic: string, body: unknown, retain: boolean): void {
    this.bus.publish(topic, JSON.stringify(body), { qos: 1, retain }).catch((error: unknown) => {
      this.log.error({ topic, err: errorMessage(error) }, 'dead notification not published');
    });
  }
}
