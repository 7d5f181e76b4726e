/**
 * Inhibition, as Alertmanager's: while an alarm matching a rule's `when` fires, alarms matching its
 * `suppress` (with equal values of the `equal` labels) are not notified. A dead PDU or switch is one
 * message, not one per machine behind it. The muted alarms keep their state; only the telling waits.
 */
import { alarmLabels, compileLabelMatchers, type LabelPredicate } from '../silence.js';
import type { AlarmMessage } from '../alarm.js';
import type { InhibitRule } from './config.js';

type Alarm = Pick<AlarmMessage, 'rule' | 'series' | 'severity' | 'labels' | 'state'>;

interface CompiledInhibit {
  readonly when: LabelPredicate;
  readonly suppress: LabelPredicate;
  readonly equal: readonly string[];
}

/** The firing alarm (`<rule>/<series>`) that inhibits an alarm, or undefined. */
export type InhibitionCheck = (alarm: Alarm) => string | undefined;

const NONE: InhibitionCheck = () => undefined;

function alarmId(alarm: Pick<AlarmMessage, 'rule' | 'series'>): string {
  return `${alarm.rule}/${alarm.series}`;
}

export class Inhibitor {
  private readonly rules: CompiledInhibit[];

  constructor(rules: readonly InhibitRule[]) {
    this.rules = rules.map((rule) => ({
      when: compileLabelMatchers(rule.when),
      suppress: compileLabelMatchers(rule.suppress),
      equal: rule.equal,
    }));
  }

  get enabled(): boolean {
    return this.rules.length > 0;
  }

  /**
   * Indexes the firing alarms once, so that checking every alarm of a large group costs one lookup
   * per rule rather than a pass over every firing alarm: in an outage both counts are large.
   */
  prepare(firing: Iterable<Alarm>): InhibitionCheck {
    if (this.rules.length === 0) return NONE;
    // Per rule: the values of its `equal` labels → up to two inhibiting alarms with them (two, so
    // that an alarm matching both sides is muted by another and never by itself).
    const indexes = this.rules.map(() => new Map<string, string[]>());
    for (const source of firing) {
      if (source.state !== 'firing') continue;
      this.rules.forEach((rule, index) => {
        if (!rule.when(source)) return;
        const key = equalKey(rule.equal, alarmLabels(source));
        const found = indexes[index]!.get(key) ?? [];
        if (found.length < 2) found.push(alarmId(source));
        indexes[index]!.set(key, found);
      });
    }
    return (alarm) => {
      let labels: Record<string, string> | undefined;
      for (let index = 0; index < this.rules.length; index++) {
        const rule = this.rules[index]!;
        if (!rule.suppress(alarm)) continue;
        labels ??= alarmLabels(alarm);
        const found = indexes[index]!.get(equalKey(rule.equal, labels));
        const other = found?.find((id) => id !== alarmId(alarm));
        if (other !== undefined) return other;
      }
      return undefined;
    };
  }
}

/** Alertmanager's `equal`: a label missing on both sides counts as equal (as an empty value). */
function equalKey(equal: readonly string[], labels: Record<string, string>): string {
  return JSON.stringify(equal.map((name) => labels[name] ?? null));
}
