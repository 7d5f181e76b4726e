/**
 * What the bot answers from: the history store (latest values, series, charts), and the bus' retained
 * state kept by web/bus-state.ts: sources online or offline, alarm states and active silences; and the
 * latest grouped notifications (remembered, across restarts too, so their buttons can be resolved).
 */
import type { AlarmMessage } from '../../alarms/alarm.js';
import type { Ack } from '../../alarms/ack.js';
import { isAlarmMessage, isAlarmNotification } from '../alarm-payload.js';
import type { Silence } from '../../alarms/silence.js';
import type { Bus, BusSubscription } from '../../core/bus/bus.js';
import type { Topics } from '../../core/topics.js';
import type { HistoryReadTarget } from '../../history/config.js';
import { openHistory } from '../../history/open.js';
import type { HistorySource } from '../../history/source.js';
import { BusState } from '../../web/bus-state.js';
import { subjectHash } from './callback-data.js';
import type { NotifiedGroups, RememberedGroup } from './groups.js';

export { HistoryUnavailableError } from '../../history/source.js';

export class BotData {
  readonly state: BusState;
  private readonly subscriptions: BusSubscription[] = [];
  private history: HistorySource | undefined;

  constructor(
    private readonly bus: Bus,
    readonly topics: Topics,
    private readonly historyTarget: HistoryReadTarget,
    private readonly groups: NotifiedGroups,
  ) {
    this.state = new BusState(bus, topics);
  }

  async start(): Promise<void> {
    await this.groups.load();
    await this.state.start();
    this.subscriptions.push(
      await this.bus.subscribe(this.topics.allNotifications, (message) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(message.payload.toString('utf8'));
        } catch {
          return; // Not a notification: nothing to remember.
        }
        if (isAlarmNotification(parsed)) this.groups.remember(parsed);
      }),
    );
  }

  /** The active silences, as the web's state keeps them from the retained silence topics. */
  get silences(): ReadonlyMap<string, Silence> {
    return this.state.silences;
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.subscriptions.map((subscription) => subscription.unsubscribe()));
    await this.state.stop();
    await this.groups.flush();
    this.history?.close();
    this.history = undefined;
  }

  /**
   * Where history is read from (`history.read`); its reads throw HistoryUnavailableError when it is
   * off or cannot be reached, which the bot answers in the chat.
   */
  reader(): HistorySource {
    this.history ??= openHistory(this.historyTarget);
    return this.history;
  }

  /** Every alarm known from the retained topics. */
  alarms(): AlarmMessage[] {
    const out: AlarmMessage[] = [];
    for (const value of this.state.alarms.values()) if (isAlarmMessage(value)) out.push(value);
    return out;
  }

  firing(): AlarmMessage[] {
    return this.alarms()
      .filter((alarm) => alarm.state === 'firing')
      .sort((a, b) => a.rule.localeCompare(b.rule) || a.series.localeCompare(b.series));
  }

  alarmByHash(hash: string): AlarmMessage | undefined {
    return this.alarms().find(
      (alarm) => subjectHash({ kind: 'alarm', key: `${alarm.rule}/${alarm.series}` }) === hash,
    );
  }

  /** The current (retained) state of one alarm. */
  alarm(rule: string, series: string): AlarmMessage | undefined {
    const value = this.state.alarms.get(this.topics.levelsAfter('alarms', this.topics.alarm(rule, series)));
    return isAlarmMessage(value) ? value : undefined;
  }

  /** Who acknowledged a firing alarm, from the retained <base>/acks/#. */
  ackOf(alarm: Pick<AlarmMessage, 'rule' | 'series'>): Ack | undefined {
    return this.state.ackOf(alarm.rule, alarm.series);
  }

  groupByHash(hash: string): RememberedGroup | undefined {
    return this.groups.byButtonHash(hash);
  }
}
