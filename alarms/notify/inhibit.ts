/**
 * Inhibition, as Alertmanager's: while an alarm matching a rule's `when` fires, alarms matching its
 * `suppress` (with equal values of the `equal` labels) are not notified. A dead PDU or switch is one
 * message, not one per machine behind it. The muted alarms keep their state; only the telling waits.
 */
import { alarmLabels, compileLabelMatchers, type LabelPredicate } from '../silence.js';
import type { AlarmMessage } from '../alarm.js';
import type { InhibitRule } from './config.js';

interface CompiledInhibit {
  readonly when: LabelPredicate;
  readonly suppress: LabelPredicate;
  readonly equal: readonly string[];
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
   * The firing alarm (`<rule>/<series>`) that inhibits `alarm`, or undefined. An alarm never
   * inhibits itself; one matching both sides of a rule is muted only by another.
   */
  inhibitor(alarm: AlarmMessage, firing: Iterable<AlarmMessage>): string | undefined {
    if (this.rules.length === 0) return undefined;
    const labels = alarmLabels(alarm);
    for (const rule of this.rules) {
      if (!rule.suppress(alarm)) continue;
      for (const source of firing) {
        if (source.state !== 'firing' || (source.rule === alarm.rule && source.series === alarm.series))
          continue;
        if (!rule.when(source)) continue;
        const sourceLabels = alarmLabels(source);
        // Alertmanager's `equal`: a label missing on both sides counts as equal.
        if (rule.equal.every((name) => sourceLabels[name] === labels[name])) {
          return `${source.rule}/${source.series}`;
        }
      }
    }
    return undefined;
  }
}
