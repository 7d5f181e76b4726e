/** Drives a NotificationStage with alarm changes on a controlled clock and records its notifications. */
import type { z } from 'zod';
import type { AlarmMessage, AlarmState } from '../../alarms/alarm.js';
import type { AlarmNotification } from '../../alarms/notification.js';
import { configSilenceSchema, inhibitRuleSchema, notifySchema } from '../../alarms/dispatch/config.js';
import { SilenceStore } from '../../alarms/dispatch/silences.js';
import { NotificationStage, type StageSnapshot } from '../../alarms/dispatch/stage.js';
import type { Silence } from '../../alarms/silence.js';
import { RouteTree } from '../../alarms/dispatch/route-tree.js';
import { timeIntervalsSchema } from '../../alarms/dispatch/time-intervals.js';
import { routeSchema } from '../../notifiers/config.js';

export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
export const SECOND = 1_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/** An alarm message as the engine would publish it. */
export function alarm(
  rule: string,
  source: string,
  state: AlarmState,
  now: number,
  extra: Record<string, string> = {},
): AlarmMessage {
  return {
    rule,
    series: `${source}.m.f`,
    state,
    severity: 'warning',
    value: 1,
    threshold: 0,
    baseline: null,
    since: new Date(now).toISOString(),
    firedAt: new Date(now).toISOString(),
    labels: { source, measurement: 'm', field: 'f', ...extra },
    summary: `${rule} on ${source} is ${state}`,
  };
}

export interface StageSetup {
  notify?: z.input<typeof notifySchema>;
  inhibit?: z.input<typeof inhibitRuleSchema>[];
  silences?: z.input<typeof configSilenceSchema>[];
  saved?: { silences?: Silence[]; notify?: StageSnapshot };
  /** Entries of `notifiers.routes` (the routing tree), and the time intervals they name. */
  routes?: z.input<typeof routeSchema>[];
  timeIntervals?: z.input<typeof timeIntervalsSchema>;
  now?: number;
}

export class StageDrive {
  readonly sent: AlarmNotification[] = [];
  readonly stage: NotificationStage;
  readonly silences: SilenceStore;
  now: number;

  constructor(setup: StageSetup = {}) {
    this.now = setup.now ?? T0;
    this.silences = new SilenceStore(
      (setup.silences ?? []).map((silence) => configSilenceSchema.parse(silence)),
      setup.saved?.silences ?? [],
      this.now,
    );
    const config = notifySchema.parse(setup.notify ?? {});
    this.stage = new NotificationStage({
      config,
      tree: new RouteTree(
        config,
        (setup.routes ?? []).map((route) => routeSchema.parse(route)),
        timeIntervalsSchema.parse(setup.timeIntervals),
      ),
      inhibit: (setup.inhibit ?? []).map((rule) => inhibitRuleSchema.parse(rule)),
      silences: this.silences,
      restored: setup.saved?.notify,
      onNotify: (notification) => this.sent.push(notification),
    });
  }

  /** An alarm of `rule` on `source` changes to `state` now; what is due is sent, as the component does. */
  change(rule: string, source: string, state: AlarmState, extra: Record<string, string> = {}): void {
    this.stage.change(alarm(rule, source, state, this.now, extra), this.now);
    this.stage.flushDue(this.now);
  }

  /** Advances the clock by `ms`, ticking every `stepMs` on the way, as the component's timer does. */
  advance(ms: number, stepMs = 5 * SECOND): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now = Math.min(end, this.now + stepMs);
      this.silences.expire(this.now);
      this.stage.tick(this.now);
    }
  }

  /** Each notification as `reason status: rule@source:state ...`, for readable assertions. */
  lines(): string[] {
    return this.sent.map(
      (n) =>
        `${n.reason} ${n.status}: ${n.alarms
          .map((a) => `${a.rule}@${a.labels.source}:${a.flapping ? 'flapping' : a.state}`)
          .join(' ')}${n.route === undefined ? '' : ` → ${n.route}`}`,
    );
  }
}
