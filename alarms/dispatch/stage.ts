/**
 * From alarm state changes to the notifications worth sending, with Alertmanager's semantics:
 * - grouping: alarms with equal `groupBy` labels go out together; a new group waits `groupWait` for
 *   its companions, later changes are collected for `groupInterval`;
 * - repeat: alarms still firing are told again after `repeatInterval` without news;
 * - silences and inhibition mute alarms at the moment a notification is made (an alarm whose silence
 *   ends while it still fires is told then);
 * - flapping: an alarm changing too often is told once as flapping, then held back until it settles;
 * - the routing tree (route-tree.ts): each route an alarm ends at groups it with its own settings,
 *   and holds its notifications back while its time intervals mute it;
 * - acknowledgement: an acknowledged alarm is left out of repeats (it is still in the group's news).
 * Pure of I/O and of the clock, like the engine: the component passes `now` and publishes what
 * `onNotify` receives on <base>/notify/<group>.
 */
import { formatDuration, type AlarmMessage } from '../alarm.js';
import type { AlarmAcknowledgement, AlarmNotification } from '../notification.js';
import { alarmLabels } from '../silence.js';
import type { InhibitRule, NotifyConfig } from './config.js';
import { FlapDetector } from './flapping.js';
import { RouteTree, type RouteNode } from './route-tree.js';
import { Inhibitor, type InhibitionCheck } from './inhibit.js';
import type { SilenceStore } from './silences.js';
import {
  applyReceipt,
  forgetAlarm,
  lastSaid,
  markSent,
  type Receipt,
  type SentMessage,
  type Told,
} from './told.js';

/** One alarm inside a group; also what the state file keeps. */
export interface GroupEntry {
  message: AlarmMessage;
  told: Told;
  flapping: boolean;
}

/**
 * The recent changes of one alarm. Kept apart from groups, which forget an alarm once its resolution
 * is told: flapping is exactly an alarm that keeps coming back.
 */
export interface FlapRecord {
  readonly alarm: string;
  /** Times of its firing/resolved changes within the flapping window. */
  readonly changes: number[];
  flapping: boolean;
}

export interface StageSnapshot {
  readonly groups: readonly GroupSnapshot[];
  readonly flaps: readonly FlapRecord[];
}

export interface GroupSnapshot {
  readonly key: string;
  /** The route of the tree the group belongs to (absent: the root). */
  readonly route?: string | undefined;
  readonly labels: Record<string, string>;
  readonly lastFlush: number | undefined;
  readonly nextFlush: number | undefined;
  readonly entries: readonly GroupEntry[];
  /** Messages published and not yet delivered (absent in files of earlier versions). */
  readonly sent?: readonly SentMessage[];
}

interface Group {
  readonly key: string;
  readonly route: string | undefined;
  readonly labels: Record<string, string>;
  lastFlush: number | undefined;
  nextFlush: number | undefined;
  readonly entries: Map<string, GroupEntry>;
  sent: SentMessage[];
}

export interface NotifyStats {
  notifications: number;
  /** Alarm mentions left out of a notification because a silence matched. */
  silenced: number;
  /** ... because a firing alarm inhibited them. */
  inhibited: number;
  /** Alarms that started flapping. */
  flapping: number;
  /** Groups whose notification their route's time intervals held back (once per hold). */
  muted: number;
  /** Repeats left out because every alarm they would remind of was acknowledged. */
  ackedRepeats: number;
  /** Receipts: notifications a receiver accepted, and those that died undelivered. */
  delivered: number;
  dead: number;
}

export interface StageOptions {
  readonly config: NotifyConfig;
  readonly inhibit: readonly InhibitRule[];
  readonly silences: SilenceStore;
  /** The routing tree; default: the root alone, with `config`'s settings. */
  readonly tree?: RouteTree;
  readonly onNotify: (notification: AlarmNotification) => void;
  readonly restored?: StageSnapshot;
}

const EVERY_LABEL = '...';

/**
 * How often a group a time interval holds back is looked at again: intervals are given to the
 * minute, so its notification goes out within a minute of the interval's end.
 */
const MUTED_RECHECK_MS = 60_000;

function alarmKey(message: Pick<AlarmMessage, 'rule' | 'series'>): string {
  return `${message.rule}/${message.series}`;
}

export class NotificationStage {
  private readonly config: NotifyConfig;
  private readonly tree: RouteTree;
  /** Keys of the groups their route's time intervals hold back now. */
  private readonly held = new Set<string>();
  /** Alarm keys (`rule/series`) someone acknowledged while they fire, with who and when. */
  private readonly acked = new Map<string, AlarmAcknowledgement>();
  private readonly groups = new Map<string, Group>();
  private readonly flapRecords = new Map<string, FlapRecord>();
  private readonly silences: SilenceStore;
  private readonly inhibitor: Inhibitor;
  private readonly flaps: FlapDetector;
  private readonly onNotify: (notification: AlarmNotification) => void;
  /** Earliest `nextFlush` of any group, so `flushDue` is cheap when nothing is due. */
  private earliest = Infinity;
  readonly stats: NotifyStats = {
    notifications: 0,
    silenced: 0,
    inhibited: 0,
    flapping: 0,
    muted: 0,
    ackedRepeats: 0,
    delivered: 0,
    dead: 0,
  };
  /** Makes each message's id unique within a run; the time in it, across runs. */
  private sequence = 0;
  /** Bumped when something the state file keeps changed. */
  changes = 0;

  constructor(options: StageOptions) {
    this.config = options.config;
    this.tree = options.tree ?? new RouteTree(options.config);
    this.silences = options.silences;
    this.inhibitor = new Inhibitor(options.inhibit);
    this.flaps = new FlapDetector(options.config.flapping.changes, options.config.flapping.window);
    this.onNotify = options.onNotify;
    for (const record of options.restored?.flaps ?? []) {
      this.flapRecords.set(record.alarm, { ...record, changes: [...record.changes] });
    }
    for (const saved of options.restored?.groups ?? []) {
      const group: Group = {
        key: saved.key,
        // A route removed from the config since: the root's receivers take its group from now on.
        route: saved.route !== undefined && this.tree.has(saved.route) ? saved.route : undefined,
        labels: saved.labels,
        lastFlush: saved.lastFlush,
        nextFlush: saved.nextFlush,
        entries: new Map(saved.entries.map((entry) => [alarmKey(entry.message), { ...entry }])),
        sent: (saved.sent ?? []).map((message) => ({ ...message, said: { ...message.said } })),
      };
      this.groups.set(group.key, group);
      if (group.nextFlush !== undefined) this.earliest = Math.min(this.earliest, group.nextFlush);
    }
  }

  /** An alarm's state changed (the engine's onChange). Only firing and resolved are news. */
  change(message: AlarmMessage, now: number): void {
    if (message.state !== 'firing' && message.state !== 'resolved') return;
    const id = alarmKey(message);
    const touched: Group[] = [];
    for (const node of this.tree.match(message)) {
      const { key, labels } = this.groupOf(message, node);
      let group = this.groups.get(key);
      let entry = group?.entries.get(id);
      if (!entry) {
        // A resolution of an alarm never told firing is no news.
        if (message.state === 'resolved') continue;
        if (!group) {
          group = {
            key,
            route: node.path,
            labels,
            lastFlush: undefined,
            nextFlush: undefined,
            entries: new Map(),
            sent: [],
          };
          this.groups.set(key, group);
        }
        entry = { message, told: undefined, flapping: false };
        group.entries.set(id, entry);
      }
      entry.message = message;
      touched.push(group!);
    }
    if (touched.length === 0) return;
    let record = this.flapRecords.get(id);
    if (!record) {
      record = { alarm: id, changes: [], flapping: false };
      this.flapRecords.set(id, record);
    }
    const flapping = this.flaps.record(record.changes, now, record.flapping);
    if (flapping && !record.flapping) this.stats.flapping += 1;
    record.flapping = flapping;
    for (const group of touched) {
      group.entries.get(id)!.flapping = flapping;
      this.schedule(group, now);
    }
    this.changes += 1;
  }

  /**
   * A receipt from the notifiers (<base>/notified/<group>): the one way an alarm becomes told
   * (told.ts). Returns false for a message this stage does not know (another run's, or let go).
   */
  receipt(receipt: Receipt): boolean {
    const group = this.groups.get(receipt.group);
    if (!group || !applyReceipt(group, receipt)) return false;
    this.stats[receipt.state] += 1;
    this.changes += 1;
    if (group.entries.size === 0 && group.sent.length === 0) this.groups.delete(group.key);
    return true;
  }

  /** Sends the notifications of groups whose time has come. Cheap when none is due. */
  flushDue(now: number): void {
    if (now < this.earliest) return;
    this.earliest = Infinity;
    let inhibited: InhibitionCheck | undefined;
    for (const group of [...this.groups.values()]) {
      if (group.nextFlush !== undefined && group.nextFlush <= now) {
        inhibited ??= this.inhibition();
        this.flush(group, now, 'change', inhibited);
      } else if (group.nextFlush !== undefined) this.earliest = Math.min(this.earliest, group.nextFlush);
    }
  }

  /**
   * The periodic pass: flapping settles as changes age out, silences end and inhibiting alarms
   * resolve (muted alarms become news), repeats fall due; then what is due is sent.
   */
  tick(now: number): void {
    for (const [id, record] of this.flapRecords) {
      record.flapping = this.flaps.evaluate(record.changes, now, record.flapping);
      if (record.changes.length === 0) this.flapRecords.delete(id);
    }
    const inhibited = this.inhibition();
    for (const group of this.groups.values()) {
      for (const [id, entry] of group.entries) {
        const flapping = this.flapRecords.get(id)?.flapping ?? false;
        if (flapping !== entry.flapping) {
          entry.flapping = flapping;
          this.changes += 1;
        }
      }
      if (group.nextFlush === undefined && this.hasNews(group, now, inhibited)) this.schedule(group, now);
      if (
        group.nextFlush === undefined &&
        group.lastFlush !== undefined &&
        now - group.lastFlush >= this.settingsOf(group).repeatInterval
      ) {
        this.flush(group, now, 'repeat', inhibited);
      }
    }
    this.flushDue(now);
  }

  /**
   * Someone acknowledged a firing alarm (`rule/series`): it is left out of repeats until it resolves
   * or fires again, and the notifications it is still in say who took it. Undefined forgets it.
   */
  acknowledge(alarm: string, ack: AlarmAcknowledgement | undefined): void {
    if (ack) this.acked.set(alarm, { by: ack.by, at: ack.at, comment: ack.comment });
    else this.acked.delete(alarm);
  }

  snapshot(): StageSnapshot {
    return {
      groups: [...this.groups.values()].map((group) => ({
        key: group.key,
        ...(group.route === undefined ? {} : { route: group.route }),
        labels: group.labels,
        lastFlush: group.lastFlush,
        nextFlush: group.nextFlush,
        entries: [...group.entries.values()].map((entry) => ({ ...entry })),
        sent: group.sent.map((message) => ({ ...message, said: { ...message.said } })),
      })),
      flaps: [...this.flapRecords.values()].map((record) => ({ ...record, changes: [...record.changes] })),
    };
  }

  /** The alarms currently held (firing, or resolved and not yet told), for tests and stats. */
  get size(): number {
    let size = 0;
    for (const group of this.groups.values()) size += group.entries.size;
    return size;
  }

  /** The group of `message` at a route: the root's keys are those of a configuration without a tree. */
  private groupOf(message: AlarmMessage, node: RouteNode): { key: string; labels: Record<string, string> } {
    const { groupBy } = node.settings;
    const all = alarmLabels(message);
    const scoped = (key: string): string => (node.path === undefined ? key : `${node.path}|${key}`);
    if (groupBy.includes(EVERY_LABEL)) return { key: scoped(alarmKey(message)), labels: all };
    const labels: Record<string, string> = {};
    for (const name of groupBy) labels[name] = all[name] ?? '';
    const key = groupBy.map((name) => `${name}=${labels[name]}`).join(',');
    return { key: scoped(key === '' ? 'all' : key), labels };
  }

  private settingsOf(group: Group): RouteNode['settings'] {
    return this.tree.node(group.route).settings;
  }

  private schedule(group: Group, now: number): void {
    if (group.nextFlush !== undefined) return;
    const settings = this.settingsOf(group);
    group.nextFlush =
      group.lastFlush === undefined
        ? now + settings.groupWait
        : Math.max(now, group.lastFlush + settings.groupInterval);
    this.earliest = Math.min(this.earliest, group.nextFlush);
  }

  /** How an entry would be shown now, or undefined when it is muted (silenced or inhibited). */
  private shown(entry: GroupEntry, now: number, inhibited: InhibitionCheck, count: boolean): Told {
    const { message } = entry;
    if (this.silences.silencing(message, now).length > 0) {
      if (count) this.stats.silenced += 1;
      return undefined;
    }
    if (inhibited(message) !== undefined) {
      if (count) this.stats.inhibited += 1;
      return undefined;
    }
    if (entry.flapping) return 'flapping';
    return message.state === 'firing' ? 'firing' : 'resolved';
  }

  /** True when an entry is news: shown differently from what the group last said of it. */
  private isNews(group: Group, key: string, entry: GroupEntry, shown: Told): boolean {
    const said = lastSaid(group, key, entry.told);
    if (shown === undefined || shown === said) return false;
    if (shown === 'resolved') return said !== undefined && this.config.resolved;
    return true;
  }

  private hasNews(group: Group, now: number, inhibited: InhibitionCheck): boolean {
    for (const [key, entry] of group.entries) {
      if (this.isNews(group, key, entry, this.shown(entry, now, inhibited, false))) return true;
    }
    return false;
  }

  /** Which alarms the firing ones inhibit now; computed once per pass over the groups. */
  private inhibition(): InhibitionCheck {
    if (!this.inhibitor.enabled) return () => undefined;
    const firing: AlarmMessage[] = [];
    for (const group of this.groups.values()) {
      for (const entry of group.entries.values()) {
        if (entry.message.state === 'firing') firing.push(entry.message);
      }
    }
    return this.inhibitor.prepare(firing);
  }

  private flush(group: Group, now: number, reason: 'change' | 'repeat', inhibited: InhibitionCheck): void {
    if (group.nextFlush !== undefined) this.changes += 1;
    group.nextFlush = undefined;
    // Held back, not dropped: nothing is marked sent; looked at again until the interval ends.
    if (this.tree.node(group.route).muted(now)) {
      if (!this.held.has(group.key)) this.stats.muted += 1;
      this.held.add(group.key);
      group.nextFlush = now + MUTED_RECHECK_MS;
      this.earliest = Math.min(this.earliest, group.nextFlush);
      return;
    }
    this.held.delete(group.key);
    const told: { key: string; entry: GroupEntry; shown: Exclude<Told, undefined> }[] = [];
    const settled: string[] = [];
    let news = false;
    /** Some news is not an alarm starting to flap. */
    let otherNews = false;
    let leftOut = 0;
    for (const [key, entry] of group.entries) {
      const shown = this.shown(entry, now, inhibited, reason === 'change');
      const isNews = this.isNews(group, key, entry, shown);
      news ||= isNews;
      otherNews ||= isNews && shown !== 'flapping';
      // A repeat reminds of what nobody took on: acknowledged alarms are left out of it.
      const acked = reason === 'repeat' && !isNews && shown === 'firing' && this.acked.has(key);
      if (acked) leftOut += 1;
      else if (shown === 'firing' || isNews) told.push({ key, entry, shown: shown! });
      // Resolved and settled: said now, muted, or never said firing. Nothing more to say about it.
      if (entry.message.state === 'resolved' && !entry.flapping) settled.push(key);
    }
    if (told.length === 0 && leftOut > 0) {
      // Every alarm it would remind of is acknowledged: the next reminder is due a repeat later.
      this.stats.ackedRepeats += 1;
      group.lastFlush = now;
      this.changes += 1;
    }
    if (told.length > 0 && (news || reason === 'repeat')) {
      // A notice that an alarm flaps is neither a new group nor news of its state.
      const kind =
        reason === 'repeat'
          ? 'repeat'
          : !otherNews
            ? 'flapping'
            : group.lastFlush === undefined
              ? 'new'
              : 'update';
      this.sequence += 1;
      const id = `${group.key}@${now.toString(36)}-${this.sequence}`;
      // Sent, not told: that waits for the notifiers' receipt (told.ts).
      markSent(group, { id, said: Object.fromEntries(told.map(({ key, shown }) => [key, shown])) });
      group.lastFlush = now;
      this.stats.notifications += 1;
      this.changes += 1;
      this.onNotify(this.notification(id, group, told, kind, now));
    }
    for (const key of settled) {
      group.entries.delete(key);
      forgetAlarm(group, key);
      this.changes += 1;
    }
    if (group.entries.size === 0) this.groups.delete(group.key);
  }

  private notification(
    id: string,
    group: Group,
    told: readonly { key: string; entry: GroupEntry; shown: Exclude<Told, undefined> }[],
    reason: AlarmNotification['reason'],
    now: number,
  ): AlarmNotification {
    const shownAlarms = told.map(({ key, entry, shown }) => {
      const message = shown === 'flapping' ? this.flappingMessage(key, entry.message) : entry.message;
      // Who took a firing alarm, for every channel's message (a resolution has nobody on it).
      const acknowledged = shown === 'firing' ? this.acked.get(key) : undefined;
      return { message: acknowledged ? { ...message, acknowledged } : message, shown };
    });
    const alarms = shownAlarms.map(({ message }) => message);
    const firing = told.filter(({ shown }) => shown !== 'resolved').length;
    const resolved = told.length - firing;
    return {
      id,
      group: group.key,
      ...(group.route === undefined ? {} : { route: group.route }),
      labels: group.labels,
      status: firing > 0 ? 'firing' : 'resolved',
      reason,
      firing,
      resolved,
      alarms,
      summary: summarizeGroup(shownAlarms),
      time: new Date(now).toISOString(),
    };
  }

  /**
   * A flapping alarm as told: its summary says that it flaps and how often it changed, not what its
   * latest state said ("... resolved after 2m" of an alarm that fires again a minute later).
   */
  private flappingMessage(key: string, message: AlarmMessage): AlarmMessage & { flapping: true } {
    const changes = this.flapRecords.get(key)?.changes.length ?? this.config.flapping.changes;
    const window = formatDuration(this.config.flapping.window);
    const summary = `${message.rule} on ${message.series} is flapping: ${changes} changes in ${window}, now ${message.state}`;
    return { ...message, flapping: true, summary };
  }
}

/** `[FIRING] disk used on web1 is 93.2, above 90` or `2 firing, 1 resolved: disk-full on web1, web2, web3`. */
export function summarizeGroup(
  alarms: readonly { message: AlarmMessage; shown: Exclude<Told, undefined> }[],
): string {
  if (alarms.length === 1) {
    const { message, shown } = alarms[0]!;
    return `[${shown.toUpperCase()}] ${message.summary}`;
  }
  const counts = (['firing', 'flapping', 'resolved'] as const)
    .map((state) => [state, alarms.filter((alarm) => alarm.shown === state).length] as const)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${count} ${state}`)
    .join(', ');
  const list = (values: string[]): string => {
    const unique = [...new Set(values)];
    return unique.length <= 5
      ? unique.join(', ')
      : `${unique.slice(0, 5).join(', ')} and ${unique.length - 5} more`;
  };
  const rules = list(alarms.map(({ message }) => message.rule));
  const sources = list(alarms.map(({ message }) => message.labels.source ?? message.series));
  return `${counts}: ${rules} on ${sources}`;
}
