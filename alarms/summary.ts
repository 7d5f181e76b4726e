/** The one-line, plain-words summary of an alarm, and the retained JSON that carries it. */
import type { SiteCalendar } from './calendar/calendar.js';
import { eventResolveAfter, type AlarmRule, type DeviationRule } from './config.js';
import {
  flatLabels,
  formatDuration,
  formatNumber,
  formatRoughDuration,
  type AlarmInstance,
  type AlarmMessage,
} from './alarm.js';

function seriesWords(rule: AlarmRule, instance: AlarmInstance): string {
  const { source, measurement, field, tags } = instance.labels;
  const rest = Object.entries(tags)
    .filter(([key, value]) => !(key === 'host' && value === source))
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
  // A `per` rule's value is not the field's (`load1` per `n_cpus` is the load per core): say so.
  const per = rule.kind === 'threshold' && rule.per !== undefined ? ` per ${rule.per}` : '';
  const what = [measurement, `${field}${per}`].filter((part) => part !== '').join(' ');
  if (rule.kind === 'threshold' && rule.aggregate !== undefined) {
    // `sum of outlet power (machine=web1)`: the group, not one series of one source.
    const on = source === 'rules' ? '' : ` on ${source}`;
    return `${rule.aggregate.op} of ${what}${on}${rest === '' ? '' : ` (${rest})`}`;
  }
  return `${what}${what === '' ? '' : ' on '}${source}${rest === '' ? '' : ` (${rest})`}`;
}

/** " after 2m": how long a resolved alarm fired. */
function lasted(instance: AlarmInstance): string {
  if (instance.state !== 'resolved' || instance.firedAt === undefined) return '';
  return ` after ${formatDuration(instance.since - instance.firedAt)}`;
}

/** " at this hour" and the like: which of the rule's seasonal baselines the value is compared with. */
function seasonWords(rule: DeviationRule, now: number, calendar: SiteCalendar | undefined): string {
  switch (rule.season) {
    case 'none':
      return '';
    case 'hourOfDay':
      return ' at this hour';
    case 'hourOfWeek':
      return ' at this hour of the week';
    case 'hourOfDayWeekend':
      return calendar?.isWeekend(now) === true
        ? ' at this hour of a weekend day'
        : ' at this hour of a working day';
  }
}

export function summarize(
  rule: AlarmRule,
  instance: AlarmInstance,
  now: number,
  calendar?: SiteCalendar,
): string {
  const series = seriesWords(rule, instance);
  const { state } = instance;
  if (rule.kind === 'offline') {
    if (state === 'firing' || state === 'pending') return `source ${instance.labels.source} is offline`;
    return `source ${instance.labels.source} is back online`;
  }
  if (rule.kind === 'nodata') {
    const silent = formatDuration(now - instance.lastSeen);
    if (state === 'firing' || state === 'pending') return `no data from ${series} for ${silent}`;
    return `data from ${series} again`;
  }
  if (rule.kind === 'event') {
    const count = instance.value ?? 0;
    if (state === 'firing' || state === 'pending')
      return `${series}: ${count === 1 ? 'an event' : `${count} events`} of ${rule.name}`;
    if (state === 'inactive') return `${series}: no event of ${rule.name}`;
    // Resolved by the rule's quiet time, or else by the clearing event.
    const quiet = now - instance.lastSeen;
    const why = quiet >= eventResolveAfter(rule) ? `no event for ${formatDuration(quiet)}` : 'cleared';
    return `${series}: ${rule.name} resolved${lasted(instance)} (${why})`;
  }
  const value = instance.value === undefined ? 'unknown' : formatNumber(instance.value);
  if (rule.kind === 'deviation') {
    const baseline = instance.baseline;
    if (baseline === undefined) return `${series} is ${value}`;
    const against = `its usual ${formatNumber(baseline.mean)} ± ${formatNumber(baseline.sigma)}${seasonWords(
      rule,
      now,
      calendar,
    )}`;
    if (state === 'firing' || state === 'pending') {
      const sigmas =
        baseline.sigma === 0
          ? 'far'
          : `${formatNumber(Math.abs((instance.value ?? 0) - baseline.mean) / baseline.sigma)}σ`;
      const side = (instance.value ?? 0) >= baseline.mean ? 'above' : 'below';
      return `${series} is ${value}, ${sigmas} ${side} ${against}`;
    }
    const usual = `usual ${formatNumber(baseline.mean)} ± ${formatNumber(baseline.sigma)}`;
    if (state === 'resolved') return `${series} resolved${lasted(instance)}; now ${value}, ${usual}`;
    return `${series} is back to ${value}, within ${formatNumber(rule.k)}σ of ${against}`;
  }
  if (rule.kind === 'trend') {
    const limit = formatNumber(rule.above ?? rule.below ?? 0);
    const word = rule.above !== undefined ? 'above' : 'below';
    if (state === 'firing' || state === 'pending') {
      const eta = instance.eta ?? 0;
      return eta <= 0
        ? `${series} is ${value}, ${word} ${limit}`
        : `${series} is ${value}, heading ${word} ${limit} ${etaWords(eta, instance.etaRange)}`;
    }
    return `${series} is ${value}, no longer heading ${word} ${limit} within ${formatDuration(rule.horizon)}`;
  }
  const above = rule.above !== undefined;
  const limit = formatNumber(above ? rule.above! : rule.below!);
  const word = above ? 'above' : 'below';
  switch (state) {
    case 'pending':
      return `${series} is ${value}, ${word} ${limit}; fires if it stays so for ${formatDuration(rule.for)}`;
    case 'firing':
      return `${series} is ${value}, ${word} ${limit}${rule.for > 0 ? ` for ${formatDuration(rule.for)}` : ''}`;
    case 'resolved': {
      const clear = formatNumber(rule.clear ?? (above ? rule.above! : rule.below!));
      return `${series} is back to ${value}${lasted(instance)} (clears ${above ? 'at or below' : 'at or above'} ${clear})`;
    }
    case 'inactive':
      return `${series} is ${value}, within ${limit}`;
  }
}

/** "in about 19h", "in 4h-6h", "in 3h at the earliest" (a slope that may be flat may never cross). */
function etaWords(eta: number, range: readonly [number, number] | undefined): string {
  const [low, high] = range ?? [eta, eta];
  const from = formatRoughDuration(low);
  if (!Number.isFinite(high)) return `in ${from} at the earliest`;
  const to = formatRoughDuration(high);
  return from === to ? `in about ${from}` : `in ${from}–${to}`;
}

function etaField(instance: AlarmInstance): AlarmMessage['eta'] {
  if (instance.eta === undefined) return null;
  const [low, high] = instance.etaRange ?? [instance.eta, instance.eta];
  const seconds = (ms: number): number => Math.round(ms / 1000);
  return {
    seconds: seconds(instance.eta),
    low: seconds(low),
    high: Number.isFinite(high) ? seconds(high) : null,
  };
}

/**
 * `sourceLabels`: the labels the config gives the instance's source (`alarms.sources`); the series'
 * own tags win over them. `calendar`: the site's, to say whether a weekend baseline is meant.
 */
export function alarmMessage(
  rule: AlarmRule,
  instance: AlarmInstance,
  now: number,
  sourceLabels?: Readonly<Record<string, string>>,
  calendar?: SiteCalendar,
): AlarmMessage {
  const threshold =
    rule.kind === 'threshold' || rule.kind === 'trend' ? (rule.above ?? rule.below ?? null) : null;
  return {
    rule: instance.rule,
    series: instance.series,
    state: instance.state,
    severity: rule.severity,
    value: instance.value ?? null,
    threshold,
    baseline: rule.kind === 'deviation' ? (instance.baseline ?? null) : null,
    ...(rule.kind === 'trend' ? { eta: etaField(instance) } : {}),
    since: new Date(instance.since).toISOString(),
    firedAt: instance.firedAt === undefined ? null : new Date(instance.firedAt).toISOString(),
    labels:
      sourceLabels === undefined
        ? flatLabels(instance.labels)
        : { ...sourceLabels, ...flatLabels(instance.labels) },
    summary: summarize(rule, instance, now, calendar),
    ...(rule.runbook === undefined ? {} : { runbook: rule.runbook }),
  };
}
