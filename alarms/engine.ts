/**
 * Evaluates alarm rules on the metric stream. Pure of I/O and of the clock: the caller passes `now`
 * with every point, status and tick, and receives each state change through `onChange`, so tests
 * drive it on a controlled clock and the component (component.ts) does the publishing.
 */
import { fieldNumber, type Metric } from '../core/codecs/metric.js';
import type { AlarmInstance, AlarmMessage, Condition } from './alarm.js';
import { compileRule, type CompiledRule } from './compile.js';
import type { AlarmRule, DeviationRule, TrendRule } from './config.js';
import { AGGREGATES } from './group.js';
import { seriesKey, type SeriesLabels } from './series.js';
import { step } from './state-machine.js';
import { alarmMessage } from './summary.js';
import { TrendWindows } from './trend-windows.js';
import { SeasonalEwma, type Summary } from './ewma.js';
import { SiteCalendar } from './calendar/calendar.js';
import { RecentVerdicts } from './persistence.js';

type PointRule = Exclude<CompiledRule, { kind: 'offline' }>;
type ThresholdCompiled = Extract<CompiledRule, { kind: 'threshold' }>;
type EventCompiled = Extract<CompiledRule, { kind: 'event' }>;

/** A rule whose memory of past points (trend fit, deviation baseline) can be filled from history. */
export interface SeedableRule {
  readonly rule: TrendRule | DeviationRule;
  /** Whether the rule covers this series. */
  matches(labels: SeriesLabels): boolean;
}

export interface EngineOptions {
  readonly rules: readonly AlarmRule[];
  readonly onChange: (message: AlarmMessage) => void;
  /**
   * An inactive or resolved instance whose series has not been seen for `forgetAfter` was dropped
   * (series come and go: processes, containers); its retained message can be cleared.
   */
  readonly onForget?: (rule: string, series: string) => void;
  /** Default: never. */
  readonly forgetAfter?: number;
  /** Instances from the state file: they keep their state, and are not announced again. */
  readonly restored?: readonly AlarmInstance[];
  /** Start time; silence of restored series is counted from here, not from before the restart. */
  readonly now: number;
  /** Labels of each source (`alarms.sources`), added to every alarm of it. */
  readonly sources?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The site's time zone, weekends and exception days (default: the system's zone, no exceptions). */
  readonly calendar?: SiteCalendar;
}

export class AlarmEngine {
  private readonly rules: CompiledRule[];
  /** Rules that read points, by exact measurement; `anyMeasurement` holds those with a wildcard. */
  private readonly byMeasurement = new Map<string, PointRule[]>();
  private readonly anyMeasurement: PointRule[] = [];
  /** rule name → series key → instance */
  private readonly instances = new Map<string, Map<string, AlarmInstance>>();
  private readonly onChange: (message: AlarmMessage) => void;
  private readonly onForget: ((rule: string, series: string) => void) | undefined;
  /** Sources whose <base>/status/<source> says `offline`. */
  private readonly offline = new Set<string>();
  private readonly forgetAfter: number;
  /** Series keys already computed for a labels object of the current point. */
  private readonly keys = new WeakMap<SeriesLabels, string>();
  private readonly sources: ReadonlyMap<string, Readonly<Record<string, string>>>;
  private readonly calendar: SiteCalendar;
  /** Bumped on every state change, so the state file is written only when needed. */
  changes = 0;

  constructor(options: EngineOptions) {
    this.rules = options.rules.map(compileRule);
    this.onChange = options.onChange;
    this.onForget = options.onForget;
    this.forgetAfter = options.forgetAfter ?? Infinity;
    this.sources = new Map(Object.entries(options.sources ?? {}));
    this.calendar = options.calendar ?? new SiteCalendar();
    for (const rule of this.rules) {
      this.instances.set(rule.rule.name, new Map());
      if (rule.kind === 'offline') continue;
      const exact = rule.rule.measurement;
      if (exact.includes('*') || (rule.kind === 'nodata' && rule.rule.scope === 'source')) {
        this.anyMeasurement.push(rule);
      } else {
        const list = this.byMeasurement.get(exact) ?? [];
        list.push(rule);
        this.byMeasurement.set(exact, list);
      }
    }
    for (const instance of options.restored ?? []) {
      const byRule = this.instances.get(instance.rule);
      if (!byRule) continue; // the rule was removed from the config
      byRule.set(instance.series, { ...instance, lastSeen: Math.max(instance.lastSeen, options.now) });
    }
  }

  /** The current message of every alarm not inactive (to publish again what a broker lost). */
  messages(now: number): AlarmMessage[] {
    const messages: AlarmMessage[] = [];
    for (const { rule } of this.rules) {
      for (const instance of this.instances.get(rule.name)!.values()) {
        if (instance.state !== 'inactive') messages.push(this.message(rule, instance, now));
      }
    }
    return messages;
  }

  /** One point from `source`. */
  observe(source: string, metric: Metric, now: number): void {
    const exact = this.byMeasurement.get(metric.measurement);
    // One labels object (and series key) per field of this point, shared by every rule that reads it.
    const labels = new Map<string, { labels: SeriesLabels; key: string }>();
    if (exact) this.observeWith(exact, source, metric, now, labels);
    if (this.anyMeasurement.length > 0) this.observeWith(this.anyMeasurement, source, metric, now, labels);
  }

  private observeWith(
    rules: readonly PointRule[],
    source: string,
    metric: Metric,
    now: number,
    shared: Map<string, { labels: SeriesLabels; key: string }>,
  ): void {
    for (const compiled of rules) {
      if (!compiled.source(source)) continue;
      if (compiled.kind === 'nodata' && compiled.rule.scope === 'source') {
        this.seen(compiled, { source, measurement: '', field: '', tags: {} }, now);
        continue;
      }
      if (compiled.kind === 'event') {
        if (compiled.measurement(metric.measurement)) this.event(compiled, source, metric, now);
        continue;
      }
      if (!compiled.measurement(metric.measurement) || !compiled.tags(metric.tags)) continue;
      if (compiled.kind === 'threshold' && compiled.expression !== undefined) {
        const value = compiled.expression(metric.fields);
        if (value === undefined) continue; // a field missing, or a division by zero: no reading
        const labels = { source, measurement: metric.measurement, field: compiled.label, tags: metric.tags };
        this.threshold(compiled, labels, value, now);
        continue;
      }
      for (const [name, field] of Object.entries(metric.fields)) {
        if (!compiled.field(name)) continue;
        let entry = shared.get(name);
        if (!entry) {
          const fresh = { source, measurement: metric.measurement, field: name, tags: metric.tags };
          entry = { labels: fresh, key: seriesKey(fresh) };
          shared.set(name, entry);
          this.keys.set(fresh, entry.key);
        }
        const labels = entry.labels;
        if (compiled.kind === 'nodata') {
          this.seen(compiled, labels, now);
          continue;
        }
        if (compiled.kind === 'deviation') {
          const value = fieldNumber(field);
          if (value !== undefined) this.deviation(compiled, labels, value, now);
          continue;
        }
        if (compiled.kind === 'trend') {
          const value = fieldNumber(field);
          if (value !== undefined) this.trend(compiled, labels, value, now);
          continue;
        }
        let value = fieldNumber(field);
        if (value === undefined) continue;
        if (compiled.rule.per !== undefined) {
          const per = metric.fields[compiled.rule.per];
          const divisor = per === undefined ? undefined : fieldNumber(per);
          if (divisor === undefined || divisor === 0) continue;
          value /= divisor;
        }
        this.threshold(compiled, labels, value, now);
      }
    }
  }

  private threshold(compiled: ThresholdCompiled, labels: SeriesLabels, value: number, now: number): void {
    if (compiled.aggregate !== undefined) {
      // Only the series' latest value is kept here; the groups are compared at the next tick
      // (evaluateInterval, 5 s by default). Evaluating a group on each of its points would cost the
      // group's size per point (a rule grouping 10,000 series by nothing: 10,000 per point), and a
      // sum is no more certain a few seconds sooner when its members report at their own times.
      const group = compiled.aggregate.groups.of(labels.tags);
      if (group)
        group.members.set(this.keys.get(labels) ?? seriesKey(labels), { value, at: now, raw: value });
      return;
    }
    const instance = this.instance(compiled.rule, labels, now);
    instance.value = value;
    instance.lastSeen = now;
    this.apply(compiled.rule, instance, compiled.condition(value), now);
  }

  /** Compares each group of an aggregate rule with its limit; a group whose series all went silent holds. */
  private aggregates(compiled: ThresholdCompiled, now: number): void {
    const aggregate = compiled.aggregate;
    if (aggregate === undefined || compiled.rule.aggregate === undefined) return;
    const { op, window } = compiled.rule.aggregate;
    for (const { group, values } of aggregate.groups.collect(now, window)) {
      if (values.length === 0) continue;
      const labels = {
        source: aggregate.source,
        measurement: aggregate.measurement,
        field: aggregate.field,
        tags: group.tags,
      };
      const instance = this.instance(compiled.rule, labels, now);
      const value = AGGREGATES[op](values);
      instance.value = value;
      instance.lastSeen = now;
      this.apply(compiled.rule, instance, compiled.condition(value), now);
    }
  }

  /**
   * A point of an event rule's measurement: an event (it matches `where`) fires the alarm and counts
   * in its value; the clearing event (`clearedBy`) resolves it. A clearing event with no alarm to
   * clear creates none.
   */
  private event(compiled: EventCompiled, source: string, metric: Metric, now: number): void {
    // The clearing event wins over a `where` wide enough to match it too.
    const cleared = compiled.clears(metric.tags);
    const raised = !cleared && compiled.tags(metric.tags);
    if (!raised && !cleared) return;
    const labels = {
      source,
      measurement: metric.measurement,
      field: '',
      tags: compiled.identity(metric.tags),
    };
    if (!raised && this.instances.get(compiled.rule.name)!.get(seriesKey(labels)) === undefined) return;
    const instance = this.instance(compiled.rule, labels, now);
    instance.lastSeen = now;
    if (raised) instance.value = instance.state === 'firing' ? (instance.value ?? 0) + 1 : 1;
    this.apply(compiled.rule, instance, raised ? 'breach' : 'recovered', now);
  }

  /** A retained or live message on <base>/status/<source>. */
  status(source: string, status: string, now: number): void {
    if (status === 'offline') this.offline.add(source);
    else if (this.offline.delete(source)) {
      // Back online: its series' silence counts from now, not from before the outage.
      for (const byRule of this.instances.values()) {
        for (const instance of byRule.values()) {
          if (instance.labels.source === source) instance.lastSeen = Math.max(instance.lastSeen, now);
        }
      }
    }
    for (const compiled of this.rules) {
      if (compiled.kind !== 'offline' || !compiled.source(source)) continue;
      const labels = { source, measurement: '', field: '', tags: {} };
      const instance = this.instance(compiled.rule, labels, now);
      instance.lastSeen = now;
      this.apply(compiled.rule, instance, status === 'offline' ? 'breach' : 'recovered', now);
    }
  }

  /** Moves time-based conditions on: `for`, `keepFiringFor`, silence. */
  tick(now: number): void {
    const excepted = this.calendar.exception(now) !== undefined;
    for (const compiled of this.rules) {
      const rule = compiled.rule;
      if (compiled.kind === 'threshold') this.aggregates(compiled, now);
      const byRule = this.instances.get(rule.name)!;
      for (const instance of byRule.values()) {
        if (
          (instance.state === 'inactive' || instance.state === 'resolved') &&
          now - instance.lastSeen >= this.forgetAfter
        ) {
          byRule.delete(instance.series); // deleting the current entry keeps Map iteration valid
          if (compiled.kind === 'trend') compiled.fits.delete(instance.series);
          if (compiled.kind === 'deviation') {
            compiled.baselines.delete(instance.series);
            compiled.recent.delete(instance.series);
          }
          this.changes++;
          this.onForget?.(rule.name, instance.series);
          continue;
        }
        // Inhibition: while its source says it is offline, only the offline rule speaks for it; the
        // source's other alarms hold their state (its silence is not news, the outage is).
        // Event alarms are not held: traps come from the device itself, whatever its polls say, and
        // `resolveAfter` is the rule's word on how long an event lasts.
        if (rule.kind !== 'offline' && rule.kind !== 'event' && this.offline.has(instance.labels.source))
          continue;
        // An exception day (a holiday, a maintenance window): deviation alarms hold their state.
        if (rule.kind === 'deviation' && excepted) continue;
        const condition =
          rule.kind === 'nodata'
            ? now - instance.lastSeen >= rule.for
              ? 'breach'
              : 'recovered'
            : compiled.kind === 'event' && now - instance.lastSeen >= compiled.resolveAfter
              ? 'recovered'
              : instance.condition;
        this.apply(rule, instance, condition, now);
      }
    }
  }

  /** The rules whose fits or baselines `seed` can fill. */
  seedable(): SeedableRule[] {
    const out: SeedableRule[] = [];
    for (const compiled of this.rules) {
      if (compiled.kind !== 'trend' && compiled.kind !== 'deviation') continue;
      out.push({
        rule: compiled.rule,
        matches: (labels) =>
          compiled.source(labels.source) &&
          compiled.measurement(labels.measurement) &&
          compiled.field(labels.field) &&
          compiled.tags({ ...labels.tags }),
      });
    }
    return out;
  }

  /**
   * Fills the trend fit or deviation baseline of one series of `ruleName` from its history (oldest
   * first), so a restart does not learn again from nothing. Changes no alarm state and announces
   * nothing: the first live point is judged against what was filled in. An instance is created
   * (inactive, unannounced) for a series not known yet, so `forgetAfter` frees what was filled in
   * when the series never comes back.
   */
  seed(ruleName: string, labels: SeriesLabels, history: readonly Summary[], now: number): void {
    const compiled = this.rules.find((candidate) => candidate.rule.name === ruleName);
    if (compiled === undefined || history.length === 0) return;
    if (compiled.kind !== 'trend' && compiled.kind !== 'deviation') return;
    const instance = this.instance(compiled.rule, labels, now);
    if (compiled.kind === 'trend') {
      // A fit takes its points in time order: one that already has live points is left alone.
      if (compiled.fits.has(instance.series)) return;
      const fit = new TrendWindows(compiled.rule);
      compiled.fits.set(instance.series, fit);
      for (const point of history) fit.push(point.time, point.mean);
      return;
    }
    this.baselineOf(compiled, instance.series).seed(history);
  }

  /** The deviation baseline of one series, created empty on first use. */
  private baselineOf(compiled: Extract<CompiledRule, { kind: 'deviation' }>, series: string): SeasonalEwma {
    let ewma = compiled.baselines.get(series);
    if (!ewma) {
      ewma = new SeasonalEwma(compiled.rule.halfLife, compiled.rule.season, this.calendar);
      compiled.baselines.set(series, ewma);
    }
    return ewma;
  }

  /** Every instance, for the state file. */
  snapshot(): AlarmInstance[] {
    return [...this.instances.values()].flatMap((byRule) => [...byRule.values()].map((i) => ({ ...i })));
  }

  /** One instance, for tests and the CLI. */
  get(rule: string, series: string): AlarmInstance | undefined {
    return this.instances.get(rule)?.get(series);
  }

  private trend(
    compiled: Extract<CompiledRule, { kind: 'trend' }>,
    labels: SeriesLabels,
    value: number,
    now: number,
  ): void {
    const { rule } = compiled;
    const instance = this.instance(rule, labels, now);
    let fit = compiled.fits.get(instance.series);
    if (!fit) {
      fit = new TrendWindows(rule);
      compiled.fits.set(instance.series, fit);
    }
    fit.push(now, value);
    instance.value = value;
    instance.lastSeen = now;
    const eta = fit.eta(now, value);
    // No verdict until a window has enough points (also after a restart, since fits live in memory):
    // a restored firing alarm stays firing until the refilled windows say otherwise.
    if (eta === 'unknown') return;
    instance.eta = eta?.ms;
    instance.etaRange = eta === undefined ? undefined : [eta.low, eta.high];
    this.apply(rule, instance, eta !== undefined && eta.ms <= rule.horizon ? 'breach' : 'recovered', now);
  }

  private deviation(
    compiled: Extract<CompiledRule, { kind: 'deviation' }>,
    labels: SeriesLabels,
    value: number,
    now: number,
  ): void {
    const { rule } = compiled;
    const instance = this.instance(rule, labels, now);
    const ewma = this.baselineOf(compiled, instance.series);
    const baseline = ewma.baseline(now);
    instance.value = value;
    instance.lastSeen = now;
    if (this.calendar.exception(now) !== undefined) {
      // A holiday or a maintenance window is unusual by design: it neither alarms nor teaches the
      // baseline (its points are no usual day), and the alarm holds whatever state it had.
      ewma.skip(now);
      return;
    }
    if (baseline === undefined || baseline.count < rule.warmUp) {
      // Still learning (also after a restart, since baselines live in memory): no verdict, so a
      // restored firing alarm is not resolved by a baseline that knows nothing yet.
      ewma.fold(now, value);
      return;
    }
    const sigma = Math.max(baseline.sigma, rule.minSigma);
    instance.baseline = { mean: baseline.mean, sigma };
    const delta = value - baseline.mean;
    const beyond =
      (rule.direction !== 'below' && delta > rule.k * sigma) ||
      (rule.direction !== 'above' && -delta > rule.k * sigma);
    let recent = compiled.recent.get(instance.series);
    if (!recent) {
      recent = new RecentVerdicts(rule.breaches, rule.outOf);
      compiled.recent.set(instance.series, recent);
    }
    this.apply(rule, instance, recent.push(beyond), now);
    // The baseline learns only what is usual: not an anomalous point, nor any point while the alarm is
    // pending or firing, nor for `learnAfter` once it resolved. Learning from them, even clipped at
    // k·σ, let an incident widen σ (×1.7 a point at k = 3) until it fitted, then resolve itself
    // (issue 21). A lasting change of level therefore keeps its alarm firing: someone has to look.
    const quiet =
      instance.state === 'inactive' ||
      (instance.state === 'resolved' && now - instance.since >= rule.learnAfter);
    if (beyond || !quiet) ewma.skip(now);
    else ewma.fold(now, value);
  }

  private seen(compiled: CompiledRule, labels: SeriesLabels, now: number): void {
    const instance = this.instance(compiled.rule, labels, now);
    instance.lastSeen = now;
    this.apply(compiled.rule, instance, 'recovered', now);
  }

  private apply(rule: AlarmRule, instance: AlarmInstance, condition: Condition, now: number): void {
    const forMs = rule.kind === 'nodata' || rule.kind === 'event' ? 0 : rule.for;
    const keepMs = rule.kind === 'threshold' ? rule.keepFiringFor : 0;
    if (step(instance, condition, now, forMs, keepMs)) {
      this.changes++;
      this.onChange(this.message(rule, instance, now));
    }
  }

  private message(rule: AlarmRule, instance: AlarmInstance, now: number): AlarmMessage {
    return alarmMessage(rule, instance, now, this.sources.get(instance.labels.source), this.calendar);
  }

  private instance(rule: AlarmRule, labels: SeriesLabels, now: number): AlarmInstance {
    const byRule = this.instances.get(rule.name)!;
    const key = this.keys.get(labels) ?? seriesKey(labels);
    let instance = byRule.get(key);
    if (!instance) {
      instance = {
        rule: rule.name,
        series: key,
        labels: { ...labels, tags: { ...labels.tags } },
        state: 'inactive',
        since: now,
        value: undefined,
        condition: 'recovered',
        conditionSince: undefined,
        lastSeen: now,
        firedAt: undefined,
      };
      byRule.set(key, instance);
    }
    return instance;
  }
}
