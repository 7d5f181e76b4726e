/**
 * What an HTTP target's templates can say about one notification. Besides the route's rendered
 * title and message: whether it fires or resolves, how severe it is, and a key that stays the same
 * from an alarm's firing to its resolution, so an incident API (PagerDuty's dedup_key, Opsgenie's
 * alias) resolves the incident the firing opened.
 */
import type { Severity } from '../../../alarms/alarm.js';
import { payloadAlarms, isAlarmNotification } from '../../alarm-payload.js';
import type { TemplateValues } from '../../router/template.js';
import type { Notification } from '../service.js';

export interface RequestValues extends TemplateValues {
  readonly title: string;
  readonly message: string;
  readonly status: 'firing' | 'resolved';
  readonly severity: Severity;
  /** The target's `levels` entry for this severity (or for a resolution), else the severity. */
  readonly level: string | number;
  readonly key: string;
  readonly priority: Notification['priority'];
  readonly id: string;
  readonly route: string;
}

/**
 * What of the target's config the values depend on: its `levels` (config.ts). Stated here rather than
 * imported, since config.ts checks its templates against these values' names (template.ts).
 */
interface LevelsConfig {
  readonly levels: Partial<Record<Severity | 'resolved', string | number>>;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** A message that is no alarm still has a severity: the route's priority says how urgent it is. */
const BY_PRIORITY: Record<Notification['priority'], Severity> = {
  high: 'critical',
  normal: 'warning',
  low: 'info',
};

function statusOf(payload: unknown): 'firing' | 'resolved' {
  if (isAlarmNotification(payload)) return payload.status;
  const alarms = payloadAlarms(payload)?.alarms;
  const state = alarms?.[0]?.state;
  return state === 'resolved' || state === 'inactive' ? 'resolved' : 'firing';
}

/** The highest severity among the firing alarms (among all of them in a resolution). */
function severityOf(notification: Notification, status: 'firing' | 'resolved'): Severity {
  const alarms = payloadAlarms(notification.payload)?.alarms ?? [];
  const counted = status === 'firing' ? alarms.filter((alarm) => alarm.state === 'firing') : alarms;
  const severities = (counted.length > 0 ? counted : alarms).map((alarm) => alarm.severity);
  if (severities.length === 0) return BY_PRIORITY[notification.priority];
  return severities.reduce((top, severity) => ((RANK[severity] ?? 0) > RANK[top] ? severity : top), 'info');
}

/** A group's key, an alarm's rule and series, or else the topic. */
function keyOf(notification: Notification): string {
  const { payload } = notification;
  if (isAlarmNotification(payload)) return payload.group;
  const alarm = payloadAlarms(payload)?.alarms[0];
  return alarm ? `${alarm.rule}/${alarm.series}` : notification.topic;
}

export function requestValues(notification: Notification, config: LevelsConfig): RequestValues {
  const status = statusOf(notification.payload);
  const severity = severityOf(notification, status);
  const level =
    (status === 'resolved' ? config.levels.resolved : undefined) ?? config.levels[severity] ?? severity;
  return {
    topic: notification.topic,
    levels: notification.topic.split('/'),
    payload: notification.payload,
    externalUrl: notification.externalUrl,
    title: notification.title,
    message: notification.message,
    status,
    severity,
    level,
    key: keyOf(notification),
    priority: notification.priority,
    id: notification.id,
    route: notification.route,
  };
}
