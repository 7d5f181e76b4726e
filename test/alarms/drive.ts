/** Drives an AlarmEngine with synthetic points on a controlled clock and records what it publishes. */
import { alarmRuleSchema, type AlarmRule } from '../../alarms/config.js';
import type { AlarmInstance, AlarmMessage } from '../../alarms/alarm.js';
import { AlarmEngine } from '../../alarms/engine.js';
import { SiteCalendar } from '../../alarms/calendar/calendar.js';
import { calendarSchema } from '../../alarms/calendar/config.js';
import type { z } from 'zod';

export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
export const SECOND = 1_000;
export const MINUTE = 60_000;

/** A site calendar; UTC unless `config` names a zone, so tests do not depend on the machine's. */
export function calendar(config: z.input<typeof calendarSchema> = {}): SiteCalendar {
  return new SiteCalendar(calendarSchema.parse({ timeZone: 'UTC', ...config }));
}

export function rule(input: z.input<typeof alarmRuleSchema>): AlarmRule {
  return alarmRuleSchema.parse(input);
}

export class Drive {
  readonly published: AlarmMessage[] = [];
  readonly forgotten: string[] = [];
  readonly engine: AlarmEngine;
  now = T0;

  constructor(
    rules: AlarmRule[],
    restored?: AlarmInstance[],
    now = T0,
    forgetAfter?: number,
    site: SiteCalendar = calendar(),
  ) {
    this.now = now;
    this.engine = new AlarmEngine({
      rules,
      restored,
      now: this.now,
      onChange: (message) => this.published.push(message),
      onForget: (rule, series) => this.forgotten.push(`${rule}/${series}`),
      forgetAfter,
      calendar: site,
    });
  }

  /** One point of `measurement` from `source`, then a tick. */
  point(
    source: string,
    measurement: string,
    fields: Record<string, number>,
    tags: Record<string, string> = { host: source },
  ): void {
    const metric = {
      measurement,
      tags,
      fields: Object.fromEntries(
        Object.entries(fields).map(([key, value]) => [key, { type: 'float' as const, value }]),
      ),
    };
    this.engine.observe(source, metric, this.now);
  }

  /** Advances the clock by `ms`, ticking every `stepMs` on the way, as the component's timer does. */
  advance(ms: number, stepMs = 5 * SECOND): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now = Math.min(end, this.now + stepMs);
      this.engine.tick(this.now);
    }
  }

  states(): string[] {
    return this.published.map((message) => `${message.series}:${message.state}`);
  }
}
