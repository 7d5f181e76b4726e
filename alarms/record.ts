/**
 * Recording rules: derived series computed on the stream (seed 001's "KPI manufacturing") and
 * published back as metrics, so sinks store them and alarm rules read them like any other metric.
 * Each rule keeps the latest value of every series it reads, grouped by `groupBy` tags; every `every`
 * it aggregates each group over the series seen within `window` and publishes one point per group.
 */
import { serializeMetric } from '../core/codecs/line-protocol.js';
import { fieldNumber, type Metric } from '../core/codecs/metric.js';
import { topicMatches } from '../core/topic-match.js';
import type { RecordRule } from './config.js';
import { AGGREGATES, Groups } from './group.js';
import { compileMatcher, compileTagMatchers, type Matcher } from './match.js';
import { seriesKey } from './series.js';

export interface RecordOutput {
  readonly source: string;
  readonly metric: Metric;
  /** The metric as line protocol, ready to publish. */
  readonly line: string;
}

interface Compiled {
  readonly rule: RecordRule;
  readonly measurement: Matcher;
  readonly tags: (tags: Record<string, string>) => boolean;
  readonly groups: Groups;
  nextAt: number | undefined;
}

export class Recorder {
  private readonly rules: Compiled[];
  /** The shortest `every`: how often `due` should be called; undefined with no rules. */
  readonly interval: number | undefined;

  constructor(rules: readonly RecordRule[]) {
    this.rules = rules.map((rule) => ({
      rule,
      measurement: compileMatcher(rule.measurement),
      tags: compileTagMatchers(rule.where),
      groups: new Groups(rule.groupBy),
      nextAt: undefined,
    }));
    this.interval = rules.length === 0 ? undefined : Math.min(...rules.map((rule) => rule.every));
  }

  /** One point that arrived on `topic`. */
  observe(topic: string, metric: Metric, now: number): void {
    for (const compiled of this.rules) {
      const { rule } = compiled;
      if (!topicMatches(rule.from, topic) || !compiled.measurement(metric.measurement)) continue;
      if (metric.measurement === outputMeasurement(rule) && metric.fields[outputField(rule)] !== undefined) {
        continue; // its own output, read back from the bus
      }
      const value = pointValue(rule, metric);
      if (value === undefined || !compiled.tags(metric.tags)) continue;
      const group = compiled.groups.of(metric.tags);
      if (!group) continue;
      const member = `${topic} ${seriesKey({ source: '', measurement: metric.measurement, field: '', tags: metric.tags })}`;
      if (rule.rate) {
        const previous = group.members.get(member);
        const seconds = previous === undefined ? 0 : (now - previous.at) / 1000;
        if (previous === undefined || seconds <= 0 || value < previous.raw) {
          // No rate from a first point, or across a counter reset: keep the reading for the next one.
          group.members.set(member, { value: Number.NaN, at: now, raw: value });
        } else {
          group.members.set(member, { value: (value - previous.raw) / seconds, at: now, raw: value });
        }
      } else {
        group.members.set(member, { value, at: now, raw: value });
      }
      compiled.nextAt ??= now + rule.every;
    }
  }

  /** The points of every rule whose `every` has come; a group with no series within `window` is dropped. */
  due(now: number): RecordOutput[] {
    const outputs: RecordOutput[] = [];
    for (const compiled of this.rules) {
      if (compiled.nextAt === undefined || now < compiled.nextAt) continue;
      const { rule } = compiled;
      compiled.nextAt = now + rule.every;
      for (const { group, values } of compiled.groups.collect(now, rule.window)) {
        if (values.length === 0) continue;
        const metric: Metric = {
          measurement: outputMeasurement(rule),
          tags: { ...group.tags },
          fields: { [outputField(rule)]: { type: 'float', value: AGGREGATES[rule.aggregate](values) } },
          timestamp: BigInt(now) * 1_000_000n,
        };
        outputs.push({ source: rule.output.source, metric, line: serializeMetric(metric) });
      }
    }
    return outputs;
  }
}

/** The number a point contributes: its field, divided by `per` when set; undefined when it has none. */
function pointValue(rule: RecordRule, metric: Metric): number | undefined {
  const field = metric.fields[rule.field];
  const value = field === undefined ? undefined : fieldNumber(field);
  if (value === undefined || rule.per === undefined) return value;
  const per = metric.fields[rule.per];
  const divisor = per === undefined ? undefined : fieldNumber(per);
  return divisor === undefined || divisor === 0 ? undefined : value / divisor;
}

function outputMeasurement(rule: RecordRule): string {
  return rule.output.measurement ?? rule.name;
}

function outputField(rule: RecordRule): string {
  return rule.output.field ?? rule.field;
}
