/**
 * The alarms component: reads every metric and source status on the bus, evaluates the alarm rules
 * (engine.ts) and publishes each state change, retained, on <base>/alarms/<rule>/<series>. The
 * notification stage (notify/stage.ts) turns those changes into grouped notifications on
 * <base>/notify/<group>, muted by silences and inhibition; a group counts as told when the notifiers'
 * receipt on <base>/notified/<group> says a receiver took its message (notify/told.ts).
 *
 * This file only wires the pieces: what is read from the bus (inputs.ts), silence requests
 * (silence-requests.ts) and acknowledgements (ack-requests.ts), one ordered publisher for all that goes out (publisher.ts), the state file
 * written after changes and on stop (state-saver.ts) and read at start (startup.ts).
 */
import type { Component, ComponentContext } from '../core/runtime/component.js';
import { aborted } from '../core/util/abortable.js';
import { errorMessage } from '../core/runtime/errors.js';
import { NOTIFICATION_DEAD_RULE, type AlarmMessage } from './alarm.js';
import type { AlarmsConfig } from './config.js';
import { SiteCalendar } from './calendar/calendar.js';
import { AlarmEngine } from './engine.js';
import { subscribeInputs } from './inputs.js';
import { NotificationStage } from './dispatch/stage.js';
import { SilenceStore } from './dispatch/silences.js';
import { RouteTree, type TreeRouteConfig } from './dispatch/route-tree.js';
import type { TimeIntervals } from './dispatch/time-intervals.js';
import { AlarmPublisher } from './publisher.js';
import { Recorder } from './record.js';
import { clearRemovedRuleTopics } from './retained-cleanup.js';
import { SilenceRequests } from './silence-requests.js';
import { AckRequests } from './ack-requests.js';
import { configuredRules, restoredState, seedEngine } from './startup.js';
import { AlarmStateSaver } from './state-saver.js';
import type { HistoryReadTarget } from '../history/config.js';
import { readTarget } from '../history/open.js';

/**
 * The history store's path is added by the registration when the history sink is on (seed.ts); the
 * notifiers' routes and time intervals, because the routing tree groups alarms here (route-tree.ts).
 */
export type AlarmsComponentConfig = AlarmsConfig & {
  readonly historyPath?: string | undefined;
  /** Where history is read from (`history.read`); default: the store at historyPath. */
  readonly historyRead?: HistoryReadTarget | undefined;
  readonly routes?: readonly TreeRouteConfig[];
  readonly timeIntervals?: TimeIntervals;
};

export const alarmsComponent: Component<AlarmsComponentConfig> = {
  kind: 'alarms',
  async run(context: ComponentContext<AlarmsComponentConfig>): Promise<void> {
    const { config, log, bus, topics, signal, ready } = context;
    const rules = configuredRules(config);
    const restored = await restoredState(config.statePath, log);
    const started = Date.now();
    const silences = new SilenceStore(config.silences, restored.silences, started);
    // Each drain first asks the stage (below) for the notifications fallen due.
    const publisher = new AlarmPublisher(bus, () => stage.flushDue(Date.now()));
    const publishState = (message: AlarmMessage): void =>
      publisher.add({
        topic: topics.alarm(message.rule, message.series),
        payload: JSON.stringify(message),
        retain: true,
      });
    const stage = new NotificationStage({
      config: config.notify,
      tree: new RouteTree(config.notify, config.routes, config.timeIntervals),
      inhibit: config.inhibit,
      silences,
      restored: restored.notify,
      onNotify: (notification) => {
        const { group, reason, summary } = notification;
        log.info({ group, reason, summary }, 'alarm notification');
        publisher.add({
          topic: topics.notification(group),
          payload: JSON.stringify(notification),
          retain: false,
        });
      },
    });
    // Asks the engine (below) only when a request comes.
    const acks = new AckRequests(
      (rule, series) => engine.get(rule, series)?.state === 'firing',
      stage,
      publisher,
      topics,
      log,
    );
    const engine = new AlarmEngine({
      rules,
      restored: restored.alarms,
      now: started,
      sources: config.sources,
      calendar: new SiteCalendar(config.calendar),
      onChange: (message) => {
        const { rule, series, state, summary } = message;
        log.info({ rule, series, state, summary }, 'alarm state changed');
        publishState(message);
        acks.changed(message);
        stage.change(message, Date.parse(message.since));
      },
      // An empty retained payload clears the topic [MQTT-3.3.1-10].
      onForget: (rule, series) =>
        publisher.add({ topic: topics.alarm(rule, series), payload: '', retain: true }),
      forgetAfter: config.forgetAfter,
    });
    await seedEngine(engine, readTarget(config.historyPath, config.historyRead), log);
    const requests = new SilenceRequests(silences, publisher, topics, log);
    requests.publishRestored();
    acks.restoreSaved(restored.acks);
    const saver = new AlarmStateSaver(
      config.statePath,
      () => [engine.changes, stage.changes, requests.changes, acks.changes],
      () => ({
        alarms: engine.snapshot(),
        silences: silences.saved(),
        notify: stage.snapshot(),
        acks: acks.saved(),
      }),
    );
    saver.loaded();
    // In the background: points must not wait while the retained alarms settle (awaited on stop).
    // A broker without persistence lost the alarms' retained states in the restart: those the state
    // file restored are published again (marked `restored`: not a change, so no one is notified).
    // notification_dead is the notifiers' own alarm: theirs to keep, not a removed rule.
    const names = [...rules.map((rule) => rule.name), NOTIFICATION_DEAD_RULE];
    const cleanup = clearRemovedRuleTopics({ bus, topics, log, rules: names })
      .then(async (scan) => {
        if (!scan) return;
        const lost = engine
          .messages(Date.now())
          .filter((message) => !scan.present.has(topics.alarm(message.rule, message.series)));
        if (lost.length === 0) return;
        for (const message of lost) publishState({ ...message, restored: true });
        await publisher.flush();
        log.info({ republished: lost.length }, 'alarm states the broker had lost published again');
      })
      .catch((error: unknown) =>
        log.warn({ err: errorMessage(error) }, 'alarm states the broker had lost not published again'),
      );
    const recorder = new Recorder(config.record);
    log.info(
      {
        rules: rules.length,
        record: config.record.length,
        restored: restored.alarms.length,
        silences: silences.size,
      },
      'alarms started',
    );

    // Published by each tick, after the notifications it sent: a reader sees the counters (left-out
    // repeats) in step with them.
    const stats = context.publishStats(
      () => ({
        rules: rules.length,
        held: stage.size,
        silences: silences.size,
        silenceRequestsRefused: requests.refused,
        acks: acks.size,
        ackRequestsRefused: acks.refused,
        ...stage.stats,
      }),
      { everyMs: false },
    );

    const subscriptions = await subscribeInputs({
      bus,
      topics,
      log,
      engine,
      recorder,
      requests,
      acks,
      stage,
      publisher,
    });

    const tick = async (): Promise<void> => {
      const now = Date.now();
      engine.tick(now);
      requests.expire(now);
      stage.tick(now);
      await publisher.flush();
      for (const output of recorder.due(now)) {
        await bus.publish(topics.metrics(output.source, output.metric.measurement), output.line);
      }
      await saver.save();
      await stats.publish();
    };
    await publisher.flush(); // the silences restored from the state file and the config
    ready();
    let running = Promise.resolve();
    const timer = setInterval(
      () => {
        running = running
          .then(tick)
          .catch((error: unknown) => log.warn({ err: errorMessage(error) }, 'alarm tick failed'));
      },
      Math.min(config.evaluateInterval, recorder.interval ?? Infinity),
    );
    try {
      await aborted(signal);
    } finally {
      clearInterval(timer);
      await running;
      await cleanup;
      await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
      await saver
        .save()
        .catch((error: unknown) => log.error({ err: errorMessage(error) }, 'alarm state not saved'));
    }
  },
};
