/**
 * The `alarms` section of the config file: alarm rules, recording rules and where alarm state is kept.
 * Imported by config/schema.ts; every alarm default is stated here and only here.
 */
import { z } from 'zod';
import { duration } from '../config/duration.js';
import { calendarSchema } from './calendar/config.js';
import { configSilenceSchema, inhibitRuleSchema, notifySchema } from './dispatch/config.js';
import { ExpressionError, parseExpression } from './expression.js';

const matcher = z
  .string()
  .min(1)
  .describe('Exact name, or a pattern where `*` matches any run of characters (`web*`, `*`).');

/** What every rule kind shares: which series it covers and how the alarm is labelled. */
const selection = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, `_`, `.` and `-` (it is a topic level)')
    .describe('Rule name; alarms are published on <base>/alarms/<name>/<series>.'),
  source: matcher
    .default('*')
    .describe('Source matcher (the <source> level of the metric topic); `*` matches any run of characters.'),
  measurement: matcher.describe('Measurement matcher.'),
  where: z
    .record(z.string(), matcher)
    .default({})
    .describe('Tag matchers: every tag named must be present and match.'),
  severity: z
    .enum(['info', 'warning', 'critical'])
    .default('warning')
    .describe('Severity published with the alarm.'),
  runbook: z
    .url()
    .optional()
    .describe(
      "What to do when it fires: a page linked from the alarm's notifications (`https://wiki.example.org/disk`).",
    ),
};

const thresholdExpr = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    try {
      parseExpression(text);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  })
  .describe(
    'Instead of `field`: arithmetic over fields of the same point (`used / total * 100`); `+ - * /`, parentheses, numbers, names (odd ones in backticks).',
  );

const thresholdAggregate = z
  .object({
    op: z.enum(['sum', 'avg', 'min', 'max', 'count']).describe('How the matched series are combined.'),
    by: z
      .array(z.string().min(1))
      .default([])
      .describe('Tags whose values make one group, and one alarm per group (none: one alarm).'),
    window: duration
      .prefault('5m')
      .describe('A series not seen for this long drops out of its group (latest value of each series).'),
  })
  .strict()
  .describe('Compare the aggregate of every matched series per group, not each series on its own.');

const threshold = z
  .object({
    kind: z.literal('threshold'),
    ...selection,
    field: matcher
      .optional()
      .describe('Field matcher; each matched field of each series is its own alarm (or give `expr`).'),
    expr: thresholdExpr.optional(),
    as: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, `_`, `.` and `-`')
      .optional()
      .describe('With `expr`: the `field` label of its alarms (default: the rule name).'),
    per: z
      .string()
      .optional()
      .describe('Divide the value by this field of the same point first (`load1` per `n_cpus`).'),
    aggregate: thresholdAggregate.optional(),
    above: z.number().optional().describe('Fires while the value is above this.'),
    below: z.number().optional().describe('Fires while the value is below this.'),
    clear: z
      .number()
      .optional()
      .describe(
        'Hysteresis: a firing alarm resolves only once the value is back past this (default: the threshold).',
      ),
    for: duration.prefault('0s').describe('The condition must hold this long before the alarm fires.'),
    keepFiringFor: duration
      .prefault('0s')
      .describe('A firing alarm keeps firing this long after the condition cleared.'),
  })
  .strict()
  .refine((rule) => (rule.field === undefined) !== (rule.expr === undefined), {
    message: 'give exactly one of `field` and `expr`',
  })
  .refine((rule) => rule.expr === undefined || rule.per === undefined, {
    path: ['per'],
    message: 'not with `expr` (divide in the expression)',
  })
  .refine((rule) => rule.as === undefined || rule.expr !== undefined, {
    path: ['as'],
    message: 'names an `expr`; give `expr` too',
  })
  .refine((rule) => rule.aggregate === undefined || rule.field === undefined || !rule.field.includes('*'), {
    path: ['field'],
    message: 'with `aggregate`, one field (no `*`): the aggregate of several fields means nothing',
  })
  .refine((rule) => (rule.above === undefined) !== (rule.below === undefined), {
    message: 'give exactly one of `above` and `below`',
  })
  .refine(
    (rule) =>
      rule.clear === undefined ||
      (rule.above !== undefined ? rule.clear <= rule.above : rule.clear >= (rule.below ?? 0)),
    { path: ['clear'], message: 'must be at or below `above` (at or above `below`)' },
  )
  .describe('Fires when a field (or `expr`) of a series is above or below a limit.');

const trend = z
  .object({
    kind: z.literal('trend'),
    ...selection,
    field: matcher.describe('Field matcher; each matched field of each series is its own alarm.'),
    above: z
      .number()
      .optional()
      .describe('trend: fires when the fitted line is predicted to rise past this within `horizon`.'),
    below: z
      .number()
      .optional()
      .describe('trend: fires when the fitted line is predicted to fall past this within `horizon`.'),
    window: duration
      .prefault('6h')
      .describe(
        'trend: the line is fitted to the points of this window (it predicts once half of it is filled).',
      ),
    shortWindow: duration
      .prefault('30m')
      .describe(
        'trend: a second line over this window gives the rate now and, with the long one, the acceleration.',
      ),
    horizon: duration.prefault('24h').describe('trend: how far ahead a predicted crossing fires.'),
    for: duration.prefault('0s').describe('The condition must hold this long before the alarm fires.'),
  })
  .strict()
  .refine((rule) => (rule.above === undefined) !== (rule.below === undefined), {
    message: 'give exactly one of `above` and `below`',
  })
  .refine((rule) => rule.shortWindow < rule.window, {
    path: ['shortWindow'],
    message: 'must be shorter than `window`',
  })
  .describe('Fires when a line fitted to recent points will cross a limit within `horizon`.');

const deviation = z
  .object({
    kind: z.literal('deviation'),
    ...selection,
    field: matcher.describe('Field matcher; each matched field of each series is its own alarm.'),
    k: z
      .number()
      .positive()
      .default(3)
      .describe('deviation: fires beyond k standard deviations of the baseline.'),
    direction: z
      .enum(['both', 'above', 'below'])
      .default('both')
      .describe('deviation: which side of the baseline is abnormal.'),
    halfLife: duration
      .prefault('6h')
      .describe(
        "deviation: the old baseline counts half after this much of the series' time in a season bucket (with `hourOfDay`, an hour a day).",
      ),
    season: z
      .enum(['none', 'hourOfDay', 'hourOfDayWeekend', 'hourOfWeek'])
      .default('none')
      .describe(
        'deviation: keep a baseline per hour of the day, per hour of the day with weekends apart, or per hour of the week (in `calendar.timeZone`).',
      ),
    warmUp: z
      .number()
      .int()
      .min(2)
      .default(20)
      .describe('deviation: points a baseline (per season bucket) needs before it can fire.'),
    minSigma: z
      .number()
      .nonnegative()
      .default(0)
      .describe('deviation: floor of the standard deviation, so a flat series does not fire on noise.'),
    breaches: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('deviation: fires once this many of the last `outOf` points are beyond k·σ.'),
    outOf: z
      .number()
      .int()
      .min(1)
      .max(30)
      .default(5)
      .describe(
        'deviation: ... and resolves once as many are within (n-of-m, against one-point noise); at most 30.',
      ),
    learnAfter: duration
      .prefault('15m')
      .describe(
        'deviation: points teach the baseline nothing while the alarm is pending or firing, nor for this long after it resolves.',
      ),
    for: duration.prefault('0s').describe('The condition must hold this long before the alarm fires.'),
  })
  .strict()
  .refine((rule) => rule.breaches <= rule.outOf, {
    path: ['breaches'],
    message: 'at most `outOf`',
  })
  .describe('Fires when points stray k·σ from the learned baseline of their series.');

const noData = z
  .object({
    kind: z.literal('nodata'),
    ...selection,
    measurement: matcher.default('*').describe('Measurement matcher.'),
    field: matcher.default('*').describe('Field matcher (scope `series`).'),
    scope: z
      .enum(['series', 'source'])
      .default('series')
      .describe('`series`: each matched series on its own; `source`: the whole source silent.'),
    for: duration.describe('Fires once a series (or source) seen before has been silent this long.'),
  })
  .strict()
  .describe('Fires when a series or source seen before falls silent.');

const offline = z
  .object({
    kind: z.literal('offline'),
    name: selection.name,
    source: selection.source,
    severity: selection.severity,
    runbook: selection.runbook,
    for: duration.prefault('0s').describe('Fires once <base>/status/<source> has said `offline` this long.'),
  })
  .strict()
  .describe('Fires when a source reports itself offline.');

/**
 * How long an event alarm fires with no new event, when its rule says nothing: as Alertmanager's
 * `resolve_timeout` (5m) for events that are never cleared; a day when a clearing event is expected,
 * so an overload that lasts is not resolved early, yet a clearing trap lost in UDP does not leave the
 * alarm firing for ever.
 */
const EVENT_RESOLVE_AFTER = { quiet: 5 * 60_000, cleared: 24 * 3_600_000 } as const;

/** An event rule's `resolveAfter` in ms, its default filled in. */
export function eventResolveAfter(rule: Pick<EventRule, 'resolveAfter' | 'clearedBy'>): number {
  return (
    rule.resolveAfter ??
    (rule.clearedBy === undefined ? EVENT_RESOLVE_AFTER.quiet : EVENT_RESOLVE_AFTER.cleared)
  );
}

const event = z
  .object({
    kind: z.literal('event'),
    ...selection,
    clearedBy: z
      .record(z.string(), matcher)
      .optional()
      .refine((tags) => tags === undefined || Object.keys(tags).length > 0, 'name at least one tag')
      .describe(
        'A point of the same source and measurement whose tags match these resolves the alarm (`{ trap: PowerNet-MIB::rPDUOutletOverloadCleared }`); the tags named here do not tell alarms apart.',
      ),
    resolveAfter: duration
      .optional()
      .describe(
        'A firing alarm resolves once no matching event came for this long (default: 5m; 24h with `clearedBy`).',
      ),
  })
  .strict()
  .describe(
    'Fires on each matching event (an SNMP trap, say); resolves on a clearing event or after a quiet time.',
  );

export const alarmRuleSchema = z.discriminatedUnion('kind', [
  threshold,
  trend,
  deviation,
  noData,
  offline,
  event,
]);

export const recordRuleSchema = z
  .object({
    name: selection.name.describe('Rule name; also the measurement published by default.'),
    from: z
      .string()
      .min(1)
      .default('busbar/metrics/#')
      .describe('MQTT filter of the metric topics read, e.g. `busbar/metrics/+/outlet`.'),
    measurement: matcher.default('*').describe('Measurement matcher of the points read.'),
    field: z.string().min(1).describe('Field read from each matched point.'),
    per: z
      .string()
      .optional()
      .describe('Ratio: each point contributes `field` divided by this field of the same point.'),
    rate: z
      .boolean()
      .default(false)
      .describe(
        'Each series contributes its per-second rate of change (a decrease is a counter reset, skipped).',
      ),
    where: selection.where,
    groupBy: z
      .array(z.string())
      .default([])
      .describe('Tags whose values make one output series (`[]`: one series in all).'),
    aggregate: z
      .enum(['sum', 'avg', 'min', 'max', 'count'])
      .describe('Of the latest value of each series in the group.'),
    window: duration
      .prefault('5m')
      .describe('A series not seen for this long drops out of its group (latest value of each series).'),
    every: duration.prefault('10s').describe('How often the output is published.'),
    output: z
      .object({
        source: z.string().min(1).default('rules').describe('Source of the published metric.'),
        measurement: z.string().min(1).optional().describe('Measurement published (default: the rule name).'),
        field: z.string().min(1).optional().describe('Field published (default: the field read).'),
      })
      .strict()
      .prefault({})
      .describe('What is published, on <base>/metrics/<source>/<measurement>.'),
  })
  .strict();

export const alarmsSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Evaluate alarm and recording rules.'),
    defaults: z
      .boolean()
      .default(true)
      .describe('Add the built-in host rules (disk, memory, load, source offline) to `rules`.'),
    statePath: z
      .string()
      .min(1)
      .default('data/alarms.json')
      .describe('JSON file where alarm state survives a restart.'),
    evaluateInterval: duration
      .prefault('5s')
      .describe('How often time-based conditions (`for`, no data) are evaluated.'),
    forgetAfter: duration
      .prefault('7d')
      .describe(
        'An alarm that is not firing and whose series has not been seen this long is forgotten (its retained message cleared).',
      ),
    sources: z
      .record(z.string(), z.record(z.string(), z.string()))
      .default({})
      .describe(
        'Labels of each source (`edge7: { rack: r1, pdu: pdu1 }`), carried by every alarm of it, so inhibition and silences can match them.',
      ),
    calendar: calendarSchema
      .prefault({})
      .describe("The site's time zone, weekend days and exception days (holidays, maintenance windows)."),
    rules: z.array(alarmRuleSchema).default([]).describe('Alarm rules.'),
    record: z
      .array(recordRuleSchema)
      .default([])
      .describe('Recording rules: derived series published back as metrics.'),
    notify: notifySchema
      .prefault({})
      .describe(
        'How alarm changes become notifications on <base>/notify/<group>: grouping, repeat, flapping.',
      ),
    inhibit: z
      .array(inhibitRuleSchema)
      .default([])
      .describe('Inhibition rules: a firing alarm mutes the notifications of alarms it explains.'),
    silences: z
      .array(configSilenceSchema)
      .default([])
      .describe(
        'Silences kept in the config file (more can be added with `busbar silence`, the bot or the web).',
      ),
  })
  .strict()
  .superRefine((alarms, ctx) => {
    for (const list of ['rules', 'record'] as const) {
      const seen = new Set<string>();
      alarms[list].forEach((rule, index) => {
        if (seen.has(rule.name)) {
          ctx.addIssue({
            code: 'custom',
            path: [list, index, 'name'],
            message: `"${rule.name}" is used twice`,
          });
        }
        seen.add(rule.name);
      });
    }
  });

export type AlarmsConfig = z.output<typeof alarmsSchema>;
export type AlarmRule = z.output<typeof alarmRuleSchema>;
export type ThresholdRule = Extract<AlarmRule, { kind: 'threshold' }>;
export type TrendRule = Extract<AlarmRule, { kind: 'trend' }>;
export type DeviationRule = Extract<AlarmRule, { kind: 'deviation' }>;
export type NoDataRule = Extract<AlarmRule, { kind: 'nodata' }>;
export type OfflineRule = Extract<AlarmRule, { kind: 'offline' }>;
export type EventRule = Extract<AlarmRule, { kind: 'event' }>;
export type RecordRule = z.output<typeof recordRuleSchema>;
