/**
 * One alarm instance (a rule applied to one series) and the JSON published for it, retained, on
 * <base>/alarms/<rule>/<series>.
 */
import type { SeriesLabels } from './series.js';

/**
 * The rule name of busbar's own alarm for notifications that died undelivered (notifiers/router/
 * dead.ts): not a configured rule, and so never cleared as a removed one.
 */
export const NOTIFICATION_DEAD_RULE = 'notification_dead';

export type AlarmState = 'inactive' | 'pending' | 'firing' | 'resolved';
export type Severity = 'info' | 'warning' | 'critical';
/**
 * `breach`: past the threshold; `recovered`: back past the clear level; `band`: between the two
 * (hysteresis), where a firing alarm keeps firing and a pending one falls back.
 */
export type Condition = 'breach' | 'band' | 'recovered';

/** What the engine remembers of an instance; also what the state file stores. */
export interface AlarmInstance {
  readonly rule: string;
  readonly series: string;
  readonly labels: SeriesLabels;
  state: AlarmState;
  /** When the current state began (ms since the epoch). */
  since: number;
  /** Latest value seen (threshold and trend rules), or undefined. */
  value: number | undefined;
  /** Trend rules: ms from the latest point until the limit is predicted to be crossed, if it is. */
  eta?: number | undefined;
  /** Trend rules: the range of that prediction (ms), from the spread of the fitted points. */
  etaRange?: readonly [number, number] | undefined;
  /** Deviation rules: the baseline the latest value was compared with. */
  baseline?: { mean: number; sigma: number } | undefined;
  /** The condition at the latest evaluation; time alone can move the state on from it (`for`). */
  condition: Condition;
  /** When the condition last started to hold (pending) or last stopped holding while firing. */
  conditionSince: number | undefined;
  /** When a point (or status) for this series was last seen. */
  lastSeen: number;
  /** When the alarm last fired, kept after it resolves. */
  firedAt: number | undefined;
}

/** The retained JSON of an alarm. */
export interface AlarmMessage {
  readonly rule: string;
  readonly series: string;
  readonly state: AlarmState;
  readonly severity: Severity;
  readonly value: number | null;
  readonly threshold: number | null;
  /** Deviation rules: the usual value and its standard deviation. */
  readonly baseline: { readonly mean: number; readonly sigma: number } | null;
  /**
   * Trend rules, while a crossing is predicted: seconds until the earliest credible one, and the
   * range around it (`high` null: it may never cross).
   */
  readonly eta?: { readonly seconds: number; readonly low: number; readonly high: number | null } | null;
  /** ISO 8601: when this state began. */
  readonly since: string;
  /** ISO 8601: when the alarm last fired, if it ever did. */
  readonly firedAt: string | null;
  readonly labels: Record<string, string>;
  /** One line in plain words. */
  readonly summary: string;
  /** The rule's `runbook`: a page saying what to do, linked from notifications. */
  readonly runbook?: string;
  /**
   * Set when the state is published again at start because the broker had lost its retained copy
   * (memory persistence): not a change, so notifier routes do not send it.
   */
  readonly restored?: true;
}

export function flatLabels(labels: SeriesLabels): Record<string, string> {
  const flat: Record<string, string> = { ...labels.tags, source: labels.source };
  if (labels.measurement !== '') flat.measurement = labels.measurement;
  if (labels.field !== '') flat.field = labels.field;
  return flat;
}

/** A number for people: at most 3 significant decimals, no exponent for ordinary magnitudes. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const rounded = Number(value.toPrecision(4));
  return String(rounded);
}

/** `1h 5m`, `2m`, `45s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
}

/** A prediction's duration, no more precise than it is: whole hours from 2 h, whole minutes below. */
export function formatRoughDuration(ms: number): string {
  if (ms >= 2 * 3_600_000) return `${Math.round(ms / 3_600_000)}h`;
  return formatDuration(Math.round(ms / 60_000) * 60_000);
}
