/**
 * A grouped alarm notification, published (not retained) on <base>/notify/<group> by the alarms
 * component's notification stage (alarms/dispatch/): what Alertmanager would hand its receivers. The
 * retained <base>/alarms/<rule>/<series> topics stay the state; these are the events worth telling
 * someone, after grouping, repeat, inhibition, silences and flapping detection.
 */
import type { AlarmMessage } from './alarm.js';

/** Who acknowledged a firing alarm ("I'm on it"), and when (alarms/ack.ts). */
export interface AlarmAcknowledgement {
  readonly by: string;
  /** ISO 8601. */
  readonly at: string;
  readonly comment: string;
}

export interface AlarmNotification {
  /**
   * Unique per message: the notifiers' receipt (`<base>/notified/<group>`) names it, and the group
   * counts as told once a receipt says it was delivered.
   */
  readonly id: string;
  /** The group key: the `groupBy` labels and their values (`rule=disk-full,source=web1`). */
  readonly group: string;
  /**
   * The route of the routing tree the group belongs to (`team-db/pager`): only that route delivers
   * it. Absent: the root's group, which the flat routes on <base>/notify/# take.
   */
  readonly route?: string;
  /** The `groupBy` labels and their values, shared by every alarm of the group. */
  readonly labels: Record<string, string>;
  /** `firing` when at least one alarm of the group fires, else `resolved`. */
  readonly status: 'firing' | 'resolved';
  /**
   * Why now: a group's first message, a change after it, a reminder of alarms still firing, or only
   * that an alarm of the group started flapping (its summary says how often it changed).
   */
  readonly reason: 'new' | 'update' | 'repeat' | 'flapping';
  readonly firing: number;
  readonly resolved: number;
  /**
   * The alarms told about: every firing one of the group, and those resolved since the last message.
   * An alarm whose state flaps is sent once with `flapping: true` and a summary saying so ("disk_used
   * on web1.disk.used_percent{...} is flapping: 6 changes in 1h, now resolved"), then held back
   * until it settles.
   */
  readonly alarms: readonly (AlarmMessage & {
    readonly flapping?: boolean;
    /** A firing alarm someone acknowledged: who, when, and what they said. */
    readonly acknowledged?: AlarmAcknowledgement;
  })[];
  /** One line in plain words (`2 firing: disk used on web1, web2`). */
  readonly summary: string;
  /** ISO 8601. */
  readonly time: string;
}
