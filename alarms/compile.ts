/** Rules compiled once: matchers built, durations and thresholds resolved. */
import {
  eventResolveAfter,
  type AlarmRule,
  type DeviationRule,
  type EventRule,
  type NoDataRule,
  type OfflineRule,
  type ThresholdRule,
  type TrendRule,
} from './config.js';
import type { SeasonalEwma } from './ewma.js';
import type { RecentVerdicts } from './persistence.js';
import type { TrendWindows } from './trend-windows.js';
import type { Condition } from './alarm.js';
import { parseExpression, type Evaluate } from './expression.js';
import { Groups } from './group.js';
import { compileMatcher, compileTagMatchers, type Matcher } from './match.js';

interface Selection {
  readonly source: Matcher;
  readonly measurement: Matcher;
  readonly field: Matcher;
  readonly tags: (tags: Record<string, string>) => boolean;
}

/** An aggregate threshold rule's groups, and the labels its alarms carry besides the group's tags. */
export interface CompiledAggregate {
  readonly groups: Groups;
  readonly source: string;
  readonly measurement: string;
  readonly field: string;
}

export type CompiledRule =
  | ({ readonly kind: 'threshold'; readonly rule: ThresholdRule; readonly threshold: number } & Selection & {
        condition(value: number): Condition;
        /** `expr` rules: the value of a point, undefined when it has none. */
        readonly expression: Evaluate | undefined;
        /** The `field` label of alarms not named by their series' field: `expr` and aggregate rules. */
        readonly label: string;
        readonly aggregate: CompiledAggregate | undefined;
      })
  | ({
      readonly kind: 'trend';
      readonly rule: TrendRule;
      /** series key → the fit of its window */
      readonly fits: Map<string, TrendWindows>;
    } & Selection)
  | ({
      readonly kind: 'deviation';
      readonly rule: DeviationRule;
      /** series key → its baseline */
      readonly baselines: Map<string, SeasonalEwma>;
      /** series key → the verdicts of its last points (n-of-m) */
      readonly recent: Map<string, RecentVerdicts>;
    } & Selection)
  | ({ readonly kind: 'nodata'; readonly rule: NoDataRule } & Selection)
  | { readonly kind: 'offline'; readonly rule: OfflineRule; readonly source: Matcher }
  | ({
      readonly kind: 'event';
      readonly rule: EventRule;
      /** Whether a point's tags make it the clearing event (`clearedBy`); never without one. */
      readonly clears: (tags: Record<string, string>) => boolean;
      /** The tags that tell the rule's alarms apart: a point's, less those `clearedBy` names. */
      identity(tags: Readonly<Record<string, string>>): Record<string, string>;
      readonly resolveAfter: number;
    } & Selection);

export function compileRule(rule: AlarmRule): CompiledRule {
  if (rule.kind === 'offline') return { kind: 'offline', rule, source: compileMatcher(rule.source) };
  const selection: Selection = {
    source: compileMatcher(rule.source),
    measurement: compileMatcher(rule.measurement),
    field: compileMatcher(('field' in rule ? rule.field : undefined) ?? '*'),
    tags: compileTagMatchers(rule.where),
  };
  if (rule.kind === 'nodata') return { kind: 'nodata', rule, ...selection };
  if (rule.kind === 'event') return compileEvent(rule, selection);
  if (rule.kind === 'trend') return { kind: 'trend', rule, ...selection, fits: new Map() };
  if (rule.kind === 'deviation')
    return { kind: 'deviation', rule, ...selection, baselines: new Map(), recent: new Map() };
  const label = rule.expr === undefined ? (rule.field ?? '') : (rule.as ?? rule.name);
  return {
    kind: 'threshold',
    rule,
    ...selection,
    ...thresholdCondition(rule),
    expression: rule.expr === undefined ? undefined : parseExpression(rule.expr).evaluate,
    label,
    aggregate:
      rule.aggregate === undefined
        ? undefined
        : {
            groups: new Groups(rule.aggregate.by),
            // A group spans sources (two PDUs feed one machine): its alarm is the rules' own, as a
            // recording rule's output is, unless the rule names one source.
            source: rule.source.includes('*') ? 'rules' : rule.source,
            measurement: rule.measurement,
            field: label,
          },
  };
}

function thresholdCondition(rule: ThresholdRule): {
  threshold: number;
  condition(value: number): Condition;
} {
  if (rule.above !== undefined) {
    const above = rule.above;
    const clear = rule.clear ?? above;
    return {
      threshold: above,
      condition: (value) => (value > above ? 'breach' : value <= clear ? 'recovered' : 'band'),
    };
  }
  const below = rule.below ?? 0;
  const clear = rule.clear ?? below;
  return {
    threshold: below,
    condition: (value) => (value < below ? 'breach' : value >= clear ? 'recovered' : 'band'),
  };
}

function compileEvent(rule: EventRule, selection: Selection): Extract<CompiledRule, { kind: 'event' }> {
  const clearedBy = rule.clearedBy;
  // The event and its clearing differ in these tags (`trap`): kept, they would make two alarms.
  const dropped = new Set(Object.keys(clearedBy ?? {}));
  return {
    kind: 'event',
    rule,
    ...selection,
    clears: clearedBy === undefined ? () => false : compileTagMatchers(clearedBy),
    identity: (tags) =>
      dropped.size === 0
        ? { ...tags }
        : Object.fromEntries(Object.entries(tags).filter(([key]) => !dropped.has(key))),
    resolveAfter: eventResolveAfter(rule),
  };
}
